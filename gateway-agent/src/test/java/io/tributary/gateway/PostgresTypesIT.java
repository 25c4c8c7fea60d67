package io.tributary.gateway;

import static io.tributary.gateway.PostgresEveryType.ANCIENT;
import static io.tributary.gateway.PostgresEveryType.FINITE;
import static io.tributary.gateway.PostgresEveryType.HIGH;
import static io.tributary.gateway.PostgresEveryType.INFINITE;
import static io.tributary.gateway.PostgresEveryType.LOW;
import static io.tributary.gateway.PostgresEveryType.SPECIAL;
import static io.tributary.gateway.PostgresEveryType.TABLE;
import static io.tributary.gateway.PostgresEveryType.TOASTED;
import static io.tributary.gateway.PostgresEveryType.with;
import static io.tributary.gateway.TypeTable.awaitStaged;
import static io.tributary.gateway.TypeTable.literals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every PostgreSQL type Debezium's connector emits, captured by snapshot and by streaming with edge
 * values (limits, NaN and infinities, signed zeros, daylight saving changes, dates before the
 * Gregorian calendar and the common era, empty and 100 kB values, 4-byte characters, TOASTed values
 * left unchanged), staged as docs/sources.md documents: each staged value equals the value
 * PostgreSQL returns over JDBC, in the canonical text of {@link TypeTable}.
 */
