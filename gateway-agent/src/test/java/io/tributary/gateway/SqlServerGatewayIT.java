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
import org.testcontainers.mssqlserver.MSSQLServerContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The gateway against a real SQL Server 2022 (change data capture, SQL Server Agent on) in a container
 * and a real Kafka broker. Skipped where Docker is missing.
 */
@Testcontainers(disabledWithoutDocker = true)
class SqlServerGatewayIT {
  private static final String USER = "capture";
  private static final String PASSWORD = "Gw-secret-2026";
  private static final int PRELOADED = 400;

  @Container
  private static final MSSQLServerContainer MSSQL = LoopbackPorts.publish(
      new MSSQLServerContainer(DockerImageName.parse("mcr.microsoft.com/mssql/server:2022-latest"))
          .acceptLicense()
          .withEnv("MSSQL_AGENT_ENABLED", "true"),
      MSSQLServerContainer.MS_SQL_SERVER_PORT);

  private static KafkaBroker kafka;

  @BeforeAll
  static void startServers() throws IOException, SQLException {
    kafka = KafkaBroker.builder(fresh("kafka")).discardDataOnClose().build();
    kafka.start();
    admin("master").execute("CREATE LOGIN " + USER + " WITH PASSWORD = '" + PASSWORD + "'",
        "CREATE DATABASE checks", "CREATE DATABASE plain");
    // checks: CDC on the database and on orders and nokey only; plain: no CDC at all.
    JdbcShop checks = captureDatabase("checks");
    checks.create();
    enableCdc(checks, "orders", "nokey");
    JdbcShop plain = admin("plain");
    plain.execute("CREATE USER " + USER + " FOR LOGIN " + USER, "ALTER ROLE db_owner ADD MEMBER " + USER);
    plain.create();
  }

  @AfterAll
  static void stopServers() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static int port() {
    return MSSQL.getMappedPort(MSSQLServerContainer.MS_SQL_SERVER_PORT);
  }

  /** Database {@code database} as the server's administrator sees it; the shop is in schema dbo. */
  private static JdbcShop admin(String database) {
    return new JdbcShop(JdbcShop.Dialect.SQLSERVER, "jdbc:sqlserver://127.0.0.1:" + port() + ";databaseName="
        + database + ";encrypt=true;trustServerCertificate=true", "sa", MSSQL.getPassword(), "dbo");
  }

  /** A new database with change data capture on, in which the capture user is an owner. */
  private static JdbcShop captureDatabase(String database) throws SQLException {
    JdbcShop shop = admin(database);
    shop.execute("EXEC sys.sp_cdc_enable_db", "CREATE USER " + USER + " FOR LOGIN " + USER,
        "ALTER ROLE db_owner ADD MEMBER " + USER);
    return shop;
  }

  private static void enableCdc(JdbcShop shop, String... tables) throws SQLException {
    for (String table : tables) {
      shop.execute("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'" + table + "',"
          + " @role_name = NULL, @supports_net_changes = 0");
    }
  }

