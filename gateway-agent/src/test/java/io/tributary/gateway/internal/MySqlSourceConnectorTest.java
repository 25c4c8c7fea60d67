package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.gateway.GatewayConfig;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.Loopback;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The MySQL connector's settings, checks and messages that need no server (MySqlGatewayIT has the rest). */
class MySqlSourceConnectorTest {
  private static GatewayConfig config(String connector, int port) {
    ConfigReader root = ConfigReader.fromYaml("""
        source:
          name: shop
          connector: %s
          host: 127.0.0.1
          port: %d
          user: capture
          password: ${env:PW}
          tables: [shop.orders, billing.invoices]
          server-id: 6100
          connect-timeout: 1s
          columns:
            shop.orders:
              exclude: [payload]
        kafka:
          bootstrap-servers: 127.0.0.1:9092
        """.formatted(connector, port), "gateway.yaml", Map.of("PW", "pw")::get);
    GatewayConfig config = GatewayConfig.from(root, Path.of("/var/lib/tributary"));
    root.throwIfInvalid();
    return config;
  }

  @Test
  void debeziumReadsTheBinlogOfTheConfiguredTablesWithTheGatewaysSchemaHistory() {
    GatewayConfig config = config("mysql", 3306);
    Map<String, String> properties = SourceConnector.of(config.source().connector()).debeziumProperties(config);

    assertThat(properties).containsEntry("connector.class", "io.debezium.connector.mysql.MySqlConnector")
        .containsEntry("database.hostname", "127.0.0.1")
        .containsEntry("database.port", "3306")
        .containsEntry("database.user", "capture")
        .containsEntry("database.password", "pw")
        .containsEntry("database.server.id", "6100")
        .containsEntry("database.include.list", "shop,billing")
        .containsEntry("table.include.list", "shop\\.orders,billing\\.invoices")
        .containsEntry("column.exclude.list", "\\Qshop\\E\\.\\Qorders\\E\\.(?:\\Qpayload\\E)")
        .containsEntry("snapshot.mode", "initial")
        .containsEntry("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory")
        .containsEntry("schema.history.internal.file.filename",
            Path.of("/var/lib/tributary/gateway/schema-history.jsonl").toString())
        .containsEntry("include.schema.changes", "false")
        .containsEntry("provide.transaction.metadata", "false")
        .containsEntry("bigint.unsigned.handling.mode", "precise")
        .containsEntry("enable.time.adjuster", "false")
        .containsEntry("driver.yearIsDateType", "false")
        .containsEntry("converters", "tributaryyear")
        .containsEntry("tributaryyear.type", BinlogYearConverter.class.getName());
    assertThat(SourceConnector.of(config.source().connector()).positions(new SnapshotSequencer(() -> 1)))
        .isInstanceOf(BinlogPositions.class);

    GatewayConfig mariadb = config("mariadb", 3306);
    assertThat(SourceConnector.of(mariadb.source().connector()).debeziumProperties(mariadb))
        .containsEntry("connector.class", "io.debezium.connector.mariadb.MariaDbConnector")
        .containsEntry("schema.history.internal.file.filename",
            properties.get("schema.history.internal.file.filename"))
        .containsEntry("driver.connectionTimeZone", "+00:00")
        .containsEntry("driver.forceConnectionTimeZoneToSession", "true");
  }

  @Test
  void theGatewaysConverterComesAfterTheUsersOwn() {
    assertThat(EngineProperties.withConverter(null, "tributaryyear")).isEqualTo("tributaryyear");
    assertThat(EngineProperties.withConverter(" mine ", "tributaryyear")).isEqualTo("mine,tributaryyear");
  }

