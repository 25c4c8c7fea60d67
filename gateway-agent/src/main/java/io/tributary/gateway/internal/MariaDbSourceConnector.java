package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB through Debezium's MariaDB connector, reading the server's binary log as a replica would.
 *
 * <p>MariaDB has databases where PostgreSQL has schemas: table {@code shop.orders} is
 * {@code TableId(source, "shop", "orders")}. The server must write its binary log in the form the
 * connector needs ({@code log_bin=ON}, {@code binlog_format=ROW}, {@code binlog_row_image=FULL}), and
 * the user needs REPLICATION SLAVE and BINLOG MONITOR (REPLICATION CLIENT before MariaDB 10.5) to read
 * it, RELOAD for the snapshot's short global read lock, SHOW DATABASES, and SELECT on the tables.
 *
 * <p>The connector keeps the captured tables' DDL in a schema history file in the gateway's state
 * directory: it interprets binlog row events with the table structure of their time. Before a run that
 * still has to snapshot, {@link #prepare} removes that file: the snapshot records the structure anew,
 * and the snapshot barrier guarantees that nothing an earlier, interrupted run streamed was staged.
 */
final class MariaDbSourceConnector implements SourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(MariaDbSourceConnector.class);
  private static final String CONNECTOR_CLASS = "io.debezium.connector.mariadb.MariaDbConnector";
  private static final String SCHEMA_HISTORY_CLASS = "io.debezium.storage.file.history.FileSchemaHistory";
  /** The schema history file, in the gateway's state directory. */
  static final String SCHEMA_HISTORY_FILE = "schema-history.jsonl";
  private static final int ACCESS_DENIED = 1045;
  private static final int TABLE_ACCESS_DENIED = 1142;
  /** BINLOG MONITOR is what MariaDB 10.5 and later call REPLICATION CLIENT; SUPER implies both before 10.5. */
  private static final List<String> BINLOG_PRIVILEGES = List.of("REPLICATION SLAVE", "BINLOG MONITOR", "RELOAD",
      "SHOW DATABASES");

  @Override
  public Map<TableId, List<String>> preflight(GatewayConfig config, boolean resuming) {
    SourceConfig source = config.source();
    try (Connection connection = connect(source)) {
      checkBinlog(connection, source);
      checkPrivileges(connection, source);
      Map<TableId, List<String>> keys = primaryKeys(connection, source);
      checkReadable(connection, source);
      checkColumnSelections(connection, source, keys);
      if (resuming) {
        checkBinlogRetained(connection, config);
      }
      return keys;
    } catch (SQLException e) {
      throw GatewayErrors.sourceUnreachable(source, e.getMessage(), e);
    }
  }

  @Override
  public Map<TableId, Long> estimateRows(GatewayConfig config) {
    SourceConfig source = config.source();
    Map<TableId, Long> estimates = new LinkedHashMap<>();
    // InnoDB's TABLE_ROWS is an estimate from index statistics; NULL for views and some engines.
    String query = "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";
    try (Connection connection = connect(source)) {
      CatalogQueries.perTable(connection, query, source.tables(), (table, result) -> {
        if (result.next() && result.getObject(1) != null && result.getLong(1) >= 0) {
          estimates.put(table, result.getLong(1));
        }
      });
    } catch (SQLException | RuntimeException e) {
      LOG.info("Cannot estimate the row counts of source {} for snapshot progress: {}", source.name(), e.getMessage());
    }
    return estimates;
  }

  @Override
  public void prepare(GatewayConfig config, boolean snapshotPending) {
    if (!snapshotPending) {
      return;
    }
    Path history = schemaHistoryFile(config);
    try {
      if (Files.deleteIfExists(history)) {
        LOG.warn("Removed schema history {} left by a run that did not complete its snapshot: the snapshot records"
            + " the captured tables' structure anew", history);
      }
    } catch (IOException e) {
      throw GatewayErrors.stateDirectoryUnusable(config.stateDirectory(), e);
    }
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
    properties.put("database.server.id", Long.toString(source.serverId()));
    properties.put("connect.timeout.ms", Long.toString(source.connectTimeout().toMillis()));
    properties.put("database.include.list", source.tables().stream().map(TableId::schema).distinct()
        .map(PostgresSourceConnector::escape).collect(Collectors.joining(",")));
    properties.put("table.include.list", PostgresSourceConnector.includeList(source.tables()));
    if (!source.columns().isEmpty()) {
      properties.put("column.exclude.list", source.columns().entrySet().stream()
          .map(entry -> entry.getValue().debeziumExclusion(entry.getKey().schema(), entry.getKey().table()))
          .collect(Collectors.joining(",")));
    }
    properties.put("snapshot.mode", source.snapshotMode());
    properties.put("schema.history.internal", SCHEMA_HISTORY_CLASS);
    properties.put("schema.history.internal.file.filename", schemaHistoryFile(config).toString());
    properties.put("schema.history.internal.store.only.captured.tables.ddl", "true");
    properties.put("schema.history.internal.store.only.captured.databases.ddl", "true");
    // Schema changes reach staging through the row schemas of the change events themselves.
    properties.put("include.schema.changes", "false");
    properties.put("provide.transaction.metadata", "false");
    // BIGINT UNSIGNED as DECIMAL(20,0): its upper half does not fit a signed long.
    properties.put("bigint.unsigned.handling.mode", "precise");
    return properties;
  }

  @Override
  public PositionExtractor positions(LongSupplier nextSnapshotEpoch) {
    return new BinlogPositions(nextSnapshotEpoch);
  }

  static Path schemaHistoryFile(GatewayConfig config) {
    return config.stateDirectory().resolve(SCHEMA_HISTORY_FILE);
  }

  private static Connection connect(SourceConfig source) {
    Properties properties = new Properties();
    properties.setProperty("user", source.user());
    source.password().ifPresent(password -> properties.setProperty("password", password.reveal()));
    long millis = Math.max(1000, source.connectTimeout().toMillis());
    properties.setProperty("connectTimeout", Long.toString(millis));
    properties.setProperty("socketTimeout", Long.toString(Math.max(30_000, millis)));
    String url = "jdbc:mariadb://" + source.host() + ":" + source.port() + "/";
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (e.getErrorCode() == ACCESS_DENIED || "28000".equals(e.getSQLState())) {
        throw GatewayErrors.sourceAuthFailed(source, serverMessage(message));
      }
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw GatewayErrors.sourceUnreachable(source, cause.getMessage() == null ? message : cause.getMessage(), e);
    }
  }

  /** The server's message without the driver's {@code (conn=5) } prefix. */
  private static String serverMessage(String message) {
    return message.replaceFirst("^\\(conn=\\d+\\) ", "");
  }

  private static void checkBinlog(Connection connection, SourceConfig source) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(
            "SELECT @@global.log_bin, @@global.binlog_format, @@global.binlog_row_image")) {
      result.next();
      if (!result.getBoolean(1)) {
        throw GatewayErrors.binlogSetting(source, "log_bin", "OFF", "ON");
      }
      if (!"ROW".equalsIgnoreCase(result.getString(2))) {
        throw GatewayErrors.binlogSetting(source, "binlog_format", result.getString(2), "ROW");
      }
      if (!"FULL".equalsIgnoreCase(result.getString(3))) {
        throw GatewayErrors.binlogSetting(source, "binlog_row_image", result.getString(3), "FULL");
      }
    }
  }

  /**
   * The user's global privileges, as {@code information_schema.USER_PRIVILEGES} lists them for the
   * current account (ALL PRIVILEGES appears as each privilege; SUPER covers the binlog ones on
   * servers older than 10.5). Privileges held through a role that is not the default role are not
   * seen: grant them to the user itself.
   */
  private static void checkPrivileges(Connection connection, SourceConfig source) throws SQLException {
    Set<String> held = new LinkedHashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES")) {
      while (result.next()) {
        held.add(result.getString(1).toUpperCase(java.util.Locale.ROOT));
      }
    }
    if (held.contains("REPLICATION CLIENT")) {
      held.add("BINLOG MONITOR");
    }
    if (held.contains("SUPER") && !held.contains("BINLOG MONITOR") && !held.contains("REPLICATION CLIENT")) {
      // Before 10.5 neither name exists and SUPER grants what BINLOG MONITOR grants now.
      held.add("BINLOG MONITOR");
    }
    List<String> missing = BINLOG_PRIVILEGES.stream().filter(privilege -> !held.contains(privilege)).toList();
    if (!missing.isEmpty()) {
      throw GatewayErrors.missingBinlogPrivileges(source, missing);
    }
  }

  private static Map<TableId, List<String>> primaryKeys(Connection connection, SourceConfig source)
      throws SQLException {
    List<TableId> missing = new ArrayList<>();
    List<TableId> keyless = new ArrayList<>();
    Map<TableId, List<String>> keys = new LinkedHashMap<>();
    // BINARY: table names compare case-sensitively, as the server resolves them on Linux.
    String query = "SELECT t.TABLE_TYPE, s.COLUMN_NAME FROM information_schema.TABLES t"
        + " LEFT JOIN information_schema.STATISTICS s ON s.TABLE_SCHEMA = t.TABLE_SCHEMA"
        + " AND s.TABLE_NAME = t.TABLE_NAME AND s.INDEX_NAME = 'PRIMARY'"
        + " WHERE BINARY t.TABLE_SCHEMA = ? AND BINARY t.TABLE_NAME = ? ORDER BY s.SEQ_IN_INDEX";
    CatalogQueries.perTable(connection, query, source.tables(), (table, result) -> {
      List<String> columns = new ArrayList<>();
      boolean found = false;
      while (result.next()) {
        found = found || "BASE TABLE".equals(result.getString(1)) || "SYSTEM VERSIONED".equals(result.getString(1));
        if (result.getString(2) != null) {
          columns.add(result.getString(2));
        }
      }
      if (!found) {
        missing.add(table);
        return;
      }
      if (columns.isEmpty()) {
        keyless.add(table);
      }
      keys.put(table, List.copyOf(columns));
    });
    if (!missing.isEmpty()) {
      throw GatewayErrors.tablesNotFound(source, missing);
    }
    if (!keyless.isEmpty()) {
      throw GatewayErrors.missingPrimaryKey(source, keyless);
    }
    return keys;
  }

  /** The snapshot reads every table: the user must be allowed to SELECT from each. */
  private static void checkReadable(Connection connection, SourceConfig source) throws SQLException {
    List<TableId> denied = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      for (TableId table : source.tables()) {
        try (ResultSet ignored = statement.executeQuery(
            "SELECT 1 FROM " + quote(table.schema()) + "." + quote(table.table()) + " LIMIT 0")) {
          // Allowed.
        } catch (SQLException e) {
          if (e.getErrorCode() != TABLE_ACCESS_DENIED) {
            throw e;
          }
          denied.add(table);
        }
      }
    }
    if (!denied.isEmpty()) {
      throw GatewayErrors.tablesNotReadable(source, denied);
    }
  }

  /** Every column a selection names exists, and no selection leaves out a key column. */
  private static void checkColumnSelections(Connection connection, SourceConfig source, Map<TableId, List<String>> keys)
      throws SQLException {
    CatalogQueries.checkColumnSelections(connection, source, keys,
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS"
        + " WHERE BINARY TABLE_SCHEMA = ? AND BINARY TABLE_NAME = ? ORDER BY ORDINAL_POSITION");
  }

  /**
   * A gateway that resumes streams from the binlog file of its committed offset: that file must still
   * be on the server, or the changes since the commit are lost (the PostgreSQL slot's counterpart).
   */
  private static void checkBinlogRetained(Connection connection, GatewayConfig config) throws SQLException {
    Optional<String> file = committedBinlogFile(config);
    if (file.isEmpty()) {
      return;
    }
    List<String> available = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW BINARY LOGS")) {
      while (result.next()) {
        available.add(result.getString(1));
      }
    }
    if (!available.contains(file.get())) {
      throw GatewayErrors.binlogLost(config.source(), file.get(), available, config.stateDirectory());
    }
  }

  private static Optional<String> committedBinlogFile(GatewayConfig config) {
    try {
      return OffsetFile.committedOffset(config.stateDirectory().resolve("offsets.json"),
              EngineProperties.engineName(config))
          .map(offset -> offset.get("file"))
          .map(String::valueOf);
    } catch (IOException | RuntimeException e) {
      // The run reads the same file again and fails there with the cause.
      return Optional.empty();
    }
  }

  private static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  /** What to do with one table's rows of a catalog query. */

}
