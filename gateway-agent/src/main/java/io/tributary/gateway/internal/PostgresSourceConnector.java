package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL through Debezium's connector with the built-in {@code pgoutput} plugin.
 *
 * <p>The publication is created by Debezium ({@code publication.autocreate.mode=filtered}): when
 * missing, {@code CREATE PUBLICATION ... FOR TABLE} exactly the configured tables, and when it
 * exists with other tables, altered to them. This keeps the publication in step with
 * {@code source.tables} on every start without the gateway issuing DDL itself; it needs the source
 * user to own the tables (or to be a superuser). Create the publication beforehand to run with less.
 *
 * <p>A snapshot must be taken together with its slot. Debezium 3.5 takes a consistent snapshot
 * ({@code SET TRANSACTION SNAPSHOT} exported by {@code CREATE_REPLICATION_SLOT}) only when it
 * creates the slot; when the slot already exists it reads each table in its own READ COMMITTED
 * statement, later than the LSN it then streams from ({@code PostgresSnapshotChangeEventSource
 * .connectionCreated}). That converges, but stages a history that never existed. So before a run
 * that still has to snapshot, {@link #prepare} drops the gateway's slot when it exists: the snapshot
 * barrier guarantees that nothing streamed from it was staged.
 */
final class PostgresSourceConnector implements SourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSourceConnector.class);
  private static final String CONNECTOR_CLASS = "io.debezium.connector.postgresql.PostgresConnector";
  /** Debezium's names of the driver's TLS settings: database.sslmode, database.sslrootcert, ... */
  private static final String DEBEZIUM_TLS_PREFIX = "database.ssl";

  @Override
  public Map<TableId, List<String>> preflight(GatewayConfig config, boolean resuming) {
    SourceConfig source = config.source();
    try (Connection connection = connect(source)) {
      checkWalLevel(connection, source);
      checkReplicationPrivilege(connection, source);
      Map<TableId, List<String>> keys = primaryKeys(connection, source);
      checkReplicaIdentity(connection, source, keys);
      checkColumnSelections(connection, source, keys);
      List<String> uncaptured = PostgresColumnTypes.uncaptured(connection, source);
      if (!uncaptured.isEmpty()) {
        throw GatewayErrors.uncapturedColumns(source, uncaptured, "it leaves them out of every change",
            "Leave them out with source.columns.<table>.exclude, or change their types.");
      }
      checkSelectPrivilege(connection, source);
      if (resuming && !slotExists(connection, source.slotName())) {
        throw GatewayErrors.slotLost(source, config.stateDirectory());
      }
      return keys;
    } catch (SQLException e) {
      throw GatewayErrors.sourceUnreachable(source, e.getMessage(), e);
    }
  }

  @Override
  public Map<TableId, Long> estimateRows(GatewayConfig config) {
    SourceConfig source = config.source();
    // reltuples is what ANALYZE and VACUUM last counted; -1 means the table was never analyzed.
    String query = "SELECT c.reltuples::bigint FROM pg_catalog.pg_class c"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?";
    return CatalogQueries.rowEstimates(source, () -> connect(source), query);
  }

  @Override
  public void prepare(GatewayConfig config, boolean snapshotPending) {
    SourceConfig source = config.source();
    if (!snapshotPending || source.debeziumSnapshotMode().equals("no_data")) {
      return;
    }
    try (Connection connection = connect(source)) {
      if (!slotExists(connection, source.slotName())) {
        return;
      }
      LOG.warn("Dropping replication slot '{}' of database '{}' at {}: no snapshot was completed with it, and only a"
          + " new slot gives Debezium a consistent snapshot", source.slotName(), source.database(), source.address());
      try (PreparedStatement statement = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
        statement.setString(1, source.slotName());
        statement.execute();
      }
    } catch (SQLException e) {
      throw GatewayErrors.slotNotDropped(source, e.getMessage(), e);
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
    properties.put("database.dbname", source.database());
    properties.put("plugin.name", "pgoutput");
    properties.put("slot.name", source.slotName());
    properties.put("publication.name", source.publicationName());
    properties.put("publication.autocreate.mode", "filtered");
    properties.put("table.include.list", includeList(source.tables()));
    source.columnExclusions().ifPresent(exclusions -> properties.put("column.exclude.list", exclusions));
    properties.put("snapshot.mode", source.debeziumSnapshotMode());
    // hstore as JSON text rather than a Connect map, which has no staging type.
    properties.put("hstore.handling.mode", "json");
    properties.put("converters", EngineProperties.withConverter(source.debezium().get("converters"),
        PostgresColumnConverter.NAME));
    properties.put(PostgresColumnConverter.NAME + ".type", PostgresColumnConverter.class.getName());
    properties.put(PostgresColumnConverter.NAME + "." + PostgresColumnConverter.NUMERIC_INTERVALS, Boolean.toString(
        !"string".equalsIgnoreCase(source.debezium().getOrDefault("interval.handling.mode", "numeric"))));
    properties.put("provide.transaction.metadata", "false");
    // Only the connector confirms LSNs to the slot, and only those of committed (durable) offsets.
    properties.put("lsn.flush.mode", "connector");
    properties.put("offset.mismatch.strategy", "no_validation");
    properties.put("slot.drop.on.stop", "false");
    if (source.signalTable().isEmpty() && !source.debezium().containsKey("read.only")) {
      // Resyncs (incremental snapshots) take their watermarks from pg_current_snapshot() instead of
      // writing to a signalling table; the capture user needs no write privilege (PostgreSQL 13+).
      properties.put("read.only", "true");
    }
    return properties;
  }

  @Override
  public PositionExtractor positions(SnapshotSequencer sequencer) {
    return new PostgresPositions(sequencer);
  }

  /** PostgreSQL 13 and later snapshot incrementally without a signalling table ({@code read.only}). */
  @Override
  public Optional<String> resyncUnavailable(GatewayConfig config) {
    return Optional.empty();
  }

  /** Debezium matches each entry, a regular expression, against the whole {@code schema.table}. */
  static String includeList(List<TableId> tables) {
    return tables.stream()
        .map(table -> escape(table.schema()) + "\\." + escape(table.table()))
        .collect(Collectors.joining(","));
  }

  /** {@code name} with the regular-expression characters Debezium's include lists treat specially escaped. */
  static String escape(String name) {
    StringBuilder escaped = new StringBuilder(name.length() + 8);
    for (char c : name.toCharArray()) {
      if ("\\^$.|?*+()[]{},".indexOf(c) >= 0) {
        escaped.append('\\');
      }
      escaped.append(c);
    }
    return escaped.toString();
  }

  @Override
  public Connection connect(SourceConfig source) {
    Properties properties = new Properties();
    properties.setProperty("user", source.user());
    source.password().ifPresent(password -> properties.setProperty("password", password.reveal()));
    int seconds = (int) Math.max(1, Math.ceil(source.connectTimeout().toMillis() / 1000.0));
    properties.setProperty("connectTimeout", Integer.toString(seconds));
    properties.setProperty("loginTimeout", Integer.toString(seconds));
    properties.setProperty("socketTimeout", Integer.toString(Math.max(30, seconds)));
    properties.setProperty("ApplicationName", "tributary-gateway-preflight");
    // The TLS settings Debezium's connector is given apply to these connections too: a server that
    // accepts TLS only must accept the checks and the signals as well as the capture.
    source.debezium().forEach((key, value) -> {
      if (key.startsWith(DEBEZIUM_TLS_PREFIX)) {
        properties.setProperty(key.substring("database.".length()), value);
      }
    });
    String url = "jdbc:postgresql://" + source.host() + ":" + source.port() + "/" + source.database();
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (state.equals("28P01") || state.equals("28000")) {
        throw GatewayErrors.sourceAuthFailed(source, serverMessage(message));
      }
      if (state.equals("3D000")) {
        throw GatewayErrors.databaseNotFound(source, serverMessage(message));
      }
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw GatewayErrors.sourceUnreachable(source, cause.getMessage() == null ? message : cause.getMessage(), e);
    }
  }

  /** The server's message without the driver's "FATAL: " prefix. */
  private static String serverMessage(String message) {
    return message.replaceFirst("^(FATAL|ERROR): ", "");
  }

  private static void checkWalLevel(Connection connection, SourceConfig source) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW wal_level")) {
      String level = result.next() ? result.getString(1) : "unknown";
      if (!"logical".equals(level)) {
        throw GatewayErrors.walLevelNotLogical(source, level);
      }
    }
  }

  private static void checkReplicationPrivilege(Connection connection, SourceConfig source) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(
            "SELECT rolreplication OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")) {
      if (!result.next() || !result.getBoolean(1)) {
        throw GatewayErrors.missingReplicationPrivilege(source);
      }
    }
  }

  /**
   * Refuses tables the user may not read: the initial snapshot and every resync read them, and
   * Debezium would otherwise retry the failing read forever while the gateway looks healthy. A table
   * whose columns are selected may instead grant SELECT on columns (then at least one is checked).
   */
  private static void checkSelectPrivilege(Connection connection, SourceConfig source) throws SQLException {
    List<TableId> unreadable = new ArrayList<>();
    String query = "SELECT has_table_privilege(c.oid, 'SELECT'), has_any_column_privilege(c.oid, 'SELECT')"
        + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = ? AND c.relname = ?";
    CatalogQueries.perTable(connection, query, source.tables(), (table, result) -> {
      boolean readable = result.next()
          && (result.getBoolean(1) || source.columns().containsKey(table) && result.getBoolean(2));
      if (!readable) {
        unreadable.add(table);
      }
    });
    if (!unreadable.isEmpty()) {
      throw GatewayErrors.missingSelectPrivilege(source, unreadable);
    }
  }

  private static Map<TableId, List<String>> primaryKeys(Connection connection, SourceConfig source)
      throws SQLException {
    List<TableId> missing = new ArrayList<>();
    Map<TableId, List<String>> keys = new LinkedHashMap<>();
    String query = "SELECT ARRAY(SELECT a.attname FROM pg_catalog.pg_index i"
        + " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
        + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
        + " WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.ord)"
        + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')";
    CatalogQueries.perTable(connection, query, source.tables(), (table, result) -> {
      if (!result.next()) {
        missing.add(table);
        return;
      }
      keys.put(table, List.of((String[]) result.getArray(1).getArray()));
    });
    if (!missing.isEmpty()) {
      throw GatewayErrors.tablesNotFound(source, missing);
    }
    return keys;
  }

  /** Every column a selection names exists, and no selection leaves out a key column. */
  private static void checkColumnSelections(Connection connection, SourceConfig source, Map<TableId, List<String>> keys)
      throws SQLException {
    CatalogQueries.checkColumnSelections(connection, source, keys,
        "SELECT a.attname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped");
  }

  /**
   * Refuses tables whose updates and deletes carry no key (REPLICA IDENTITY NOTHING, or a table
   * without a primary key left at the default identity) and warns, naming them, about tables whose
   * updates may leave out unchanged out-of-line (TOAST) values: those arrive as unavailable and the
   * applier keeps the value it has; REPLICA IDENTITY FULL avoids it. Tables without a primary key
   * are captured with REPLICA IDENTITY FULL (or USING INDEX): staged without a key.
   */
  static void checkReplicaIdentity(Connection connection, SourceConfig source, Map<TableId, List<String>> keys)
      throws SQLException {
    List<TableId> nothing = new ArrayList<>();
    List<TableId> keylessDefault = new ArrayList<>();
    List<TableId> keyless = new ArrayList<>();
    List<TableId> partial = new ArrayList<>();
    String query = "SELECT c.relreplident, EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid"
        + " AND a.attnum > 0 AND NOT a.attisdropped AND a.attstorage <> 'p')"
        + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = ? AND c.relname = ?";
    CatalogQueries.perTable(connection, query, source.tables(), (table, result) -> {
      if (!result.next()) {
        return;
      }
      String identity = result.getString(1);
      boolean hasKey = !keys.getOrDefault(table, List.of()).isEmpty();
      if (identity.equals("n")) {
        nothing.add(table);
      } else if (!hasKey && identity.equals("d")) {
        keylessDefault.add(table);
      } else if (!hasKey) {
        keyless.add(table);
      } else if (!identity.equals("f") && result.getBoolean(2)) {
        partial.add(table);
      }
    });
    if (!nothing.isEmpty()) {
      throw GatewayErrors.replicaIdentityNothing(source, nothing);
    }
    if (!keylessDefault.isEmpty()) {
      throw GatewayErrors.keylessWithoutReplicaIdentity(source, keylessDefault);
    }
    if (!keyless.isEmpty()) {
      LOG.info("{} {} of database '{}' at {} {} no primary key: {} changes are staged with full row images and no key",
          keyless.size() == 1 ? "Table" : "Tables",
          keyless.stream().map(TableId::qualifiedName).collect(Collectors.joining(", ")), source.database(),
          source.address(), keyless.size() == 1 ? "has" : "have", keyless.size() == 1 ? "its" : "their");
    }
    if (!partial.isEmpty()) {
      LOG.warn("{} {} of database '{}' at {} without REPLICA IDENTITY FULL and with columns PostgreSQL may store out of"
          + " line (TOAST): an update that leaves such a value unchanged does not carry it, and the applier keeps the"
          + " value it already has. For complete before-images run ALTER TABLE <table> REPLICA IDENTITY FULL (more WAL).",
          partial.size() == 1 ? "Table" : "Tables",
          partial.stream().map(TableId::qualifiedName).collect(Collectors.joining(", ")), source.database(),
          source.address());
    }
  }

  /** What to do with one table's rows of a catalog query. */


  private static boolean slotExists(Connection connection, String slot) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, slot);
      try (ResultSet result = statement.executeQuery()) {
        return result.next();
      }
    }
  }
}
