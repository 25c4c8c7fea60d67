package io.tributary.gateway;

import static io.tributary.gateway.MariaDbEveryType.HIGH;
import static io.tributary.gateway.MariaDbEveryType.LOW;
import static io.tributary.gateway.MariaDbEveryType.SPECIAL;
import static io.tributary.gateway.MariaDbEveryType.TABLE;
import static io.tributary.gateway.TypeTable.awaitStaged;
import static io.tributary.gateway.TypeTable.literals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.MariaDbServer;
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
 * Every MariaDB type Debezium's connector emits, captured by snapshot and by streaming with edge
 * values (limits of every integer width and BIGINT UNSIGNED, 65-digit decimals, signed zeros, the
 * years 0001 and 0000, negative and 838-hour times, datetimes at daylight saving changes, TIMESTAMP's
 * range, empty and 100 kB values, 4-byte characters and latin1), staged as docs/sources.md documents:
 * each staged value equals the value MariaDB returns over JDBC, in the canonical text of
 * {@link TypeTable}. The server runs in a time zone of its own (+05:30).
 */
class MariaDbTypesIT {
  private static final Logger LOG = LoggerFactory.getLogger(MariaDbTypesIT.class);
  private static final String DATABASE = "types";
  private static MariaDbServer mariadb;
  private static KafkaBroker kafka;

  @BeforeAll
  static void startServers() throws IOException {
    mariadb = MariaDbServer.builder(fresh("mariadb")).binariesDirectory(Path.of("target", "mariadb-binaries"))
        .serverConfig("default-time-zone", "+05:30").discardDataOnClose().build();
    mariadb.start();
    kafka = KafkaBroker.builder(fresh("kafka")).discardDataOnClose().build();
    kafka.start();
    mariadb.createDatabase(DATABASE);
    mariadb.createCaptureUser(MariaDbShop.USER, MariaDbShop.PASSWORD, DATABASE);
  }

  @AfterAll
  static void stopServers() {
    if (kafka != null) {
      kafka.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  private static Path fresh(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), prefix + "-")
        .toAbsolutePath();
  }

  private static GatewayConfig config(String source, String table, String unsupportedTypes) throws IOException {
    String yaml = """
        source:
          name: %s
          connector: mariadb
          host: 127.0.0.1
          port: %d
          user: %s
          password: %s
          tables: [%s]
          connect-timeout: 3s
          unsupported-types: %s
        gateway:
          heartbeat-interval: 1s
          shutdown-timeout: 20s
          segment:
            max-age: 300ms
        kafka:
          bootstrap-servers: %s
          topic: %s.manifests
          connect-timeout: 3s
        """.formatted(source, mariadb.port(), MariaDbShop.USER, MariaDbShop.PASSWORD, table, unsupportedTypes,
        kafka.bootstrapServers(), source);
    ConfigReader root = ConfigReader.fromYaml(yaml, "it.yaml", name -> null);
    GatewayConfig config = GatewayConfig.from(root, fresh("gateway-" + source));
    root.throwIfInvalid();
    return config;
  }

  @Test
  void everyTypeIsStagedAsTheSourceReturnsItBySnapshotAndByStreaming() throws Exception {
    mariadb.execute(DATABASE, TABLE.createStatement());
    long started = System.nanoTime();
    try (Connection connection = mariadb.connect(DATABASE)) {
      TABLE.load(connection, 1, Map.of());
      TABLE.load(connection, 2, LOW);
      TABLE.load(connection, 3, HIGH);
      TABLE.load(connection, 4, SPECIAL);
      TABLE.expectSnapshot(connection);
    }
    GatewayConfig config = config("types", DATABASE + ".every_type", "string");
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry());
        Connection connection = mariadb.connect(DATABASE)) {
      gateway.start();
      ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "types.manifests");
      List<ManifestRecord> manifests = new ArrayList<>();
      // Changes made while the snapshot still runs may be read by it instead of streamed.
      awaitStaged(log, manifests, TABLE.expectedEvents(), gateway);
      TABLE.insert(connection, 11, Map.of());
      TABLE.insert(connection, 12, LOW);
      TABLE.insert(connection, 13, HIGH);
      TABLE.insert(connection, 14, SPECIAL);
      TABLE.update(connection, 1, HIGH);
      TABLE.update(connection, 3, Map.of());
      TABLE.update(connection, 13, literals("c_int", "7"));
      TABLE.update(connection, 2, SPECIAL);
      TABLE.update(connection, 4, LOW);
      TABLE.delete(connection, 4);
      TABLE.delete(connection, 12);
      TABLE.delete(connection, 13);

      awaitStaged(log, manifests, TABLE.expectedEvents(), gateway);
      log.close();
      List<TableSchema> schemas = new ArrayList<>();
      List<ChangeEvent> events = TypeTable.read(store, manifests, schemas);
      assertThat(schemas).extracting(TableSchema::fingerprint).as("one schema for the whole run").containsOnly(
          schemas.get(0).fingerprint());
      assertThat(TABLE.typeDifferences(schemas.get(0))).isEmpty();
      assertThat(TABLE.valueDifferences(schemas.get(0), events)).isEmpty();
      assertThat(gateway.state()).isEqualTo(GatewayService.State.RUNNING);
    }
    LOG.info("{} columns, {} events checked in {} ms", TABLE.columns().size(), TABLE.expectedEvents(),
        Duration.ofNanos(System.nanoTime() - started).toMillis());
  }

  @Test
  void inetColumnsWhichDebeziumCannotParseAreRefusedAtStartNamingTableColumnAndType() throws Exception {
    mariadb.execute(DATABASE, "CREATE TABLE hosts (id INT PRIMARY KEY, v4 INET4, v6 INET6, name VARCHAR(20))");
    GatewayConfig config = config("hosts", DATABASE + ".hosts", "string");
    try (GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      assertThatThrownBy(gateway::start)
          .isInstanceOfSatisfying(TributaryException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
          .hasMessageContaining("Columns types.hosts.v4 (inet4), types.hosts.v6 (inet6) of MariaDB at 127.0.0.1:"
              + mariadb.port() + " have types that Debezium's MariaDB connector cannot capture")
          .hasMessageContaining("VARCHAR(39)");
    }
  }

  @Test
  void geometryWithoutTheStringFallbackStopsTheGatewayNamingTableColumnAndType() throws Exception {
    mariadb.execute(DATABASE, "CREATE TABLE located (id INT PRIMARY KEY, at POINT)",
        "INSERT INTO located VALUES (1, ST_PointFromText('POINT(1 2)'))");
    GatewayConfig config = config("located", DATABASE + ".located", "fail");
    try (GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      // The snapshot's first row fails to map, during start or right after it.
      catchThrowable(gateway::start);
      await().atMost(Duration.ofSeconds(30)).until(() -> gateway.state() == GatewayService.State.FAILED);
      assertThat(gateway.failure()).hasValueSatisfying(failure -> assertThat(failure)
          .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
          .hasMessageContaining("Column 'at' of table located.types.located has type io.debezium.data.geometry.Point")
          .hasMessageContaining("source.unsupported-types: string"));
    }
  }

}
