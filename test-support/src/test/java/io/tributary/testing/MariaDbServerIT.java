package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MariaDbServerIT {
  private static final Path BINARIES = Path.of("target", "mariadb-binaries");
  private static MariaDbServer mariadb;

  @BeforeAll
  static void startServer() {
    mariadb = MariaDbServer.builder(ItDirectories.fresh("mariadb")).binariesDirectory(BINARIES).discardDataOnClose().build();
    mariadb.start();
  }

  @AfterAll
  static void stopServer() {
    if (mariadb != null) {
      mariadb.close();
    }
  }

  @Test
  void servesARowBinlogOnLoopbackOnly() throws SQLException {
    assertThat(mariadb.state()).isEqualTo(ServerState.RUNNING);
    assertThat(mariadb.jdbcUrl("shop")).isEqualTo("jdbc:mariadb://127.0.0.1:" + mariadb.port() + "/shop");
    try (Connection connection = mariadb.connect(""); Statement statement = connection.createStatement()) {
      assertThat(single(statement, "SELECT VERSION()")).startsWith(MariaDbServer.VERSION + "-MariaDB");
      assertThat(single(statement, "SELECT @@global.bind_address")).isEqualTo("127.0.0.1");
      assertThat(single(statement, "SELECT @@global.log_bin")).isEqualTo("1");
      assertThat(single(statement, "SELECT @@global.binlog_format")).isEqualTo("ROW");
      assertThat(single(statement, "SELECT @@global.binlog_row_image")).isEqualTo("FULL");
      assertThat(single(statement, "SELECT @@global.server_id")).isEqualTo(Long.toString(mariadb.serverId()));
      assertThat(single(statement, "SELECT @@global.skip_networking")).isEqualTo("0");
      // Every account needs a password: no anonymous users, root only at localhost.
      assertThat(single(statement, "SELECT COUNT(*) FROM mysql.user WHERE user = '' OR (user = 'root' AND host <> 'localhost')"))
          .isEqualTo("0");
    }
    assertThatThrownBy(() -> DriverManager.getConnection(mariadb.jdbcUrl(""), MariaDbServer.ROOT, ""))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Access denied for user 'root'@'localhost'");
  }

  @Test
  void captureUserReadsTheDatabaseAndTheBinlogOnly() throws SQLException {
    mariadb.createDatabase("shop");
    mariadb.createDatabase("payroll");
    mariadb.execute("shop", "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2))",
        "INSERT INTO orders VALUES (1, 10.50)");
    mariadb.execute("payroll", "CREATE TABLE salaries (id INT PRIMARY KEY)");
    mariadb.createCaptureUser("capture", "s3cret'pw", "shop");

    try (Connection connection = DriverManager.getConnection(mariadb.jdbcUrl("shop"), "capture", "s3cret'pw");
        Statement statement = connection.createStatement()) {
      assertThat(single(statement, "SELECT total FROM orders WHERE id = 1")).isEqualTo("10.50");
      List<String> grants = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery("SHOW GRANTS")) {
        while (rows.next()) {
          grants.add(rows.getString(1));
        }
      }
      assertThat(grants).anySatisfy(grant -> assertThat(grant)
          .contains("RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "BINLOG MONITOR").contains("ON *.*"));
      try (ResultSet rows = statement.executeQuery("SHOW BINARY LOGS")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).startsWith("binlog.");
      }
      assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM payroll.salaries"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("denied");
    }
    assertThatThrownBy(() -> DriverManager.getConnection(mariadb.jdbcUrl("shop"), "capture", "wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Access denied for user 'capture'@'localhost'");
    assertThatThrownBy(() -> mariadb.execute("shop", "SELECT 1", "SELECT * FROM missing"))
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("Statement 2 of 2 failed on database 'shop'")
        .hasMessageContaining("doesn't exist");
  }

  @Test
  void restartKeepsPortAndDataAndCloseStopsTheServerItStarted() throws Exception {
    MariaDbServer server = MariaDbServer.builder(ItDirectories.fresh("mariadb-restart"))
        .binariesDirectory(BINARIES)
        .rootPassword("fixture")
        .serverId(7)
        .discardDataOnClose().build();
    long pid;
    try (server) {
      server.start();
      server.createDatabase("kept");
      server.execute("kept", "CREATE TABLE kept (id INT PRIMARY KEY)", "INSERT INTO kept VALUES (42)");
      int port = server.port();

      server.restart();

      assertThat(server.port()).isEqualTo(port);
      assertThat(server.state()).isEqualTo(ServerState.RUNNING);
      try (Connection connection = DriverManager.getConnection(server.jdbcUrl("kept"), "root", "fixture");
          Statement statement = connection.createStatement()) {
        assertThat(single(statement, "SELECT id FROM kept")).isEqualTo("42");
        assertThat(single(statement, "SELECT @@global.server_id")).isEqualTo("7");
      }
      pid = Long.parseLong(Files.readString(server.directory().resolve("mariadb.pid")).trim());
      assertThat(ProcessHandle.of(pid)).hasValueSatisfying(process -> assertThat(process.isAlive()).isTrue());
    }
    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    server.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> Loopback.isBindable(server.port()));
    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("it is STOPPED");
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
