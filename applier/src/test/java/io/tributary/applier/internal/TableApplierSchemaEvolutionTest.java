package io.tributary.applier.internal;

import static io.tributary.applier.internal.TableApplierTest.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StructField;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.Segments;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.WriterId;
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
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies segments whose staged schema changes (columns added, dropped, widened, changed
 * incompatibly) to real local Delta tables through Kernel, with an in-memory coordinator, and reads
 * the tables back.
 */
class TableApplierSchemaEvolutionTest {
  private static final TableId TABLE = new TableId("pg", "public", "items");
  private static final TableSchema V1 = new TableSchema(TABLE, List.of(new Column("id", ColumnType.INT, false),
      new Column("name", ColumnType.STRING, true), new Column("qty", ColumnType.INT, true),
      new Column("price", ColumnType.FLOAT, true), new Column("amount", ColumnType.decimal(10, 2), true)), List.of("id"));

  @TempDir
  Path dir;

  /** Before every capture time {@link Segments} gives, after every manifest's creation time (0). */
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeCoordinator coordinator = new FakeCoordinator(clock);
  private final Engine engine = DeltaEngines.forWriting(Map.of());
  private StagingStore staging;
  private ApplierContext context;
  private final DeltaTableReader reader = new DeltaTableReader(Map.of());
  private long nextOffset;

  @BeforeEach
  void setUp() {
    StagingConfig stagingConfig = StagingConfig.local(dir.resolve("staging"));
    staging = StagingStore.open(stagingConfig, Clock.systemUTC());
    ApplierConfig config = new ApplierConfig(dir.resolve("delta").toUri(), "appliers", new WriterId("writer-1"), 64,
        Duration.ofMillis(200), Duration.ofSeconds(30), Map.of(), "127.0.0.1:9092", "tributary.manifests", stagingConfig);
    context = new ApplierContext(config, engine, staging, coordinator, StagedCommitter.FACTORY,
        new ApplierMetrics(registry, clock), clock);
  }

  @AfterEach
  void tearDown() {
    staging.close();
  }

  private Segments staged(TableSchema schema) {
    return new Segments(staging, schema);
  }

  private static ManifestRecord segment(Segments segments, io.tributary.staging.ChangeEvent... events) {
    return segments.segment(events);
  }

