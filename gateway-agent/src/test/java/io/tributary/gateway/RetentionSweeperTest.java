package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.gateway.internal.TestClock;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingConfig.UnappliedPastRetention;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention deletes old segments once their changes are in published Delta versions, and never
 * deletes unapplied ones silently: their table is resynced first, or they are kept.
 */
class RetentionSweeperTest {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId USERS = TableId.parse("shop.public.users");
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final LocalDate TODAY = LocalDate.ofInstant(NOW, ZoneOffset.UTC);
  private static final Duration RETENTION = Duration.ofDays(30);

  @TempDir
  Path directory;

  private final TestClock clock = new TestClock(NOW);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeCoordinator coordinator = new FakeCoordinator();

  @Test
  void deletesExpiredAppliedSegmentsAndKeepsUnappliedOnesWhenAskedTo() throws Exception {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), clock)) {
      URI applied1 = touch(store, ORDERS, TODAY.minusDays(40), 1, 1, 10);
      URI applied2 = touch(store, ORDERS, TODAY.minusDays(31), 2, 11, 20);
      URI notApplied = touch(store, ORDERS, TODAY.minusDays(31), 3, 21, 30);
      URI recent = touch(store, ORDERS, TODAY.minusDays(29), 4, 31, 40);
      URI otherTable = touch(store, USERS, TODAY.minusDays(40), 1, 1, 5);
      coordinator.published.put(ORDERS, position(20));

      RetentionSweeper sweeper = sweeper(store, UnappliedPastRetention.KEEP);
      assertThat(oldestUnappliedAge()).as("before the first sweep").isNaN();
      RetentionSweeper.Sweep sweep = sweeper.sweepOnce();

      assertThat(sweep).isEqualTo(new RetentionSweeper.Sweep(2, 1, 1, 0));
      assertThat(Path.of(applied1)).doesNotExist();
      assertThat(Path.of(applied2)).doesNotExist();
      assertThat(Path.of(notApplied)).as("past the retention but not applied").exists();
      assertThat(Path.of(recent)).as("within the retention").exists();
      assertThat(Path.of(otherTable)).as("its table's position is unknown").exists();
      assertThat(coordinator.resyncs).isEmpty();
      assertThat(registry.get("tributary.gateway.retention.segments.deleted").counter().count()).isEqualTo(2);
      assertThat(registry.get("tributary.gateway.retention.segments.blocked").gauge().value()).isEqualTo(1);
      assertThat(oldestUnappliedAge()).as("the kept segment, staged 31 days before today, at noon")
          .isEqualTo(Duration.ofDays(31).plusHours(12).toSeconds());

      sweeper.close();
      assertThat(registry.getMeters()).isEmpty();
    }
  }

  @Test
  void unappliedSegmentsPastTheRetentionResyncTheirTableRaiseAnErrorAndGo() throws Exception {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), clock)) {
      URI applied = touch(store, ORDERS, TODAY.minusDays(30), 1, 1, 10);
      URI unapplied1 = touch(store, ORDERS, TODAY.minusDays(30), 2, 11, 20);
      URI unapplied2 = touch(store, ORDERS, TODAY.minusDays(29), 3, 21, 30);
      URI recent = touch(store, ORDERS, TODAY.minusDays(1), 4, 31, 40);
      coordinator.published.put(ORDERS, position(10));
      RetentionSweeper sweeper = sweeper(store, UnappliedPastRetention.RESYNC);

      assertThat(sweeper.sweepOnce()).as("all within the retention").isEqualTo(new RetentionSweeper.Sweep(0, 0, 0, 0));

      clock.advance(Duration.ofDays(1));
      assertThat(sweeper.sweepOnce()).isEqualTo(new RetentionSweeper.Sweep(1, 0, 0, 1));
      assertThat(Path.of(applied)).doesNotExist();
      assertThat(Path.of(unapplied1)).as("its table is resynced").doesNotExist();
      assertThat(Path.of(unapplied2)).as("one day younger").exists();
      Instant stagedUntil = TODAY.minusDays(29).atStartOfDay(ZoneOffset.UTC).toInstant();
      assertThat(coordinator.resyncs).containsExactly(Map.entry(ORDERS, stagedUntil));
      assertThat(coordinator.events).singleElement().satisfies(event -> {
        assertThat(event.type()).isEqualTo(CoordinatorEvent.Type.ERROR);
        assertThat(event.severity()).isEqualTo(CoordinatorEvent.Severity.ERROR);
        assertThat(event.tableId()).contains(ORDERS);
        assertThat(event.message()).contains("1 staged segments of shop.public.orders", "reached the staging retention of 30d",
            "the table is resynced");
        assertThat(event.details()).containsEntry("segments", "1").containsEntry("staged_until", stagedUntil.toString());
      });
      assertThat(registry.get("tributary.gateway.retention.segments.forced").counter().count()).isEqualTo(1);

      clock.advance(Duration.ofDays(1));
      assertThat(sweeper.sweepOnce()).as("the next day's segment: covered by the resync requested after it")
          .isEqualTo(new RetentionSweeper.Sweep(0, 0, 0, 1));
      assertThat(Path.of(unapplied2)).doesNotExist();
      assertThat(Path.of(recent)).exists();
      assertThat(coordinator.resyncs).containsExactly(Map.entry(ORDERS, stagedUntil),
          Map.entry(ORDERS, stagedUntil.plus(Duration.ofDays(1))));
      assertThat(registry.get("tributary.gateway.retention.segments.forced").counter().count()).isEqualTo(2);
    }
  }

  @Test
  void unappliedSegmentsAreKeptWhileTheCoordinatorRecordsNoResync() throws Exception {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), clock)) {
      URI old = touch(store, ORDERS, TODAY.minusDays(90), 1, 1, 10);
      coordinator.published.put(ORDERS, null);
      coordinator.refuseResyncs = true;
      RetentionSweeper sweeper = sweeper(store, UnappliedPastRetention.RESYNC);

      assertThat(sweeper.sweepOnce()).isEqualTo(new RetentionSweeper.Sweep(0, 1, 0, 0));
      assertThat(Path.of(old)).exists();
      assertThat(coordinator.events).isEmpty();
      assertThat(registry.get("tributary.gateway.retention.segments.blocked").gauge().value()).isEqualTo(1);

      coordinator.refuseResyncs = false;
      assertThat(sweeper.sweepOnce()).isEqualTo(new RetentionSweeper.Sweep(0, 0, 0, 1));
      assertThat(Path.of(old)).doesNotExist();
      assertThat(registry.get("tributary.gateway.retention.segments.blocked").gauge().value()).isZero();
    }
  }

  @Test
  void oldestUnappliedAgeWarnsBeforeTheRetentionIsReached() throws Exception {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), clock)) {
      touch(store, ORDERS, TODAY.minusDays(20), 1, 1, 10);
      touch(store, ORDERS, TODAY.minusDays(10), 2, 11, 20);
      touch(store, ORDERS, TODAY.minusDays(2), 3, 21, 30);
      touch(store, USERS, TODAY.minusDays(4), 1, 1, 5);
      coordinator.published.put(ORDERS, position(10));
      coordinator.published.put(USERS, position(5));
      RetentionSweeper sweeper = sweeper(store, UnappliedPastRetention.RESYNC);

      assertThat(sweeper.sweepOnce()).as("nothing past the retention").isEqualTo(new RetentionSweeper.Sweep(0, 0, 0, 0));
      assertThat(oldestUnappliedAge()).as("orders' second segment, staged 10 days before today, at noon")
          .isEqualTo(Duration.ofDays(10).plusHours(12).toSeconds());

      coordinator.published.remove(ORDERS);
      clock.advance(Duration.ofHours(1));
      sweeper.sweepOnce();
      assertThat(oldestUnappliedAge()).as("orders unanswered: its oldest unapplied day of the last answer")
          .isEqualTo(Duration.ofDays(10).plusHours(13).toSeconds());

      coordinator.published.put(ORDERS, position(30));
      coordinator.published.put(USERS, position(3));
      sweeper.sweepOnce();
      assertThat(oldestUnappliedAge()).as("orders applied, users' segment not")
          .isEqualTo(Duration.ofDays(4).plusHours(13).toSeconds());

      coordinator.published.put(USERS, position(5));
      sweeper.sweepOnce();
      assertThat(oldestUnappliedAge()).as("every segment applied").isZero();

      coordinator.unknown.add(USERS);
      sweeper.sweepOnce();
      assertThat(oldestUnappliedAge()).as("a table no applier registered yet has nothing applied")
          .isEqualTo(Duration.ofDays(4).plusHours(13).toSeconds());
    }
  }

  @Test
  void retentionGaugesAreExportedInSecondsUnderTheirPrometheusNames() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), clock);
        RetentionSweeper sweeper = new RetentionSweeper(store, List.of(ORDERS), coordinator, RETENTION,
            UnappliedPastRetention.RESYNC, clock, prometheus)) {
      touch(store, ORDERS, TODAY.minusDays(1), 1, 1, 10);
      coordinator.published.put(ORDERS, null);
      sweeper.sweepOnce();

      assertThat(prometheus.scrape().lines()).contains(
          "tributary_gateway_retention_oldest_unapplied_age_seconds " + (double) Duration.ofHours(36).toSeconds(),
          "tributary_gateway_retention_period_seconds " + (double) RETENTION.toSeconds());
    }
  }

  private double oldestUnappliedAge() {
    return registry.get("tributary.gateway.retention.oldest.unapplied.age").gauge().value();
  }

  private RetentionSweeper sweeper(StagingStore store, UnappliedPastRetention unapplied) {
    return new RetentionSweeper(store, List.of(ORDERS, USERS), coordinator, RETENTION, unapplied, clock, registry);
  }

  private static SourcePosition position(long lsn) {
    return SourcePosition.of(SourcePosition.PHASE_STREAM, lsn, lsn, 0);
  }

  private static URI touch(StagingStore store, TableId table, LocalDate day, long sequence, long first, long last)
      throws Exception {
    URI segment = store.segmentPath(table, day, sequence, position(first), position(last));
    Path file = Path.of(segment);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "segment");
    return segment;
  }

  /**
   * Published positions by table (a table without one is not answered; a null one is "nothing
   * published"; an unknown one is not registered), the resyncs required (table and staged-until) and
   * the events reported.
   */
  private final class FakeCoordinator implements RetentionSweeper.Coordinator {
    final Map<TableId, SourcePosition> published = new HashMap<>();
    final List<Map.Entry<TableId, Instant>> resyncs = new ArrayList<>();
    final List<CoordinatorEvent.Report> events = new ArrayList<>();
    final Set<TableId> unknown = new HashSet<>();
    boolean refuseResyncs;

    @Override
    public PublishedPosition publishedPosition(TableId tableId) {
      if (unknown.contains(tableId)) {
        throw new TributaryException(ErrorCode.UNKNOWN_TABLE, "Table " + tableId + " is not registered");
      }
      if (!published.containsKey(tableId)) {
        throw new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE, "Cannot reach the coordinator");
      }
      return new PublishedPosition(tableId, 7, Optional.ofNullable(published.get(tableId)));
    }

    @Override
    public TableStatus requireResync(TableId tableId, String reason, Instant stagedUntil) {
      if (refuseResyncs) {
        throw new TributaryException(ErrorCode.RESYNC_CONFLICT, tableId + " is being resynced already");
      }
      resyncs.add(Map.entry(tableId, stagedUntil));
      Resync resync = new Resync("resync-1", Resync.State.REQUESTED, reason, clock.instant(), clock.instant(), "");
      return new TableStatus(tableId, URI.create("file:/tables/orders"), List.of("id"), 7, Optional.empty(),
          new Epoch(1), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(resync));
    }

    @Override
    public void report(CoordinatorEvent.Report event) {
      events.add(event);
    }
  }
}
