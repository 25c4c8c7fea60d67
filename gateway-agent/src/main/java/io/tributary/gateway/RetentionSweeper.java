package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes staged segments past the retention, but only those whose changes are in published Delta
 * versions: a segment's last position (in its file name) must be covered by its table's published
 * position, which the coordinator answers. A segment past the retention and not yet applied is
 * kept, counted in {@code tributary.gateway.retention.segments.blocked} and named in a warning: the
 * applier is behind or stopped, and deleting would lose changes.
 */
public final class RetentionSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);

  /** What one sweep did. */
  public record Sweep(int deleted, int blocked, int tablesUnanswered) {}

  private final StagingStore staging;
  private final List<TableId> tables;
  private final Function<TableId, PublishedPosition> published;
  private final Duration retention;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Counter deleted;
  private final AtomicLong blocked = new AtomicLong();
  private final List<Meter> meters = new ArrayList<>();

  /**
   * @param published the coordinator's published position of a table (see
   *     {@code HttpCoordinatorClient.publishedPosition})
   */
  public RetentionSweeper(StagingStore staging, List<TableId> tables, Function<TableId, PublishedPosition> published,
      Duration retention, Clock clock, MeterRegistry registry) {
    this.staging = requireNonNull(staging, "staging is null");
    this.tables = List.copyOf(requireNonNull(tables, "tables is null"));
    this.published = requireNonNull(published, "published is null");
    this.retention = requireNonNull(retention, "retention is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.deleted = Counter.builder("tributary.gateway.retention.segments.deleted")
        .description("Staged segments deleted after the retention, once applied")
        .register(registry);
    meters.add(deleted);
    meters.add(Gauge.builder("tributary.gateway.retention.segments.blocked", blocked, AtomicLong::get)
        .description("Staged segments past the retention kept because their changes are not applied yet")
        .register(registry));
  }

  /** Deletes what may go; a table whose published position cannot be read is left for the next sweep. */
  public Sweep sweepOnce() {
    LocalDate oldestKept = LocalDate.ofInstant(clock.instant().minus(retention), ZoneOffset.UTC);
    int removed = 0;
    int kept = 0;
    int unanswered = 0;
    for (TableId table : tables) {
      List<URI> expired = new ArrayList<>();
      for (URI segment : staging.listSegments(table)) {
        if (StagingStore.dayOf(segment).isBefore(oldestKept)) {
          expired.add(segment);
        }
      }
      if (expired.isEmpty()) {
        continue;
      }
      PublishedPosition position;
      try {
        position = published.apply(table);
      } catch (TributaryException e) {
        unanswered++;
        LOG.warn("Cannot ask which segments of {} are applied; keeping its {} expired segments for now: {}", table,
            expired.size(), e.getMessage());
        continue;
      }
      int keptOfTable = 0;
      for (URI segment : expired) {
        SourcePosition last = StagingStore.lastPositionOf(segment);
        if (position.covers(last)) {
          if (staging.deleteSegment(segment)) {
            removed++;
            deleted.increment();
          }
        } else {
          keptOfTable++;
        }
      }
      if (keptOfTable > 0) {
        LOG.warn("{} segments of {} are older than the retention of {} but not applied yet (published position {});"
            + " they are kept. Is an applier running for this table?", keptOfTable, table, retention,
            position.position().map(SourcePosition::value).orElse("none"));
      }
      kept += keptOfTable;
    }
    blocked.set(kept);
    if (removed > 0) {
      LOG.info("Retention deleted {} applied segments staged before {}", removed, oldestKept);
    }
    return new Sweep(removed, kept, unanswered);
  }

  /** Removes the sweeper's meters. */
  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