  private TableApplier open(Segments segments) {
    return new TableOpener(context).open(TABLE, segment(segments, segments.event(Operation.INSERT, 0, 0, "probe", null,
        null, null)), PARTITION);
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

  private DeltaTableContents contents() {
    return reader.read(location());
  }

  private List<List<Object>> rows() {
    return contents().rows().stream().map(Arrays::asList).toList();
  }

  private Snapshot snapshot() {
    return TableManager.loadSnapshot(location().toString()).build(engine);
  }

  private double changes(String kind) {
    return registry.counter(ApplierMetrics.PREFIX + "schema.changes", "table", TABLE.canonical(), "kind", kind).count();
  }

  private static TableSchema schema(Column... columns) {
    return new TableSchema(TABLE, List.of(columns), List.of("id"));
  }

  @Test
  void anAddedColumnIsAppendedAndFilledByLaterChangesOnly() {
    Segments v1 = staged(V1);
    TableApplier applier = open(v1);
    applier.apply(batch(segment(v1, v1.event(Operation.INSERT, 1, 1, "ada", 1, 1.5f, new BigDecimal("1.00")),
        v1.event(Operation.INSERT, 2, 2, "bob", 2, 2.5f, new BigDecimal("2.00")))));

    TableSchema v2 = schema(new Column("id", ColumnType.INT, false), new Column("email", ColumnType.STRING, true),
        new Column("name", ColumnType.STRING, true), new Column("qty", ColumnType.INT, true),
        new Column("price", ColumnType.FLOAT, true), new Column("amount", ColumnType.decimal(10, 2), true));
    Segments s2 = v1.withSchema(v2);
    // One batch holds changes of both schemas: the old one's row reads null in the new column.
    BatchResult result = applier.apply(batch(
        segment(v1, v1.event(Operation.INSERT, 3, 3, "cy", 3, 3.5f, new BigDecimal("3.00"))),
        segment(s2, s2.event(Operation.UPDATE, 4, 1, "ada@example.com", "ada", 1, 1.5f, new BigDecimal("1.00")),
            s2.event(Operation.INSERT, 5, 4, "dee@example.com", "dee", 4, 4.5f, new BigDecimal("4.00")))));

    assertThat(result.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    DeltaTableContents contents = contents();
    assertThat(contents.schema().columns()).extracting(Column::name)
        .containsExactly("id", "name", "qty", "price", "amount", "email");
    assertThat(rows()).containsExactly(
        Arrays.asList(1, "ada", 1, 1.5f, new BigDecimal("1.00"), "ada@example.com"),
        Arrays.asList(2, "bob", 2, 2.5f, new BigDecimal("2.00"), null),
        Arrays.asList(3, "cy", 3, 3.5f, new BigDecimal("3.00"), null),
        Arrays.asList(4, "dee", 4, 4.5f, new BigDecimal("4.00"), "dee@example.com"));
    Map<String, String> properties = snapshot().getTableProperties();
    assertThat(properties).containsEntry(TributaryTableProperties.SCHEMA_FINGERPRINT, v2.fingerprint())
        .containsEntry(TributaryTableProperties.INACTIVE_COLUMNS, "[]")
        .containsEntry("delta.columnMapping.mode", "name");
    // Existing columns keep their names as physical names: the files written before stay valid as they are.
    assertThat(snapshot().getSchema().get("name").getMetadata().getString("delta.columnMapping.physicalName"))
        .isEqualTo("name");
    assertThat(changes("added")).isEqualTo(1);

    // Later batches write the column mapped table again, and data skipping still finds the keys' files.
    applier.apply(batch(segment(s2, s2.event(Operation.UPDATE, 6, 2, "bob@example.com", "bob", 2, 2.5f,
        new BigDecimal("2.00")), s2.event(Operation.DELETE, 7, 3, null, null, null, null, null))));
    assertThat(rows()).containsExactly(
        Arrays.asList(1, "ada", 1, 1.5f, new BigDecimal("1.00"), "ada@example.com"),
        Arrays.asList(2, "bob", 2, 2.5f, new BigDecimal("2.00"), "bob@example.com"),
        Arrays.asList(4, "dee", 4, 4.5f, new BigDecimal("4.00"), "dee@example.com"));
    assertThat(coordinator.events()).anySatisfy(event -> {
      assertThat(event.type()).isEqualTo(CoordinatorEvent.Type.SCHEMA_CHANGED);
      assertThat(event.message()).contains("added column 'email' STRING at position 5");
    });
  }

  @Test
  void aDroppedColumnStaysNullableAndLaterRowVersionsHaveNullThere() {
    Segments v1 = staged(V1);
    TableApplier applier = open(v1);
    applier.apply(batch(segment(v1, v1.event(Operation.INSERT, 1, 1, "ada", 1, 1.5f, new BigDecimal("1.00")),
        v1.event(Operation.INSERT, 2, 2, "bob", 2, 2.5f, new BigDecimal("2.00")))));
    long before = applier.version();

    TableSchema v2 = schema(new Column("id", ColumnType.INT, false), new Column("name", ColumnType.STRING, true),
        new Column("price", ColumnType.FLOAT, true), new Column("amount", ColumnType.decimal(10, 2), true));
    Segments s2 = v1.withSchema(v2);
    applier.apply(batch(segment(s2, s2.event(Operation.UPDATE, 3, 1, "ada2", 1.5f, new BigDecimal("1.00")),
        s2.event(Operation.INSERT, 4, 3, "cy", 3.5f, new BigDecimal("3.00")))));

    // qty is inactive: the updated row's new version and the new row have null; the untouched row keeps its value.
    assertThat(rows()).containsExactly(
        Arrays.asList(1, "ada2", null, 1.5f, new BigDecimal("1.00")),
        Arrays.asList(2, "bob", 2, 2.5f, new BigDecimal("2.00")),
        Arrays.asList(3, "cy", null, 3.5f, new BigDecimal("3.00")));
    Snapshot snapshot = snapshot();
    assertThat(snapshot.getVersion()).isEqualTo(before + 1);
    assertThat(snapshot.getTableProperties()).containsEntry(TributaryTableProperties.INACTIVE_COLUMNS, "[\"qty\"]")
        .containsEntry(TributaryTableProperties.SCHEMA_FINGERPRINT, v2.fingerprint())
        .doesNotContainKey("delta.columnMapping.mode");
    assertThat(snapshot.getSchema().get("qty").isNullable()).isTrue();
    assertThat(changes("dropped")).isEqualTo(1);

    // The column comes back: the source's rows read null there, bob's Delta row still holds 2, so only a
    // resync makes the table equal again; nothing is applied until it begins.
    Segments s3 = s2.withSchema(V1);
    BatchResult waiting = applier.apply(batch(segment(s3, s3.event(Operation.UPDATE, 5, 3, "cy", 30, 3.5f,
        new BigDecimal("3.00")))));
    assertThat(waiting.outcome()).isEqualTo(BatchResult.Outcome.NOTHING_TO_APPLY);
    assertThat(coordinator.table(TABLE).orElseThrow().resync().orElseThrow().reason())
        .contains("column 'qty' was dropped and added back");
    assertThat(changes("resync")).isEqualTo(1);
    assertThat(rows()).contains(Arrays.asList(2, "bob", 2, 2.5f, new BigDecimal("2.00")));
  }

  @Test
  void widenedTypesTakeTheWiderTypeWithoutRewritingEarlierFiles() {
    Segments v1 = staged(V1);
    TableApplier applier = open(v1);
    applier.apply(batch(segment(v1, v1.event(Operation.INSERT, 1, 1, "ada", 1, 1.5f, new BigDecimal("1.00")),
        v1.event(Operation.INSERT, 2, 2, "bob", 2, 2.5f, new BigDecimal("2.00")))));

    TableSchema v2 = schema(new Column("id", ColumnType.LONG, false), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.LONG, true), new Column("price", ColumnType.DOUBLE, true),
        new Column("amount", ColumnType.decimal(14, 2), true));
    Segments s2 = v1.withSchema(v2);
    applier.apply(batch(segment(s2, s2.event(Operation.UPDATE, 3, 2L, "bob", 5_000_000_000L, 2.25d,
        new BigDecimal("123456789012.00")), s2.event(Operation.INSERT, 4, 3_000_000_000L, "big", 1L, 0.1d,
        new BigDecimal("0.01")))));

    Snapshot snapshot = snapshot();
    StructField qty = snapshot.getSchema().get("qty");
    assertThat(qty.getDataType()).isEqualTo(LongType.LONG);
    assertThat(qty.getTypeChanges()).hasSize(1);
    assertThat(snapshot.getSchema().get("id").getDataType()).isEqualTo(LongType.LONG);
    assertThat(snapshot.getSchema().get("price").getDataType()).isEqualTo(DoubleType.DOUBLE);
    assertThat(snapshot.getSchema().get("amount").getDataType()).isEqualTo(new DecimalType(14, 2));
    assertThat(snapshot.getTableProperties()).containsEntry("delta.enableTypeWidening", "true");
    // Row 1 was not touched: its file, written as INT / FLOAT / DECIMAL(10,2), is read as the wider types.
    assertThat(rows()).containsExactly(
        Arrays.asList(1L, "ada", 1L, 1.5d, new BigDecimal("1.00")),
        Arrays.asList(2L, "bob", 5_000_000_000L, 2.25d, new BigDecimal("123456789012.00")),
        Arrays.asList(3_000_000_000L, "big", 1L, 0.1d, new BigDecimal("0.01")));
    assertThat(changes("widened")).isEqualTo(4);

    // An update of a row written before the widening, by its widened key, replaces it.
    applier.apply(batch(segment(s2, s2.event(Operation.UPDATE, 5, 1L, "ada", 7L, 1.5d, new BigDecimal("1.00")))));
    assertThat(rows()).hasSize(3).contains(Arrays.asList(1L, "ada", 7L, 1.5d, new BigDecimal("1.00")));
  }

  @Test
  void anIncompatibleChangeRequiresAResyncAndTheResyncReplacesTheTable() {
    Segments v1 = staged(V1);
    TableApplier applier = open(v1);
    applier.apply(batch(segment(v1, v1.event(Operation.INSERT, 1, 1, "ada", 1, 1.5f, new BigDecimal("1.00")),
        v1.event(Operation.INSERT, 2, 2, "bob", 2, 2.5f, new BigDecimal("2.00")))));

    // qty becomes a string: the source rewrote every row's qty without a change event.
    TableSchema v2 = schema(new Column("id", ColumnType.INT, false), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.STRING, true), new Column("price", ColumnType.FLOAT, true),
        new Column("amount", ColumnType.decimal(10, 2), true));
    Segments s2 = v1.withSchema(v2);
    BatchResult waiting = applier.apply(batch(
        segment(v1, v1.event(Operation.INSERT, 3, 3, "cy", 3, 3.5f, new BigDecimal("3.00"))),
        segment(s2, s2.event(Operation.UPDATE, 4, 1, "ada", "one", 1.5f, new BigDecimal("1.00")))));

    assertThat(waiting.outcome()).isEqualTo(BatchResult.Outcome.NOTHING_TO_APPLY);
    // What came before the change is applied; nothing of the old table is lost.
    assertThat(rows()).containsExactly(
        Arrays.asList(1, "ada", 1, 1.5f, new BigDecimal("1.00")),
        Arrays.asList(2, "bob", 2, 2.5f, new BigDecimal("2.00")),
        Arrays.asList(3, "cy", 3, 3.5f, new BigDecimal("3.00")));
    Resync resync = coordinator.table(TABLE).orElseThrow().resync().orElseThrow();
    assertThat(resync.state()).isEqualTo(Resync.State.REQUESTED);
    assertThat(resync.reason()).contains("column 'qty' changed type from INT to STRING");
    assertThat(changes("resync")).isEqualTo(1);
    assertThat(coordinator.events()).anySatisfy(event -> {
      assertThat(event.severity()).isEqualTo(CoordinatorEvent.Severity.ERROR);
      assertThat(event.message()).contains("Incompatible schema change", "qty", "resync " + resync.id());
    });

    // More changes before the resync begins: waited over, the resync is not requested again.
    applier.apply(batch(segment(s2, s2.event(Operation.DELETE, 5, 2, null, null, null, null))));
    assertThat(coordinator.table(TABLE).orElseThrow().resync().orElseThrow().id()).isEqualTo(resync.id());
    assertThat(changes("resync")).isEqualTo(1);
    assertThat(rows()).hasSize(3);
    long beforeReplace = snapshot().getVersion();

    coordinator.reportResync(TABLE, resync.id(), Resync.State.CAPTURING, "capturing");
    BatchResult replaced = applier.apply(batch(
        segment(s2, s2.event(Operation.INSERT, 6, 4, "dee", "four", 4.5f, new BigDecimal("4.00")), s2.resyncBegin(10),
            s2.event(Operation.SNAPSHOT_READ, 11, 1, "ada", "one", 1.5f, new BigDecimal("1.00")),
            s2.event(Operation.SNAPSHOT_READ, 12, 3, "cy", "three", 3.5f, new BigDecimal("3.00")))));
    assertThat(replaced.outcome()).isEqualTo(BatchResult.Outcome.COMMITTED);
    coordinator.reportResync(TABLE, resync.id(), Resync.State.CAPTURED, "captured");
    applier.apply(batch(segment(s2, s2.event(Operation.SNAPSHOT_READ, 13, 4, "dee", "four", 4.5f,
        new BigDecimal("4.00")), s2.resyncEnd(14))));

    DeltaTableContents contents = contents();
    assertThat(contents.schema().columns()).extracting(column -> column.type().toString())
        .containsExactly("INT", "STRING", "STRING", "FLOAT", "DECIMAL(10,2)");
    assertThat(rows()).containsExactly(
        Arrays.asList(1, "ada", "one", 1.5f, new BigDecimal("1.00")),
        Arrays.asList(3, "cy", "three", 3.5f, new BigDecimal("3.00")),
        Arrays.asList(4, "dee", "four", 4.5f, new BigDecimal("4.00")));
    assertThat(snapshot().getTableProperties()).containsEntry(TributaryTableProperties.SCHEMA_FINGERPRINT,
        v2.fingerprint());
    assertThat(coordinator.table(TABLE).orElseThrow().resync().orElseThrow().state()).isEqualTo(Resync.State.DONE);
    // The old table is still there to read as it was, before the replacement.
    assertThat(reader.read(location(), beforeReplace).rows()).hasSize(3);
  }

