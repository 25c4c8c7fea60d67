package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.MariaDbServer;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The source-side scripts of {@code deploy/sql/} run as written against real PostgreSQL and
 * MariaDB, and a gateway logged in as the user they create, with no other right, snapshots and
 * streams the tables they name. The PostgreSQL case also runs the compose example's database
 * ({@code deploy/gateway/compose/shop.sql}) and gateway configuration.
 */
class SourcePrerequisitesIT {
  private static final Path DEPLOY = Path.of("..", "deploy");
  /** The password the scripts set, replaced here by a fresh one. */
  private static final String SCRIPT_PASSWORD = "'change-me'";
  private static final String PASSWORD_VARIABLE = "TRIBUTARY_SOURCE_PASSWORD";

  private static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() throws IOException {
    kafka = KafkaBroker.builder(fresh("kafka")).discardDataOnClose().build();
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void postgresScriptGrantsEnoughToSnapshotAndStreamAndNoMore() throws Exception {
    try (PostgresServer postgres = PostgresServer.builder(fresh("postgres"))
        .binariesDirectory(Path.of("target", "postgres-binaries")).discardDataOnClose().build()) {
      postgres.start();
      postgres.createDatabase("shop");
      String password = "pw-" + UUID.randomUUID();
      try (Connection admin = postgres.connect("shop")) {
        run(admin, Files.readString(DEPLOY.resolve("gateway/compose/shop.sql")));
        run(admin, Files.readString(DEPLOY.resolve("sql/postgresql.sql")).replace(SCRIPT_PASSWORD, "'" + password + "'"));
        // Least privilege: no superuser, no role membership, owns nothing; reads only what it captures.
        assertThat(single(admin, "SELECT rolsuper::text || rolreplication::text || rolcreatedb::text || rolcreaterole::text"
            + " FROM pg_roles WHERE rolname = 'tributary'")).isEqualTo("falsetruefalsefalse");
        assertThat(single(admin, "SELECT count(*)::text FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
            + " WHERE r.rolname = 'tributary'")).isEqualTo("0");
        assertThat(single(admin, "SELECT count(*)::text FROM pg_class WHERE relowner ="
            + " (SELECT oid FROM pg_roles WHERE rolname = 'tributary')")).isEqualTo("0");
      }

      Path work = fresh("gateway-postgres");
      GatewayConfig config = config(Files.readString(DEPLOY.resolve("gateway/compose/gateway.yaml")), password,
          Map.of("source.host", "127.0.0.1", "source.port", Integer.toString(postgres.port()),
              "source.connect-timeout", "5s", "gateway.segment.max-age", "300ms",
              "kafka.bootstrap-servers", kafka.bootstrapServers(), "kafka.topic", "prerequisites.postgres",
              "staging.location", work.resolve("staging").toUri().toString()), work);
      captureAndCompare(config, "prerequisites.postgres", List.of(new TableId("shop", "public", "customers"),
          new TableId("shop", "public", "orders")), () -> postgres.connect("shop"), "public.");

      // Without the script's read grant the gateway refuses to start, naming the grant, instead of
      // retrying a failing snapshot for ever.
      postgres.execute("shop", "REVOKE SELECT ON public.orders FROM tributary");
      Path again = fresh("gateway-postgres-unreadable");
      GatewayConfig unreadable = config(Files.readString(DEPLOY.resolve("gateway/compose/gateway.yaml")), password,
          Map.of("source.host", "127.0.0.1", "source.port", Integer.toString(postgres.port()),
              "source.slot-name", "tributary_unreadable", "kafka.bootstrap-servers", kafka.bootstrapServers(),
              "staging.location", again.resolve("staging").toUri().toString()), again);
      try (GatewayService gateway = new GatewayService(unreadable, Clock.systemUTC(), new SimpleMeterRegistry())) {
        assertThatThrownBy(gateway::start).isInstanceOf(TributaryException.class)
            .hasMessageContaining("may not read table public.orders")
            .hasMessageContaining("GRANT SELECT ON public.orders TO tributary");
      }
    }
  }

  @Test
  void mariadbScriptGrantsEnoughToSnapshotAndStream() throws Exception {
    try (MariaDbServer mariadb = MariaDbServer.builder(fresh("mariadb"))
        .binariesDirectory(Path.of("target", "mariadb-binaries")).discardDataOnClose().build()) {
      mariadb.start();
      mariadb.createDatabase("shop");
      String password = "pw-" + UUID.randomUUID();
      try (Connection admin = mariadb.connect("shop")) {
        run(admin, """
            CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(100) NOT NULL);
            CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount decimal(12,2) NOT NULL,
              status varchar(20) NOT NULL);
            INSERT INTO customers SELECT seq, concat('customer ', seq) FROM seq_1_to_100;
            INSERT INTO orders SELECT seq, 1 + seq % 100, round((seq % 1000) * 1.25, 2), 'new' FROM seq_1_to_1000;
            """);
        run(admin, Files.readString(DEPLOY.resolve("sql/mariadb.sql")).replace(SCRIPT_PASSWORD, "'" + password + "'"));
        // Every row of the user's grants: the global ones, then one per database.
        List<String> grants = rows(admin, "SHOW GRANTS FOR 'tributary'@'%'");
        assertThat(grants).noneMatch(grant -> grant.contains("ALL PRIVILEGES") || grant.contains("SUPER"));
        assertThat(grants).filteredOn(grant -> grant.contains(" ON *.* ")).singleElement().asString()
            .doesNotContain("SELECT");
        assertThat(grants).filteredOn(grant -> grant.contains("SELECT")).singleElement().asString()
            .contains("ON `shop`.*");
      }

      Path work = fresh("gateway-mariadb");
      String yaml = Files.readString(DEPLOY.resolve("gateway/examples/mariadb.yaml"));
      GatewayConfig config = config(yaml, password,
          Map.of("source.host", "127.0.0.1", "source.port", Integer.toString(mariadb.port()),
              "source.connect-timeout", "5s", "gateway.segment.max-age", "300ms",
              "kafka.bootstrap-servers", kafka.bootstrapServers(), "kafka.topic", "prerequisites.mariadb",
              "kafka.topic-replication-factor", "1", "staging.location", work.resolve("staging").toUri().toString()),
          work);
      captureAndCompare(config, "prerequisites.mariadb", List.of(new TableId("shop", "shop", "customers"),
          new TableId("shop", "shop", "orders")), () -> mariadb.connect("shop"), "");
    }
  }

  /** The gateway's configuration from a deploy file, pointed at this test's servers. */
  private static GatewayConfig config(String yaml, String password, Map<String, String> overrides, Path dataDir) {
    ConfigReader root = ConfigReader.fromYaml(yaml, "deploy example",
        name -> name.equals(PASSWORD_VARIABLE) ? password : null, overrides);
    GatewayConfig config = GatewayConfig.from(root, dataDir);
    // The launcher serves probes and metrics there and talks to the coordinator; not this test.
    root.section("gateway").string("listen-host", "127.0.0.1", "served by the launcher");
    root.section("gateway").longValue("listen-port", 9451, 0, 65535, "served by the launcher");
    root.leaveToOthers("coordinator");
    root.throwIfInvalid();
    return config;
  }

  /**
   * Runs the gateway, changes the source as an administrator, and waits until the staged rows of
   * every table equal the source's: the snapshot and the streamed changes both arrived.
   */
  private static void captureAndCompare(GatewayConfig config, String topic, List<TableId> tables,
      Supplier<Connection> admin, String schemaPrefix) throws Exception {
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        ManifestLog log = new ManifestLog(kafka.bootstrapServers(), topic);
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      gateway.start();
      try (Connection connection = admin.get(); Statement statement = connection.createStatement()) {
        statement.executeUpdate("INSERT INTO " + schemaPrefix + "orders VALUES (5001, 7, 12.50, 'new')");
        statement.executeUpdate("UPDATE " + schemaPrefix + "orders SET status = 'paid' WHERE id <= 10");
        statement.executeUpdate("DELETE FROM " + schemaPrefix + "orders WHERE id BETWEEN 20 AND 29");
        statement.executeUpdate("UPDATE " + schemaPrefix + "customers SET name = 'renamed' WHERE id = 3");
      }
      StagedReplica replica = new StagedReplica(store);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        if (gateway.state() == GatewayService.State.FAILED) {
          throw new IllegalStateException("the gateway failed", gateway.failure().orElse(null));
        }
        replica.apply(log.next());
        for (TableId table : tables) {
          assertThat(staged(replica, table)).as(table.toString())
              .isEqualTo(source(admin, schemaPrefix + table.table()));
        }
      });
      assertThat(gateway.state()).isEqualTo(GatewayService.State.RUNNING);
    }
  }

  /** Each staged row as its key and text columns (name, or amount and status). */
  private static Map<Long, String> staged(StagedReplica replica, TableId table) {
    Map<Long, String> rows = new TreeMap<>();
    replica.rows(table).forEach((key, row) -> rows.put(((Number) key.get(0)).longValue(), row.containsKey("name")
        ? String.valueOf(row.get("name"))
        : ((BigDecimal) row.get("amount")).toPlainString() + " " + row.get("status")));
    return rows;
  }

  private static Map<Long, String> source(Supplier<Connection> admin, String table)
      throws SQLException {
    boolean customers = table.endsWith("customers");
    Map<Long, String> rows = new TreeMap<>();
    try (Connection connection = admin.get(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(customers ? "SELECT id, name FROM " + table
            : "SELECT id, amount, status FROM " + table)) {
      while (result.next()) {
        rows.put(result.getLong(1), customers ? result.getString(2)
            : result.getBigDecimal(2).toPlainString() + " " + result.getString(3));
      }
    }
    return rows;
  }

  /** Runs a script's statements in order: comment lines dropped, statements ended by semicolons. */
  private static void run(Connection connection, String script) throws SQLException {
    String code = Arrays.stream(script.split("\n")).filter(line -> !line.trim().startsWith("--"))
        .collect(Collectors.joining("\n"));
    List<String> statements = new ArrayList<>();
    for (String statement : code.split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.trim());
      }
    }
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static List<String> rows(Connection connection, String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(query)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
    return rows;
  }

  private static String single(Connection connection, String query) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(query)) {
      result.next();
      return result.getString(1);
    }
  }

  private static Path fresh(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), prefix + "-")
        .toAbsolutePath();
  }
}
