package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig.UnappliedPastRetention;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigReader;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes staged segments past the retention. A segment whose changes are in published Delta
 * versions goes: its last position (in its file name) is covered by its table's published
 * position, which the coordinator answers.
 *
 * <p>A segment past the retention that is not applied yet (an applier stopped or far behind) is
 * never deleted silently. The manifest topic keeps its announcements for the same time, so no
 * applier would apply it anyway: with {@link UnappliedPastRetention#RESYNC} (the default) the
 * sweeper asks the coordinator to resync its table, records an error event naming the segments,
 * and deletes them once the resync is recorded; an applier that meets one of their announcements
 * still in the topic skips it, because the resync supersedes it. With
 * {@link UnappliedPastRetention#KEEP} the segment is kept whatever its age. Either way the
 * segments kept are counted in {@code tributary.gateway.retention.segments.blocked} and named in a
 * warning.
 *
 * <p>Each sweep also asks the coordinator about every table with staged segments, to report in
 * {@code tributary.gateway.retention.oldest.unapplied.age} how old the oldest segment not applied
 * yet is: compared with {@code tributary.gateway.retention.period}, it warns before the retention
 * reaches unapplied changes. A segment's age counts from the start (UTC) of the day it was staged,
 * the time its path keeps; a table the coordinator does not answer for keeps the oldest unapplied
 * day of the last sweep it answered in.
 */
public final class RetentionSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);

  /** What one sweep did. */
  public record Sweep(int deleted, int blocked, int tablesUnanswered, int resyncsRequired) {}

  /** What the sweeper asks of the coordinator; {@link #of} adapts a client. */
  public interface Coordinator {
    /** See {@link CoordinatorClient#publishedPosition}. */
    PublishedPosition publishedPosition(TableId tableId);

    /** See {@link CoordinatorClient#requireResync}. */
    TableStatus requireResync(TableId tableId, String reason, Instant stagedUntil);

    /** See {@link CoordinatorClient#report}. */
    void report(CoordinatorEvent.Report event);

    static Coordinator of(CoordinatorClient client) {
      requireNonNull(client, "client is null");
      return new Coordinator() {
        @Override
        public PublishedPosition publishedPosition(TableId tableId) {
          return client.publishedPosition(tableId);
        }

        @Override
        public TableStatus requireResync(TableId tableId, String reason, Instant stagedUntil) {
          return client.requireResync(tableId, reason, stagedUntil);
        }

        @Override
        public void report(CoordinatorEvent.Report event) {
          client.report(event);
        }
      };
    }
  }

  private final StagingStore staging;
  private final List<TableId> tables;
  private final Coordinator coordinator;
  private final Duration retention;
  private final UnappliedPastRetention unapplied;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Counter deleted;
  private final Counter forced;
  private final AtomicLong blocked = new AtomicLong();
  /** By table: the staging day of its oldest segment not applied, as of the last pass that could tell. */
  private final Map<TableId, LocalDate> oldestUnappliedDays = new HashMap<>();
  private final List<Meter> meters = new ArrayList<>();
  private volatile double oldestUnappliedAge = Double.NaN;

  public RetentionSweeper(StagingStore staging, List<TableId> tables, Coordinator coordinator, Duration retention,
      UnappliedPastRetention unapplied, Clock clock, MeterRegistry registry) {
    this.staging = requireNonNull(staging, "staging is null");
    this.tables = List.copyOf(requireNonNull(tables, "tables is null"));
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.retention = requireNonNull(retention, "retention is null");
    this.unapplied = requireNonNull(unapplied, "unapplied is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.deleted = Counter.builder("tributary.gateway.retention.segments.deleted")
        .description("Staged segments deleted after the retention, once applied")
        .register(registry);
    this.forced = Counter.builder("tributary.gateway.retention.segments.forced")
        .description("Staged segments deleted after the retention before they were applied, their table resynced")
        .register(registry);
    meters.add(deleted);
    meters.add(forced);
    meters.add(Gauge.builder("tributary.gateway.retention.segments.blocked", blocked, AtomicLong::get)
        .description("Staged segments past the retention kept because their changes are not applied yet")
        .register(registry));
    meters.add(Gauge.builder("tributary.gateway.retention.oldest.unapplied.age", this,
            sweeper -> sweeper.oldestUnappliedAge)
        .description("Age of the oldest staged segment not applied yet, from the start (UTC) of the day it was staged,"
            + " as of the last sweep; 0 when every segment is applied, NaN before the first sweep")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry));
    meters.add(Gauge.builder("tributary.gateway.retention.period", retention, Duration::toSeconds)
        .description("The staging retention: applied segments are deleted this long after the day they were staged")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry));
  }

  /** Deletes what may go; a table the coordinator does not answer for is left for the next sweep. */
  public Sweep sweepOnce() {
    Instant now = clock.instant();
    LocalDate oldestKept = LocalDate.ofInstant(now.minus(retention), ZoneOffset.UTC);
    int removed = 0;
    int kept = 0;
    int unanswered = 0;
    int resyncs = 0;
    for (TableId table : tables) {
      List<URI> segments = staging.listSegments(table);
      if (segments.isEmpty()) {
        oldestUnappliedDays.remove(table);
        continue;
      }
      long expired = segments.stream().filter(segment -> StagingStore.dayOf(segment).isBefore(oldestKept)).count();
      PublishedPosition position;
      try {
        position = coordinator.publishedPosition(table);
      } catch (TributaryException e) {
        if (e.code() == ErrorCode.UNKNOWN_TABLE) {
          // No applier registered the table yet: none of its segments is applied.
          oldestUnappliedDays.put(table, oldestDay(segments));
        }
        if (expired > 0) {
          unanswered++;
          LOG.warn("Cannot ask which segments of {} are applied; keeping its {} expired segments for now: {}", table,
              expired, e.getMessage());
        }
        continue;
      }
      // Segments not applied: past the retention, and still within it.
      List<URI> notApplied = new ArrayList<>();
      List<URI> unappliedStaged = new ArrayList<>();
      for (URI segment : segments) {
        boolean past = StagingStore.dayOf(segment).isBefore(oldestKept);
        if (!position.covers(StagingStore.lastPositionOf(segment))) {
          (past ? notApplied : unappliedStaged).add(segment);
        } else if (past && staging.deleteSegment(segment)) {
          removed++;
          deleted.increment();
        }
      }
      if (!notApplied.isEmpty()) {
        if (unapplied == UnappliedPastRetention.RESYNC && resyncFor(table, notApplied, position)) {
          resyncs++;
          for (URI segment : notApplied) {
            if (staging.deleteSegment(segment)) {
              forced.increment();
            }
          }
        } else {
          kept += notApplied.size();
          unappliedStaged.addAll(notApplied);
          if (unapplied == UnappliedPastRetention.KEEP) {
            LOG.warn("{} segments of {} are older than the retention of {} but not applied yet (published position {});"
                + " they are kept. Is an applier running for this table?", notApplied.size(), table,
                ConfigReader.format(retention), describe(position));
          }
        }
      }
      if (unappliedStaged.isEmpty()) {
        oldestUnappliedDays.remove(table);
      } else {
        oldestUnappliedDays.put(table, oldestDay(unappliedStaged));
      }
    }
    blocked.set(kept);
    oldestUnappliedAge = oldestUnappliedDays.values().stream()
        .mapToLong(day -> Duration.between(day.atStartOfDay(ZoneOffset.UTC).toInstant(), now).toSeconds())
        .max().orElse(0);
    if (removed > 0) {
      LOG.info("Retention deleted {} applied segments staged before {}", removed, oldestKept);
    }
    return new Sweep(removed, kept, unanswered, resyncs);
  }

  private static LocalDate oldestDay(List<URI> segments) {
    return segments.stream().map(StagingStore::dayOf).min(LocalDate::compareTo).orElseThrow();
  }

  /**
   * Asks for the resync that supersedes {@code segments} and raises the error event; false if the
   * coordinator did not record it (the segments are then kept for the next sweep).
   */
  private boolean resyncFor(TableId table, List<URI> segments, PublishedPosition position) {
    LocalDate firstDay = segments.stream().map(StagingStore::dayOf).min(LocalDate::compareTo).orElseThrow();
    LocalDate lastDay = segments.stream().map(StagingStore::dayOf).max(LocalDate::compareTo).orElseThrow();
    Instant stagedUntil = lastDay.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    String what = segments.size() + " staged segments of " + table + " (staged since " + firstDay
        + ") reached the staging retention of " + ConfigReader.format(retention) + " before any applier applied them";
    Optional<Resync> recorded;
    try {
      recorded = coordinator.requireResync(table, what + "; a resync replaces their changes", stagedUntil).resync();
    } catch (TributaryException e) {
      LOG.warn("{}, but the coordinator did not record a resync of the table ({}); they are kept until it does",
          what, e.getMessage());
      return false;
    }
    if (recorded.isEmpty()) {
      LOG.warn("{}, but the coordinator answered without a resync of the table; they are kept until it records one",
          what);
      return false;
    }
    Resync resync = recorded.get();
    String message = what + ": they are deleted and the table is resynced (resync " + resync.id() + ", "
        + resync.state() + "). Published position was " + describe(position) + "; is an applier running for it?";
    LOG.error(message);
    try {
      coordinator.report(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.ERROR, Optional.of(table),
          CoordinatorEvent.Severity.ERROR, message, Map.of("segments", Integer.toString(segments.size()),
              "staged_until", stagedUntil.toString(), "resync", resync.id(), "retention", ConfigReader.format(retention))));
    } catch (TributaryException e) {
      LOG.warn("Could not record the error event of {} with the coordinator: {}", table, e.getMessage());
    }
    return true;
  }

  private static String describe(PublishedPosition position) {
    return position.position().map(SourcePosition::value).orElse("none");
  }

  /** Removes the sweeper's meters. */
  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