  @Test
  void aKeyChangeWhoseResyncWasCancelledStopsTheTableWithWhatToDo() {
    Segments v1 = staged(V1);
    TableApplier applier = open(v1);
    applier.apply(batch(segment(v1, v1.event(Operation.INSERT, 1, 1, "ada", 1, 1.5f, new BigDecimal("1.00")))));

    TableSchema rekeyed = new TableSchema(TABLE, V1.columns(), List.of("id", "name"));
    Segments s2 = v1.withSchema(rekeyed);
    applier.apply(batch(segment(s2, s2.event(Operation.INSERT, 2, 2, "bob", 2, 2.5f, new BigDecimal("2.00")))));
    Resync resync = coordinator.table(TABLE).orElseThrow().resync().orElseThrow();
    assertThat(resync.reason()).contains("the primary key changed from [id] to [id, name]");

    coordinator.reportResync(TABLE, resync.id(), Resync.State.CANCELLED, "an operator gave it up");
    assertThatThrownBy(() -> applier.apply(batch(segment(s2, s2.event(Operation.INSERT, 3, 3, "cy", 3, 3.5f,
        new BigDecimal("3.00"))))))
        .isInstanceOf(TributaryException.class)
        .satisfies(e -> assertThat(((TributaryException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
        .hasMessageContaining("the primary key changed from [id] to [id, name]")
        .hasMessageContaining("is CANCELLED")
        .hasMessageContaining("tributary resync pg.public.items");
    assertThat(rows()).containsExactly(Arrays.asList(1, "ada", 1, 1.5f, new BigDecimal("1.00")));
  }

  @Test
  void aTableReopenedAfterItsSchemaChangedContinuesWithTheTablesLayout() {
    Segments v1 = staged(V1);
    TableApplier applier = open(v1);
    applier.apply(batch(segment(v1, v1.event(Operation.INSERT, 1, 1, "ada", 1, 1.5f, new BigDecimal("1.00")))));
    applier.releaseLease();

    TableSchema v2 = schema(new Column("id", ColumnType.INT, false), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.LONG, true), new Column("price", ColumnType.FLOAT, true),
        new Column("amount", ColumnType.decimal(10, 2), true), new Column("tag", ColumnType.STRING, true));
    Segments s2 = v1.withSchema(v2);
    ManifestRecord first = segment(s2, s2.event(Operation.INSERT, 2, 2, "bob", 9L, 2.5f, new BigDecimal("2.00"), "t"));
    TableApplier reopened = new TableOpener(context).open(TABLE, first, PARTITION);
    reopened.apply(batch(first));

    assertThat(rows()).containsExactly(
        Arrays.asList(1, "ada", 1L, 1.5f, new BigDecimal("1.00"), null),
        Arrays.asList(2, "bob", 9L, 2.5f, new BigDecimal("2.00"), "t"));
    assertThat(changes("widened")).isEqualTo(1);
    assertThat(changes("added")).isEqualTo(1);
  }
}
