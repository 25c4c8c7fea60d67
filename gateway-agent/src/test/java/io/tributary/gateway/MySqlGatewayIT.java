package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
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
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The gateway against a real MySQL 8 (binlog, GTIDs on) in a container and a real Kafka broker.
 * Skipped where Docker is missing.
 */
@Testcontainers(disabledWithoutDocker = true)
class MySqlGatewayIT {
  private static final String USER = "capture";
  private static final String PASSWORD = "gw-secret";
  private static final int PRELOADED = 400;

  @Container
  private static final MySQLContainer MYSQL = LoopbackPorts.publish(
      new MySQLContainer(DockerImageName.parse("mysql:8.4"))
          .withCommand("--gtid-mode=ON", "--enforce-gtid-consistency=ON", "--server-id=1"),
      MySQLContainer.MYSQL_PORT);

  private static KafkaBroker kafka;

  @BeforeAll
  static void startServers() throws IOException, SQLException {
    kafka = KafkaBroker.builder(fresh("kafka")).discardDataOnClose().build();
    kafka.start();
    admin().execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '" + USER + "'@'%'",
        "CREATE DATABASE checks");
    shop("checks").create();
  }

  @AfterAll
  static void stopServers() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static int port() {
    return MYSQL.getMappedPort(MySQLContainer.MYSQL_PORT);
  }

  /** The shop in database {@code database}, as the server's root user sees it. */
  private static JdbcShop shop(String database) {
    return new JdbcShop(JdbcShop.Dialect.MYSQL, "jdbc:mysql://127.0.0.1:" + port() + "/" + database, "root",
        MYSQL.getPassword(), database);
  }

  private static JdbcShop admin() {
    return shop("mysql");
  }

  private static Path fresh(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), prefix + "-")
        .toAbsolutePath();
  }

  private static GatewayConfig config(String source, String user, String password, String topic, List<String> tables)
      throws IOException {
    String yaml = """
        source:
          name: %s
          connector: mysql
          host: 127.0.0.1
          port: %d
          user: %s
          password: %s
          tables: [%s]
          connect-timeout: 5s
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
        """.formatted(source, port(), user, password, String.join(", ", tables), kafka.bootstrapServers(), topic);
    ConfigReader root = ConfigReader.fromYaml(yaml, "it.yaml", name -> null);
    GatewayConfig config = GatewayConfig.from(root, fresh("gateway-" + source));
    root.throwIfInvalid();
    return config;
  }

  @Test
  void snapshotThenStreamedChangesAreStagedAndAnnouncedInPositionOrder() throws Exception {
    admin().execute("CREATE DATABASE shop");
    JdbcShop shop = shop("shop");
    shop.create();
    shop.preload(PRELOADED);
    shop.execute("ANALYZE TABLE customers, orders, items");
    GatewayConfig config = config("shop", USER, PASSWORD, "shop.manifests", shop.qualifiedTables());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "shop.manifests");
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), registry)) {
      gateway.start();
      assertThat(gateway.state()).isEqualTo(GatewayService.State.RUNNING);
      Future<Integer> workload = executor.submit(shop.workload(PRELOADED, 400));
      assertThat(workload.get()).isEqualTo(400);

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
        for (String table : JdbcShop.TABLES) {
          differences.append(JdbcShop.difference(table, shop.rows(table),
              replica.rows(new TableId("shop", "shop", table))));
        }
        assertThat(differences.toString()).isEmpty();
      });

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
      // The workload may change orders before the snapshot's consistent point: the metric is held to
      // what was staged.
      TableId orders = new TableId("shop", "shop", "orders");
      assertThat(replica.snapshotReads(orders)).isGreaterThan(PRELOADED / 2);
      assertThat(registry.get("tributary.gateway.snapshot.rows").tag("table", "shop.shop.orders").counter().count())
          .isEqualTo((double) replica.snapshotReads(orders));
      for (String op : List.of("c", "u", "d")) {
        assertThat(registry.get("tributary.gateway.events.captured").tag("table", "shop.shop.orders").tag("op", op)
            .counter().count()).as("op %s on orders", op).isPositive();
      }
      assertThat(gateway.status().tables().get(new TableId("shop", "shop", "orders")).lastStagedPosition())
          .hasValueSatisfying(position -> assertThat(position.value()).startsWith("0000000000000001-"));
      assertThat(Files.exists(config.stateDirectory().resolve("schema-history.jsonl"))).isTrue();
    } finally {
      executor.shutdownNow();
    }
  }

  // ---- start-up checks on the real server ----

  private static GatewayConfig checksConfig(String user, String password, List<String> tables) throws IOException {
    return config("checks", user, password, "checks.manifests", tables);
  }

  @Test
  void wrongPasswordIsReportedWithUserAndServer() throws Exception {
    GatewayConfig config = checksConfig(USER, "wrong", List.of("checks.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("Cannot log in to MySQL at 127.0.0.1:" + port() + " as user 'capture'")
        .hasMessageContaining("Access denied for user 'capture'")
        .hasMessageContaining("Check source.user and source.password")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void binlogSettingsChangeCaptureCannotReadAreRefused() throws Exception {
    GatewayConfig config = checksConfig(USER, PASSWORD, List.of("checks.orders"));
    GatewayService.preflight(config);
    try {
      admin().execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
      assertThatThrownBy(() -> GatewayService.preflight(config))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("MySQL at 127.0.0.1:" + port() + " runs with binlog_row_image=MINIMAL; change capture"
              + " needs binlog_row_image=FULL")
          .hasMessageContaining("[mysqld] section");
      admin().execute("SET GLOBAL binlog_row_image = 'FULL'", "SET GLOBAL binlog_row_value_options = 'PARTIAL_JSON'");
      assertThatThrownBy(() -> GatewayService.preflight(config))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("runs with binlog_row_value_options=PARTIAL_JSON; change capture needs"
              + " binlog_row_value_options=''");
    } finally {
      admin().execute("SET GLOBAL binlog_row_image = 'FULL'", "SET GLOBAL binlog_row_value_options = ''");
    }
    GatewayService.preflight(config);
  }

  @Test
  void missingTablesAndTablesWithoutPrimaryKeyAreNamed() throws Exception {
    GatewayConfig missing = checksConfig(USER, PASSWORD, List.of("checks.orders", "checks.ghost", "nowhere.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(missing))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessageContaining("Tables checks.ghost, nowhere.orders do not exist in MySQL at 127.0.0.1:" + port())
        .hasMessageContaining("each written database.table");

    // Tables without a primary key pass: full row images carry whole rows for their updates and deletes.
    GatewayConfig keyless = checksConfig(USER, PASSWORD, List.of("checks.orders", "checks.nokey"));
    assertThat(StartupChecks.keysOf(keyless)).containsEntry(new TableId("checks", "checks", "nokey"), List.of());
  }

  @Test
  void missingReplicationPrivilegesAreNamedWithTheGrant() throws Exception {
    admin().execute("CREATE USER 'reader'@'%' IDENTIFIED BY 'reader-pw'", "GRANT SELECT ON `checks`.* TO 'reader'@'%'");
    GatewayConfig reader = checksConfig("reader", "reader-pw", List.of("checks.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(reader))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("User 'reader' of MySQL at 127.0.0.1:" + port() + " lacks the global privileges"
            + " REPLICATION SLAVE, REPLICATION CLIENT, RELOAD, SHOW DATABASES")
        .hasMessageContaining("GRANT REPLICATION SLAVE, REPLICATION CLIENT, RELOAD, SHOW DATABASES ON *.* TO"
            + " 'reader'@'<host>'");
  }
}
