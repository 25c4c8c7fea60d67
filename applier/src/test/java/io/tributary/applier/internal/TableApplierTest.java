package io.tributary.applier.internal;

import static io.tributary.applier.testing.Segments.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.Segments;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Applies real segments to real local Delta tables through Kernel, with an in-memory coordinator. */
class TableApplierTest {
  static final ManifestPartition PARTITION = new ManifestPartition("manifests", "Mm3VbC5ZQ0yHC7x2xwwNqA", 0);
  private static final TableId TABLE = new TableId("pg", "public", "customers");
  private static final TableSchema SCHEMA = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, false), new Column("name", ColumnType.STRING, true),
          new Column("balance", ColumnType.decimal(12, 2), true), new Column("bio", ColumnType.STRING, true)),
      List.of("id"));

  @TempDir
  Path dir;

  private final Clock clock = Clock.systemUTC();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeCoordinator coordinator = new FakeCoordinator(clock);
  private StagingStore staging;
  private ApplierContext context;
  private Segments segments;
  private DeltaTableReader reader;
  private long nextOffset;

  @BeforeEach
  void setUp() {
    StagingConfig stagingConfig = StagingConfig.local(dir.resolve("staging"));
    staging = StagingStore.open(stagingConfig, clock);
    ApplierConfig config = new ApplierConfig(dir.resolve("delta").toUri(), "appliers", new WriterId("writer-1"), 64,
        Duration.ofMillis(200), Duration.ofSeconds(30), Map.of(), "127.0.0.1:9092", "tributary.manifests", stagingConfig);
    Engine engine = DeltaEngines.forWriting(Map.of());
    context = new ApplierContext(config, engine, staging, coordinator, StagedCommitter.FACTORY,
        new ApplierMetrics(registry, clock), clock);
    segments = new Segments(staging, SCHEMA);
    reader = new DeltaTableReader(Map.of());
  }

  @AfterEach
  void tearDown() {
    staging.close();
  }

  private TableApplier open() {
    return new TableOpener(context).open(TABLE,
        segments.segment(segments.event(io.tributary.staging.Operation.INSERT, 0, 0L, "probe", null, null)), PARTITION);
  }

  private List<PendingManifest> batch(ManifestRecord... manifests) {
    List<PendingManifest> batch = new ArrayList<>();
    for (ManifestRecord manifest : manifests) {
      batch.add(new PendingManifest(0, nextOffset++, manifest, clock.millis()));
    }
    return batch;
  }

  private URI location() {
    return context.config().tableLocation(TABLE);
  }

  private List<List<Object>> rows() {
    return rows(reader.read(location()));
  }

  private static List<List<Object>> rows(DeltaTableContents contents) {
    return contents.rows().stream().map(row -> java.util.Arrays.asList(row)).toList();
  }

  private double counter(String name) {
    return registry.counter(ApplierMetrics.PREFIX + name, "table", TABLE.canonical()).count();
  }

  private static io.tributary.staging.Operation op(String code) {
    return io.tributary.staging.Operation.fromCode(code);
  }

  @Test
  void dataFilesAreCompressed() throws IOException {
    TableApplier applier = open();
    applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "ada", new BigDecimal("10.00"), "first"))));

    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of(location()))) {
      files = walk.filter(file -> file.toString().endsWith(".parquet") && !file.toString().contains("_delta_log"))
          .toList();
    }
    assertThat(files).isNotEmpty().allSatisfy(file -> {
      try (ParquetFileReader parquet = ParquetFileReader.open(
          HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
        assertThat(parquet.getFooter().getBlocks().get(0).getColumns())
            .allSatisfy(column -> assertThat(column.getCodec()).isEqualTo(CompressionCodecName.SNAPPY));
      }
    });
  }

  @Test
  void createsUpsertsUpdatesAndDeletesThroughKernel() throws IOException {
    TableApplier applier = open();
    assertThat(applier.version()).isZero();
    assertThat(reader.read(location()).rows()).isEmpty();

    BatchResult first = applier.apply(batch(
        segments.segment(segments.event(op("c"), 1, 1L, "ada", new BigDecimal("10.00"), "first"),
            segments.event(op("c"), 2, 2L, "bob", new BigDecimal("20.50"), null)),
        segments.segment(segments.event(op("c"), 3, 3L, "cy", new BigDecimal("0.01"), "third"))));
    assertThat(first).isEqualTo(new BatchResult(BatchResult.Outcome.COMMITTED, 1));

    applier.apply(batch(segments.segment(
        segments.event(op("u"), 4, 2L, "bobby", new BigDecimal("21.00"), "changed"),
        segments.event(op("d"), 5, 3L, null, null, null),
        segments.event(op("c"), 6, 4L, "dee", new BigDecimal("-4.25"), null))));

    DeltaTableContents contents = reader.read(location());
    assertThat(contents.version()).isEqualTo(2);
    assertThat(contents.schema().tableId()).isEqualTo(TABLE);
    assertThat(contents.schema().keyColumns()).containsExactly("id");
    assertThat(contents.schema().columns()).extracting(Column::name).containsExactly("id", "name", "balance", "bio");
    assertThat(rows(contents)).containsExactly(
        List.of(1L, "ada", new BigDecimal("10.00"), "first"),
        java.util.Arrays.asList(2L, "bobby", new BigDecimal("21.00"), "changed"),
        java.util.Arrays.asList(4L, "dee", new BigDecimal("-4.25"), null));

    TableStatus status = coordinator.table(TABLE).orElseThrow();
    assertThat(status.version()).isEqualTo(2);
    assertThat(status.appliedPosition()).contains(position(6));
    assertThat(applier.appliedPosition()).contains(position(6));
    assertThat(applier.status(io.tributary.applier.AppliedTableStatus.State.ACTIVE, java.util.Optional.empty()).rows())
        .isEqualTo(3);
    assertThat(coordinator.commits()).hasSize(3);
    assertThat(coordinator.commits().get(2).rowsChanged()).isEqualTo(3);
    assertThat(coordinator.commits().get(2).segments()).hasSize(1);

    Path log = Path.of(location()).resolve("_delta_log");
    assertThat(log.resolve("00000000000000000000.json")).exists();
    assertThat(log.resolve("00000000000000000001.json")).exists();
    assertThat(log.resolve("00000000000000000002.json")).exists();
    List<JsonNode> actions = actions(log.resolve("00000000000000000002.json"));
    assertThat(actions).anySatisfy(action -> {
      assertThat(action.has("txn")).isTrue();
      assertThat(action.get("txn").get("appId").asText())
          .isEqualTo("tributary-applier/pg.public.customers/" + PARTITION.topicId() + "-0");
      assertThat(action.get("txn").get("version").asLong()).isEqualTo(2);
    });
    assertThat(actions.stream().filter(action -> action.has("remove")))
        .isNotEmpty()
        .allSatisfy(action -> assertThat(action.get("remove").get("size").asLong()).isPositive());
    assertThat(actions.stream().filter(action -> action.has("add")))
        .allSatisfy(action -> assertThat(action.get("add").get("stats").asText()).contains("numRecords"));
    JsonNode metadata = actions(log.resolve("00000000000000000000.json")).stream()
        .filter(action -> action.has("metaData")).findFirst().orElseThrow().get("metaData");
    assertThat(metadata.get("configuration").get("tributary.key-columns").asText()).isEqualTo("[\"id\"]");
    assertThat(metadata.get("configuration").get("tributary.table-id").asText()).isEqualTo("pg.public.customers");

    assertThat(counter("batches.applied")).isEqualTo(2);
    assertThat(counter("rows.upserted")).isEqualTo(5);
    assertThat(counter("rows.deleted")).isEqualTo(1);
    // The table has deletion vectors: the updated and deleted rows are marked in the file holding them.
    assertThat(counter("files.marked")).isEqualTo(1);
    assertThat(counter("files.removed")).isZero();
  }

  private static List<JsonNode> actions(Path commit) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> actions = new ArrayList<>();
    for (String line : Files.readAllLines(commit)) {
      actions.add(mapper.readTree(line));
    }
    return actions;
  }

  @Test
  void aReplayedBatchIsRefusedByKernelAndOnlyItsNewPartApplied() {
    TableApplier applier = open();
    List<PendingManifest> firstBatch = batch(
        segments.segment(segments.event(op("c"), 1, 1L, "a", null, null)),
        segments.segment(segments.event(op("c"), 2, 2L, "b", null, null)));
    applier.apply(firstBatch);
    assertThat(applier.version()).isEqualTo(1);

    // A new owner (after a crash before the Kafka offset commit) re-reads from offset 0.
    TableApplier successor = open();
    List<PendingManifest> replay = new ArrayList<>(firstBatch);
    replay.addAll(batch(segments.segment(segments.event(op("u"), 3, 1L, "a2", null, null))));
    BatchResult result = successor.apply(replay);

    assertThat(result).isEqualTo(new BatchResult(BatchResult.Outcome.COMMITTED, 2));
    assertThat(counter("batches.replay.refused")).isEqualTo(1);
    assertThat(rows()).containsExactly(java.util.Arrays.asList(1L, "a2", null, null), java.util.Arrays.asList(2L, "b", null, null));
    assertThat(coordinator.commits()).hasSize(3);

    // The whole batch again: nothing new, nothing committed.
    BatchResult again = successor.apply(replay);
    assertThat(again).isEqualTo(new BatchResult(BatchResult.Outcome.REPLAY_REFUSED, 2));
    assertThat(counter("batches.replay.refused")).isEqualTo(2);
    assertThat(coordinator.commits()).hasSize(3);
  }

  @Test
  void kernelRefusesATransactionIdentifierAlreadyCommittedWhenTheTransactionIsBuilt() {
    TableApplier applier = open();
    applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null))));
    Snapshot snapshot = TableManager.loadSnapshot(location().toString()).build(context.engine());
    String appId = PARTITION.transactionAppId(TABLE);
    assertThat(snapshot.getLatestTransactionVersion(context.engine(), appId)).contains(0L);

    assertThatThrownBy(() -> snapshot.buildUpdateTableTransaction("test", Operation.WRITE)
        .withTransactionId(appId, 0).build(context.engine()))
        .isInstanceOf(ConcurrentTransactionException.class)
        .hasMessageContaining("Attempted version: 0, Latest version in table: 0");
    assertThat(snapshot.buildUpdateTableTransaction("test", Operation.WRITE)
        .withTransactionId(appId, 1).build(context.engine())).isNotNull();
  }

  @Test
  void aFencedApplierCannotCommit() {
    TableApplier applier = open();
    coordinator.acquireLease(TABLE, new WriterId("usurper"), Duration.ofSeconds(30));

    assertThatThrownBy(() -> applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null)))))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));
    assertThat(reader.read(location()).version()).isZero();
    assertThatThrownBy(() -> applier.renewLease(Duration.ofSeconds(30))).isInstanceOf(TributaryException.class);
    assertThat(applier.isFenced()).isTrue();
  }

  @Test
  void aCommitWhoseAnswerWasLostButLandedCountsAsCommitted() {
    TableApplier applier = open();
    coordinator.failNextCommit(FakeCoordinator.Failure.OUTCOME_UNKNOWN_AFTER_PUBLISH);

    BatchResult result = applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null))));

    assertThat(result).isEqualTo(new BatchResult(BatchResult.Outcome.COMMITTED, 1));
    assertThat(applier.appliedPosition()).contains(position(1));
    assertThat(rows()).containsExactly(java.util.Arrays.asList(1L, "a", null, null));
  }

  @Test
  void aCommitWhoseAnswerWasLostAndDidNotLandIsRetriedOnce() {
    TableApplier applier = open();
    List<PendingManifest> batch = batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null)));
    coordinator.failNextCommit(FakeCoordinator.Failure.OUTCOME_UNKNOWN_BEFORE_PUBLISH);

    assertThatThrownBy(() -> applier.apply(batch))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COMMIT_OUTCOME_UNKNOWN))
        .hasMessageContaining("not visible in the table yet");
    assertThat(applier.apply(batch)).isEqualTo(new BatchResult(BatchResult.Outcome.COMMITTED, 1));
    assertThat(applier.apply(batch).outcome()).isEqualTo(BatchResult.Outcome.REPLAY_REFUSED);
    assertThat(rows()).containsExactly(java.util.Arrays.asList(1L, "a", null, null));
  }

  @Test
  void anUnavailableColumnKeepsTheValueInTheTable() {
    TableApplier applier = open();
    applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", new BigDecimal("1.00"), "very long bio"))));
    BitSet toasted = new BitSet();
    toasted.set(3);

    applier.apply(batch(segments.segment(segments.event(op("u"), 2, toasted, 1L, "renamed", new BigDecimal("2.00"), null))));

    assertThat(rows()).containsExactly(List.of(1L, "renamed", new BigDecimal("2.00"), "very long bio"));
  }

  @Test
  void truncateEmptiesTheTableBeforeLaterChanges() {
    TableApplier applier = open();
    applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null),
        segments.event(op("c"), 2, 2L, "b", null, null))));

    applier.apply(batch(segments.segment(segments.truncate(3), segments.event(op("c"), 4, 3L, "c", null, null))));

    assertThat(rows()).containsExactly(java.util.Arrays.asList(3L, "c", null, null));
    assertThat(counter("rows.deleted")).isEqualTo(2);
    assertThat(applier.status(io.tributary.applier.AppliedTableStatus.State.ACTIVE, java.util.Optional.empty()).rows())
        .isEqualTo(1);
  }

  @Test
  void eventsReEmittedByTheGatewayAreDroppedAsDuplicates() {
    TableApplier applier = open();
    applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null),
        segments.event(op("u"), 2, 1L, "b", null, null))));

    applier.apply(batch(segments.segment(segments.event(op("u"), 2, 1L, "b", null, null),
        segments.event(op("u"), 3, 1L, "c", null, null))));
    BatchResult onlyDuplicates = applier.apply(batch(segments.segment(segments.event(op("u"), 3, 1L, "c", null, null))));

    assertThat(onlyDuplicates.outcome()).isEqualTo(BatchResult.Outcome.NOTHING_TO_APPLY);
    assertThat(counter("events.duplicate.dropped")).isEqualTo(2);
    assertThat(rows()).containsExactly(java.util.Arrays.asList(1L, "c", null, null));
  }

  @Test
  void dataSkippingRewritesOnlyTheFilesHoldingTheBatchsKeys() {
    TableApplier applier = open();
    for (long file = 0; file < 5; file++) {
      applier.apply(batch(segments.segment(
          segments.event(op("c"), file * 10 + 1, file * 10 + 1, "x", null, null),
          segments.event(op("c"), file * 10 + 2, file * 10 + 2, "y", null, null))));
    }
    double markedBefore = counter("files.marked");
    double readBefore = counter("files.read");

    applier.apply(batch(segments.segment(segments.event(op("u"), 100, 31L, "updated", null, null))));

    assertThat(counter("files.marked") - markedBefore).isEqualTo(1);
    assertThat(counter("files.read") - readBefore).as("files read after data skipping").isEqualTo(1);
    assertThat(rows()).hasSize(10).contains(java.util.Arrays.asList(31L, "updated", null, null));
  }

  @Test
  void checkpointsAreWrittenByThePostCommitHooks() {
    TableApplier applier = open();
    for (long i = 1; i <= 10; i++) {
      applier.apply(batch(segments.segment(segments.event(op("c"), i, i, "row " + i, null, null))));
    }

    Path log = Path.of(location()).resolve("_delta_log");
    assertThat(log.resolve("00000000000000000010.checkpoint.parquet")).exists();
    assertThat(log.resolve("_last_checkpoint")).exists();
    assertThat(rows()).hasSize(10);
    try (Stream<Path> files = Files.list(log)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .filteredOn(name -> name.endsWith(".json") && !name.startsWith("_"))
          .hasSize(11);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aSecondOwnerReadsTheAppliedPositionFromTheCoordinator() {
    TableApplier applier = open();
    applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null))));

    TableApplier successor = open();

    assertThat(successor.appliedPosition()).contains(position(1));
    assertThat(successor.version()).isEqualTo(1);
    assertThat(successor.lease().epoch().value()).isEqualTo(2);
  }

  @Test
  void tablesWithUnusualNamesLiveInOneDirectoryWithEscapedNames() {
    TableId odd = new TableId("pg", "my?schema", "t#1%");
    TableSchema schema = new TableSchema(odd, SCHEMA.columns(), SCHEMA.keyColumns());
    Segments oddSegments = new Segments(staging, schema);
    TableApplier applier = new TableOpener(context).open(odd, oddSegments.segment(
        oddSegments.event(op("c"), 0, 0L, "probe", null, null)), PARTITION);

    applier.apply(batch(oddSegments.segment(oddSegments.event(op("c"), 1, 1L, "a", null, null))));

    Path table = dir.resolve("delta").resolve("pg").resolve("my~3Fschema").resolve("t~231~25");
    assertThat(table.resolve("_delta_log")).isDirectory();
    try (Stream<Path> files = Files.list(dir.resolve("delta").resolve("pg"))) {
      assertThat(files).containsExactly(table.getParent());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(rows(reader.read(context.config().tableLocation(odd)))).containsExactly(java.util.Arrays.asList(1L, "a", null, null));
  }

  @Test
  void theVersionThatCommittedAnOffsetIsFoundInTheLog() {
    TableApplier applier = open();
    applier.apply(batch(segments.segment(segments.event(op("c"), 1, 1L, "a", null, null)),
        segments.segment(segments.event(op("c"), 2, 2L, "b", null, null)),
        segments.segment(segments.event(op("c"), 3, 3L, "c", null, null))));
    applier.apply(batch(segments.segment(segments.event(op("c"), 4, 4L, "d", null, null))));
    Snapshot snapshot = TableManager.loadSnapshot(location().toString()).build(context.engine());
    String appId = PARTITION.transactionAppId(TABLE);

    assertThat(TransactionLocator.versionCovering(context.engine(), snapshot, appId, 1, 32)).hasValue(1);
    assertThat(TransactionLocator.versionCovering(context.engine(), snapshot, appId, 2, 32)).hasValue(1);
    assertThat(TransactionLocator.versionCovering(context.engine(), snapshot, appId, 3, 32)).hasValue(2);
    assertThat(TransactionLocator.versionCovering(context.engine(), snapshot, appId, 4, 32)).isEmpty();
    assertThat(TransactionLocator.versionCovering(context.engine(), snapshot, appId, 1, 1)).as("beyond the look-back").isEmpty();
  }
}