  @Test
  void theReplicationPrivilegesAreMySqlsNames() {
    MySqlSourceConnector mysql = new MySqlSourceConnector();
    assertThat(mysql.missingPrivileges(Set.of("SELECT", "RELOAD"))).containsExactly("REPLICATION SLAVE",
        "REPLICATION CLIENT", "SHOW DATABASES");
    // SUPER grants no replication privilege on MySQL.
    assertThat(mysql.missingPrivileges(Set.of("SUPER", "RELOAD", "SHOW DATABASES", "REPLICATION SLAVE")))
        .containsExactly("REPLICATION CLIENT");
    assertThat(mysql.missingPrivileges(Set.of("REPLICATION SLAVE", "REPLICATION CLIENT", "RELOAD", "SHOW DATABASES")))
        .isEmpty();

    MariaDbSourceConnector mariadb = new MariaDbSourceConnector();
    assertThat(mariadb.missingPrivileges(Set.of("REPLICATION SLAVE", "REPLICATION CLIENT", "RELOAD", "SHOW DATABASES")))
        .as("REPLICATION CLIENT is BINLOG MONITOR's old name").isEmpty();
    assertThat(mariadb.missingPrivileges(Set.of("REPLICATION SLAVE", "SUPER", "RELOAD", "SHOW DATABASES")))
        .as("SUPER covered BINLOG MONITOR before 10.5").isEmpty();
    assertThat(mariadb.missingPrivileges(Set.of("RELOAD"))).containsExactly("REPLICATION SLAVE", "BINLOG MONITOR",
        "SHOW DATABASES");
  }

  @Test
  void messagesNameMySqlAndWhatToRun() {
    GatewayConfig config = config("mysql", 3306);
    assertThat(GatewayErrors.binlogSetting(config.source(), "binlog_row_image", "MINIMAL", "FULL"))
        .hasMessage("MySQL at 127.0.0.1:3306 runs with binlog_row_image=MINIMAL; change capture needs"
            + " binlog_row_image=FULL. Set it in the server's configuration ([mysqld] section; SET GLOBAL"
            + " binlog_row_image='FULL' applies to new sessions only) and restart the server.");
    assertThat(GatewayErrors.binlogSetting(config.source(), "binlog_row_value_options", "PARTIAL_JSON", ""))
        .hasMessageContaining("change capture needs binlog_row_value_options=''")
        .hasMessageContaining("SET GLOBAL binlog_row_value_options=''");
    assertThat(GatewayErrors.missingBinlogPrivileges(config.source(), List.of("REPLICATION CLIENT")))
        .extracting(e -> e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED);
    assertThat(GatewayErrors.missingBinlogPrivileges(config.source(), List.of("REPLICATION CLIENT")))
        .hasMessageContaining("User 'capture' of MySQL at 127.0.0.1:3306 lacks the global privilege REPLICATION CLIENT")
        .hasMessageContaining("GRANT REPLICATION CLIENT ON *.* TO 'capture'@'<host>'");
    assertThat(GatewayErrors.tablesNotFound(config.source(), List.of(new TableId("shop", "shop", "ghost"))))
        .hasMessageContaining("Table shop.ghost does not exist in MySQL at 127.0.0.1:3306")
        .hasMessageContaining("each written database.table")
        .hasMessageContaining("MySQL hides the tables a user has no privilege on");
    assertThat(GatewayErrors.binlogLost(config.source(), "binlog.000002", List.of("binlog.000007", "binlog.000009"),
        Path.of("/state")))
        .hasMessageContaining("Binary log file 'binlog.000002' no longer exists on MySQL at 127.0.0.1:3306 (it has"
            + " binlog.000007 to binlog.000009)");
  }

  @Test
  void anUnreachableServerIsNamedWithHostAndPort() {
    int port = Loopback.freePort();
    GatewayConfig config = config("mysql", port);
    assertThatThrownBy(() -> new MySqlSourceConnector().preflight(config, false))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_UNREACHABLE))
        .hasMessageContaining("Cannot reach MySQL at 127.0.0.1:" + port)
        .hasMessageContaining("Check source.host and source.port");
    assertThat(new MySqlSourceConnector().estimateRows(config)).as("never fails").isEmpty();
  }
}
