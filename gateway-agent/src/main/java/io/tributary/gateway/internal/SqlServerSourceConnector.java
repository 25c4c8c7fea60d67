package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL Server through Debezium's SQL Server connector, which reads the change tables that SQL Server's
 * change data capture fills from the transaction log.
 *
 * <p>Tables are {@code schema.table} within {@code source.database}. Change data capture must be
 * enabled on the database ({@code sys.sp_cdc_enable_db}) and on each captured table
 * ({@code sys.sp_cdc_enable_table}), and SQL Server Agent must run: its capture job fills the change
 * tables, its cleanup job empties them after three days by default (a gateway stopped for longer
 * loses changes). The user needs SELECT on the tables (the snapshot) and on their change data
 * (membership of the capture instance's gating role, if it has one).
 *
 * <p>The connector keeps the captured tables' DDL in the gateway's {@link SchemaHistory}. Positions
 * are {@link SqlServerPositions}.
 */
final class SqlServerSourceConnector implements SourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(SqlServerSourceConnector.class);
  private static final String CONNECTOR_CLASS = "io.debezium.connector.sqlserver.SqlServerConnector";
  /** Login failed. */
  private static final int LOGIN_FAILED = 18456;
  /** Cannot open the database requested by the login. */
  private static final int CANNOT_OPEN_DATABASE = 4060;
  /** Names compare case-sensitively, as {@code source.tables} and the change events name tables. */
  private static final String BINARY = " COLLATE Latin1_General_BIN2";

  /** A captured table's row in the catalog. */
  private record CatalogTable(boolean trackedByCdc, List<String> keyColumns) {}

  @Override
  public Map<TableId, List<String>> preflight(GatewayConfig config, boolean resuming) {
    SourceConfig source = config.source();
    try (Connection connection = connect(source)) {
      checkCdcEnabled(connection, source);
      Map<TableId, CatalogTable> tables = catalogTables(connection, source);
      checkTrackedByCdc(source, tables);
      checkReadable(connection, source);
      Map<TableId, List<String>> keys = new LinkedHashMap<>();
      tables.forEach((table, row) -> keys.put(table, row.keyColumns()));
      CatalogQueries.checkColumnSelections(connection, source, keys,
          "SELECT c.name FROM sys.columns c JOIN sys.tables t ON t.object_id = c.object_id"
              + " JOIN sys.schemas s ON s.schema_id = t.schema_id"
              + " WHERE s.name = ?" + BINARY + " AND t.name = ?" + BINARY + " ORDER BY c.column_id");
      noteAgent(connection, source);
      if (resuming) {
        checkChangesRetained(connection, config);
      }
      return keys;
    } catch (SQLException e) {
      throw GatewayErrors.sourceUnreachable(source, e.getMessage(), e);
    }
  }

  @Override
  public Map<TableId, Long> estimateRows(GatewayConfig config) {
    SourceConfig source = config.source();
    // The row counts of the heap or clustered index, kept by the server without reading the table.
    String query = "SELECT SUM(p.rows) FROM sys.partitions p JOIN sys.tables t ON t.object_id = p.object_id"
        + " JOIN sys.schemas s ON s.schema_id = t.schema_id"
        + " WHERE s.name = ?" + BINARY + " AND t.name = ?" + BINARY + " AND p.index_id IN (0, 1)";
    return CatalogQueries.rowEstimates(source, () -> connect(source), query);
  }

  @Override
  public void prepare(GatewayConfig config, boolean snapshotPending) {
    SchemaHistory.discardBeforeSnapshot(config, snapshotPending);
  }

  @Override
  public Map<String, String> debeziumProperties(GatewayConfig config) {
    SourceConfig source = config.source();
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("connector.class", CONNECTOR_CLASS);
    properties.put("database.hostname", source.host());
    properties.put("database.port", Integer.toString(source.port()));
    properties.put("database.user", source.user());
    source.password().ifPresent(password -> properties.put("database.password", password.reveal()));
    properties.put("database.names", source.database());
    // Passed through to the driver, as the start-up checks connect.
    tlsProperties(source).forEach((key, value) -> properties.put("database." + key, value));
    properties.put("table.include.list", PostgresSourceConnector.includeList(source.tables()));
    source.columnExclusions().ifPresent(exclusions -> properties.put("column.exclude.list", exclusions));
    properties.put("snapshot.mode", source.debeziumSnapshotMode());
    SchemaHistory.configure(properties, config);
    properties.put("provide.transaction.metadata", "false");
    return properties;
  }

  @Override
  public PositionExtractor positions(SnapshotSequencer sequencer) {
    return new SqlServerPositions(sequencer);
  }

  /** SQL Server's incremental snapshots write their watermarks to Debezium's signalling table. */
  @Override
  public Optional<String> resyncUnavailable(GatewayConfig config) {
    if (config.source().signalTable().isPresent()) {
      return Optional.empty();
    }
    return Optional.of("resyncs of a SQL Server source need Debezium's signalling table: set"
        + " source.debezium.signal.data.collection to a CDC-enabled table the capture user may write"
        + " (see docs/sources.md)");
  }

  /** The driver's {@code encrypt} and {@code trustServerCertificate} for {@code source.tls}. */
  static Map<String, String> tlsProperties(SourceConfig source) {
    return switch (source.tls()) {
      case VERIFY -> Map.of("encrypt", "true", "trustServerCertificate", "false");
      case TRUST_SERVER_CERTIFICATE -> Map.of("encrypt", "true", "trustServerCertificate", "true");
      case STRICT -> Map.of("encrypt", "strict", "trustServerCertificate", "false");
      case DISABLE -> Map.of("encrypt", "false", "trustServerCertificate", "false");
    };
  }

  @Override
  public Connection connect(SourceConfig source) {
    Properties properties = new Properties();
    properties.setProperty("user", source.user());
    source.password().ifPresent(password -> properties.setProperty("password", password.reveal()));
    properties.setProperty("databaseName", source.database());
    int seconds = (int) Math.max(1, Math.ceil(source.connectTimeout().toMillis() / 1000.0));
    properties.setProperty("loginTimeout", Integer.toString(seconds));
    properties.setProperty("socketTimeout", Long.toString(Math.max(30_000, source.connectTimeout().toMillis())));
    properties.setProperty("applicationName", "tributary-gateway-preflight");
    properties.putAll(tlsProperties(source));
    String url = "jdbc:sqlserver://" + source.host() + ":" + source.port();
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (e.getErrorCode() == LOGIN_FAILED) {
        throw GatewayErrors.sourceAuthFailed(source, message);
      }
      if (e.getErrorCode() == CANNOT_OPEN_DATABASE) {
        throw GatewayErrors.databaseNotFound(source, message);
      }
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw GatewayErrors.sourceUnreachable(source, cause.getMessage() == null ? message : cause.getMessage(), e);
    }
  }

  private static void checkCdcEnabled(Connection connection, SourceConfig source) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT is_cdc_enabled FROM sys.databases WHERE database_id = DB_ID()");
        ResultSet result = statement.executeQuery()) {
      if (!result.next() || !result.getBoolean(1)) {
        throw GatewayErrors.cdcNotEnabled(source);
      }
    }
  }

  /**
   * Each captured table's CDC flag and primary key columns in key order (none for a table without a
   * primary key: CDC records its changes with whole rows); missing tables refused.
   */
  private static Map<TableId, CatalogTable> catalogTables(Connection connection, SourceConfig source)
      throws SQLException {
    List<TableId> missing = new ArrayList<>();
    List<TableId> keyless = new ArrayList<>();
    Map<TableId, CatalogTable> tables = new LinkedHashMap<>();
    String query = "SELECT t.is_tracked_by_cdc, c.name FROM sys.tables t"
        + " JOIN sys.schemas s ON s.schema_id = t.schema_id"
        + " LEFT JOIN sys.indexes i ON i.object_id = t.object_id AND i.is_primary_key = 1"
        + " LEFT JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id"
        + " LEFT JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id"
        + " WHERE s.name = ?" + BINARY + " AND t.name = ?" + BINARY + " ORDER BY ic.key_ordinal";
    CatalogQueries.perTable(connection, query, source.tables(), (table, result) -> {
      boolean found = false;
      boolean tracked = false;
      List<String> columns = new ArrayList<>();
      while (result.next()) {
        found = true;
        tracked = result.getBoolean(1);
        if (result.getString(2) != null) {
          columns.add(result.getString(2));
        }
      }
      if (!found) {
        missing.add(table);
      } else {
        if (columns.isEmpty()) {
          keyless.add(table);
        }
        tables.put(table, new CatalogTable(tracked, List.copyOf(columns)));
      }
    });
    if (!missing.isEmpty()) {
      throw GatewayErrors.tablesNotFound(source, missing);
    }
    if (!keyless.isEmpty()) {
      LOG.info("Tables without a primary key in SQL Server database '{}': {}; their changes are staged with whole rows"
          + " and no key", source.database(), keyless);
    }
    return tables;
  }

  private static void checkTrackedByCdc(SourceConfig source, Map<TableId, CatalogTable> tables) {
    List<TableId> untracked = tables.entrySet().stream().filter(entry -> !entry.getValue().trackedByCdc())
        .map(Map.Entry::getKey).toList();
    if (!untracked.isEmpty()) {
      throw GatewayErrors.tablesNotTrackedByCdc(source, untracked);
    }
  }

  /** The snapshot reads every table: the user must be allowed to SELECT from each. */
  private static void checkReadable(Connection connection, SourceConfig source) throws SQLException {
    List<TableId> denied = new ArrayList<>();
    CatalogQueries.perTable(connection, "SELECT HAS_PERMS_BY_NAME(QUOTENAME(?) + '.' + QUOTENAME(?), 'OBJECT', 'SELECT')",
        source.tables(), (table, result) -> {
          if (!result.next() || result.getInt(1) != 1) {
            denied.add(table);
          }
        });
    if (!denied.isEmpty()) {
      throw GatewayErrors.tablesNotReadable(source, denied);
    }
  }

  /**
   * A gateway that resumes reads the change tables from the commit LSN of its committed offset: the
   * cleanup job must not have removed the changes after it yet, or they are lost (the PostgreSQL slot's
   * counterpart). The oldest change still kept is the smallest {@code start_lsn} of the change tables,
   * as Debezium checks it.
   */
  private static void checkChangesRetained(Connection connection, GatewayConfig config) throws SQLException {
    Optional<String> committed = committedCommitLsn(config);
    if (committed.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT CONVERT(varchar(20), MIN(start_lsn), 2) FROM cdc.change_tables");
        ResultSet result = statement.executeQuery()) {
      String oldest = result.next() ? result.getString(1) : null;
      if (oldest != null && oldest.compareToIgnoreCase(committed.get().replace(":", "")) > 0) {
        throw GatewayErrors.changesLost(config.source(), committed.get(), lsnText(oldest), config.stateDirectory());
      }
    }
  }

  private static Optional<String> committedCommitLsn(GatewayConfig config) {
    try {
      return OffsetFile.committedOffset(config.stateDirectory().resolve("offsets.json"),
              EngineProperties.engineName(config))
          .map(offset -> offset.get("commit_lsn"))
          .map(String::valueOf)
          .filter(lsn -> lsn.replace(":", "").length() == 20);
    } catch (IOException | RuntimeException e) {
      // The run reads the same file again and fails there with the cause.
      return Optional.empty();
    }
  }

  /** {@code 0000002A00000A480003} as SQL Server writes LSNs: {@code 0000002a:00000a48:0003}. */
  private static String lsnText(String hex) {
    String lower = hex.toLowerCase(Locale.ROOT);
    return lower.substring(0, 8) + ":" + lower.substring(8, 16) + ":" + lower.substring(16);
  }

  /**
   * Warns when SQL Server Agent does not run: then nothing fills the change tables and no change is
   * streamed. Seeing the service's state takes VIEW SERVER STATE; without it the check is skipped.
   */
  private static void noteAgent(Connection connection, SourceConfig source) {
    Optional<Boolean> running;
    String unseen = "the server lists no such service";
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT CASE WHEN status = 4 THEN 1 ELSE 0 END FROM sys.dm_server_services"
            + " WHERE servicename LIKE N'SQL Server Agent (%'");
        ResultSet result = statement.executeQuery()) {
      running = result.next() ? Optional.of(result.getBoolean(1)) : Optional.empty();
    } catch (SQLException e) {
      running = Optional.empty();
      unseen = e.getMessage();
    }
    if (running.isEmpty()) {
      LOG.info("Cannot see whether SQL Server Agent runs on {} ({}; seeing it takes VIEW SERVER STATE): its capture"
          + " job must run for changes to reach the change tables", source.address(), unseen);
    } else if (!running.get()) {
      LOG.warn("SQL Server Agent does not run on {}: its capture job fills the change tables, so no change of database"
          + " '{}' is captured until it runs (on Linux: MSSQL_AGENT_ENABLED=true or mssql-conf set"
          + " sqlagent.enabled true)", source.address(), source.database());
    }
  }
}
