package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresServerIT {
  private static PostgresServer postgres;

  @BeforeAll
  static void startServer() {
    postgres = PostgresServer.builder(ItDirectories.fresh("postgres")).discardDataOnClose().build();
    postgres.start();
  }

  @AfterAll
  static void stopServer() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void servesLogicalDecodingOnLoopbackOnly() throws SQLException {
    postgres.createDatabase("inventory");

    assertThat(postgres.state()).isEqualTo(ServerState.RUNNING);
    assertThat(postgres.host()).isEqualTo("127.0.0.1");
    assertThat(postgres.jdbcUrl("inventory")).isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/inventory");
    try (Connection connection = postgres.connect("inventory"); Statement statement = connection.createStatement()) {
      assertThat(single(statement, "SHOW wal_level")).isEqualTo("logical");
      assertThat(single(statement, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
      assertThat(single(statement, "SELECT host(inet_server_addr())")).isEqualTo("127.0.0.1");
      assertThat(Integer.parseInt(single(statement, "SHOW max_replication_slots"))).isGreaterThanOrEqualTo(10);
      assertThat(Integer.parseInt(single(statement, "SHOW max_wal_senders"))).isGreaterThanOrEqualTo(10);
      assertThat(single(statement, "SHOW max_connections")).isEqualTo("100");

      statement.execute("SELECT pg_create_logical_replication_slot('tributary_it', 'pgoutput')");
      assertThat(single(statement,
          "SELECT plugin || '/' || database FROM pg_replication_slots WHERE slot_name = 'tributary_it'"))
          .isEqualTo("pgoutput/inventory");
      statement.execute("SELECT pg_drop_replication_slot('tributary_it')");
      assertThat(single(statement, "SELECT count(*) FROM pg_replication_slots")).isEqualTo("0");
    }
  }

  @Test
  void requiresTheRightPassword() throws SQLException {
    postgres.createDatabase("accounts");
    postgres.createUser("reader", "s3cret'pw", PostgresRoleOption.REPLICATION);
    postgres.execute("accounts",
        "CREATE TABLE balance (id int PRIMARY KEY, amount numeric)",
        "INSERT INTO balance VALUES (1, 10.5)",
        "GRANT SELECT ON balance TO reader");

    try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("accounts"), "reader", "s3cret'pw");
        Statement statement = connection.createStatement()) {
      assertThat(single(statement, "SELECT amount FROM balance WHERE id = 1")).isEqualTo("10.5");
      assertThat(single(statement, "SELECT rolreplication FROM pg_roles WHERE rolname = current_user")).isEqualTo("t");
    }
    assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl("accounts"), "reader", "wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed for user \"reader\"");
    assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl("accounts"), PostgresServer.SUPERUSER, "wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed for user \"postgres\"");
    assertThatThrownBy(() -> postgres.execute("accounts", "SELECT 1", "SELECT * FROM missing"))
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("Statement 2 of 2 failed on database 'accounts'")
        .hasMessageContaining("relation \"missing\" does not exist");
  }

  @Test
  void restartKeepsPortAndDataAndCloseReleasesThePortAndDiscardsTheData() throws SQLException {
    PostgresServer server = PostgresServer.builder(ItDirectories.fresh("postgres-restart"))
        .superuserPassword("fixture")
        .discardDataOnClose().build();
    try (server) {
      server.start();
      server.execute("postgres", "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (42)");
      int port = server.port();

      server.restart();

      assertThat(server.port()).isEqualTo(port);
      assertThat(server.state()).isEqualTo(ServerState.RUNNING);
      try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "fixture");
          Statement statement = connection.createStatement()) {
        assertThat(single(statement, "SELECT id FROM kept")).isEqualTo("42");
      }
    }
    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
    assertThat(server.directory().resolve("data")).doesNotExist();
    assertThat(server.directory().resolve("postgres.log")).isRegularFile();
    server.close();
    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
    await().atMost(Duration.ofSeconds(10)).until(() -> Loopback.isBindable(server.port()));
    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("it is STOPPED");
  }

  @Test
  void aFailedStartQuotesTheServerLog() {
    try (PostgresServer server = PostgresServer.builder(ItDirectories.fresh("postgres-bad-config"))
        .serverConfig("shared_buffers", "plenty").discardDataOnClose().build()) {
      assertThatThrownBy(server::start)
          .isInstanceOf(FixtureException.class)
          .hasMessageContaining("the last lines of " + server.directory().resolve("postgres.log"))
          .hasMessageContaining("shared_buffers");
      assertThat(server.state()).isEqualTo(ServerState.FAILED);
    }
  }

  private static String single(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      assertThat(rows.next()).as("a row from %s", sql).isTrue();
      String value = rows.getString(1);
      assertThat(rows.next()).as("a single row from %s", sql).isFalse();
      return value;
    }
  }
}
