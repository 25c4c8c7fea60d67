package io.tributary.cli.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.RetentionSweeper;
import io.tributary.staging.StagingStore;
import io.tributary.staging.config.ConfigReader;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the gateway's {@link RetentionSweeper} in the background: a first sweep a minute after the
 * start, then one every {@link #INTERVAL}.
 */
public final class StagingRetention implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StagingRetention.class);
  static final Duration INTERVAL = Duration.ofHours(1);
  private static final Duration FIRST_SWEEP = Duration.ofMinutes(1);

  private final StagingStore staging;
  private final RetentionSweeper sweeper;
  private final ScheduledExecutorService executor;

  private StagingRetention(StagingStore staging, RetentionSweeper sweeper) {
    this.staging = staging;
    this.sweeper = sweeper;
    this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-staging-retention");
      thread.setDaemon(true);
      return thread;
    });
    executor.scheduleWithFixedDelay(this::sweep, FIRST_SWEEP.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts sweeping the gateway's staging, asking {@code coordinator} which segments are applied. */
  public static StagingRetention start(GatewayConfig gateway, CoordinatorClient coordinator, Clock clock,
      MeterRegistry registry) {
    StagingStore staging = StagingStore.open(gateway.staging(), clock);
    RetentionSweeper sweeper = new RetentionSweeper(staging, gateway.source().tables(),
        RetentionSweeper.Coordinator.of(coordinator), gateway.staging().retention(),
        gateway.staging().unappliedPastRetention(), clock, registry);
    LOG.info("Staging retention: segments are deleted {} after the day they were staged once applied; unapplied ones"
        + " then: {}", ConfigReader.format(gateway.staging().retention()), gateway.staging().unappliedPastRetention().configName());
    return new StagingRetention(staging, sweeper);
  }

  private void sweep() {
    try {
      sweeper.sweepOnce();
    } catch (RuntimeException e) {
      LOG.warn("The staging retention sweep failed; it runs again in {}: {}", INTERVAL, e.toString());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sweeper.close();
    staging.close();
  }
}
