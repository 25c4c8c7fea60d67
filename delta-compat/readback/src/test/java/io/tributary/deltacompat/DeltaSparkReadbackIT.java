package io.tributary.deltacompat;

import static io.tributary.deltacompat.ReadbackTables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.TableOptions;
import io.tributary.applier.internal.ApplierContext;
import io.tributary.applier.internal.ApplierMetrics;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.WriterId;
import io.tributary.deltacompat.ReadbackTables.Expected;
import io.tributary.deltacompat.SparkReader.Request;
import io.tributary.deltacompat.SparkReader.SparkTable;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of Delta table the applier writes (SCD type 1, soft delete, SCD type 2, append-only,
 * all-columns key, evolved schema), written through the applier from real staged segments, is read
 * back with delta-spark in Spark local mode: Spark must see the version, the schema (widened
 * columns as their wider type) and exactly the rows the test expects, which are also exactly the
 * rows Tributary's own reader ({@code tributary verify}'s) returns.
 */
class DeltaSparkReadbackIT {
  private static final Path WORK = Path.of("target", "delta-spark-readback").toAbsolutePath();
  /** Before the source commit and capture times of every event (see TableWriter), as a resync's report requires. */
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-01T00:00:00Z"), ZoneOffset.UTC);

  private static Map<String, Expected> expected;
  private static Map<String, SparkTable> spark;
  private static StagingStore staging;
  private static final DeltaTableReader TRIBUTARY = new DeltaTableReader(Map.of());

  @BeforeAll
  static void writeEveryKindOfTableAndReadThemWithSpark() throws IOException, InterruptedException {
    deleteRecursively(WORK);
    StagingConfig stagingConfig = StagingConfig.local(WORK.resolve("staging"));
    staging = StagingStore.open(stagingConfig, CLOCK);
    ApplierConfig config = new ApplierConfig(WORK.resolve("delta").toUri(), "appliers", new WriterId("compat-writer"),
        64, Duration.ofMillis(200), Duration.ofMinutes(5), Map.of(), "127.0.0.1:9092", "tributary.manifests",
        stagingConfig, ApplierConfig.Mode.CONTINUOUS, ApplierConfig.DEFAULT_TRIGGERED_TIMEOUT, Map.of(
            table("accounts"), new TableOptions(Optional.empty(), TableOptions.Key.PRIMARY, true),
            table("prices"), new TableOptions(Optional.of(TableOptions.Mode.SCD2), TableOptions.Key.PRIMARY, false),
            table("order_tags"), new TableOptions(Optional.empty(), TableOptions.Key.ALL_COLUMNS, false)));
    FakeCoordinator coordinator = new FakeCoordinator(CLOCK);
    ApplierContext context = new ApplierContext(config, DeltaEngines.forWriting(Map.of()), staging,
        coordinator, StagedCommitter.FACTORY, new ApplierMetrics(new SimpleMeterRegistry(), CLOCK), CLOCK);

    expected = new ReadbackTables(context, coordinator).write();

    List<Request> requests = new ArrayList<>();
    expected.forEach((name, table) -> requests.add(new Request(name, table.location(), table.at(), table.where())));
    spark = SparkReader.read(WORK.resolve("spark"), requests);
    spark.forEach((name, table) -> System.out.printf("Spark read %s at version %d (%d rows from %d files); latest"
        + " version %d, protocol %d/%d, features %s%n", name, table.version(), table.rows().size(), table.filesRead(),
        table.latestVersion(), table.minReaderVersion(), table.minWriterVersion(), table.tableFeatures()));
  }

  @AfterAll
  static void closeStaging() {
    if (staging != null) {
      staging.close();
    }
  }

  // ---- the comparisons ----

  @Test
  void scd1TableReadsTheSameInSpark() {
    assertSparkReads("customers");
  }

  @Test
  void scd1TableBeforeItsTruncateReadsTheSameInSparkFromItsCheckpoint() {
    assertThat(Path.of(expected.get("customers").location()).resolve("_delta_log")
        .resolve(String.format("%020d.checkpoint.parquet", 10))).isRegularFile();
    assertSparkReads("customers_before_truncate");
  }

  @Test
  void queriesOfTheScd1TableSkipNoFileTheyNeed() {
    assertSparkReads("customers_latest_sign_up");
    assertSparkReads("customers_earliest_login");
    assertSparkReads("customers_edge_values");
    assertSparkReads("customers_latest_login");
    // Spark did skip files by the statistics (of the checkpoint's files, here), not merely read them all:
    // of the 8 files it reads one. The table has deletion vectors: no batch rewrote a file, each marked the
    // rows it changed (or removed a file whose every row it changed) and wrote its rows as files of their own.
    assertThat(spark.get("customers_before_truncate").filesRead()).isEqualTo(8);
    assertThat(spark.get("customers_latest_sign_up").filesRead()).isEqualTo(1);
    // A file keeps the statistics of the rows it was written with when some are marked deleted (its bounds
    // are no longer tight): the earliest login also matches the first file, whose earlier logins are marked.
    assertThat(spark.get("customers_earliest_login").filesRead()).isEqualTo(2);
    assertThat(spark.get("customers_edge_values").filesRead()).isEqualTo(1);
  }

  @Test
  void softDeleteTableReadsTheSameInSpark() {
    assertSparkReads("accounts");
  }

