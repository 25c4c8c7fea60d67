package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.Segments;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.Operation;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every staged column type survives Delta and comes back as the same Java value; composite keys work. */
class DeltaTypesRoundTripTest {
  static final ManifestPartition PARTITION = new ManifestPartition("manifests", "Mm3VbC5ZQ0yHC7x2xwwNqA", 0);
  private static final TableId TABLE = new TableId("pg", "sales", "everything");
  private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
      new Column("region", ColumnType.STRING, false),
      new Column("id", ColumnType.INT, false),
      new Column("flag", ColumnType.BOOLEAN, true),
      new Column("big", ColumnType.LONG, true),
      new Column("ratio", ColumnType.FLOAT, true),
      new Column("score", ColumnType.DOUBLE, true),
      new Column("amount", ColumnType.decimal(38, 10), true),
      new Column("blob", ColumnType.BINARY, true),
      new Column("day", ColumnType.DATE, true),
      new Column("at", ColumnType.TIMESTAMP, true),
      new Column("local_at", ColumnType.TIMESTAMP_NTZ, true)),
      List.of("region", "id"));

  @TempDir
  Path dir;

  private final Clock clock = Clock.systemUTC();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private StagingStore staging;
  private ApplierContext context;
  private Segments segments;
  private long offset;

  @BeforeEach
  void setUp() {
    StagingConfig stagingConfig = StagingConfig.local(dir.resolve("staging"));
    staging = StagingStore.open(stagingConfig, clock);
    ApplierConfig config = new ApplierConfig(dir.resolve("delta").toUri(), "appliers", new WriterId("writer-1"), 64,
        Duration.ofMillis(200), Duration.ofSeconds(30), Map.of(), "127.0.0.1:9092", "tributary.manifests", stagingConfig);
    context = new ApplierContext(config, DeltaEngines.forWriting(Map.of()), staging, new FakeCoordinator(clock),
        StagedCommitter.FACTORY, new ApplierMetrics(registry, clock), clock);
    segments = new Segments(staging, SCHEMA);
  }

  @AfterEach
  void tearDown() {
    staging.close();
  }

  private Object[] row(String region, int id, String amount) {
    return new Object[] {region, id, id % 2 == 0, 1L << 40 | id, 1.5f * id, Math.PI * id, new BigDecimal(amount),
        new byte[] {(byte) id, (byte) 0xff, 0}, (int) LocalDate.of(2026, 11, 21).toEpochDay() + id,
        1_763_700_000_123_456L + id, 1_763_700_000_654_321L - id};
  }

  private BatchResult apply(TableApplier applier, List<ChangeEvent> events) {
    return applier.apply(List.of(new PendingManifest(0, offset++, segments.segment(events), clock.millis())));
  }

  @Test
  void everyTypeRoundTripsThroughKernel() throws IOException {
    TableApplier applier = new TableOpener(context).open(TABLE, segments.segment(
        segments.event(Operation.SNAPSHOT_READ, 0, row("eu", 0, "0.0000000000"))), PARTITION);
    Object[] nulls = new Object[SCHEMA.columns().size()];
    nulls[0] = "us";
    nulls[1] = 7;
    apply(applier, List.of(
        segments.event(Operation.INSERT, 1, row("eu", 1, "12345678901234567890.0123456789")),
        segments.event(Operation.INSERT, 2, row("eu", 2, "-0.0000000001")),
        segments.event(Operation.INSERT, 3, row("asia", 2, "1.0000000000")),
        segments.event(Operation.INSERT, 4, nulls)));
    apply(applier, List.of(segments.event(Operation.DELETE, 5, row("eu", 2, "0.0000000000"))));

    DeltaTableContents contents = new DeltaTableReader(Map.of()).read(context.config().tableLocation(TABLE));

    assertThat(contents.schema().columns()).extracting(Column::type).containsExactlyElementsOf(
        SCHEMA.columns().stream().map(Column::type).toList());
    assertThat(contents.schema().keyColumns()).containsExactly("region", "id");
    assertThat(contents.rows()).hasSize(3);
    assertThat(contents.rows().get(0)).containsExactly(row("asia", 2, "1.0000000000"));
    assertThat(contents.rows().get(1)).containsExactly(row("eu", 1, "12345678901234567890.0123456789"));
    assertThat(contents.rows().get(2)).containsExactly(nulls);

    JsonNode protocol = null;
    for (String line : Files.readAllLines(Path.of(context.config().tableLocation(TABLE)).resolve("_delta_log/00000000000000000000.json"))) {
      JsonNode action = new ObjectMapper().readTree(line);
      if (action.has("protocol")) {
        protocol = action.get("protocol");
      }
    }
    assertThat(protocol).isNotNull();
    assertThat(protocol.get("writerFeatures").toString()).contains("timestampNtz");
  }

  @Test
  void aLargeKeySetFindsItsFilesThroughTheKeyRangesOfTheirStatistics() {
    TableApplier applier = new TableOpener(context).open(TABLE, segments.segment(
        segments.event(Operation.SNAPSHOT_READ, 0, row("a", 0, "0.0000000000"))), PARTITION);
    long position = 1;
    for (String region : List.of("a", "m", "z")) {
      List<ChangeEvent> inserts = new ArrayList<>();
      for (int id = 0; id < 100; id++) {
        inserts.add(segments.event(Operation.INSERT, position++, row(region, id, "1.0000000000")));
      }
      apply(applier, inserts);
    }
    double marked = registry.counter(ApplierMetrics.PREFIX + "files.marked", "table", TABLE.canonical()).count();
    double read = registry.counter(ApplierMetrics.PREFIX + "files.read", "table", TABLE.canonical()).count();
    List<ChangeEvent> updates = new ArrayList<>();
    for (int id = 0; id < 74; id++) {
      updates.add(segments.event(Operation.UPDATE, position++, row("m", id, "2.0000000000")));
    }

    apply(applier, updates);

    assertThat(registry.counter(ApplierMetrics.PREFIX + "files.marked", "table", TABLE.canonical()).count() - marked)
        .isEqualTo(1);
    assertThat(registry.counter(ApplierMetrics.PREFIX + "files.read", "table", TABLE.canonical()).count() - read)
        .as("files read: the key ranges leave out the files of regions a and z").isEqualTo(1);
    DeltaTableContents contents = new DeltaTableReader(Map.of()).read(context.config().tableLocation(TABLE));
    assertThat(contents.rows()).hasSize(300);
    assertThat(contents.rows()).filteredOn(row -> row[0].equals("m") && (Integer) row[1] < 74)
        .allSatisfy(row -> assertThat(row[6]).isEqualTo(new BigDecimal("2.0000000000")));
  }
}