  private static Path fresh(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), prefix + "-")
        .toAbsolutePath();
  }

  private static GatewayConfig config(String database, String user, String password, String topic,
      List<String> tables) throws IOException {
    String yaml = """
        source:
          name: %s
          connector: sqlserver
          host: 127.0.0.1
          port: %d
          database: %s
          user: %s
          password: %s
          tables: [%s]
          tls: trust-server-certificate
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
        """.formatted(database, port(), database, user, password, String.join(", ", tables),
        kafka.bootstrapServers(), topic);
    ConfigReader root = ConfigReader.fromYaml(yaml, "it.yaml", name -> null);
    GatewayConfig config = GatewayConfig.from(root, fresh("gateway-" + database));
    root.throwIfInvalid();
    return config;
  }

  @Test
  void snapshotThenStreamedChangesAreStagedAndAnnouncedInPositionOrder() throws Exception {
    admin("master").execute("CREATE DATABASE shop");
    JdbcShop shop = captureDatabase("shop");
    shop.create();
    enableCdc(shop, JdbcShop.TABLES.toArray(String[]::new));
    shop.preload(PRELOADED);
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
              replica.rows(new TableId("shop", "dbo", table))));
        }
        assertThat(differences.toString()).isEmpty();
      });

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
      assertThat(streamedManifests).containsOnlyKeys(new TableId("shop", "dbo", "customers"),
          new TableId("shop", "dbo", "orders"), new TableId("shop", "dbo", "items"));
      // The workload may change orders before the snapshot's consistent point: the metric is held to
      // what was staged.
      TableId orders = new TableId("shop", "dbo", "orders");
      assertThat(replica.snapshotReads(orders)).isGreaterThan(PRELOADED / 2);
      assertThat(registry.get("tributary.gateway.snapshot.rows").tag("table", "shop.dbo.orders").counter().count())
          .isEqualTo((double) replica.snapshotReads(orders));
      for (String op : List.of("c", "u", "d")) {
        assertThat(registry.get("tributary.gateway.events.captured").tag("table", "shop.dbo.orders").tag("op", op)
            .counter().count()).as("op %s on orders", op).isPositive();
      }
      assertThat(gateway.status().tables().get(new TableId("shop", "dbo", "orders")).lastStagedPosition())
          .hasValueSatisfying(position -> assertThat(position.value()).startsWith("0000000000000001-"));
      assertThat(Files.exists(config.stateDirectory().resolve("schema-history.jsonl"))).isTrue();
    } finally {
      executor.shutdownNow();
    }
  }

  // ---- start-up checks on the real server ----

  @Test
  void wrongPasswordIsReportedWithUserAndServer() throws Exception {
    GatewayConfig config = config("checks", USER, "wrong", "checks.manifests", List.of("dbo.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("Cannot log in to SQL Server database 'checks' at 127.0.0.1:" + port()
            + " as user 'capture'")
        .hasMessageContaining("Login failed for user 'capture'")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void aDatabaseWithoutChangeDataCaptureIsRefusedWithTheProcedureToRun() throws Exception {
    GatewayConfig config = config("plain", USER, PASSWORD, "plain.manifests", List.of("dbo.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("Change data capture is not enabled on SQL Server database 'plain' at 127.0.0.1:"
            + port())
        .hasMessageContaining("USE [plain]; EXEC sys.sp_cdc_enable_db;");
  }

  @Test
  void tablesNotTrackedByChangeDataCaptureAreNamedWithTheProcedureToRun() throws Exception {
    GatewayService.preflight(config("checks", USER, PASSWORD, "checks.manifests", List.of("dbo.orders")));
    GatewayConfig config = config("checks", USER, PASSWORD, "checks.manifests",
        List.of("dbo.orders", "dbo.customers", "dbo.items"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("Tables dbo.customers, dbo.items are not tracked by change data capture in SQL Server"
            + " database 'checks' at 127.0.0.1:" + port())
        .hasMessageContaining("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'customers',"
            + " @role_name = NULL;");
  }

  @Test
  void missingTablesAndTablesWithoutPrimaryKeyAreNamed() throws Exception {
    GatewayConfig missing = config("checks", USER, PASSWORD, "checks.manifests",
        List.of("dbo.orders", "dbo.ghost", "dbo.Orders"));
    assertThatThrownBy(() -> GatewayService.preflight(missing))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessageContaining("Tables dbo.ghost, dbo.Orders do not exist in SQL Server database 'checks'")
        .hasMessageContaining("each written schema.table, names are case-sensitive");

    // Tables without a primary key pass: CDC records their changes with whole rows.
    GatewayConfig keyless = config("checks", USER, PASSWORD, "checks.manifests", List.of("dbo.orders", "dbo.nokey"));
    assertThat(StartupChecks.keysOf(keyless)).containsEntry(new TableId("checks", "dbo", "nokey"), List.of());
  }
}
