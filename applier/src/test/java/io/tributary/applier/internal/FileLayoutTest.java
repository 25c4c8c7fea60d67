package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.engine.Engine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.FilesConfig;
import io.tributary.applier.TableOptions;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.Segments;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.CommitProposal;
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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the applier lays out data files on real Delta tables: sorted by key, cut near the target size,
 * a batch rewriting only the files its keys fall in, and compaction of small files in commits that
 * change no data, in every apply mode.
 */
class FileLayoutTest {
  private static final TableId TABLE = new TableId("pg", "public", "items");
  private static final TableSchema SCHEMA = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, false), new Column("text", ColumnType.STRING, true)), List.of("id"));
  private static final long TARGET = 32 * 1024;
  /** Small files, and a batch rewrites the files holding its keys (tables created without deletion vectors). */
  private static final FilesConfig COPY_ON_WRITE = FilesConfig.withTargetSize(TARGET).withoutDeletionVectors();

  @TempDir
  Path dir;

  private final Clock clock = Clock.systemUTC();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeCoordinator coordinator = new FakeCoordinator(clock);
  private final Engine engine = DeltaEngines.forWriting(Map.of());
  private final Random random = new Random(7);
  private StagingConfig stagingConfig;
  private StagingStore staging;
  private Segments segments;
  private long position;
  private long offset;
  /** What the table should hold after the events made so far: text by id. */
  private final Map<Long, String> expected = new HashMap<>();
  private int columns = SCHEMA.columns().size();

  @BeforeEach
  void setUp() {
    stagingConfig = StagingConfig.local(dir.resolve("staging"));
    staging = StagingStore.open(stagingConfig, clock);
    segments = new Segments(staging, SCHEMA);
  }

  @AfterEach
  void tearDown() {
    staging.close();
  }

  private ApplierContext context(TableOptions options, FilesConfig files) {
    ApplierConfig config = new ApplierConfig(dir.resolve("delta").toUri(), "appliers", new WriterId("writer-1"), 64,
        Duration.ofMillis(200), Duration.ofSeconds(30), Map.of(), "127.0.0.1:9092", "tributary.manifests", stagingConfig,
        ApplierConfig.Mode.CONTINUOUS, ApplierConfig.DEFAULT_TRIGGERED_TIMEOUT, Map.of(TABLE, options), files);
    return new ApplierContext(config, engine, staging, coordinator, StagedCommitter.FACTORY,
        new ApplierMetrics(registry, clock), clock);
  }

  private TableApplier open(TableOptions options, FilesConfig files) {
    return new TableOpener(context(options, files)).open(TABLE, SCHEMA, TableApplierTest.PARTITION);
  }

  private static TableOptions mode(TableOptions.Mode mode, boolean softDelete) {
    return new TableOptions(Optional.of(mode), TableOptions.Key.PRIMARY, softDelete);
  }

  private URI location() {
    return context(TableOptions.DEFAULT, FilesConfig.DEFAULT).config().tableLocation(TABLE);
  }

  private String text() {
    // Random letters compress little, so that file sizes follow row counts.
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }

  private ChangeEvent event(Operation operation, long id) {
    Object[] values = new Object[columns];
    values[0] = id;
    values[1] = operation == Operation.DELETE ? null : text();
    if (operation == Operation.DELETE) {
      expected.remove(id);
    } else {
      expected.put(id, (String) values[1]);
    }
    return segments.event(operation, ++position, values);
  }

  private BatchResult apply(TableApplier applier, List<ChangeEvent> events) {
    ManifestRecord manifest = segments.segment(events);
    return applier.apply(List.of(new PendingManifest(0, offset++, manifest, clock.millis())));
  }

  /**
   * Updates of the 40 lowest and 40 highest keys of a table of keys 0 to 5999, and a delete of key 41:
   * keys at both ends of the table, which a single range over them would take in every file.
   */
  private List<ChangeEvent> updatesAtBothEnds() {
    List<ChangeEvent> changes = new ArrayList<>();
    for (long id = 0; id < 40; id++) {
      changes.add(event(Operation.UPDATE, id));
      changes.add(event(Operation.UPDATE, 5999 - id));
    }
    changes.add(event(Operation.DELETE, 41));
    return changes;
  }

  private List<ChangeEvent> inserts(long from, long to) {
    List<ChangeEvent> events = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    for (long id = from; id < to; id++) {
      ids.add(id);
    }
    Collections.shuffle(ids, random);
    ids.forEach(id -> events.add(event(Operation.INSERT, id)));
    return events;
  }

  private Snapshot snapshot() {
    return TableManager.loadSnapshot(location().toString()).build(engine);
  }

  private List<TableFiles.DataFile> files() {
    Snapshot snapshot = snapshot();
    List<TableFiles.DataFile> files = new ArrayList<>(TableFiles.list(engine, snapshot, snapshot.getScanBuilder().build(),
        TableLayout.of(TABLE, location(), snapshot).columns(), true));
    files.sort(TableFiles.BY_RANGE);
    return files;
  }

  private static void assertDisjoint(List<TableFiles.DataFile> files) {
    for (int i = 1; i < files.size(); i++) {
      assertThat(files.get(i).hasRange()).isTrue();
      assertThat(RowKey.compareValues(files.get(i - 1).max().get(), files.get(i).min().get()))
          .as("file %s ends before file %s starts", i - 1, i).isNegative();
    }
  }

  private List<String> rows() {
    return new DeltaTableReader(Map.of()).read(location()).rows().stream().map(Arrays::deepToString).sorted().toList();
  }

  /** The table's rows, text by id. */
  private Map<Long, String> rowsById() {
    Map<Long, String> rows = new HashMap<>();
    for (Object[] row : new DeltaTableReader(Map.of()).read(location()).rows()) {
      assertThat(rows.put((Long) row[0], (String) row[1])).as("id %s once", row[0]).isNull();
    }
    return rows;
  }

  /** The rows each file's deletion vector marks deleted, by path, for the files that have one. */
  private Map<String, Long> marked(List<TableFiles.DataFile> files) {
    Map<String, Long> marked = new HashMap<>();
    for (TableFiles.DataFile file : files) {
      file.scanFile().add().getDeletionVector().ifPresent(vector -> marked.put(file.path(), vector.getCardinality()));
    }
    return marked;
  }

  private double counter(String name) {
    return registry.counter(ApplierMetrics.PREFIX + name, "table", TABLE.canonical()).count();
  }

  @Test
  void rowsAreWrittenSortedByKeyIntoDisjointFilesNearTheTargetSize() {
    TableApplier applier = open(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET));

    apply(applier, inserts(0, 3000));

    List<TableFiles.DataFile> files = files();
    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    assertDisjoint(files);
    assertThat(files.stream().mapToLong(TableFiles.DataFile::rows).sum()).isEqualTo(3000);
    // Every file but the first (cut by an estimate of raw sizes) and the last is near the target.
    for (TableFiles.DataFile file : files.subList(1, files.size() - 1)) {
      assertThat(file.size()).isBetween(TARGET / 2, TARGET * 3 / 2);
    }
  }

  @Test
  void aBatchRewritesOnlyTheFilesItsKeysFallInAndKeepsThemDisjoint() {
    TableApplier applier = open(TableOptions.DEFAULT, COPY_ON_WRITE);
    apply(applier, inserts(0, 6000));
    int before = files().size();
    double removed = counter("files.removed");
    double read = counter("files.read");

    apply(applier, updatesAtBothEnds());

    assertThat(counter("files.read") - read).isEqualTo(2);
    assertThat(counter("files.removed") - removed).isEqualTo(2);
    assertThat(files()).hasSize(before);
    assertDisjoint(files());
    assertThat(rows()).hasSize(5999);
    assertThat(counter("bytes.rewritten")).isPositive();
    assertThat(registry.find(ApplierMetrics.PREFIX + "rewrite.per.changed.row").summary().count()).isEqualTo(2);
  }

  @Test
  void aNewKeyInsideAFilesRangeIsWrittenIntoItAndNewKeysBeyondEveryFileIntoFilesOfTheirOwn() {
    TableApplier applier = open(TableOptions.DEFAULT, COPY_ON_WRITE);
    List<ChangeEvent> even = new ArrayList<>();
    for (long id = 0; id < 6000; id += 2) {
      even.add(event(Operation.INSERT, id));
    }
    apply(applier, even);
    int before = files().size();

    apply(applier, List.of(event(Operation.INSERT, 3001), event(Operation.INSERT, 10_001)));

    List<TableFiles.DataFile> files = files();
    assertDisjoint(files);
    assertThat(files).hasSize(before + 1);
    assertThat(files.get(files.size() - 1).rows()).isEqualTo(1);
    assertThat(counter("files.removed")).isEqualTo(1);
  }

  @Test
  void newKeysPastARewrittenFileGoToFilesOfTheirOwnSoThatTheFileDoesNotGrowWithEveryCommit() {
    TableApplier applier = open(TableOptions.DEFAULT, COPY_ON_WRITE);
    apply(applier, inserts(0, 300));
    assertThat(files()).hasSize(1);

    // The newest row changes while newer ones arrive: the pattern of a table with rising keys.
    for (long newest = 299; newest < 449; newest += 50) {
      List<ChangeEvent> changes = new ArrayList<>();
      changes.add(event(Operation.UPDATE, newest));
      for (long id = newest + 1; id <= newest + 50; id++) {
        changes.add(event(Operation.INSERT, id));
      }
      apply(applier, changes);
    }

    List<TableFiles.DataFile> files = files();
    assertDisjoint(files);
    assertThat(files.stream().map(TableFiles.DataFile::rows).toList()).containsExactly(300L, 50L, 50L, 50L);
    assertThat(counter("files.removed")).isEqualTo(3);
    assertThat(rows()).hasSize(450);
  }

  @Test
  void withDeletionVectorsABatchMarksTheRowsItChangesAndWritesItsRowsWithinTheRangesOfTheFilesItMarked()
      throws IOException {
    TableApplier applier = open(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET));
    apply(applier, inserts(0, 6000));
    List<TableFiles.DataFile> before = files();
    assertThat(before).hasSizeGreaterThan(4);
    assertThat(marked(before)).isEmpty();
    TableFiles.DataFile first = before.get(0);
    TableFiles.DataFile last = before.get(before.size() - 1);

    apply(applier, updatesAtBothEnds());

    assertThat(counter("files.read")).isEqualTo(2);
    assertThat(counter("files.marked")).isEqualTo(2);
    assertThat(counter("files.removed")).isZero();
    assertThat(counter("bytes.rewritten")).isZero();
    List<TableFiles.DataFile> after = files();
    assertThat(marked(after)).containsOnly(Map.entry(first.path(), 41L), Map.entry(last.path(), 40L));
    // The rows of each marked file's keys are written within its range, so that compaction can merge them into it.
    List<TableFiles.DataFile> added = after.stream().filter(file -> !marked(before).containsKey(file.path())
        && before.stream().noneMatch(old -> old.path().equals(file.path()))).toList();
    assertThat(added).hasSize(2).allSatisfy(file -> assertThat(file.rows()).isEqualTo(40));
    assertThat(added.get(0).max().get()).isEqualTo(39L);
    assertThat(added.get(1).min().get()).isEqualTo(5960L);
    assertThat(after.stream().mapToLong(TableFiles.DataFile::rows).sum()).isEqualTo(5999);
    assertThat(rowsById()).isEqualTo(expected);

    // Marked again: a file with a vector gets one holding its old positions and its new ones, and a row
    // written by the last batch is marked in its new file.
    apply(applier, List.of(event(Operation.UPDATE, 0), event(Operation.UPDATE, 42), event(Operation.UPDATE, 3000),
        event(Operation.DELETE, 5999)));

    Map<String, Long> again = marked(files());
    assertThat(again).containsEntry(first.path(), 42L).containsEntry(last.path(), 40L)
        .containsEntry(added.get(0).path(), 1L).containsEntry(added.get(1).path(), 1L).hasSize(5);
    assertThat(rowsById()).isEqualTo(expected);
    assertThat(counter("rows.deleted")).isEqualTo(2);

    // Compaction merges each marked file with the files of new rows inside its range and drops the marked rows.
    assertThat(applier.compactNow()).isPresent();
    List<TableFiles.DataFile> compacted = files();
    assertDisjoint(compacted);
    assertThat(marked(compacted)).isEmpty();
    assertThat(compacted.stream().mapToLong(TableFiles.DataFile::rows).sum()).isEqualTo(5998);
    assertThat(rowsById()).isEqualTo(expected);
  }

  @Test
  void compactionRewritesAFileWhoseDeletionVectorMarksAQuarterOfItsRowsOrMore() throws IOException {
    TableApplier applier = open(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET));
    apply(applier, inserts(0, 3000));
    List<TableFiles.DataFile> before = files();
    TableFiles.DataFile second = before.get(1);
    long min = (Long) second.min().get();
    // Deletes only: no new file overlaps the marked one; a fifth of its rows is not yet worth a rewrite.
    List<ChangeEvent> deletes = new ArrayList<>();
    for (long id = min; id < min + second.rows() / 5; id++) {
      deletes.add(event(Operation.DELETE, id));
    }
    apply(applier, deletes);
    assertThat(marked(files())).containsOnlyKeys(second.path());
    assertThat(applier.compactNow()).isEmpty();

    List<ChangeEvent> more = new ArrayList<>();
    for (long id = min + second.rows() / 5; id < min + second.rows() / 3; id++) {
      more.add(event(Operation.DELETE, id));
    }
    apply(applier, more);

    Optional<SmallFileCompactor.Compaction> compaction = applier.compactNow();
    assertThat(compaction).isPresent();
    assertThat(compaction.get().filesIn()).isEqualTo(1);
    assertThat(marked(files())).isEmpty();
    assertThat(files()).hasSize(before.size());
    assertDisjoint(files());
    assertThat(rowsById()).isEqualTo(expected);
  }

  @Test
  void aFileWhoseEveryRowABatchChangesIsRemovedNotMarked() {
    TableApplier applier = open(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET));
    apply(applier, inserts(0, 100));
    apply(applier, List.of(event(Operation.UPDATE, 7)));
    assertThat(files()).hasSize(2);
    assertThat(counter("files.marked")).isEqualTo(1);

    // Key 7's row is alone in the file the last batch wrote: updated again, that file goes.
    apply(applier, List.of(event(Operation.UPDATE, 7)));

    assertThat(counter("files.removed")).isEqualTo(1);
    assertThat(counter("files.marked")).isEqualTo(1);
    assertThat(files()).hasSize(2).noneMatch(file -> file.rows() == 0);
    assertThat(rowsById()).isEqualTo(expected);
  }

  @Test
  void aPartialUpsertOnATableWithDeletionVectorsTakesTheColumnsItLacksFromTheCurrentRow() {
    TableApplier applier = open(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET));
    apply(applier, inserts(0, 100));
    String kept = expected.get(7L);
    // The source did not send the text (an unchanged TOAST value): the row keeps the text it has.
    ChangeEvent partial = segments.event(Operation.UPDATE, ++position, BitSet.valueOf(new long[] {0b10}), 7L, null);

    apply(applier, List.of(partial));

    assertThat(counter("files.marked")).isEqualTo(1);
    assertThat(rowsById()).containsEntry(7L, kept).hasSize(100);
  }

  @Test
  void runsStartAtEveryMinimumAndAfterEveryMaximumOfARewrittenFile() {
    ClusteredFiles.Cuts cuts = new ClusteredFiles.Cuts(List.of(30L, 10L), List.of(20L));
    List<Object[]> rows = new ArrayList<>();
    for (long id : new long[] {5, 10, 15, 20, 21, 29, 30, 40}) {
      rows.add(new Object[] {id});
    }

    List<List<Long>> runs = ClusteredFiles.runs(rows, row -> row[0], cuts).stream()
        .map(run -> run.stream().map(row -> (Long) row[0]).toList())
        .toList();

    assertThat(runs).containsExactly(List.of(5L), List.of(10L, 15L, 20L), List.of(21L, 29L), List.of(30L, 40L));
    assertThat(ClusteredFiles.runs(rows, null, cuts)).hasSize(1);
    assertThat(ClusteredFiles.runs(rows, row -> row[0], ClusteredFiles.Cuts.NONE)).hasSize(1);
  }

  @Test
  void aNewCompositeKeyWhoseFirstValueEndsFilesRewritesNone() {
    // (tenant, id): every file of tenant 2 has 2 as its minimum and maximum first key component.
    TableSchema tenants = new TableSchema(TABLE, List.of(new Column("tenant", ColumnType.LONG, false),
        new Column("id", ColumnType.LONG, false), new Column("text", ColumnType.STRING, true)), List.of("tenant", "id"));
    segments = new Segments(staging, tenants);
    TableApplier applier = new TableOpener(context(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET)))
        .open(TABLE, tenants, TableApplierTest.PARTITION);
    List<ChangeEvent> rows = new ArrayList<>();
    for (long id = 0; id < 3000; id++) {
      rows.add(segments.event(Operation.INSERT, ++position, new Object[] {2L, id, text()}));
    }
    apply(applier, rows);
    int before = files().size();
    assertThat(before).isGreaterThan(2);

    apply(applier, List.of(segments.event(Operation.INSERT, ++position, new Object[] {2L, 5000L, text()})));

    assertThat(counter("files.removed")).isZero();
    assertThat(files()).hasSize(before + 1);
  }

  @Test
  void onlyAKeyStrictlyInsideAFilesRangeSpansIt() {
    TableFiles.DataFile file = new TableFiles.DataFile(null, TARGET, 100, Optional.of(10L), Optional.of(20L));
    TableFiles.DataFile single = new TableFiles.DataFile(null, TARGET, 100, Optional.of(7L), Optional.of(7L));

    assertThat(file.spansAny(List.of(10L, 10L, 20L))).isFalse();
    assertThat(file.spansAny(List.of(10L, 15L))).isTrue();
    assertThat(single.spansAny(List.of(7L, 7L))).isFalse();
    assertThat(file.mayHoldAny(List.of(20L))).isTrue();
  }

  @Test
  void compactionMergesSmallFilesWithoutChangingRowsInScd1() throws IOException {
    compactsWithoutChangingRows(TableOptions.DEFAULT);
  }

  @Test
  void compactionMergesSmallFilesWithoutChangingRowsWithSoftDelete() throws IOException {
    compactsWithoutChangingRows(mode(TableOptions.Mode.SCD1, true));
  }

  @Test
  void compactionMergesSmallFilesWithoutChangingRowsInScd2() throws IOException {
    compactsWithoutChangingRows(mode(TableOptions.Mode.SCD2, false));
  }

  @Test
  void compactionMergesSmallFilesWithoutChangingRowsInAppendMode() throws IOException {
    compactsWithoutChangingRows(mode(TableOptions.Mode.APPEND, false));
  }

  /** Small batches of new keys at the end, with updates and deletes, leave one small file each. */
  private void compactsWithoutChangingRows(TableOptions options) throws IOException {
    FilesConfig files = FilesConfig.withTargetSize(TARGET).withMinSmallFiles(4);
    TableApplier applier = open(options, files);
    smallBatches(applier, 0, 8);
    compactsAndKeepsRows(applier);
  }

  /**
   * Batches of 20 new keys each from {@code base} on, each also updating and deleting a key of the
   * batch two before: one new small file per batch, and one rewritten between files kept.
   */
  private void smallBatches(TableApplier applier, long base, int batches) {
    for (int batch = 0; batch < batches; batch++) {
      long first = base + batch * 20L;
      List<ChangeEvent> events = new ArrayList<>(inserts(first, first + 20));
      if (batch >= 2) {
        events.add(event(Operation.UPDATE, first - 37));
        events.add(event(Operation.DELETE, first - 33));
      }
      apply(applier, events);
    }
  }

  private void compactsAndKeepsRows(TableApplier applier) throws IOException {
    List<String> before = rows();
    int filesBefore = files().size();
    long version = applier.version();
    int commits = coordinator.commits().size();
    Optional<io.tributary.staging.SourcePosition> applied = coordinator.table(TABLE).orElseThrow().appliedPosition();
    Optional<Long> txn = snapshot().getLatestTransactionVersion(engine, TableApplierTest.PARTITION.transactionAppId(TABLE));

    Optional<SmallFileCompactor.Compaction> compaction = applier.compactNow();

    assertThat(compaction).isPresent();
    assertThat(compaction.get().version()).isEqualTo(version + 1);
    assertThat(applier.version()).isEqualTo(version + 1);
    assertThat(rows()).isEqualTo(before);
    assertThat(files().size()).isLessThan(filesBefore);
    assertThat(compaction.get().filesIn()).isGreaterThanOrEqualTo(4);
    CommitProposal proposal = coordinator.commits().get(commits);
    assertThat(proposal.watermark()).isEmpty();
    assertThat(proposal.segments()).isEmpty();
    assertThat(proposal.rowsChanged()).isZero();
    assertThat(coordinator.table(TABLE).orElseThrow().appliedPosition()).isEqualTo(applied);
    assertThat(snapshot().getLatestTransactionVersion(engine, TableApplierTest.PARTITION.transactionAppId(TABLE)))
        .isEqualTo(txn);
    List<JsonNode> actions = actions(version + 1);
    assertThat(actions.stream().filter(action -> action.has("add"))).isNotEmpty()
        .allSatisfy(action -> assertThat(action.get("add").get("dataChange").asBoolean()).isFalse());
    assertThat(actions.stream().filter(action -> action.has("remove"))).hasSize(compaction.get().filesIn())
        .allSatisfy(action -> assertThat(action.get("remove").get("dataChange").asBoolean()).isFalse());
    assertThat(actions).noneMatch(action -> action.has("txn"));
    assertThat(counter("compactions")).isEqualTo(1);
    assertThat(counter("compaction.files.removed")).isEqualTo(compaction.get().filesIn());

    // Nothing left to gain: no second commit.
    assertThat(applier.compactNow()).isEmpty();
    assertThat(coordinator.commits()).hasSize(commits + 1);

    // Batches go on over the compacted files.
    apply(applier, List.of(event(Operation.UPDATE, 2), event(Operation.INSERT, 100_000)));
    assertThat(rows()).hasSizeGreaterThan(before.size() - 1);
  }

  @Test
  void compactionRewritesATableWithColumnMappingUnderItsPhysicalNames() throws IOException {
    FilesConfig files = FilesConfig.withTargetSize(TARGET).withMinSmallFiles(4);
    TableApplier applier = open(TableOptions.DEFAULT, files);
    smallBatches(applier, 0, 4);
    TableSchema evolved = new TableSchema(TABLE, List.of(new Column("id", ColumnType.LONG, false),
        new Column("text", ColumnType.STRING, true), new Column("added", ColumnType.INT, true)), List.of("id"));
    segments = segments.withSchema(evolved);
    columns = evolved.columns().size();
    for (long id = 200; id < 280; id += 20) {
      List<ChangeEvent> events = new ArrayList<>();
      for (long key = id; key < id + 20; key++) {
        events.add(segments.event(Operation.INSERT, ++position, key, text(), (int) key));
      }
      apply(applier, events);
    }
    assertThat(snapshot().getTableProperties()).containsEntry("delta.columnMapping.mode", "name");

    compactsAndKeepsRows(applier);
  }

  @Test
  void nothingToCompactMakesNoCommit() {
    TableApplier applier = open(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET));
    apply(applier, inserts(0, 3000));
    smallBatches(applier, 3000, 2);
    int commits = coordinator.commits().size();
    long version = applier.version();

    assertThat(applier.compactNow()).isEmpty();
    applier.compactIfDue();

    assertThat(coordinator.commits()).hasSize(commits);
    assertThat(applier.version()).isEqualTo(version);
    assertThat(counter("compactions")).isZero();
  }

  @Test
  void compactionIsLookedForAtMostOncePerInterval() {
    FilesConfig files = FilesConfig.withTargetSize(TARGET).withMinSmallFiles(4).withCheckInterval(Duration.ofHours(1));
    TableApplier applier = open(TableOptions.DEFAULT, files);
    apply(applier, inserts(0, 10));
    applier.compactIfDue();
    smallBatches(applier, 10, 6);

    applier.compactIfDue();

    assertThat(counter("compactions")).isZero();
    assertThat(applier.compactNow()).isPresent();
  }

  @Test
  void aFencedApplierCannotCompact() {
    TableApplier applier = open(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET).withMinSmallFiles(4)
        .withCheckInterval(Duration.ZERO));
    smallBatches(applier, 0, 6);
    List<String> before = rows();
    long version = snapshot().getVersion();
    coordinator.acquireLease(TABLE, new WriterId("writer-2"), Duration.ofSeconds(30));

    assertThatThrownBy(applier::compactNow).isInstanceOfSatisfying(TributaryException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));
    assertThatThrownBy(applier::compactIfDue).isInstanceOfSatisfying(TributaryException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));

    assertThat(snapshot().getVersion()).isEqualTo(version);
    assertThat(rows()).isEqualTo(before);
    assertThat(counter("compactions")).isZero();
  }

  @Test
  void compactionReadsAtMostItsBytesPerRun() {
    FilesConfig small = FilesConfig.withTargetSize(TARGET).withMinSmallFiles(4);
    FilesConfig bounded = new FilesConfig(small.targetSize(), true, small.smallFileSize(), 4, 1024,
        small.checkInterval());
    TableApplier applier = open(TableOptions.DEFAULT, bounded);
    smallBatches(applier, 0, 8);
    int files = files().size();

    SmallFileCompactor.Compaction compaction = applier.compactNow().orElseThrow();

    // The budget is below one file: the least a run merges is two.
    assertThat(compaction.filesIn()).isEqualTo(2);
    assertThat(files().size()).isEqualTo(files - 1);
  }

  @Test
  void aKeyAfterThe32ndColumnStillHasItsRangeInEveryFile() {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < 33; i++) {
      columns.add(new Column("c" + i, ColumnType.STRING, true));
    }
    columns.add(new Column("id", ColumnType.LONG, false));
    TableSchema wide = new TableSchema(TABLE, columns, List.of("id"));
    segments = new Segments(staging, wide);
    TableApplier applier = new TableOpener(context(TableOptions.DEFAULT, FilesConfig.withTargetSize(TARGET)))
        .open(TABLE, wide, TableApplierTest.PARTITION);
    List<ChangeEvent> events = new ArrayList<>();
    for (long id = 0; id < 1000; id++) {
      Object[] values = new Object[34];
      values[0] = text();
      values[33] = id;
      events.add(segments.event(Operation.INSERT, ++position, values));
    }
    apply(applier, events);

    assertThat(snapshot().getTableProperties()).containsEntry("delta.dataSkippingNumIndexedCols", "34");
    assertThat(files()).hasSizeGreaterThan(1).allSatisfy(file -> assertThat(file.hasRange()).isTrue());
    assertDisjoint(files());
  }

  @Test
  void stringRangesCompareAsTheStatisticsDoByCodePoint() {
    // Parquet's minimum and maximum are in UTF-8 byte order: U+E000 < U+FFFD < U+1F600, though in UTF-16
    // code units the surrogates of U+1F600 sort before U+FFFD.
    TableFiles.DataFile file = new TableFiles.DataFile(null, TARGET, 100, Optional.of("\uE000"),
        Optional.of("\uD83D\uDE00"));

    assertThat(file.mayHoldAny(TableFiles.firstComponents(List.of(RowKey.ofValues("\uFFFD"))))).isTrue();
    assertThat(file.mayHoldAny(TableFiles.firstComponents(List.of(RowKey.ofValues("a"))))).isFalse();
    assertThat(TableFiles.compare("\uFFFD", "\uD83D\uDE00")).isNegative();
    assertThat(TableFiles.compare(5L, 7L)).isNegative();
  }

  @Test
  void filesSharingABoundaryKeyDoNotOverlapButFilesCrossingDo() {
    FilesConfig config = FilesConfig.withTargetSize(TARGET);
    TableFiles.DataFile first = new TableFiles.DataFile(null, TARGET, 100, Optional.of(0L), Optional.of(10L));
    TableFiles.DataFile touching = new TableFiles.DataFile(null, TARGET, 100, Optional.of(10L), Optional.of(20L));
    TableFiles.DataFile crossing = new TableFiles.DataFile(null, TARGET, 100, Optional.of(15L), Optional.of(30L));
    TableFiles.DataFile last = new TableFiles.DataFile(null, TARGET, 100, Optional.of(40L), Optional.of(50L));

    assertThat(SmallFileCompactor.select(List.of(first, touching, last), true, config)).isEmpty();
    assertThat(SmallFileCompactor.select(List.of(last, crossing, first, touching), true, config))
        .containsExactly(List.of(touching, crossing));
  }

  private List<JsonNode> actions(long version) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> actions = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(location()).resolve("_delta_log").resolve(String.format("%020d.json",
        version)))) {
      actions.add(mapper.readTree(line));
    }
    return actions;
  }
}