class PostgresTypesIT {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresTypesIT.class);
  private static final String DATABASE = "types";
  private static PostgresServer postgres;
  private static KafkaBroker kafka;

  @BeforeAll
  static void startServers() throws IOException {
    postgres = PostgresServer.builder(fresh("postgres")).binariesDirectory(Path.of("target", "postgres-binaries"))
        .discardDataOnClose().build();
    postgres.start();
    kafka = KafkaBroker.builder(fresh("kafka")).discardDataOnClose().build();
    kafka.start();
    ShopDatabase.createUser(postgres);
    postgres.createDatabase(DATABASE);
    postgres.execute(DATABASE, "CREATE EXTENSION citext", "CREATE EXTENSION hstore", "CREATE EXTENSION ltree",
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'very happy 😀')",
        "GRANT CREATE ON DATABASE " + DATABASE + " TO " + ShopDatabase.USER);
  }

  @AfterAll
  static void stopServers() {
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static Path fresh(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), prefix + "-")
        .toAbsolutePath();
  }

  private static GatewayConfig config(String source, String table, String unsupportedTypes) throws IOException {
    return config(source, table, unsupportedTypes, "");
  }

  private static GatewayConfig config(String source, String table, String unsupportedTypes, String sourceYaml)
      throws IOException {
    String yaml = """
        source:
          name: %s
          host: 127.0.0.1
          port: %d
          database: %s
          user: %s
          password: %s
          tables: [%s]
          connect-timeout: 3s
          unsupported-types: %s
        %s
        gateway:
          heartbeat-interval: 1s
          shutdown-timeout: 20s
          segment:
            max-age: 300ms
        kafka:
          bootstrap-servers: %s
          topic: %s.manifests
          connect-timeout: 3s
        """.formatted(source, postgres.port(), DATABASE, ShopDatabase.USER, ShopDatabase.PASSWORD, table,
        unsupportedTypes, sourceYaml.stripTrailing(), kafka.bootstrapServers(), source);
    ConfigReader root = ConfigReader.fromYaml(yaml, "it.yaml", name -> null);
    GatewayConfig config = GatewayConfig.from(root, fresh("gateway-" + source));
    root.throwIfInvalid();
    return config;
  }

  @Test
  void everyTypeIsStagedAsTheSourceReturnsItBySnapshotAndByStreaming() throws Exception {
    postgres.execute(DATABASE, TABLE.createStatement(),
        // Out of line (TOASTed) whenever over 2 kB; the default replica identity leaves them out of
        // updates that do not change them, and deletes carry the key only.
        "ALTER TABLE every_type " + String.join(", ", TOASTED.stream().map(column -> "ALTER COLUMN " + column
            + " SET STORAGE EXTERNAL").toList()),
        "ALTER TABLE every_type OWNER TO " + ShopDatabase.USER);
    long started = System.nanoTime();
    try (Connection connection = postgres.connect(DATABASE)) {
      TABLE.load(connection, 1, Map.of());
      // Debezium's snapshot reads money through a double: the extremes are streamed only.
      TABLE.load(connection, 2, with(LOW, "c_money", "'-9999999999999.99'"));
      TABLE.load(connection, 3, with(HIGH, "c_money", "'9999999999999.99'"));
      TABLE.load(connection, 4, SPECIAL);
      TABLE.load(connection, 5, FINITE);
      TABLE.load(connection, 6, INFINITE);
      TABLE.load(connection, 7, ANCIENT);
      TABLE.expectSnapshot(connection);
    }
    GatewayConfig config = config("types", "public.every_type", "string");
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry());
        Connection connection = postgres.connect(DATABASE)) {
      gateway.start();
      ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "types.manifests");
      List<ManifestRecord> manifests = new ArrayList<>();
      awaitStaged(log, manifests, TABLE.expectedEvents(), gateway);
      TABLE.insert(connection, 11, Map.of());
      TABLE.insert(connection, 12, LOW);
      TABLE.insert(connection, 13, HIGH);
      TABLE.insert(connection, 14, SPECIAL);
      TABLE.insert(connection, 15, FINITE);
      TABLE.insert(connection, 16, INFINITE);
      TABLE.insert(connection, 17, ANCIENT);
      TABLE.update(connection, 1, HIGH);
      TABLE.update(connection, 3, Map.of());
      // Leaves the long (TOASTed) values unchanged: the update does not carry them.
      TABLE.update(connection, 13, literals("c_integer", "7"));
      TABLE.update(connection, 2, SPECIAL);
      TABLE.update(connection, 5, LOW);
      TABLE.update(connection, 14, literals("c_real", "'-0'", "c_double", "4.9e-324",
          "c_numeric_free", "'-Infinity'"));
      TABLE.update(connection, 6, ANCIENT);
      TABLE.update(connection, 17, INFINITE);
      TABLE.deleteByKey(connection, 4);
      TABLE.deleteByKey(connection, 12);
      TABLE.deleteByKey(connection, 13);
      TABLE.deleteByKey(connection, 16);

      awaitStaged(log, manifests, TABLE.expectedEvents(), gateway);
      log.close();
      List<TableSchema> schemas = new ArrayList<>();
      List<ChangeEvent> events = TypeTable.read(store, manifests, schemas);
      assertThat(schemas).extracting(TableSchema::fingerprint).as("one schema for the whole run").containsOnly(
          schemas.get(0).fingerprint());
      assertThat(TABLE.typeDifferences(schemas.get(0))).isEmpty();
      assertThat(TABLE.valueDifferences(schemas.get(0), events)).isEmpty();
      assertThat(events.stream().mapToInt(event -> event.unavailable().cardinality()).sum())
          .as("the long values the update of row 13 left unchanged").isEqualTo(TOASTED.size());
      assertThat(gateway.state()).isEqualTo(GatewayService.State.RUNNING);
    }
    LOG.info("{} columns, {} events checked in {} ms", TABLE.columns().size(), TABLE.expectedEvents(),
        Duration.ofNanos(System.nanoTime() - started).toMillis());
  }

  @Test
  void columnsDebeziumLeavesOutAreRefusedAtStartNamingTableColumnAndType() throws Exception {
    postgres.execute(DATABASE, "CREATE TYPE pair AS (a int, b text)",
        "CREATE TABLE shapes (id int PRIMARY KEY, area box, spans interval[], both_ pair, note text)",
        "ALTER TABLE shapes OWNER TO " + ShopDatabase.USER);
    GatewayConfig config = config("shapes", "public.shapes", "string");
    try (GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      assertThatThrownBy(gateway::start)
          .isInstanceOfSatisfying(TributaryException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
          .hasMessageContaining("Columns public.shapes.area (box), public.shapes.spans (interval[]),"
              + " public.shapes.both_ (pair) of PostgreSQL database 'types' at 127.0.0.1:" + postgres.port())
          .hasMessageContaining("that Debezium's PostgreSQL connector cannot capture: it leaves them out of every"
              + " change")
          .hasMessageContaining("source.columns.<table>.exclude");
    }
    GatewayConfig excluding = config("shapes", "public.shapes", "string", """
          columns:
            public.shapes:
              exclude: [area, spans, both_]
        """);
    GatewayService.preflight(excluding);
  }

  @Test
  void aNumericNaNNoDecimalCanHoldStopsTheGatewayNamingTableColumnAndType() throws Exception {
    postgres.execute(DATABASE, "CREATE TABLE ratios (id int PRIMARY KEY, ratio numeric(10,2))",
        "INSERT INTO ratios VALUES (1, 1.5), (2, 'NaN')", "ALTER TABLE ratios OWNER TO " + ShopDatabase.USER);
    GatewayConfig config = config("ratios", "public.ratios", "fail");
    try (GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      catchThrowable(gateway::start);
      await().atMost(Duration.ofSeconds(30)).until(() -> gateway.state() == GatewayService.State.FAILED);
      assertThat(gateway.failure()).hasValueSatisfying(failure -> assertThat(failure)
          .hasMessageContaining("Failed to properly convert data value for 'public.ratios.ratio' of type numeric"));
    }
  }

  @Test
  void arrayColumnsWithoutTheStringFallbackStopTheGatewayNamingTableColumnAndType() throws Exception {
    postgres.execute(DATABASE, "CREATE TABLE tagged (id int PRIMARY KEY, tags text[])",
        "INSERT INTO tagged VALUES (1, ARRAY['a'])", "ALTER TABLE tagged OWNER TO " + ShopDatabase.USER);
    GatewayConfig config = config("tagged", "public.tagged", "fail");
    try (GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      // The snapshot's first row fails to map, during start or right after it.
      catchThrowable(gateway::start);
      await().atMost(Duration.ofSeconds(30)).until(() -> gateway.state() == GatewayService.State.FAILED);
      assertThat(gateway.failure()).hasValueSatisfying(failure -> assertThat(failure)
          .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
          .hasMessageContaining("Column 'tags' of table tagged.public.tagged has type array")
          .hasMessageContaining("source.unsupported-types: string"));
    }
  }

  @Test
  void aDeleteCarryingOnlyTheKeyPassesNotNullColumnsOfEveryConvertedType() throws Exception {
    // The default replica identity: a delete's before-image holds the key only, and the NOT NULL
    // columns the gateway's own converter reads arrive without a value.
    postgres.execute(DATABASE, "CREATE TABLE stamped (id int PRIMARY KEY, at timestamptz NOT NULL,"
            + " local_at timestamp NOT NULL, day date NOT NULL, span interval NOT NULL, amount numeric NOT NULL)",
        "INSERT INTO stamped VALUES (1, now(), now(), current_date, '1 day', 1.50)",
        "ALTER TABLE stamped OWNER TO " + ShopDatabase.USER);
    GatewayConfig config = config("stamped", "public.stamped", "fail");
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      gateway.start();
      ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "stamped.manifests");
      List<ManifestRecord> manifests = new ArrayList<>();
      // The snapshot: the reset of the table (a truncate) and its row.
      awaitStaged(log, manifests, 2, gateway);
      postgres.execute(DATABASE, "DELETE FROM stamped WHERE id = 1",
          "INSERT INTO stamped VALUES (2, now(), now(), current_date, '2 days', 2.50)");
      awaitStaged(log, manifests, 4, gateway);
      log.close();
      List<ChangeEvent> events = TypeTable.read(store, manifests, new ArrayList<>());
      assertThat(events).filteredOn(event -> event.operation() != Operation.TRUNCATE).extracting(ChangeEvent::operation, event -> event.value(0))
          .containsExactly(tuple(Operation.SNAPSHOT_READ, 1), tuple(Operation.DELETE, 1), tuple(Operation.INSERT, 2));
      assertThat(gateway.state()).isEqualTo(GatewayService.State.RUNNING);
    }
  }
}
