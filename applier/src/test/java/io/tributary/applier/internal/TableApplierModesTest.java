package io.tributary.applier.internal;

import static io.tributary.applier.testing.Segments.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.TableOptions;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.Segments;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies real segments to real local Delta tables through Kernel in every apply mode: append-only
 * (the default for a table without a primary key), an all-columns key, soft delete and SCD type 2.
 */
class TableApplierModesTest {
  private static final TableId TABLE = new TableId("pg", "public", "things");
  private static final TableSchema KEYLESS = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, true), new Column("note", ColumnType.STRING, true)), List.of());
  private static final TableSchema KEYED = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, false), new Column("note", ColumnType.STRING, true)), List.of("id"));

  @TempDir
  Path dir;

  private final Clock clock = Clock.systemUTC();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeCoordinator coordinator = new FakeCoordinator(clock);
  private final DeltaTableReader reader = new DeltaTableReader(Map.of());
  private StagingConfig stagingConfig;
  private StagingStore staging;
  private long nextOffset;

  @BeforeEach
  void setUp() {
    stagingConfig = StagingConfig.local(dir.resolve("staging"));
    staging = StagingStore.open(stagingConfig, clock);
  }

  @AfterEach
  void tearDown() {
    staging.close();
  }

  private ApplierContext context(TableOptions options) {
    ApplierConfig config = new ApplierConfig(dir.resolve("delta").toUri(), "appliers", new WriterId("writer-1"), 64,
        Duration.ofMillis(200), Duration.ofSeconds(30), Map.of(), "127.0.0.1:9092", "tributary.manifests", stagingConfig,
        ApplierConfig.Mode.CONTINUOUS, ApplierConfig.DEFAULT_TRIGGERED_TIMEOUT, Map.of(TABLE, options));
    return new ApplierContext(config, DeltaEngines.forWriting(Map.of()), staging, coordinator,
        StagedCommitter.FACTORY, new ApplierMetrics(registry, clock), clock);
  }

  private TableApplier open(TableSchema schema, TableOptions options) {
    return new TableOpener(context(options)).open(TABLE, schema, TableApplierTest.PARTITION);
  }

  private List<PendingManifest> batch(ManifestRecord... manifests) {
    List<PendingManifest> batch = new ArrayList<>();
    for (ManifestRecord manifest : manifests) {
      batch.add(new PendingManifest(0, nextOffset++, manifest, clock.millis()));
    }
    return batch;
  }

  private DeltaTableContents contents() {
    return reader.read(context(TableOptions.DEFAULT).config().tableLocation(TABLE));
  }

  private List<List<Object>> rows() {
    return contents().rows().stream().map(Arrays::asList).toList();
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  /** The position text of {@link Segments#position}. */
  private static String pos(long n) {
    return position(n).value();
  }

  /** The source commit time {@link Segments} gives the event at {@code n}, in Delta's microseconds. */
  private static long ts(long n) {
    return (1_000 + n) * 1_000;
  }

  private static TableOptions options(TableOptions.Mode mode) {
    return new TableOptions(Optional.of(mode), TableOptions.Key.PRIMARY, false);
  }

  @Test
  void aTableWithoutPrimaryKeyAppendsEveryChangeWithItsMetadataInSourceOrder() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, TableOptions.DEFAULT);

    applier.apply(batch(
        segments.segment(segments.event(Operation.SNAPSHOT_READ, 1, 1L, "read"),
            segments.event(Operation.INSERT, 2, 2L, "new")),
        segments.segment(segments.event(Operation.UPDATE, 3, 2L, "changed"),
            segments.event(Operation.DELETE, 4, 1L, "read"),
            segments.event(Operation.INSERT, 5, 2L, "changed"))));

    DeltaTableContents contents = contents();
    assertThat(contents.schema().columns()).extracting(column -> column.name() + " " + column.type())
        .containsExactly("id LONG", "note STRING", "__op STRING", "__position STRING", "__source_ts TIMESTAMP",
            "__txid STRING");
    assertThat(contents.schema().keyColumns()).isEmpty();
    assertThat(rows()).containsExactly(
        row(1L, "read", "r", pos(1), ts(1), null),
        row(2L, "new", "c", pos(2), ts(2), null),
        row(2L, "changed", "u", pos(3), ts(3), null),
        row(1L, "read", "d", pos(4), ts(4), null),
        row(2L, "changed", "c", pos(5), ts(5), null));
    assertThat(applier.appliedPosition()).contains(position(5));
    assertThat(properties()).containsEntry(TributaryTableProperties.APPLY_MODE, "append");
  }

  private Map<String, String> properties() {
    URI location = context(TableOptions.DEFAULT).config().tableLocation(TABLE);
    return io.delta.kernel.TableManager.loadSnapshot(location.toString())
        .build(DefaultEngine.create(new Configuration())).getTableProperties();
  }

  @Test
  void anAppendOnlyTableAddsNothingWhenABatchIsReplayedOrItsEventsReEmitted() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, TableOptions.DEFAULT);
    List<PendingManifest> first = batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.INSERT, 2, 1L, "a")));
    applier.apply(first);

    // A new owner after a crash reads the batch again, then a gateway restarted re-emits event 2.
    TableApplier successor = open(KEYLESS, TableOptions.DEFAULT);
    assertThat(successor.apply(first).outcome()).isEqualTo(BatchResult.Outcome.REPLAY_REFUSED);
    BatchResult reEmitted = successor.apply(batch(segments.segment(segments.event(Operation.INSERT, 2, 1L, "a"),
        segments.event(Operation.UPDATE, 3, 1L, "b"))));

    assertThat(reEmitted.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    assertThat(rows()).containsExactly(
        row(1L, "a", "c", pos(1), ts(1), null),
        row(1L, "a", "c", pos(2), ts(2), null),
        row(1L, "b", "u", pos(3), ts(3), null));
    BatchResult onlyOld = successor.apply(batch(segments.segment(segments.event(Operation.UPDATE, 3, 1L, "b"))));
    assertThat(onlyOld.outcome()).isEqualTo(BatchResult.Outcome.NOTHING_TO_APPLY);
    assertThat(rows()).hasSize(3);
  }

  @Test
  void aTruncateEmptiesAnAppendOnlyTableAndIsItselfAppended() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, TableOptions.DEFAULT);
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.INSERT, 2, 2L, "b"))));

    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 3, 3L, "gone too"), segments.truncate(4),
        segments.event(Operation.INSERT, 5, 4L, "after"))));

    assertThat(rows()).containsExactly(
        row(null, null, "t", pos(4), ts(4), null),
        row(4L, "after", "c", pos(5), ts(5), null));
    assertThat(applier.status(io.tributary.applier.AppliedTableStatus.State.ACTIVE, Optional.empty()).rows())
        .isEqualTo(2);
  }

  @Test
  void theResetBeforeAnInitialSnapshotAttemptEmptiesAnAppendOnlyTableWithoutARow() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, TableOptions.DEFAULT);
    SourcePosition firstAttempt = SourcePosition.of(SourcePosition.PHASE_SNAPSHOT, 1, 0);
    SourcePosition secondAttempt = SourcePosition.of(SourcePosition.PHASE_SNAPSHOT, 2, 0);
    applier.apply(batch(segments.segment(snapshotEvent(Operation.TRUNCATE, firstAttempt, null, null),
        snapshotEvent(Operation.SNAPSHOT_READ, firstAttempt.immediatelyAfter(), 1L, "deleted since"))));

    applier.apply(batch(segments.segment(snapshotEvent(Operation.TRUNCATE, secondAttempt, null, null),
        snapshotEvent(Operation.SNAPSHOT_READ, secondAttempt.immediatelyAfter(), 2L, "read"))));

    assertThat(rows()).containsExactly(row(2L, "read", "r", secondAttempt.immediatelyAfter().value(), 5_000_000L, null));
  }

  private static ChangeEvent snapshotEvent(Operation operation, SourcePosition at, Object... values) {
    return new ChangeEvent(TABLE, operation, at, values, new BitSet(), 5_000, Optional.empty(), 6_000);
  }

  @Test
  void aResyncOfAnAppendOnlyTableAppendsItsReadsAndRemovesNothing() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, TableOptions.DEFAULT);
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.INSERT, 2, 2L, "gone at the source"))));
    Resync resync = coordinator.requestResync(TABLE, Instant.ofEpochMilli(1_000));
    coordinator.reportResync(TABLE, resync.id(), Resync.State.CAPTURING, "capturing");

    BatchResult result = applier.apply(batch(segments.segment(segments.resyncBegin(10),
        segments.event(Operation.SNAPSHOT_READ, 11, 1L, "a"), segments.resyncEnd(12))));

    assertThat(result.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    assertThat(rows()).containsExactly(
        row(1L, "a", "c", pos(1), ts(1), null),
        row(2L, "gone at the source", "c", pos(2), ts(2), null),
        row(1L, "a", "r", pos(11), ts(11), null));
    assertThat(coordinator.table(TABLE).orElseThrow().resync().orElseThrow().state()).isEqualTo(Resync.State.DONE);
  }

  @Test
  void aColumnAddedAtTheSourceComesAfterTheMetadataColumnsOfAnAppendOnlyTable() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, TableOptions.DEFAULT);
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"))));
    TableSchema added = new TableSchema(TABLE, List.of(new Column("id", ColumnType.LONG, true),
        new Column("note", ColumnType.STRING, true), new Column("extra", ColumnType.INT, true)), List.of());
    Segments later = segments.withSchema(added);

    applier.apply(batch(later.segment(later.event(Operation.INSERT, 2, 2L, "b", 7))));

    assertThat(contents().schema().columns()).extracting(Column::name)
        .containsExactly("id", "note", "__op", "__position", "__source_ts", "__txid", "extra");
    assertThat(rows()).containsExactly(row(1L, "a", "c", pos(1), ts(1), null, null),
        row(2L, "b", "c", pos(2), ts(2), null, 7));
  }

  @Test
  void aKeyedTableCanBeAppendOnlyToo() {
    Segments segments = new Segments(staging, KEYED);
    TableApplier applier = open(KEYED, options(TableOptions.Mode.APPEND));

    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.UPDATE, 2, 1L, "b"))));

    assertThat(rows()).containsExactly(row(1L, "a", "c", pos(1), ts(1), null), row(1L, "b", "u", pos(2), ts(2), null));
  }

  @Test
  void withAllColumnsAsTheKeyIdenticalRowsCollapseAndADeleteRemovesTheMatchingRow() {
    Segments segments = new Segments(staging, KEYLESS);
    TableOptions allColumns = new TableOptions(Optional.empty(), TableOptions.Key.ALL_COLUMNS, false);
    TableApplier applier = open(KEYLESS, allColumns);

    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.INSERT, 2, 1L, "a"), segments.event(Operation.INSERT, 3, 1L, "b"),
        segments.event(Operation.INSERT, 4, 2L, null))));
    assertThat(rows()).containsExactly(row(1L, "a"), row(1L, "b"), row(2L, null));

    applier.apply(batch(segments.segment(segments.event(Operation.DELETE, 5, 1L, "a"),
        segments.event(Operation.DELETE, 6, 2L, null))));

    assertThat(rows()).containsExactly(row(1L, "b"));
    assertThat(contents().schema().keyColumns()).containsExactly("id", "note");
    assertThat(properties()).containsEntry(TributaryTableProperties.APPLY_MODE, "scd1+all-columns");
  }

  @Test
  void withAllColumnsAsTheKeyAnUpdateIsRefusedSinceItsOldRowCannotBeFound() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, new TableOptions(Optional.empty(), TableOptions.Key.ALL_COLUMNS, false));
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"))));

    assertThatThrownBy(() -> applier.apply(batch(segments.segment(segments.event(Operation.UPDATE, 2, 1L, "b")))))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_PRIMARY_KEY))
        .hasMessageContaining("Table pg.public.things has no primary key")
        .hasMessageContaining("is an update")
        .hasMessageContaining("mode: append");
    assertThat(rows()).containsExactly(row(1L, "a"));
  }

  @Test
  void aSoftDeleteMarksTheRowAndAReInsertClearsTheMark() {
    Segments segments = new Segments(staging, KEYED);
    TableApplier applier = open(KEYED, new TableOptions(Optional.empty(), TableOptions.Key.PRIMARY, true));
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.INSERT, 2, 2L, "b"), segments.event(Operation.INSERT, 3, 3L, "c"))));

    // A delete's before-image holds only the key: the row keeps its values.
    applier.apply(batch(segments.segment(segments.event(Operation.DELETE, 4, 1L, null),
        segments.event(Operation.DELETE, 5, 2L, null))));
    assertThat(rows()).containsExactly(row(1L, "a", ts(4)), row(2L, "b", ts(5)), row(3L, "c", null));

    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 6, 1L, "back"),
        segments.event(Operation.DELETE, 7, 2L, null), segments.event(Operation.UPDATE, 8, 3L, "c2"),
        segments.event(Operation.DELETE, 9, 3L, null), segments.event(Operation.INSERT, 10, 4L, "d"),
        segments.event(Operation.DELETE, 11, 4L, null))));

    assertThat(rows()).containsExactly(
        row(1L, "back", null),
        row(2L, "b", ts(5)),
        row(3L, "c2", ts(9)),
        row(4L, "d", ts(11)));
    assertThat(contents().schema().columns()).extracting(Column::name).containsExactly("id", "note", "__deleted_at");
    assertThat(properties()).containsEntry(TributaryTableProperties.APPLY_MODE, "scd1+soft-delete");

    applier.apply(batch(segments.segment(segments.event(Operation.UPDATE, 12, 4L, "d again"))));
    assertThat(rows()).contains(row(4L, "d again", null));
  }

  @Test
  void aTruncateMarksEveryRowNotDeletedYetWithSoftDelete() {
    Segments segments = new Segments(staging, KEYED);
    TableApplier applier = open(KEYED, new TableOptions(Optional.empty(), TableOptions.Key.PRIMARY, true));
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.INSERT, 2, 2L, "b"), segments.event(Operation.DELETE, 3, 2L, null))));

    applier.apply(batch(segments.segment(segments.truncate(4), segments.event(Operation.INSERT, 5, 3L, "c"))));

    assertThat(rows()).containsExactly(row(1L, "a", ts(4)), row(2L, "b", ts(3)), row(3L, "c", null));
  }

  @Test
  void scd2KeepsEveryVersionOfAKeyWithinAndAcrossBatches() {
    Segments segments = new Segments(staging, KEYED);
    TableApplier applier = open(KEYED, options(TableOptions.Mode.SCD2));
    List<PendingManifest> first = batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.UPDATE, 2, 1L, "b"), segments.event(Operation.INSERT, 3, 2L, "x"),
        segments.event(Operation.UPDATE, 4, 1L, "c")));
    applier.apply(first);

    assertThat(contents().schema().columns()).extracting(column -> column.name() + " " + column.type())
        .containsExactly("id LONG", "note STRING", "__start_at TIMESTAMP", "__start_position STRING",
            "__end_at TIMESTAMP", "__end_position STRING", "__current BOOLEAN");
    assertThat(rows()).containsExactly(
        row(1L, "a", ts(1), pos(1), ts(2), pos(2), false),
        row(1L, "b", ts(2), pos(2), ts(4), pos(4), false),
        row(1L, "c", ts(4), pos(4), null, null, true),
        row(2L, "x", ts(3), pos(3), null, null, true));

    List<PendingManifest> second = batch(segments.segment(segments.event(Operation.UPDATE, 5, 1L, "d"),
        segments.event(Operation.DELETE, 6, 2L, null), segments.event(Operation.INSERT, 7, 3L, "y")));
    applier.apply(second);
    List<List<Object>> history = List.of(
        row(1L, "a", ts(1), pos(1), ts(2), pos(2), false),
        row(1L, "b", ts(2), pos(2), ts(4), pos(4), false),
        row(1L, "c", ts(4), pos(4), ts(5), pos(5), false),
        row(1L, "d", ts(5), pos(5), null, null, true),
        row(2L, "x", ts(3), pos(3), ts(6), pos(6), false),
        row(3L, "y", ts(7), pos(7), null, null, true));
    assertThat(rows()).containsExactlyElementsOf(history);
    assertThat(properties()).containsEntry(TributaryTableProperties.APPLY_MODE, "scd2");

    // A new owner replays both batches, and a restarted gateway re-emits the last events: no new version.
    TableApplier successor = open(KEYED, options(TableOptions.Mode.SCD2));
    List<PendingManifest> replay = new ArrayList<>(first);
    replay.addAll(second);
    assertThat(successor.apply(replay).outcome()).isEqualTo(BatchResult.Outcome.REPLAY_REFUSED);
    assertThat(successor.apply(batch(segments.segment(segments.event(Operation.UPDATE, 5, 1L, "d"),
        segments.event(Operation.INSERT, 7, 3L, "y")))).outcome()).isEqualTo(BatchResult.Outcome.NOTHING_TO_APPLY);
    assertThat(rows()).containsExactlyElementsOf(history);
  }

  @Test
  void scd2ReInsertsAfterADeleteAndClosesEveryCurrentVersionAtATruncate() {
    Segments segments = new Segments(staging, KEYED);
    TableApplier applier = open(KEYED, options(TableOptions.Mode.SCD2));
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.DELETE, 2, 1L, null), segments.event(Operation.INSERT, 3, 1L, "again"),
        segments.event(Operation.INSERT, 4, 2L, "b"))));

    applier.apply(batch(segments.segment(segments.truncate(5), segments.event(Operation.INSERT, 6, 2L, "b2"))));

    assertThat(rows()).containsExactly(
        row(1L, "a", ts(1), pos(1), ts(2), pos(2), false),
        row(1L, "again", ts(3), pos(3), ts(5), pos(5), false),
        row(2L, "b", ts(4), pos(4), ts(5), pos(5), false),
        row(2L, "b2", ts(6), pos(6), null, null, true));
  }

  @Test
  void scd2ResyncReadsOfUnchangedRowsOpenNoVersionAndItsEndClosesTheRowsGone() {
    Segments segments = new Segments(staging, KEYED);
    TableApplier applier = open(KEYED, options(TableOptions.Mode.SCD2));
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"),
        segments.event(Operation.INSERT, 2, 2L, "gone"), segments.event(Operation.INSERT, 3, 3L, "old"))));
    Resync resync = coordinator.requestResync(TABLE, Instant.ofEpochMilli(1_000));
    coordinator.reportResync(TABLE, resync.id(), Resync.State.CAPTURING, "capturing");

    applier.apply(batch(segments.segment(segments.resyncBegin(10), segments.event(Operation.SNAPSHOT_READ, 11, 1L, "a"),
        segments.event(Operation.SNAPSHOT_READ, 12, 3L, "new"), segments.resyncEnd(13))));

    assertThat(rows()).containsExactly(
        row(1L, "a", ts(1), pos(1), null, null, true),
        row(2L, "gone", ts(2), pos(2), ts(13), pos(13), false),
        row(3L, "old", ts(3), pos(3), ts(12), pos(12), false),
        row(3L, "new", ts(12), pos(12), null, null, true));
    assertThat(coordinator.table(TABLE).orElseThrow().resync().orElseThrow().state()).isEqualTo(Resync.State.DONE);
  }

  @Test
  void aTableIsRefusedWhenItsConfiguredModeIsNotTheOneItWasCreatedIn() {
    Segments segments = new Segments(staging, KEYLESS);
    TableApplier applier = open(KEYLESS, TableOptions.DEFAULT);
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"))));

    assertThatThrownBy(() -> open(KEYLESS, new TableOptions(Optional.empty(), TableOptions.Key.ALL_COLUMNS, false)))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("pg.public.things")
        .hasMessageContaining("created in apply mode append")
        .hasMessageContaining("gives it scd1+all-columns");
    assertThat(rows()).hasSize(1);
    assertThat(open(KEYLESS, TableOptions.DEFAULT).version()).isEqualTo(1);
  }

  @Test
  void aKeyedTableCreatedBeforeApplyModesIsScd1AndRefusesSoftDelete() {
    Segments segments = new Segments(staging, KEYED);
    TableApplier applier = open(KEYED, TableOptions.DEFAULT);
    applier.apply(batch(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"))));
    assertThat(properties()).containsEntry(TributaryTableProperties.APPLY_MODE, "scd1");
    assertThat(TributaryTableProperties.applyMode(Map.of())).isEqualTo(TableMode.SCD1);

    assertThatThrownBy(() -> open(KEYED, new TableOptions(Optional.empty(), TableOptions.Key.PRIMARY, true)))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("created in apply mode scd1, but the applier's configuration gives it scd1+soft-delete");
  }

  @Test
  void aKeyedModeOfATableWithoutPrimaryKeyIsRefusedNamingTheFix() {
    assertThatThrownBy(() -> open(KEYLESS, options(TableOptions.Mode.SCD2)))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_PRIMARY_KEY))
        .hasMessageContaining("Table pg.public.things has no primary key")
        .hasMessageContaining("key: all-columns");
    assertThatThrownBy(() -> open(KEYED, new TableOptions(Optional.empty(), TableOptions.Key.ALL_COLUMNS, false)))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("has the primary key [id]");
  }

  @Test
  void aSourceColumnNamedLikeAMetadataColumnIsRefused() {
    TableSchema clashing = new TableSchema(TABLE,
        List.of(new Column("id", ColumnType.LONG, true), new Column("__op", ColumnType.STRING, true)), List.of());

    assertThatThrownBy(() -> open(clashing, TableOptions.DEFAULT))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
        .hasMessageContaining("Column '__op' of table pg.public.things starts with '__'");
  }
}
