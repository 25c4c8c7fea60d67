package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.Loopback;
import io.tributary.testing.MariaDbServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway against a real MariaDB (binlog) and a real Kafka broker. */
class MariaDbGatewayIT {
  private static final Logger LOG = LoggerFactory.getLogger(MariaDbGatewayIT.class);

  private static MariaDbServer mariadb;
  private static KafkaBroker kafka;

  @BeforeAll
  static void startServers() throws IOException {
    mariadb = MariaDbServer.builder(fresh("mariadb"))
        .binariesDirectory(Path.of("target", "mariadb-binaries")).discardDataOnClose().build();
    mariadb.start();
    kafka = KafkaBroker.builder(fresh("kafka")).discardDataOnClose().build();
    kafka.start();
    MariaDbShop checks = new MariaDbShop(mariadb, "checks");
    checks.create();
    mariadb.createCaptureUser(MariaDbShop.USER, MariaDbShop.PASSWORD, "checks");
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

  private static GatewayConfig config(String source, String user, String password, int port, String topic,
      List<String> tables, Path dataDir) {
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
        gateway:
          heartbeat-interval: 1s
          shutdown-timeout: 20s
          segment:
            max-rows: 2000
            max-age: 500ms
        kafka:
          bootstrap-servers: %s
          topic: %s
          topic-partitions: 3
          connect-timeout: 3s
        """.formatted(source, port, user, password, String.join(", ", tables), kafka.bootstrapServers(), topic);
    ConfigReader root = ConfigReader.fromYaml(yaml, "it.yaml", name -> null);
    GatewayConfig config = GatewayConfig.from(root, dataDir);
    root.throwIfInvalid();
    return config;
  }

  @Test
  void snapshotThenStreamedChangesOfThreeTablesAreStagedExactlyInPositionOrder() throws Exception {
    MariaDbShop shop = new MariaDbShop(mariadb, "shop");
    shop.create();
    shop.preload(1500);
    mariadb.execute("shop", "ANALYZE TABLE customers, orders, items");
    mariadb.execute("", "GRANT SELECT ON `shop`.* TO 'capture'@'localhost'");
    GatewayConfig config = config("shop", MariaDbShop.USER, MariaDbShop.PASSWORD, mariadb.port(), "shop.manifests",
        shop.qualifiedTables(), fresh("gateway-shop"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExecutorService executor = Executors.newFixedThreadPool(2);
    long started = System.nanoTime();
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "shop.manifests");
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), registry)) {
      gateway.start();
      assertThat(gateway.state()).isEqualTo(GatewayService.State.RUNNING);
      List<Future<Integer>> workloads = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        workloads.add(executor.submit(new MariaDbShop.Workload(shop, i, 2, 1500, 700, () -> false)));
      }
      int committed = 0;
      for (Future<Integer> done : workloads) {
        committed += done.get();
      }
      LOG.info("Workloads committed {} transactions", committed);
      assertThat(committed).isGreaterThan(1300);

      StagedReplica replica = new StagedReplica(store);
      List<ManifestRecord> manifests = new ArrayList<>();
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        List<ManifestRecord> next = log.next();
        manifests.addAll(next);
        try {
          replica.apply(next);
        } catch (AssertionError e) {
          // A broken contract is final: do not let the wait retry past it.
          throw new IllegalStateException(e.getMessage(), e);
        }
        StringBuilder differences = new StringBuilder();
        for (String table : MariaDbShop.TABLES) {
          differences.append(difference(table, shop.rows(table), replica.rows(new TableId("shop", "shop", table))));
        }
        assertThat(differences.toString()).isEmpty();
      });
      LOG.info("Replica: {} segments, {} events, {} duplicates after {} s", replica.segments(), replica.events(),
          replica.duplicates(), Duration.ofNanos(System.nanoTime() - started).toSeconds());

      // One run, no restart: every table's manifests follow each other in strictly increasing positions,
      // snapshot reads (phase 0) before streamed changes (phase 1), and nothing is delivered twice.
      Map<TableId, SourcePosition> last = new HashMap<>();
      Map<TableId, Integer> streamedManifests = new HashMap<>();
      for (ManifestRecord manifest : manifests) {
        SourcePosition previous = last.put(manifest.tableId(), manifest.lastPosition());
        if (previous != null) {
          assertThat(manifest.firstPosition().isAfter(previous))
              .as("%s: segment %s starts at %s, after %s", manifest.tableId(), manifest.sequence(),
                  manifest.firstPosition(), previous)
              .isTrue();
        }
        if (manifest.firstPosition().value().startsWith("0000000000000001-")) {
          streamedManifests.merge(manifest.tableId(), 1, Integer::sum);
        }
      }
      assertThat(replica.duplicates()).isZero();
      assertThat(streamedManifests).containsOnlyKeys(new TableId("shop", "shop", "customers"),
          new TableId("shop", "shop", "orders"), new TableId("shop", "shop", "items"));
      // The workloads start while the snapshot runs: orders they insert or delete before its consistent
      // point change how many rows the snapshot reads, so the metric is held to what was staged.
      TableId orders = new TableId("shop", "shop", "orders");
      assertThat(replica.snapshotReads(orders)).isGreaterThan(1000);
      assertThat(registry.get("tributary.gateway.snapshot.rows").tag("table", "shop.shop.orders").counter().count())
          .isEqualTo((double) replica.snapshotReads(orders));
      assertThat(registry.get("tributary.gateway.snapshot.rows.estimated").tag("table", "shop.shop.orders").gauge()
          .value()).as("InnoDB's estimate after ANALYZE TABLE").isBetween(750.0, 3000.0);
      for (String op : List.of("c", "u", "d")) {
        assertThat(registry.get("tributary.gateway.events.captured").tag("table", "shop.shop.items").tag("op", op)
            .counter().count()).as("op %s on items", op).isPositive();
      }
      assertThat(gateway.status().tables().get(orders).lastStagedPosition())
          .hasValueSatisfying(position -> assertThat(position.value()).startsWith("0000000000000001-"));
      assertThat(Files.exists(config.stateDirectory().resolve("schema-history.jsonl"))).isTrue();
    } finally {
      executor.shutdownNow();
    }
  }

  /** What differs between the source rows and the staged rows of a table, with a few examples. */
  private static String difference(String table, Map<List<Object>, Map<String, Object>> expected,
      Map<List<Object>, Map<String, Object>> actual) {
    List<List<Object>> missing = expected.keySet().stream().filter(k -> !actual.containsKey(k)).toList();
    List<List<Object>> extra = actual.keySet().stream().filter(k -> !expected.containsKey(k)).toList();
    List<List<Object>> changed = expected.keySet().stream()
        .filter(k -> actual.containsKey(k) && !actual.get(k).equals(expected.get(k))).toList();
    if (missing.isEmpty() && extra.isEmpty() && changed.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder(table).append(": ").append(missing.size()).append(" missing ")
        .append(missing.stream().limit(5).toList()).append(", ").append(extra.size()).append(" extra ")
        .append(extra.stream().limit(5).toList()).append(", ").append(changed.size()).append(" different");
    changed.stream().limit(3).forEach(k -> text.append("\n  ").append(k).append(": source ").append(expected.get(k))
        .append("\n  ").append(k).append(": staged ").append(actual.get(k)));
    return text.append('\n').toString();
  }

  // ---- start-up checks on the real server ----

  private static GatewayConfig checksConfig(String user, String password, int port, List<String> tables)
      throws IOException {
    return config("checks", user, password, port, "checks.manifests", tables, fresh("gateway-checks"));
  }

  private static GatewayConfig checksConfig(List<String> tables) throws IOException {
    return checksConfig(MariaDbShop.USER, MariaDbShop.PASSWORD, mariadb.port(), tables);
  }

  @Test
  void wrongPasswordIsReportedWithUserAndServer() throws Exception {
    GatewayConfig config = checksConfig(MariaDbShop.USER, "wrong", mariadb.port(), List.of("checks.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("Cannot log in to MariaDB at 127.0.0.1:" + mariadb.port() + " as user 'capture'")
        .hasMessageContaining("Access denied for user 'capture'@'localhost'")
        .hasMessageContaining("Check source.user and source.password")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void unreachableServerIsReportedWithHostAndPort() throws Exception {
    int port = Loopback.freePort();
    GatewayConfig config = checksConfig(MariaDbShop.USER, MariaDbShop.PASSWORD, port, List.of("checks.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_UNREACHABLE))
        .hasMessageContaining("Cannot reach MariaDB at 127.0.0.1:" + port)
        .hasMessageContaining("Check source.host and source.port");
  }

  @Test
  void aBinlogNotInRowFormatOrWithoutFullImagesIsRefused() throws Exception {
    GatewayConfig config = checksConfig(List.of("checks.orders"));
    try {
      mariadb.execute("", "SET GLOBAL binlog_format = 'STATEMENT'");
      assertThatThrownBy(() -> GatewayService.preflight(config))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("MariaDB at 127.0.0.1:" + mariadb.port() + " runs with binlog_format=STATEMENT;"
              + " change capture needs binlog_format=ROW");
      mariadb.execute("", "SET GLOBAL binlog_format = 'ROW'", "SET GLOBAL binlog_row_image = 'MINIMAL'");
      assertThatThrownBy(() -> GatewayService.preflight(config))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("runs with binlog_row_image=MINIMAL; change capture needs binlog_row_image=FULL");
    } finally {
      mariadb.execute("", "SET GLOBAL binlog_format = 'ROW'", "SET GLOBAL binlog_row_image = 'FULL'");
    }
    GatewayService.preflight(config);
  }

  @Test
  void aServerWithoutABinaryLogIsToldWhatToSet() throws Exception {
    try (MariaDbServer unlogged = MariaDbServer.builder(fresh("mariadb-without-binlog"))
        .binariesDirectory(Path.of("target", "mariadb-binaries")).withoutBinaryLog().discardDataOnClose().build()) {
      unlogged.start();
      new MariaDbShop(unlogged, "checks").create();
      unlogged.createCaptureUser(MariaDbShop.USER, MariaDbShop.PASSWORD, "checks");
      GatewayConfig config = checksConfig(MariaDbShop.USER, MariaDbShop.PASSWORD, unlogged.port(),
          List.of("checks.orders"));
      assertThatThrownBy(() -> GatewayService.preflight(config))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("MariaDB at 127.0.0.1:" + unlogged.port() + " runs with log_bin=OFF;"
              + " change capture needs log_bin=ON")
          .hasMessageContaining("[mariadb] section: log_bin, with binlog_format=ROW and binlog_row_image=FULL")
          .hasMessageContaining("restart the server");
    }
  }

  @Test
  void missingTablesAreNamed() throws Exception {
    GatewayConfig config = checksConfig(List.of("checks.orders", "checks.ghost", "nowhere.orders", "checks.Orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessageContaining("Tables checks.ghost, nowhere.orders, checks.Orders do not exist in MariaDB at 127.0.0.1:"
            + mariadb.port())
        .hasMessageContaining("each written database.table, names are case-sensitive");
  }

  @Test
  void tablesWithoutPrimaryKeyPassTheChecksWithoutAKey() throws Exception {
    GatewayConfig config = checksConfig(List.of("checks.orders", "checks.nokey"));
    // Full row images (checked) carry whole rows for their updates and deletes.
    assertThat(StartupChecks.keysOf(config)).containsEntry(new TableId("checks", "checks", "nokey"), List.of())
        .containsEntry(new TableId("checks", "checks", "orders"), List.of("id"));
  }

  @Test
  void missingReplicationPrivilegesAndUnreadableTablesAreNamedWithTheGrant() throws Exception {
    mariadb.createUser("reader", "reader-pw");
    mariadb.execute("", "GRANT SELECT ON `checks`.* TO 'reader'@'localhost'", "GRANT RELOAD ON *.* TO 'reader'@'localhost'");
    GatewayConfig reader = checksConfig("reader", "reader-pw", mariadb.port(), List.of("checks.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(reader))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("User 'reader' of MariaDB at 127.0.0.1:" + mariadb.port() + " lacks the global privileges"
            + " REPLICATION SLAVE, BINLOG MONITOR, SHOW DATABASES")
        .hasMessageContaining("GRANT REPLICATION SLAVE, BINLOG MONITOR, SHOW DATABASES ON *.* TO 'reader'@'<host>'");

    mariadb.createUser("streamer", "streamer-pw");
    mariadb.execute("", "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'streamer'@'localhost'",
        "GRANT SELECT ON `checks`.`items` TO 'streamer'@'localhost'");
    GatewayConfig streamer = checksConfig("streamer", "streamer-pw", mariadb.port(),
        List.of("checks.items", "checks.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(streamer))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessageContaining("Table checks.orders does not exist in MariaDB")
        .hasMessageContaining("and that user 'streamer' has SELECT on them");
    // A table the user sees (it may insert) but may not read.
    mariadb.execute("", "GRANT INSERT ON `checks`.`orders` TO 'streamer'@'localhost'");
    assertThatThrownBy(() -> GatewayService.preflight(streamer))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("User 'streamer' of MariaDB at 127.0.0.1:" + mariadb.port() + " may not read table"
            + " checks.orders, which the snapshot reads")
        .hasMessageContaining("GRANT SELECT ON `checks`.* TO 'streamer'@'<host>'");
  }

  @Test
  void columnSelectionsNameUnknownColumnsAndKeysLeftOut() throws Exception {
    GatewayConfig base = checksConfig(List.of("checks.items"));
    SourceConfig source = base.source();
    SourceConfig selecting = new SourceConfig(source.name(), source.connector(), source.host(), source.port(),
        source.database(), source.user(), source.password(), source.tables(), source.slotName(),
        source.publicationName(), source.serverId(), source.snapshotMode(), source.connectTimeout(), source.debezium(),
        Map.of(source.tables().get(0), new ColumnSelection(java.util.Optional.of(List.of("order_id", "qty", "colour")),
            List.of())), source.unsupportedTypes(), source.tls());
    GatewayConfig config = new GatewayConfig(selecting, base.stateDirectory(), base.segments(), base.heartbeatInterval(),
        base.offsetCommitInterval(), base.startupTimeout(), base.shutdownTimeout(), base.kafka(), base.staging());
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("Invalid source.columns.checks.items for MariaDB at 127.0.0.1:" + mariadb.port())
        .hasMessageContaining("it has no column colour")
        .hasMessageContaining("key column line must be captured");
  }
}
