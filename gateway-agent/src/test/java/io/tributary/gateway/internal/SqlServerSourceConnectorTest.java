package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.Loopback;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SQL Server connector's settings and messages that need no server (SqlServerGatewayIT has the rest). */
class SqlServerSourceConnectorTest {
  private static GatewayConfig config(int port, String tls) {
    ConfigReader root = ConfigReader.fromYaml("""
        source:
          name: erp
          connector: sqlserver
          host: 127.0.0.1
          port: %d
          database: erp
          user: capture
          password: ${env:PW}
          tables: [dbo.orders, sales.order_lines]
          connect-timeout: 1s
          tls: %s
          columns:
            dbo.orders:
              exclude: [notes]
        kafka:
          bootstrap-servers: 127.0.0.1:9092
        """.formatted(port, tls), "gateway.yaml", Map.of("PW", "pw")::get);
    GatewayConfig config = GatewayConfig.from(root, Path.of("/var/lib/tributary"));
    root.throwIfInvalid();
    return config;
  }

  @Test
  void debeziumReadsTheChangeTablesOfTheConfiguredDatabaseAndTables() {
    GatewayConfig config = config(1433, "verify");
    SourceConnector connector = SourceConnector.of(config.source().connector());
    assertThat(connector).isInstanceOf(SqlServerSourceConnector.class);
    Map<String, String> properties = connector.debeziumProperties(config);

    assertThat(properties).containsEntry("connector.class", "io.debezium.connector.sqlserver.SqlServerConnector")
        .containsEntry("database.hostname", "127.0.0.1")
        .containsEntry("database.port", "1433")
        .containsEntry("database.user", "capture")
        .containsEntry("database.password", "pw")
        .containsEntry("database.names", "erp")
        .containsEntry("database.encrypt", "true")
        .containsEntry("database.trustServerCertificate", "false")
        .containsEntry("table.include.list", "dbo\\.orders,sales\\.order_lines")
        .containsEntry("column.exclude.list", "\\Qdbo\\E\\.\\Qorders\\E\\.(?:\\Qnotes\\E)")
        .containsEntry("snapshot.mode", "initial")
        .containsEntry("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory")
        .containsEntry("schema.history.internal.file.filename",
            Path.of("/var/lib/tributary/gateway/schema-history.jsonl").toString())
        .containsEntry("include.schema.changes", "false")
        .containsEntry("provide.transaction.metadata", "false")
        .doesNotContainKeys("database.server.id", "database.include.list", "database.dbname");
    assertThat(properties.keySet()).allSatisfy(key -> assertThat(SourceConfig.MANAGED_DEBEZIUM_PROPERTIES.contains(key)
        || key.startsWith("schema.history.internal.")).as(key).isTrue());
    assertThat(connector.positions(new SnapshotSequencer(() -> 1))).isInstanceOf(SqlServerPositions.class);
  }

  @Test
  void tlsMapsToTheDriversEncryptAndTrustServerCertificate() {
    assertThat(SqlServerSourceConnector.tlsProperties(config(1433, "verify").source()))
        .containsOnly(Map.entry("encrypt", "true"), Map.entry("trustServerCertificate", "false"));
    assertThat(SqlServerSourceConnector.tlsProperties(config(1433, "trust-server-certificate").source()))
        .containsOnly(Map.entry("encrypt", "true"), Map.entry("trustServerCertificate", "true"));
    assertThat(SqlServerSourceConnector.tlsProperties(config(1433, "strict").source()))
        .containsOnly(Map.entry("encrypt", "strict"), Map.entry("trustServerCertificate", "false"));
    assertThat(SqlServerSourceConnector.tlsProperties(config(1433, "disable").source()))
        .containsOnly(Map.entry("encrypt", "false"), Map.entry("trustServerCertificate", "false"));
  }

  @Test
  void cdcProblemsNameTheSqlThatFixesThem() {
    SourceConfig source = config(1433, "verify").source();
    TributaryException notEnabled = GatewayErrors.cdcNotEnabled(source);
    assertThat(notEnabled.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    assertThat(notEnabled).hasMessageContaining("Change data capture is not enabled on SQL Server database 'erp' at"
            + " 127.0.0.1:1433")
        .hasMessageContaining("USE [erp]; EXEC sys.sp_cdc_enable_db;")
        .hasMessageContaining("SQL Server Agent");

    TributaryException untracked = GatewayErrors.tablesNotTrackedByCdc(source,
        List.of(new TableId("erp", "dbo", "orders"), new TableId("erp", "sales", "o'lines")));
    assertThat(untracked.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    assertThat(untracked).hasMessageContaining("Tables dbo.orders, sales.o'lines are not tracked by change data capture"
            + " in SQL Server database 'erp' at 127.0.0.1:1433")
        .hasMessageContaining("USE [erp]; EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name ="
            + " N'orders', @role_name = NULL; EXEC sys.sp_cdc_enable_table @source_schema = N'sales', @source_name ="
            + " N'o''lines', @role_name = NULL;");

    assertThat(GatewayErrors.tablesNotReadable(source, List.of(new TableId("erp", "dbo", "orders"))))
        .hasMessageContaining("User 'capture' of SQL Server database 'erp' at 127.0.0.1:1433 may not read table"
            + " dbo.orders")
        .hasMessageContaining("GRANT SELECT ON [dbo].[orders] TO [capture];");
    assertThat(GatewayErrors.tablesNotFound(source, List.of(new TableId("erp", "dbo", "ghost"))))
        .hasMessageContaining("Table dbo.ghost does not exist in SQL Server database 'erp' at 127.0.0.1:1433")
        .hasMessageContaining("each written schema.table");
    assertThat(GatewayErrors.databaseNotFound(source, "Cannot open database \"erp\" requested by the login."))
        .hasMessageContaining("SQL Server at 127.0.0.1:1433 has no database 'erp' (or login 'capture' has no user in"
            + " it)");
    assertThat(GatewayErrors.changesLost(source, "0000002a:00000a48:0003", "0000002b:00000010:0001",
        Path.of("/state")))
        .hasMessageContaining("The change tables of SQL Server database 'erp' at 127.0.0.1:1433 no longer hold the"
            + " changes after LSN 0000002a:00000a48:0003 (the oldest they hold starts at 0000002b:00000010:0001)")
        .hasMessageContaining("EXEC sys.sp_cdc_change_job @job_type = N'cleanup', @retention = <minutes>");
    assertThat(GatewayErrors.sourceAuthFailed(source, "Login failed for user 'capture'."))
        .hasMessageContaining("Cannot log in to SQL Server database 'erp' at 127.0.0.1:1433 as user 'capture'")
        .hasMessageContaining("mixed mode authentication");
  }

  @Test
  void anUnreachableServerIsNamedWithHostPortAndTheTlsKey() {
    int port = Loopback.freePort();
    GatewayConfig config = config(port, "trust-server-certificate");
    assertThatThrownBy(() -> new SqlServerSourceConnector().preflight(config, false))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_UNREACHABLE))
        .hasMessageContaining("Cannot reach SQL Server at 127.0.0.1:" + port + " (database 'erp')")
        .hasMessageContaining("Check source.host and source.port")
        .hasMessageContaining("see source.tls");
    assertThat(new SqlServerSourceConnector().estimateRows(config)).as("never fails").isEmpty();
  }
}