  @Test
  void tablesWithDeletionVectorsAndTablesWithoutReadTheSameInSpark() throws IOException {
    // The applier's default: deletion vectors, which need reader version 3 and writer version 7.
    SparkTable customers = spark.get("customers_before_truncate");
    assertThat(customers.tableFeatures()).contains("deletionVectors");
    assertThat(customers.minReaderVersion()).isEqualTo(3);
    assertThat(customers.minWriterVersion()).isEqualTo(7);
    assertThat(deletionVectorsIn(expected.get("customers").location())).isPositive();
    // Created with applier.files.deletion-vectors off: copy-on-write, no vector anywhere in its log.
    SparkTable accounts = spark.get("accounts");
    assertThat(accounts.tableFeatures()).doesNotContain("deletionVectors");
    assertThat(deletionVectorsIn(expected.get("accounts").location())).isZero();
    assertSparkReads("customers_before_truncate");
    assertSparkReads("accounts");
  }

  /** How many add actions of the table's log carry a deletion vector. */
  private static long deletionVectorsIn(URI table) throws IOException {
    long count = 0;
    try (Stream<Path> commits = Files.list(Path.of(table).resolve("_delta_log"))) {
      for (Path commit : commits.filter(path -> path.toString().endsWith(".json")).toList()) {
        for (String line : Files.readAllLines(commit)) {
          if (line.startsWith("{\"add\"") && line.contains("\"deletionVector\":{")) {
            count++;
          }
        }
      }
    }
    return count;
  }

  @Test
  void scd2TableReadsTheSameInSpark() {
    assertSparkReads("prices");
  }

  @Test
  void queriesOfTheSoftDeleteAndScd2TablesSkipNoFileTheyNeed() {
    assertSparkReads("accounts_live");
    assertSparkReads("accounts_deleted_at");
    assertSparkReads("prices_current");
    assertSparkReads("prices_latest_start");
  }

  @Test
  void appendOnlyTableReadsTheSameInSpark() {
    assertSparkReads("page_views");
  }

  @Test
  void allColumnsKeyTableReadsTheSameInSpark() {
    assertSparkReads("order_tags");
  }

  @Test
  void queriesOfTheAppendOnlyAndAllColumnsKeyTablesSkipNoFileTheyNeed() {
    assertSparkReads("page_views_deletes");
    assertThat(spark.get("page_views_deletes").filesRead()).isLessThan(spark.get("page_views").filesRead());
    assertSparkReads("order_tags_fragile");
  }

  @Test
  void tableWithADroppedColumnReadsTheSameInSparkBeforeColumnMapping() {
    assertSparkReads("items_before_column_mapping");
  }

  @Test
  void evolvedTableReadsTheSameInSparkWithItsWidenedTypes() {
    assertSparkReads("items");
    SparkTable items = spark.get("items");
    assertThat(items.tableFeatures()).contains("columnMapping", "typeWidening");
    assertThat(items.minReaderVersion()).isEqualTo(3);
    assertThat(items.minWriterVersion()).isEqualTo(7);
    // Column mapping by name: the columns that existed before keep their names as physical names.
    assertThat(items.latestColumns()).filteredOn(column -> !column.name().equals("email"))
        .allSatisfy(column -> assertThat(column.metadata().path("delta.columnMapping.physicalName").asText())
            .isEqualTo(column.name()));
    // The widened columns' history, as Delta's typeWidening feature records it.
    assertThat(items.latestColumns()).filteredOn(column -> List.of("id", "qty", "price", "amount", "stock")
        .contains(column.name())).allSatisfy(column -> assertThat(column.metadata().has("delta.typeChanges")).isTrue());
  }

  @Test
  void queriesOfTheEvolvedTableSkipNoFileTheyNeedWhateverTypeTheFileWasWrittenIn() {
    assertSparkReads("items_first_file");
    assertSparkReads("items_above_int");
    assertSparkReads("items_big_key");
    // The first file (keys 100 and 101), kept as written, among 4: with deletion vectors no batch rewrote a
    // file; the evolved batches' rows are in files of their own.
    assertThat(spark.get("items").filesRead()).isEqualTo(4);
    assertThat(spark.get("items_first_file").filesRead()).isEqualTo(1);
    assertThat(spark.get("items_above_int").filesRead()).isEqualTo(1);
  }

  @Test
  void tableReplacedByAResyncReadsTheSameInSparkBeforeAndAfter() {
    assertSparkReads("orders_before_replace");
    assertSparkReads("orders");
    assertThat(spark.get("orders").tableFeatures()).contains("columnMapping");
  }

  private static void assertSparkReads(String name) {
    Expected table = expected.get(name);
    SparkTable read = spark.get(name);
    DeltaTableContents tributary = table.at().isPresent()
        ? TRIBUTARY.read(table.location(), table.at().getAsLong())
        : TRIBUTARY.read(table.location());
    List<List<Object>> tributaryRows = tributary.rows().stream().map(Arrays::asList).filter(table.filter()).toList();
    List<List<String>> expectedRows = Cells.texts(table.columns(), table.rows());
    assertThat(expectedRows).as("rows expected of %s", name).isNotEmpty();

    assertThat(tributary.version()).as("version Tributary reads").isEqualTo(table.version());
    assertThat(read.version()).as("version Spark reads").isEqualTo(table.version());
    assertThat(Cells.sparkColumns(tributary.schema().columns())).as("columns Tributary reads")
        .containsExactlyElementsOf(Cells.sparkColumns(table.columns()));
    assertThat(read.columns()).extracting(column -> column.name() + " " + column.type()).as("columns Spark reads")
        .containsExactlyElementsOf(Cells.sparkColumns(table.columns()));
    assertThat(Cells.texts(tributary.schema().columns(), tributaryRows)).as("rows Tributary reads")
        .containsExactlyElementsOf(expectedRows);
    assertThat(Cells.sorted(read.rows())).as("rows Spark reads").containsExactlyElementsOf(expectedRows);
    if (table.at().isEmpty() && table.where().isEmpty()) {
      assertThat(read.checksumValid()).as("the checksum file of the latest version, validated by delta-spark").isTrue();
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (Stream<Path> paths = Files.walk(directory)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }
}
