package io.tributary.cli.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/** One line of live progress, read from the pipeline's own metrics so it shows what they show. */
public final class Progress {
  private final MeterRegistry registry;
  private final Clock clock;
  private final long startMillis;

  public Progress(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.startMillis = clock.millis();
  }

  public String line(long generatedTransactions) {
    return String.format("  [%4ds] generated %,d tx | captured %,.0f changes | staged %,.0f segments | applied %,.0f upserts + %,.0f deletes in %,.0f commits",
        (clock.millis() - startMillis) / 1000, generatedTransactions,
        sum("tributary.gateway.events.captured"), sum("tributary.gateway.segments.staged"),
        sum("tributary.applier.rows.upserted"), sum("tributary.applier.rows.deleted"), sum("tributary.applier.batches.applied"));
  }

  private double sum(String name) {
    return total(registry, name);
  }

  /** The sum of a counter over all its tags, 0 when it was never registered. */
  public static double total(MeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }
}
