package io.tributary.applier.internal;

import static io.tributary.applier.internal.TableApplierTest.PARTITION;
import static io.tributary.applier.testing.Segments.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.Segments;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies resyncs staged as real segments to real local Delta tables through Kernel, with an
 * in-memory coordinator that tracks the resync's states.
 */
class TableApplierResyncTest {
  private static final TableId TABLE = new TableId("pg", "shop", "orders");
  private static final TableSchema SCHEMA = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, false), new Column("status", ColumnType.STRING, true)), List.of("id"));
  /** Before every capture time {@link Segments} gives. */
  private static final Instant REQUESTED_AT = Instant.ofEpochMilli(1_000);

  @TempDir
  Path dir;

  private final Clock clock = Clock.systemUTC();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeCoordinator coordinator = new FakeCoordinator(clock);
  private StagingStore staging;
  private ApplierContext context;
  private Segments segments;
  private long nextOffset;

  @BeforeEach
  void setUp() {
    StagingConfig stagingConfig = StagingConfig.local(dir.resolve("staging"));
    staging = StagingStore.open(stagingConfig, clock);
    ApplierConfig config = new ApplierConfig(dir.resolve("delta").toUri(), "appliers", new WriterId("writer-1"), 64,
        Duration.ofMillis(200), Duration.ofSeconds(30), Map.of(), "127.0.0.1:9092", "tributary.manifests", stagingConfig);
    context = new ApplierContext(config, DeltaEngines.forWriting(Map.of()), staging, coordinator,
        StagedCommitter.FACTORY, new ApplierMetrics(registry, clock), clock);
    segments = new Segments(staging, SCHEMA);
  }

  @AfterEach
  void tearDown() {
    staging.close();
  }

  /** Opens the table and fills it with {@code ids}, each with status "old". */
  private TableApplier openWith(long... ids) {
    TableApplier applier = new TableOpener(context).open(TABLE,
        segments.segment(segments.event(Operation.INSERT, 0, 0L, "probe")), PARTITION);
    List<ChangeEvent> inserts = new ArrayList<>();
    for (long id : ids) {
      inserts.add(segments.event(Operation.INSERT, id, id, "old"));
    }
    applier.apply(batch(segments.segment(inserts)));
    return applier;
  }

  private List<PendingManifest> batch(ManifestRecord... manifests) {
    List<PendingManifest> batch = new ArrayList<>();
    for (ManifestRecord manifest : manifests) {
      batch.add(new PendingManifest(0, nextOffset++, manifest, clock.millis()));
    }
    return batch;
  }

  private List<List<Object>> rows() {
    return new DeltaTableReader(Map.of()).read(context.config().tableLocation(TABLE)).rows().stream()
        .map(Arrays::asList).toList();
  }

  /** Requests a resync and reports it captured as far as {@code state}, as the gateway would. */
  private Resync resync(Resync.State state) {
    Resync resync = coordinator.requestResync(TABLE, REQUESTED_AT);
    coordinator.reportResync(TABLE, resync.id(), Resync.State.CAPTURING, "capturing");
    if (state == Resync.State.CAPTURED) {
      coordinator.reportResync(TABLE, resync.id(), Resync.State.CAPTURED, "captured");
    }
    return coordinator.table(TABLE).orElseThrow().resync().orElseThrow();
  }

  private Resync.State resyncState() {
    return coordinator.table(TABLE).orElseThrow().resync().orElseThrow().state();
  }

  private double counter(String name) {
    return registry.counter(ApplierMetrics.PREFIX + name, "table", TABLE.canonical()).count();
  }

  @Test
  void aResyncRemovesTheRowsNoLongerAtTheSourceWhenItsEndIsApplied() {
    TableApplier applier = openWith(1, 2, 3);
    resync(Resync.State.CAPTURING);

    applier.apply(batch(segments.segment(segments.resyncBegin(10), segments.event(Operation.SNAPSHOT_READ, 11, 1L, "one"))));
    applier.apply(batch(segments.segment(segments.event(Operation.SNAPSHOT_READ, 12, 3L, "three"),
        segments.event(Operation.INSERT, 13, 4L, "four"))));
    assertThat(rows()).as("nothing is removed before the end").hasSize(4);
    assertThat(coordinator.resyncSteps()).containsExactly("CAPTURING: capturing");

    BatchResult result = applier.apply(batch(segments.segment(segments.resyncEnd(14))));

    assertThat(result).isEqualTo(new BatchResult(BatchResult.Outcome.COMMITTED, 4));
    assertThat(rows()).containsExactly(List.of(1L, "one"), List.of(3L, "three"), List.of(4L, "four"));
    assertThat(applier.appliedPosition()).contains(position(14));
    assertThat(resyncState()).isEqualTo(Resync.State.DONE);
    assertThat(coordinator.resyncSteps()).containsExactly("CAPTURING: capturing",
        "CAPTURED: its end was applied at " + position(14),
        "DONE: 1 rows no longer at the source removed; table at version 4");
    assertThat(counter("resyncs.switched")).isEqualTo(1);
    assertThat(counter("resync.rows.removed")).isEqualTo(1);
    assertThat(counter("rows.deleted")).isEqualTo(1);
  }

  @Test
  void aRowChangedByAStreamedEventAfterItsReadKeepsTheStreamedValue() {
    TableApplier applier = openWith(1, 2, 3);
    resync(Resync.State.CAPTURED);

    applier.apply(batch(segments.segment(segments.resyncBegin(10), segments.event(Operation.SNAPSHOT_READ, 11, 1L, "read"))));
    applier.apply(batch(segments.segment(segments.event(Operation.UPDATE, 12, 1L, "streamed"),
        segments.event(Operation.SNAPSHOT_READ, 13, 2L, "read"), segments.resyncEnd(14),
        segments.event(Operation.UPDATE, 15, 2L, "after the end"), segments.event(Operation.INSERT, 16, 3L, "back"))));

    assertThat(rows()).containsExactly(List.of(1L, "streamed"), List.of(2L, "after the end"), List.of(3L, "back"));
    assertThat(coordinator.resyncSteps()).containsExactly("CAPTURING: capturing", "CAPTURED: captured",
        "DONE: 1 rows no longer at the source removed; table at version 3");
  }

  @Test
  void anEndWhoseBeginStagingNoLongerHoldsRemovesNothingAndFailsTheResync() {
    TableApplier applier = openWith(1, 2, 3);
    resync(Resync.State.CAPTURING);
    ManifestRecord withBegin = segments.segment(segments.resyncBegin(10),
        segments.event(Operation.SNAPSHOT_READ, 11, 1L, "read"));
    applier.apply(batch(withBegin));
    staging.deleteSegment(withBegin.segmentPath());

    BatchResult result = applier.apply(batch(segments.segment(segments.event(Operation.SNAPSHOT_READ, 12, 3L, "read"),
        segments.resyncEnd(13))));

    assertThat(result.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    assertThat(rows()).containsExactly(List.of(1L, "read"), List.of(2L, "old"), List.of(3L, "read"));
    assertThat(applier.appliedPosition()).contains(position(13));
    assertThat(resyncState()).isEqualTo(Resync.State.FAILED);
    assertThat(coordinator.table(TABLE).orElseThrow().resync().orElseThrow().detail())
        .contains("ending at " + position(13), "no RESYNC_BEGIN before it is staged", "No rows were removed");
    assertThat(counter("resyncs.failed")).isEqualTo(1);
    assertThat(counter("resyncs.switched")).isZero();
  }

  @Test
  void anEndInASegmentWhoseManifestIsMissingIsAppliedFromStaging() {
    TableApplier applier = openWith(1, 2);
    resync(Resync.State.CAPTURED);
    applier.apply(batch(segments.segment(segments.resyncBegin(10), segments.event(Operation.SNAPSHOT_READ, 11, 1L, "read"))));
    // Its manifest never reaches this applier (topic retention): the next batch finds the gap.
    segments.segment(segments.resyncEnd(12));

    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 13, 5L, "new"))));

    assertThat(rows()).containsExactly(List.of(1L, "read"), List.of(5L, "new"));
    assertThat(counter("segments.unannounced.applied")).isEqualTo(1);
    assertThat(resyncState()).isEqualTo(Resync.State.DONE);
    assertThat(coordinator.resyncSteps()).last().isEqualTo("DONE: 1 rows no longer at the source removed; table at version 3");
  }

  @Test
  void aReportThatFailsDoesNotFailTheCommit() {
    TableApplier applier = openWith(1, 2);
    resync(Resync.State.CAPTURED);
    coordinator.failNextResyncReport();

    BatchResult result = applier.apply(batch(segments.segment(segments.resyncBegin(10),
        segments.event(Operation.SNAPSHOT_READ, 11, 2L, "read"), segments.resyncEnd(12))));

    assertThat(result.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    assertThat(rows()).containsExactly(List.of(2L, "read"));
    assertThat(resyncState()).isEqualTo(Resync.State.CAPTURED);
    assertThat(counter("resyncs.switched")).isEqualTo(1);
  }

  @Test
  void anEndWithoutAResyncUnderWayAtTheCoordinatorIsAppliedButNotReported() {
    TableApplier applier = openWith(1, 2);

    applier.apply(batch(segments.segment(segments.resyncBegin(10),
        segments.event(Operation.SNAPSHOT_READ, 11, 2L, "read"), segments.resyncEnd(12))));

    assertThat(rows()).containsExactly(List.of(2L, "read"));
    assertThat(coordinator.resyncSteps()).isEmpty();
    assertThat(coordinator.table(TABLE).orElseThrow().resync()).isEmpty();
  }

  @Test
  void anEndCapturedBeforeTheResyncWasRequestedIsNotReportedAsIts() {
    TableApplier applier = openWith(1, 2);
    Resync later = coordinator.requestResync(TABLE, clock.instant());
    coordinator.reportResync(TABLE, later.id(), Resync.State.CAPTURING, "capturing");

    applier.apply(batch(segments.segment(segments.resyncBegin(10),
        segments.event(Operation.SNAPSHOT_READ, 11, 2L, "read"), segments.resyncEnd(12))));

    assertThat(rows()).containsExactly(List.of(2L, "read"));
    assertThat(resyncState()).isEqualTo(Resync.State.CAPTURING);
  }

  @Test
  void anAnnouncedSegmentNoLongerStagedStopsTheTableUnlessAResyncRequestedAfterItReplacesIt() {
    TableApplier applier = openWith(1, 2);
    ManifestRecord deleted = segments.segmentAnnouncedAt(REQUESTED_AT.toEpochMilli() + 1,
        segments.event(Operation.UPDATE, 5, 1L, "lost"));
    ManifestRecord later = segments.segment(segments.event(Operation.UPDATE, 6, 2L, "new"));
    assertThat(staging.deleteSegment(deleted.segmentPath())).isTrue();

    assertThatThrownBy(() -> applier.apply(batch(deleted, later)))
        .isInstanceOfSatisfying(TributaryException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_MISSING);
          assertThat(e.retryable()).as("the table waits for a resync").isTrue();
        })
        .hasMessageContaining("is announced but no longer staged")
        .hasMessageContaining("tributary resync pg.shop.orders");
    coordinator.requestResync(TABLE, REQUESTED_AT);
    assertThatThrownBy(() -> applier.apply(batch(deleted, later))).as("requested before the segment was staged")
        .hasMessageContaining("is announced but no longer staged");
    assertThat(rows()).containsExactly(List.of(1L, "old"), List.of(2L, "old"));

    coordinator.requestResync(TABLE, Instant.ofEpochMilli(deleted.createdAtMillis()));
    BatchResult result = applier.apply(batch(deleted, later));

    assertThat(result.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    assertThat(rows()).containsExactly(List.of(1L, "old"), List.of(2L, "new"));
    assertThat(applier.appliedPosition()).contains(position(6));
    assertThat(counter("segments.superseded.skipped")).isEqualTo(1);
  }

  @Test
  void aCorruptSegmentIsMovedAsideReportedAndSupersededByAResyncOfItsTable() throws IOException {
    TableApplier applier = openWith(1, 2);
    ManifestRecord corrupt = segments.segment(segments.event(Operation.UPDATE, 5, 1L, "never applied"));
    ManifestRecord later = segments.segment(segments.event(Operation.UPDATE, 6, 2L, "new"));
    flipAByte(corrupt.segmentPath());

    BatchResult result = applier.apply(batch(corrupt, later));

    assertThat(result.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    assertThat(rows()).containsExactly(List.of(1L, "old"), List.of(2L, "new"));
    URI movedTo = staging.quarantinePath(corrupt.segmentPath());
    assertThat(Path.of(corrupt.segmentPath())).doesNotExist();
    assertThat(Path.of(movedTo)).exists();
    assertThat(counter("segments.corrupt")).isEqualTo(1);
    Resync required = coordinator.table(TABLE).orElseThrow().resync().orElseThrow();
    assertThat(required.reason()).contains("corrupt segment " + corrupt.segmentPath());
    assertThat(required.supersedes(Instant.ofEpochMilli(corrupt.createdAtMillis()))).isTrue();
    assertThat(coordinator.events()).anySatisfy(event -> {
      assertThat(event.type()).isEqualTo(CoordinatorEvent.Type.ERROR);
      assertThat(event.severity()).isEqualTo(CoordinatorEvent.Severity.ERROR);
      assertThat(event.message()).contains("its checksum is", "moved aside to " + movedTo, "resync " + required.id());
      assertThat(event.details()).containsEntry("code", "SEGMENT_CORRUPT");
    });

    // Replayed (a restart before the offsets were committed): the segment is now missing, and the resync covers it.
    TableApplier reopened = new TableOpener(context).open(TABLE, corrupt, PARTITION);
    reopened.apply(batch(corrupt));
    assertThat(counter("segments.superseded.skipped")).isEqualTo(1);
    assertThat(coordinator.table(TABLE).orElseThrow().resync().orElseThrow().id()).isEqualTo(required.id());
  }

  @Test
  void aCorruptSegmentStopsItsTableWhenThePolicySaysStop() throws IOException {
    StagingConfig stop = new StagingConfig(staging.config().location(), Optional.empty(), Map.of(),
        StagingConfig.DEFAULT_RETENTION, StagingConfig.UnappliedPastRetention.RESYNC, StagingConfig.CorruptSegments.STOP);
    staging.close();
    staging = StagingStore.open(stop, clock);
    context = new ApplierContext(context.config(), DeltaEngines.forWriting(Map.of()), staging, coordinator,
        StagedCommitter.FACTORY, new ApplierMetrics(registry, clock), clock);
    segments = new Segments(staging, SCHEMA);
    TableApplier applier = openWith(1, 2);
    ManifestRecord corrupt = segments.segment(segments.event(Operation.UPDATE, 5, 1L, "never applied"));
    Files.write(Path.of(corrupt.segmentPath()), new byte[] {'P', 'A', 'R', '1'});

    assertThatThrownBy(() -> applier.apply(batch(corrupt)))
        .isInstanceOfSatisfying(TributaryException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_CORRUPT);
          assertThat(e.retryable()).as("the table stops until an operator acts").isFalse();
        })
        .hasMessageContaining("bytes, the manifest announced")
        .hasMessageContaining("moved aside to " + staging.quarantinePath(corrupt.segmentPath()))
        .hasMessageContaining("staging.corrupt-segments is stop")
        .hasMessageContaining("tributary resync pg.shop.orders");
    assertThat(rows()).containsExactly(List.of(1L, "old"), List.of(2L, "old"));
    assertThat(coordinator.table(TABLE).orElseThrow().resync()).as("no resync is requested").isEmpty();
    assertThat(counter("segments.corrupt")).isEqualTo(1);
  }

  private static void flipAByte(URI segment) throws IOException {
    try (RandomAccessFile raw = new RandomAccessFile(Path.of(segment).toFile(), "rw")) {
      long middle = raw.length() / 2;
      raw.seek(middle);
      int b = raw.read();
      raw.seek(middle);
      raw.write(b ^ 0xFF);
    }
  }
}
