package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.cli.internal.DemoWorkload;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.gateway.GatewayService;
import io.tributary.staging.Column;
import io.tributary.staging.TableId;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.MariaDbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Edge cases of the source through the whole pipeline on real PostgreSQL and Kafka, one pipeline for
 * the PostgreSQL cases: a 50 MB row, every type at its extremes, a column dropped and added back, a
 * primary key changed mid-stream, a captured table renamed; and, on MariaDB with its own pipeline,
 * bytes that are not UTF-8. Each case ends with its Delta table equal to its source, by the verifier's
 * canonical comparison or, while the table has a column the source no longer has, by its rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SourceEdgeCasesIT {
  private static final Duration CATCH_UP = Duration.ofMinutes(2);
  private static final String BIG = "public.big_rows";
  private static final String EXTREMES = "public.extremes";
  private static final String RESHAPED = "public.reshaped";
  private static final String REKEYED = "public.rekeyed";
  /** Rows of {@code extremes}, each a set of SQL literals after the id. */
  private static final List<String> EXTREME_ROWS = List.of(
      // smallest
      "'NaN', 'NaN', -" + "9".repeat(38) + ", -" + "9".repeat(28) + "." + "9".repeat(10)
          + ", '-123456789012345678901234567890123456789012345.000000000000000000001', '0001-01-01',"
          + " '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '', -32768, -2147483648, -9223372036854775808, false,"
          + " '00000000-0000-0000-0000-000000000000', '{\"a\": {\"b\": [1, {\"c\": null}, \"x\"]}, \"d\": []}',"
          + " '{\"a\": {\"b\": [1, {\"c\": null}]}}'",
      // largest
      "'Infinity', 'Infinity', " + "9".repeat(38) + ", " + "9".repeat(28) + "." + "9".repeat(10)
          + ", 'Infinity', '9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00',"
          + " repeat('x', 1048576), 32767, 2147483647, 9223372036854775807, true,"
          + " 'ffffffff-ffff-ffff-ffff-ffffffffffff', '[[[[[[[[[[1]]]]]]]]]]', '{\"deep\": [[[[{\"e\": true}]]]]}'",
      // the other infinity, unusual text
      "'-Infinity', '-Infinity', 0, 0.0000000001, '-Infinity', '1970-01-01', '1970-01-01 00:00:00',"
          + " '1969-12-31 23:59:59.999999-00',"
          + " 'e\u0301 \uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67 \u05E9\u05DC\u05D5\u05DD"
          + " \u0645\u0631\u062D\u0628\u0627 \u202Eabc\u202C \uFEFF\uD834\uDD1E'::text, 0, 0, 0, null,"
          + " '123e4567-e89b-12d3-a456-426614174000', '\"\u00E9\u00E8 \\u00e9 \\\"q\\\"\"', '{}'",
      // negative zero, a scaled free numeric
      "'-0.0', '-0.0', -1, -0.0000000001, '1.500', '2000-02-29', '2000-02-29 12:34:56.789012',"
          + " '2000-02-29 12:34:56.789012+05:30', ' ', 1, -1, 1, true, '123e4567-e89b-12d3-a456-426614174001',"
          + " 'null', '[]'",
      // all null
      "null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null");

  private PipelineFixture fixture;
  private StandalonePipeline.Settings settings;
  private StandalonePipeline pipeline;
  private HttpCoordinatorClient client;

  @BeforeAll
  void start() throws Exception {
    fixture = new PipelineFixture("source-edge-cases");
    fixture.postgres.execute("shop",
        "CREATE TABLE tributary_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))",
        "CREATE TABLE big_rows (id integer PRIMARY KEY, version integer NOT NULL, body text, payload bytea)",
        "CREATE TABLE extremes (id integer PRIMARY KEY, c_real real, c_double double precision,"
            + " c_numeric numeric(38,0), c_scaled numeric(38,10), c_free numeric, c_date date, c_timestamp timestamp,"
            + " c_timestamptz timestamptz, c_text text, c_smallint smallint, c_integer integer, c_bigint bigint,"
            + " c_boolean boolean, c_uuid uuid, c_json json, c_jsonb jsonb)",
        "CREATE TABLE reshaped (id integer PRIMARY KEY, name text NOT NULL, note text, qty integer)",
        "INSERT INTO reshaped SELECT n, 'name ' || n, 'note ' || n, n FROM generate_series(1, 6) AS n",
        "CREATE TABLE rekeyed (id integer PRIMARY KEY, code text NOT NULL, amount bigint)",
        "INSERT INTO rekeyed SELECT n, 'code ' || n, n * 10 FROM generate_series(1, 50) AS n");
    insertExtremes(1);
    List<String> tables = new ArrayList<>(DemoWorkload.TABLES);
    tables.addAll(List.of(BIG, EXTREMES, RESHAPED, REKEYED));
    Path config = fixture.writeSignallingConfig(tables);
    // The gateway looks the captured tables up at every heartbeat.
    Files.writeString(config, Files.readString(config).replace("gateway:\n", "gateway:\n  heartbeat-interval: 1s\n"));
    settings = fixture.settings(config);
    pipeline = fixture.start(settings);
    client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty());
  }

  @AfterAll
  void stop() {
    try (PipelineFixture closingFixture = fixture; StandalonePipeline closingPipeline = pipeline;
        HttpCoordinatorClient closingClient = client) {
      // closes the client, then the pipeline, then the servers
    }
  }

  /** Every type at its extremes, by snapshot (ids 1 to 5) and streamed (inserts, then updates swapping values). */
  @Test
  @Order(1)
  void everyTypeAtItsExtremesArrivesEqual() {
    insertExtremes(11);
    fixture.postgres.execute("shop",
        "UPDATE extremes e SET c_real = o.c_real, c_double = o.c_double, c_numeric = o.c_numeric,"
            + " c_scaled = o.c_scaled, c_free = o.c_free, c_date = o.c_date, c_timestamp = o.c_timestamp,"
            + " c_timestamptz = o.c_timestamptz, c_text = o.c_text, c_smallint = o.c_smallint,"
            + " c_integer = o.c_integer, c_bigint = o.c_bigint, c_boolean = o.c_boolean, c_uuid = o.c_uuid,"
            + " c_json = o.c_json, c_jsonb = o.c_jsonb FROM extremes o WHERE o.id = 16 - e.id AND e.id BETWEEN 11 AND 15"
            + " AND e.id <> 13");
    assertEqual(EXTREMES);
    Map<Integer, List<Object>> rows = rows(EXTREMES).stream()
        .collect(Collectors.toMap(row -> (Integer) row.get(0), row -> row));
    assertThat(rows).hasSize(2 * EXTREME_ROWS.size());
    // Timestamps at the ends of the calendar, as microseconds since the epoch (no calendar shift).
    assertThat(rows.get(1).subList(7, 9)).containsExactly(-62_135_596_800_000_000L, -62_135_596_800_000_000L);
    assertThat(rows.get(2).subList(7, 9)).containsExactly(253_402_300_799_999_999L, 253_402_300_799_999_999L);
    assertThat(rows.get(4).subList(1, 3)).containsExactly(-0.0f, -0.0);
  }

  /**
   * A row holding about 50 MB of text and 50 MB of bytea, inserted, updated, then updated around them,
   * within failsafe's heap ({@code -Xmx2g}, the parent pom's argLine) with the pipeline in the same JVM.
   */
  @Test
  @Order(2)
  void aFiftyMegabyteRowArrivesByteEqual() {
    fixture.postgres.execute("shop",
        "INSERT INTO big_rows SELECT 1, 1, string_agg(md5(n::text), ''),"
            + " (SELECT decode(string_agg(md5((-n)::text), ''), 'hex') FROM generate_series(1, 3200000) AS n)"
            + " FROM generate_series(1, 1600000) AS n",
        "INSERT INTO big_rows VALUES (2, 1, 'small', '\\x00')");
    assertEqual(BIG);
    fixture.postgres.execute("shop",
        "UPDATE big_rows SET version = 2, body = (SELECT string_agg(md5((n + 7)::text), '')"
            + " FROM generate_series(1, 1600000) AS n), payload = (SELECT decode(string_agg(md5((n + 9)::text), ''),"
            + " 'hex') FROM generate_series(1, 3200000) AS n) WHERE id = 1");
    assertEqual(BIG);
    // An update leaving both long values unchanged: they are not in the change (TOAST), the applier keeps them.
    fixture.postgres.execute("shop", "UPDATE big_rows SET version = 3 WHERE id = 1");
    assertEqual(BIG);
  }

  /**
   * A column dropped and added back with the same type, then one dropped and added back with another
   * type, with rows changed in between: the dropped column stays, inactive, with the values it had in
   * the rows not changed since; added back, the source's rows read null there without any change, so
   * the table is resynced and ends equal to the source.
   */
  @Test
  @Order(3)
  void aColumnDroppedAndAddedBackEndsEqualToTheSource() {
    TableId reshaped = tableId(RESHAPED);
    assertEqual(RESHAPED);
    fixture.postgres.execute("shop", "ALTER TABLE reshaped DROP COLUMN note",
        "UPDATE reshaped SET name = 'renamed 1' WHERE id = 1",
        "INSERT INTO reshaped VALUES (7, 'name 7', 7)");
    awaitRows(RESHAPED, List.of("id", "name", "note", "qty"), List.of(
        Arrays.asList(1, "renamed 1", null, 1), List.of(2, "name 2", "note 2", 2), List.of(3, "name 3", "note 3", 3),
        List.of(4, "name 4", "note 4", 4), List.of(5, "name 5", "note 5", 5), List.of(6, "name 6", "note 6", 6),
        Arrays.asList(7, "name 7", null, 7)));

    fixture.postgres.execute("shop", "ALTER TABLE reshaped ADD COLUMN note text",
        "UPDATE reshaped SET note = 'again 2' WHERE id = 2",
        "INSERT INTO reshaped VALUES (8, 'name 8', 8, 'note 8')");
    awaitResyncDone(reshaped, 1);
    assertEqual(RESHAPED);

    fixture.postgres.execute("shop", "ALTER TABLE reshaped DROP COLUMN qty",
        "UPDATE reshaped SET name = 'renamed 3' WHERE id = 3",
        "ALTER TABLE reshaped ADD COLUMN qty text",
        "UPDATE reshaped SET qty = 'four' WHERE id = 4",
        "DELETE FROM reshaped WHERE id = 5");
    awaitResyncDone(reshaped, 2);
    assertEqual(RESHAPED);
    assertThat(new DeltaTableReader(Map.of()).read(settings.applier().tableLocation(reshaped)).schema().columns())
        .extracting(column -> column.name() + " " + column.type())
        .containsExactly("id INT", "name STRING", "note STRING", "qty STRING");
    assertThat(counted("tributary.applier.schema.changes", reshaped, "resync")).isEqualTo(2);
  }

  /**
   * A primary key changed mid-stream: the table goes to a resync by itself, reported as an ERROR
   * schema change, and ends equal to the source with the new key, no row lost.
   */
  @Test
  @Order(4)
  void aChangedPrimaryKeyResyncsTheTable() {
    TableId rekeyed = tableId(REKEYED);
    fixture.postgres.execute("shop", "UPDATE rekeyed SET amount = amount + 1 WHERE id <= 10");
    assertEqual(REKEYED);
    fixture.postgres.execute("shop",
        "ALTER TABLE rekeyed DROP CONSTRAINT rekeyed_pkey, ADD PRIMARY KEY (code)",
        "UPDATE rekeyed SET amount = -1 WHERE id = 20",
        "INSERT INTO rekeyed VALUES (20, 'code 20b', 5)",
        "DELETE FROM rekeyed WHERE id = 30");
    awaitResyncDone(rekeyed, 1);
    fixture.postgres.execute("shop", "UPDATE rekeyed SET amount = 7 WHERE code = 'code 20b'");
    assertEqual(REKEYED);
    DeltaTableContents contents = new DeltaTableReader(Map.of()).read(settings.applier().tableLocation(rekeyed));
    assertThat(contents.schema().keyColumns()).containsExactly("code");
    assertThat(contents.rows()).hasSize(50);
    List<CoordinatorEvent> schemaEvents = client.events(new EventQuery(Optional.of(rekeyed),
        Set.of(CoordinatorEvent.Type.SCHEMA_CHANGED), Optional.empty(), Optional.empty(), 0, 50));
    assertThat(schemaEvents).anySatisfy(event -> {
      assertThat(event.severity()).isEqualTo(CoordinatorEvent.Severity.ERROR);
      assertThat(event.message()).contains("primary key");
    });
    assertThat(counted("tributary.applier.schema.changes", rekeyed, "resync")).isEqualTo(1);
  }

  /**
   * A captured table renamed mid-stream: its changes go on under a name the configuration does not
   * list, so the gateway says so loudly (an ERROR event naming the table and what to do, and
   * {@code tributary.gateway.tables.missing} at 1) instead of losing them silently; the Delta table
   * keeps the rows it had.
   */
  @Test
  @Order(5)
  void aRenamedTableIsReportedMissing() {
    TableId orders = tableId("public.orders");
    assertEqual("public.orders");
    assertThat(missingGauge(orders)).isZero();
    fixture.postgres.execute("shop", "ALTER TABLE orders RENAME TO orders_v2",
        "UPDATE orders_v2 SET status = 'renamed' WHERE id IN (SELECT id FROM orders_v2 ORDER BY id LIMIT 3)");
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(missingGauge(orders)).isEqualTo(1));
    // The gateway sends its events from a queue of its own: the gauge can show the table missing before
    // the coordinator has the event.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(client.events(new EventQuery(Optional.of(orders), Set.of(CoordinatorEvent.Type.ERROR),
            Optional.empty(), Optional.empty(), 0, 50))).singleElement().satisfies(event -> {
              assertThat(event.severity()).isEqualTo(CoordinatorEvent.Severity.ERROR);
              assertThat(event.details()).containsEntry("reason", "table_missing");
              assertThat(event.message()).contains("public.orders", "no longer exists", "source.tables", "resync");
            }));
    assertThat(pipeline.gateway().status().state()).isEqualTo(GatewayService.State.RUNNING);
    // The update under the new name is not captured: a later change of another table arrives, it does not.
    fixture.postgres.execute("shop", "UPDATE customers SET name = 'after the rename' WHERE id = 1");
    assertEqual("public.customers");
    assertThat(rows("public.orders")).noneMatch(row -> row.contains("renamed"));

    fixture.postgres.execute("shop", "ALTER TABLE orders_v2 RENAME TO orders");
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(missingGauge(orders)).isZero());
  }

  /**
   * Bytes that are not UTF-8 where a source accepts them, and MariaDB's extremes. PostgreSQL refuses
   * them in a UTF8 database. MariaDB: a latin1 column holds any byte (0x80 to 0xFF, the five cp1252
   * leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D included) and arrives as the same characters; VARBINARY and
   * BLOB keep the bytes; a utf8mb4 column refuses invalid UTF-8 in strict mode and, with
   * {@code sql_mode} empty, stores something else for it (with a warning), which is what arrives.
   */
  @Test
  @Order(6)
  void invalidUtf8WhereMariaDbTakesItArrivesAsTheSourceHoldsIt() throws Exception {
    // PostgreSQL refuses invalid UTF-8 in a UTF8 database: nothing to capture there.
    assertThatThrownBy(() -> fixture.postgres.execute("shop",
        "INSERT INTO extremes (id, c_text) VALUES (99, convert_from('\\xc328'::bytea, 'UTF8'))"))
        .hasStackTraceContaining("invalid byte sequence for encoding \"UTF8\"");
    Path directory = fixture.directory.resolve("mariadb-case");
    try (MariaDbServer mariadb = MariaDbServer.builder(directory.resolve("mariadb"))
            .binariesDirectory(Path.of("target", "mariadb-binaries")).discardDataOnClose().build();
        KafkaBroker kafka = KafkaBroker.builder(directory.resolve("kafka")).discardDataOnClose().build()) {
      mariadb.start();
      kafka.start();
      mariadb.createDatabase("shop");
      mariadb.execute("shop", "CREATE TABLE bytes (id INT PRIMARY KEY, l1 VARCHAR(64) CHARACTER SET latin1,"
          + " raw VARBINARY(64), big_blob BLOB, u8 VARCHAR(64) CHARACTER SET utf8mb4, text4 TEXT CHARACTER SET utf8mb4,"
          + " small BIGINT, large BIGINT UNSIGNED, amount DECIMAL(38,0), at DATETIME(6), day DATE, flag BOOLEAN)");
      mariadb.createCaptureUser("capture", "capture-pw", "shop");
      insertBytes(mariadb, 1);
      try (Connection connection = mariadb.connect("shop"); Statement statement = connection.createStatement()) {
        assertThatThrownBy(() -> statement.execute("INSERT INTO bytes (id, u8) VALUES (90, X'C328FF')"))
            .isInstanceOf(SQLException.class).hasMessageContaining("Incorrect string value");
      }
      Path config = directory.resolve("tributary.yaml");
      Files.writeString(config, """
          source:
            name: maria
            connector: mariadb
            host: 127.0.0.1
            port: %d
            user: capture
            password: capture-pw
            tables: [shop.bytes]
          gateway:
            segment:
              max-age: 200ms
          kafka:
            bootstrap-servers: %s
          """.formatted(mariadb.port(), kafka.bootstrapServers()));
      StandalonePipeline.Settings mariaSettings = StandalonePipeline.configure(config, directory.resolve("data"),
          System::getenv);
      try (StandalonePipeline mariaPipeline = StandalonePipeline.start(mariaSettings, Clock.systemUTC(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
        insertBytes(mariadb, 11);
        mariadb.execute("shop", "UPDATE bytes SET l1 = X'FF', raw = X'00', u8 = 'x' WHERE id = 12");
        List<TableComparison> results = Verification.awaitEqual(
            () -> Verification.compareAll(mariadb.connect("shop"), mariaSettings, "maria", List.of("shop.bytes")),
            CATCH_UP, Clock.systemUTC(), () -> {});
        assertThat(results).singleElement().satisfies(result -> assertThat(result.equal()).as(result.describe()).isTrue());
        Map<Integer, List<Object>> rows = new DeltaTableReader(Map.of())
            .read(mariaSettings.applier().tableLocation(TableId.parse("maria.shop.bytes"))).rows().stream()
            .collect(Collectors.toMap(row -> (Integer) row[0], Arrays::asList));
        for (int id : List.of(1, 11)) {
          assertThat(rows.get(id).get(1)).isEqualTo("\u00C3(\u00FF\u00FE\u20AC\u00E9");
          assertThat((byte[]) rows.get(id).get(2)).containsExactly(0xC3, 0x28, 0xFF, 0xFE, 0x80, 0x00);
          // What MariaDB made of the invalid bytes (the verifier found it equal to the source), never U+FFFD.
          assertThat((String) rows.get(id + 2).get(4)).startsWith("a").endsWith("b").doesNotContain("\uFFFD");
        }
      }
    }
  }

  /**
   * Rows from {@code firstId}: latin1 bytes that are not UTF-8, the cp1252 leaves, MariaDB's extremes,
   * and (with {@code sql_mode} empty) invalid UTF-8 into utf8mb4, which MariaDB stores as '?'.
   */
  private static void insertBytes(MariaDbServer mariadb, int firstId) throws SQLException {
    try (Connection connection = mariadb.connect("shop"); Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO bytes VALUES (" + firstId + ", X'C328FFFE80E9', X'C328FFFE8000',"
          + " X'FFD800DC00C0AF', '\u00E9 \uD83D\uDE00 \u05E9', '\uD83D\uDC69\u200D\uD83D\uDC67 e\u0301',"
          + " -9223372036854775808, 18446744073709551615, " + "9".repeat(38) + ", '9999-12-31 23:59:59.999999',"
          + " '1000-01-01', true)");
      statement.execute("INSERT INTO bytes VALUES (" + (firstId + 1) + ", X'818D8F909D', '', X'', '', '',"
          + " 9223372036854775807, 0, -" + "9".repeat(38) + ", '1000-01-01 00:00:00', '9999-12-31', false)");
      statement.execute("SET SESSION sql_mode = ''");
      statement.execute("INSERT INTO bytes (id, u8) VALUES (" + (firstId + 2) + ", CONCAT('a', X'C328', 'b'))");
    }
  }

  private double missingGauge(TableId table) {
    return fixture.registry.get("tributary.gateway.tables.missing").tag("table", table.canonical()).gauge().value();
  }

  private void insertExtremes(int firstId) {
    List<String> statements = new ArrayList<>();
    for (int i = 0; i < EXTREME_ROWS.size(); i++) {
      statements.add("INSERT INTO extremes VALUES (" + (firstId + i) + ", " + EXTREME_ROWS.get(i) + ")");
    }
    fixture.postgres.execute("shop", statements.toArray(String[]::new));
  }

  private static TableId tableId(String table) {
    return TableId.parse(PipelineFixture.SOURCE + "." + table);
  }

  private void assertEqual(String table) {
    List<TableComparison> results = Verification.awaitEqual(
        () -> Verification.compareAll(fixture.postgres.connect("shop"), settings, PipelineFixture.SOURCE, List.of(table)),
        CATCH_UP, Clock.systemUTC(), () -> {});
    assertThat(results).hasSize(1).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
  }

  private List<List<Object>> rows(String table) {
    return new DeltaTableReader(Map.of()).read(settings.applier().tableLocation(tableId(table))).rows().stream()
        .map(Arrays::asList).toList();
  }

  private void awaitRows(String table, List<String> columns, List<List<Object>> expected) {
    await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      DeltaTableContents contents = new DeltaTableReader(Map.of()).read(settings.applier().tableLocation(tableId(table)));
      assertThat(contents.schema().columns()).extracting(Column::name).containsExactlyElementsOf(columns);
      assertThat(contents.rows().stream().map(Arrays::asList).toList()).containsExactlyInAnyOrderElementsOf(expected);
    });
  }

  /** Waits until the table's {@code count}th resync (counted in its RESYNC events) is done. */
  private void awaitResyncDone(TableId table, int count) {
    await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(500)).until(() -> client.events(new EventQuery(
            Optional.of(table), Set.of(CoordinatorEvent.Type.RESYNC), Optional.empty(), Optional.empty(), 0, 200))
        .stream().filter(event -> "DONE".equals(event.details().get("state"))).count() >= count);
    Resync last = client.table(table).flatMap(TableStatus::resync).orElseThrow();
    assertThat(last.state()).as(last.detail()).isEqualTo(Resync.State.DONE);
  }

  private double counted(String name, TableId table, String kind) {
    return fixture.registry.find(name).tag("table", table.canonical()).tag("kind", kind).counters().stream()
        .mapToDouble(Counter::count).sum();
  }
}
