package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the MySQL and MariaDB connectors share: both read the server's binary log as a replica would,
 * through Debezium's binlog connectors, which emit the same {@code source} blocks and offsets
 * ({@link BinlogPositions}).
 *
 * <p>Both servers have databases where PostgreSQL has schemas: table {@code shop.orders} is
 * {@code TableId(source, "shop", "orders")}. The server must write its binary log in the form the
 * connectors need ({@code log_bin=ON}, {@code binlog_format=ROW}, {@code binlog_row_image=FULL}), and
 * the user needs the privileges to read it (which differ in name between the two servers), RELOAD for
 * the snapshot's short global read lock, SHOW DATABASES, and SELECT on the tables.
 *
 * <p>The connector keeps the captured tables' DDL in the gateway's {@link SchemaHistory}.
 */
abstract class BinlogSourceConnector implements SourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(BinlogSourceConnector.class);
  private static final int ACCESS_DENIED = 1045;
  private static final int TABLE_ACCESS_DENIED = 1142;

  /** Debezium's connector class. */
  abstract String connectorClass();

  /** The JDBC URL scheme of the server's driver: {@code mysql}, {@code mariadb}. */
  abstract String jdbcScheme();

  /**
   * The global privileges change capture needs that {@code held} lacks, in the order a GRANT names
   * them.
   *
   * @param held the user's global privileges in upper case, as the server lists them
   */
  abstract List<String> missingPrivileges(Set<String> held);

  /** Checks and notes of one server kind, after the binary log format was checked; none by default. */
  void checkServer(Connection connection, SourceConfig source) throws SQLException {}

  /** Refuses captured tables with columns the connector cannot read; none by default. */
  void checkColumnTypes(Connection connection, SourceConfig source) throws SQLException {}

  /** The server's message of a failed login, without the driver's prefixes. */
  String serverMessage(String message) {
    return message;
  }

  @Override
  public Map<TableId, List<String>> preflight(GatewayConfig config, boolean resuming) {
    SourceConfig source = config.source();
    try (Connection connection = connect(source)) {
      checkBinlog(connection, source);
      checkServer(connection, source);
      checkPrivileges(connection, source);
      Map<TableId, List<String>> keys = primaryKeys(connection, source);
      checkReadable(connection, source);
      checkColumnSelections(connection, source, keys);
      checkColumnTypes(connection, source);
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
    // InnoDB's TABLE_ROWS is an estimate from index statistics; NULL for views and some engines.
    String query = "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";
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
    properties.put("connector.class", connectorClass());
    properties.put("database.hostname", source.host());
    properties.put("database.port", Integer.toString(source.port()));
    properties.put("database.user", source.user());
    source.password().ifPresent(password -> properties.put("database.password", password.reveal()));
    properties.put("database.server.id", Long.toString(source.serverId()));
    properties.put("connect.timeout.ms", Long.toString(source.connectTimeout().toMillis()));
    properties.put("database.include.list", source.tables().stream().map(TableId::schema).distinct()
        .map(PostgresSourceConnector::escape).collect(Collectors.joining(",")));
    properties.put("table.include.list", PostgresSourceConnector.includeList(source.tables()));
    source.columnExclusions().ifPresent(exclusions -> properties.put("column.exclude.list", exclusions));
    properties.put("snapshot.mode", source.debeziumSnapshotMode());
    SchemaHistory.configure(properties, config);
    properties.put("provide.transaction.metadata", "false");
    // BIGINT UNSIGNED as DECIMAL(20,0): its upper half does not fit a signed long.
    properties.put("bigint.unsigned.handling.mode", "precise");
    // The server stores every year with four digits; Debezium's adjuster would move the years 0001 to
    // 0099 of DATE, DATETIME and YEAR values to 2001-2069 and 1970-1999.
    properties.put("enable.time.adjuster", "false");
    // YEAR read as a number in the snapshot (the drivers' default, a java.sql.Date, cannot hold the year
    // 0000 and fails the snapshot) and converted by the gateway's own converter.
    properties.put("driver.yearIsDateType", "false");
    properties.put("converters",
        EngineProperties.withConverter(source.debezium().get("converters"), BinlogYearConverter.NAME));
    properties.put(BinlogYearConverter.NAME + ".type", BinlogYearConverter.class.getName());
    return properties;
  }

  @Override
  public PositionExtractor positions(SnapshotSequencer sequencer) {
    return new BinlogPositions(sequencer);
  }

  /**
   * Incremental snapshots on the binlog need Debezium's signalling table (its watermarks are writes)
   * or, read-only, GTIDs.
   */
  @Override
  public Optional<String> resyncUnavailable(GatewayConfig config) {
    Map<String, String> debezium = config.source().debezium();
    if (config.source().signalTable().isPresent() || "true".equalsIgnoreCase(debezium.get("read.only"))) {
      return Optional.empty();
    }
    return Optional.of("resyncs of a " + config.source().connector().name().toLowerCase(Locale.ROOT)
        + " source need Debezium's signalling table or GTIDs: set source.debezium.signal.data.collection to a table"
        + " the capture user may write (see docs/sources.md), or enable GTIDs on the server and set"
        + " source.debezium.read.only: true");
  }

  @Override
  public Connection connect(SourceConfig source) {
    Properties properties = new Properties();
    properties.setProperty("user", source.user());
    source.password().ifPresent(password -> properties.setProperty("password", password.reveal()));
    long millis = Math.max(1000, source.connectTimeout().toMillis());
    properties.setProperty("connectTimeout", Long.toString(millis));
    properties.setProperty("socketTimeout", Long.toString(Math.max(30_000, millis)));
    // A server that accepts TLS connections only must accept the checks and the signals as well as
    // the capture: the driver gets the TLS settings Debezium's connector is given, as Debezium maps them.
    properties.putAll(driverProperties(source.debezium()));
    String url = "jdbc:" + jdbcScheme() + "://" + source.host() + ":" + source.port() + "/";
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

  /**
   * The JDBC driver properties Debezium's binlog connectors derive from their configuration, which
   * the gateway's own connections use too: {@code database.ssl.mode} as {@code sslMode} (both drivers
   * take the connector's values), the trust store and key store as {@code file:} URLs with their
   * passwords, and every {@code driver.*} property as it is.
   */
  static Properties driverProperties(Map<String, String> debezium) {
    Properties properties = new Properties();
    debezium.forEach((key, value) -> {
      if (key.startsWith("driver.")) {
        properties.setProperty(key.substring("driver.".length()), value);
      }
    });
    Optional.ofNullable(debezium.get("database.ssl.mode")).ifPresent(mode -> properties.setProperty("sslMode", mode));
    Optional.ofNullable(debezium.get("database.ssl.truststore"))
        .ifPresent(file -> properties.setProperty("trustCertificateKeyStoreUrl", "file:" + file));
    Optional.ofNullable(debezium.get("database.ssl.truststore.password")).ifPresent(password -> {
      properties.setProperty("trustCertificateKeyStorePassword", password);
      properties.setProperty("trustStorePassword", password);
    });
    Optional.ofNullable(debezium.get("database.ssl.keystore"))
        .ifPresent(file -> properties.setProperty("clientCertificateKeyStoreUrl", "file:" + file));
    Optional.ofNullable(debezium.get("database.ssl.keystore.password"))
        .ifPresent(password -> properties.setProperty("clientCertificateKeyStorePassword", password));
    return properties;
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
   * current account (ALL PRIVILEGES appears as each privilege). Privileges held through a role that
   * is not the default role are not seen: grant them to the user itself.
   */
  private void checkPrivileges(Connection connection, SourceConfig source) throws SQLException {
    Set<String> held = new LinkedHashSet<>();
    // A user who may read the mysql schema sees every account's privileges: keep the current account's.
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES"
            + " WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
            + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')")) {
      while (result.next()) {
        held.add(result.getString(1).toUpperCase(Locale.ROOT));
      }
    }
    List<String> missing = missingPrivileges(held);
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
        // MariaDB lists its system-versioned tables apart.
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
      // binlog_row_image=FULL (checked) gives their updates and deletes complete row images.
      LOG.info("{} {} in {} {} no primary key: {} changes are staged with full row images and no key",
          keyless.size() == 1 ? "Table" : "Tables",
          keyless.stream().map(TableId::qualifiedName).collect(java.util.stream.Collectors.joining(", ")),
          source.address(), keyless.size() == 1 ? "has" : "have", keyless.size() == 1 ? "its" : "their");
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
}
