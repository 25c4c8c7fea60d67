package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.PositionFormat;
import io.tributary.staging.TableId;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The database a gateway captures (section {@code source}): where it is, how to log in, which tables
 * to capture and the replication objects the gateway owns there (PostgreSQL: slot and publication;
 * MySQL and MariaDB: the server id of its binlog reader; SQL Server: none, its change tables are
 * filled by the server's capture job).
 *
 * @param name the source's name, the first part of every {@link TableId} it captures
 * @param connector which kind of database it is
 * @param database PostgreSQL and SQL Server: the captured database; MySQL and MariaDB: empty, each
 *     table names its database
 * @param tables the captured tables, in configuration order
 * @param serverId MySQL and MariaDB: the server id the gateway's binlog reader announces, unique among
 *     the server's replicas
 * @param snapshotMode what is read before streaming: Debezium's {@code snapshot.mode} {@code initial},
 *     {@code initial_only} or {@code no_data}, or {@code incremental}: the existing rows read by an
 *     incremental snapshot while changes stream ({@link #incrementalInitialLoad()})
 * @param connectTimeout bound on connecting to the database during the start-up checks
 * @param debezium further Debezium connector properties, passed through unchanged
 * @param columns per-table column selections; tables not named capture every column
 * @param unsupportedTypes what becomes of columns whose type has no Delta type
 * @param tls SQL Server: whether and how the connection is encrypted
 */
public record SourceConfig(
    String name,
    Connector connector,
    String host,
    int port,
    String database,
    String user,
    Optional<Secret> password,
    List<TableId> tables,
    String slotName,
    String publicationName,
    long serverId,
    String snapshotMode,
    Duration connectTimeout,
    Map<String, String> debezium,
    Map<TableId, ColumnSelection> columns,
    UnsupportedTypes unsupportedTypes,
    Tls tls) {

  /** What the gateway does with a column whose type has no Delta type (arrays, structs, maps, geometry). */
  public enum UnsupportedTypes {
    /** Refuse to start, naming table, column and type. */
    FAIL,
    /** Stage the column as a string holding the value as JSON text. */
    STRING
  }

  /**
   * How a SQL Server source's connections are encrypted (the driver's {@code encrypt} and
   * {@code trustServerCertificate}).
   */
  public enum Tls {
    /** Encrypted; the server's certificate must be trusted by the JVM's trust store and name the host. */
    VERIFY("verify"),
    /** Encrypted, but any server certificate is accepted: for self-signed certificates on a trusted network. */
    TRUST_SERVER_CERTIFICATE("trust-server-certificate"),
    /** TDS 8.0 strict encryption (SQL Server 2022 and later), certificate verified. */
    STRICT("strict"),
    /** Not encrypted (the login itself still is). */
    DISABLE("disable");

    private final String configName;

    Tls(String configName) {
      this.configName = configName;
    }

    /** The value as {@code source.tls} spells it. */
    public String configName() {
      return configName;
    }
  }

  /** The kinds of source database a gateway captures. */
  public enum Connector {
    POSTGRESQL("PostgreSQL", 5432),
    MARIADB("MariaDB", 3306),
    MYSQL("MySQL", 3306),
    SQLSERVER("SQL Server", 1433);

    private final String displayName;
    private final int defaultPort;

    Connector(String displayName, int defaultPort) {
      this.displayName = displayName;
      this.defaultPort = defaultPort;
    }

    /** The product name, as messages name the server ("PostgreSQL", "SQL Server"). */
    public String displayName() {
      return displayName;
    }

    /** The server's usual TCP port. */
    public int defaultPort() {
      return defaultPort;
    }

    /** How the gateway lays out this source's positions; named in every manifest. */
    public PositionFormat positionFormat() {
      return switch (this) {
        case POSTGRESQL -> PositionFormat.POSTGRESQL;
        case MARIADB, MYSQL -> PositionFormat.BINLOG;
        case SQLSERVER -> PositionFormat.SQLSERVER;
      };
    }

    /** The value as {@code source.connector} spells it. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the connector reads a binary log (MySQL, MariaDB): tables are {@code database.table}. */
    public boolean readsBinlog() {
      return this == MARIADB || this == MYSQL;
    }
  }

  /** The range of MySQL and MariaDB server ids the default {@link #defaultServerId} is taken from. */
  static final long SERVER_ID_BASE = 5400;
  static final long SERVER_ID_RANGE = 1000;

  /** The snapshot mode that loads existing rows with an incremental snapshot, resumable after a crash. */
  public static final String INCREMENTAL = "incremental";

  /** The snapshot modes: Debezium's blocking ones and {@value #INCREMENTAL}. */
  public static final Set<String> SNAPSHOT_MODES = Set.of("initial", "initial_only", "no_data", INCREMENTAL);

  /**
   * Debezium properties the gateway sets itself because the data contract depends on them; setting
   * them under {@code source.debezium} is a configuration error.
   */
  public static final Set<String> MANAGED_DEBEZIUM_PROPERTIES = Set.of(
      "connector.class", "name", "topic.prefix", "database.hostname", "database.port", "database.user",
      "database.password", "database.dbname", "table.include.list", "table.exclude.list", "schema.include.list",
      "schema.exclude.list", "plugin.name", "slot.name", "publication.name", "publication.autocreate.mode",
      "snapshot.mode", "decimal.handling.mode", "event.converting.failure.handling.mode", "skipped.operations",
      "tombstones.on.delete", "heartbeat.interval.ms", "offset.storage", "offset.storage.file.filename",
      "offset.flush.interval.ms", "offset.commit.policy", "transforms", "predicates", "provide.transaction.metadata",
      "hstore.handling.mode",
      // Debezium 3.5: the driver flushing keepalive LSNs, or an offset moved forward to the slot,
      // would confirm changes to the server that are not yet durable in staging.
      "lsn.flush.mode", "flush.lsn.source", "offset.mismatch.strategy", "slot.seek.to.known.offset.on.start",
      "slot.drop.on.stop", "column.include.list", "column.exclude.list",
      // MySQL and MariaDB: the binlog reader's identity, the captured databases, and the schema history
      // the gateway keeps in its state directory (SQL Server keeps one too).
      "database.server.id", "database.include.list", "database.exclude.list", "schema.history.internal",
      "schema.history.internal.file.filename", "include.schema.changes", "bigint.unsigned.handling.mode",
      // MySQL and MariaDB: how years, dates and timestamps are read (BinlogSourceConnector).
      "enable.time.adjuster", "driver.yearIsDateType", "driver.connectionTimeZone",
      "driver.forceConnectionTimeZoneToSession",
      // SQL Server: the captured database and how the connection is encrypted.
      "database.names", "database.encrypt", "database.trustServerCertificate");

  private static final Pattern REPLICATION_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  public SourceConfig {
    requireNonNull(name, "name is null");
    requireNonNull(connector, "connector is null");
    requireNonNull(host, "host is null");
    requireNonNull(database, "database is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    tables = List.copyOf(requireNonNull(tables, "tables is null"));
    requireNonNull(slotName, "slotName is null");
    requireNonNull(publicationName, "publicationName is null");
    requireNonNull(snapshotMode, "snapshotMode is null");
    if (serverId < 1 || serverId > 4_294_967_295L) {
      throw new IllegalArgumentException("serverId must be between 1 and 4294967295: " + serverId);
    }
    requireNonNull(connectTimeout, "connectTimeout is null");
    debezium = Map.copyOf(requireNonNull(debezium, "debezium is null"));
    columns = Map.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(unsupportedTypes, "unsupportedTypes is null");
    requireNonNull(tls, "tls is null");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
    }
    for (TableId table : tables) {
      if (!table.source().equals(name)) {
        throw new IllegalArgumentException("Table " + table + " does not belong to source " + name);
      }
    }
  }

  /** Debezium's signalling table ({@code source.debezium.signal.data.collection}), if one is set. */
  /**
   * Whether existing rows are loaded by an incremental snapshot that the gateway signals once the
   * engine streams, rather than by Debezium's blocking snapshot: its progress is part of the
   * committed offset, so a crash resumes it at its last committed chunk instead of from zero.
   */
  public boolean incrementalInitialLoad() {
    return snapshotMode.equals(INCREMENTAL);
  }

  /** The {@code snapshot.mode} Debezium runs with: {@code no_data} under an incremental initial load. */
  public String debeziumSnapshotMode() {
    return incrementalInitialLoad() ? "no_data" : snapshotMode;
  }

  public Optional<String> signalTable() {
    return Optional.ofNullable(debezium.get("signal.data.collection"));
  }

  /**
   * The Debezium {@code column.exclude.list} that leaves out the columns not captured, if any table
   * selects columns.
   */
  public Optional<String> columnExclusions() {
    if (columns.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(columns.entrySet().stream()
        .map(entry -> entry.getValue().debeziumExclusion(entry.getKey().schema(), entry.getKey().table()))
        .collect(Collectors.joining(",")));
  }

  /** {@code host:port}, as error messages name the server. */
  public String address() {
    return host + ":" + port;
  }

  /** The default name of the replication slot and publication: {@code tributary_<name>}, lower case. */
  public static String defaultReplicationName(String sourceName) {
    return "tributary_" + sourceName.toLowerCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * The default server id of a MySQL or MariaDB source's binlog reader: {@value #SERVER_ID_BASE} plus a number
   * below {@value #SERVER_ID_RANGE} derived from the source's name, so that it stays the same across
   * restarts and differs between the gateways of one server (unless their names collide).
   */
  public static long defaultServerId(String sourceName) {
    return SERVER_ID_BASE + Math.floorMod(sourceName.hashCode(), (int) SERVER_ID_RANGE);
  }

  static SourceConfig from(ConfigReader source) {
    String name = source.requiredString("name",
        "Name of the captured database; the first part of every table id (source.schema.table, source.database.table)");
    if (!name.isEmpty() && !isValidSourceName(name)) {
      source.problem("name", name, "use 1-64 letters, digits, '_' or '-'");
    }
    String validName = isValidSourceName(name) ? name : "source";

    String connectorName = source.string("connector", "postgresql",
        "Kind of source database: postgresql, mysql, mariadb or sqlserver");
    Connector connector = parseConnector(connectorName).orElse(Connector.POSTGRESQL);
    if (parseConnector(connectorName).isEmpty()) {
      source.problem("connector", connectorName, "must be postgresql, mysql, mariadb or sqlserver");
    }
    String host = source.requiredString("host", "Host name or address of the source database server");
    int port = source.integer("port", connector.defaultPort(), 1,
        "TCP port of the source database server (default 5432 for postgresql, 3306 for mysql and mariadb,"
            + " 1433 for sqlserver)");
    if (port > 65535) {
      source.problem("port", Integer.toString(port), "must be at most 65535");
      port = connector.defaultPort();
    }
    String databaseDescription = "Database to capture; required for postgresql and sqlserver, not used for mysql"
        + " and mariadb (whose tables are written database.table)";
    String database = source.optionalString("database", databaseDescription).orElse("");
    if (!connector.readsBinlog() && database.isBlank()) {
      source.problem("Missing value for 'source.database': " + databaseDescription);
    }
    if (connector.readsBinlog()) {
      database = "";
    }
    String user = source.requiredString("user", "User the gateway logs in as; needs the REPLICATION attribute"
        + " (postgresql), REPLICATION SLAVE, REPLICATION CLIENT, RELOAD, SHOW DATABASES and SELECT (mysql),"
        + " REPLICATION SLAVE, BINLOG MONITOR, RELOAD, SHOW DATABASES and SELECT (mariadb), or SELECT on the"
        + " tables and their change data (sqlserver: e.g. db_owner, or the tables' CDC gating role)");
    Optional<Secret> password = source.secret("password", "Password of the source user");
    List<String> tableNames = source.stringList("tables", List.of(),
        "Tables to capture, each as schema.table (postgresql, sqlserver) or database.table (mysql, mariadb);"
            + " a table without a primary key needs full row images (postgresql: REPLICA IDENTITY FULL)");
    List<TableId> tables = parseTables(source, validName, tableNames, connector);
    String slot = source.string("slot-name", defaultReplicationName(validName),
        "Logical replication slot the gateway creates and reads (default tributary_<name>)");
    if (!REPLICATION_NAME.matcher(slot).matches()) {
      source.problem("slot-name", slot, "use 1-63 lower-case letters, digits or '_'");
      slot = defaultReplicationName(validName);
    }
    String publication = source.string("publication-name", defaultReplicationName(validName),
        "Publication of the captured tables; created FOR TABLE the captured tables when missing (default tributary_<name>)");
    if (!REPLICATION_NAME.matcher(publication).matches()) {
      source.problem("publication-name", publication, "use 1-63 lower-case letters, digits or '_'");
      publication = defaultReplicationName(validName);
    }
    long serverId = source.longValue("server-id", defaultServerId(validName), 1, 4_294_967_295L,
        "mysql, mariadb: server id of the gateway's binlog reader, unique among the server's replicas"
            + " (default 5400 plus a number below 1000 derived from the name)");
    Tls tls = parseTls(source, connector);
    String snapshotMode = source.string("snapshot-mode", "initial",
        "What to read before streaming: initial (existing rows, then changes), initial_only, no_data, or"
            + " incremental (existing rows read in chunks while changes stream; a restart resumes the load where"
            + " it stopped; needs a primary key on every table)");
    if (!SNAPSHOT_MODES.contains(snapshotMode)) {
      source.problem("snapshot-mode", snapshotMode, "must be one of initial, initial_only, no_data, incremental");
      snapshotMode = "initial";
    }
    Duration connectTimeout = source.duration("connect-timeout", Duration.ofSeconds(10), Duration.ofMillis(100),
        "Bound on connecting to the source database during the start-up checks");
    Map<String, String> debezium = source.stringMap("debezium",
        "Further Debezium connector properties, passed through (e.g. column.mask.with.12.chars)");
    for (String key : debezium.keySet()) {
      if (MANAGED_DEBEZIUM_PROPERTIES.contains(key)) {
        source.problem("debezium." + key, debezium.get(key),
            "is set by the gateway itself; use the source.* keys instead");
      }
    }
    debezium.keySet().removeAll(MANAGED_DEBEZIUM_PROPERTIES);
    Map<TableId, ColumnSelection> columns = parseColumns(source.section("columns"), tables);
    UnsupportedTypes unsupportedTypes = source.choice("unsupported-types", UnsupportedTypes.FAIL,
        "What to do with a column whose type has no Delta type (arrays, structs, geometry): fail (refuse to start,"
            + " naming it) or string (stage it as JSON text)");
    return new SourceConfig(validName, connector, host, port, database, user, password, tables, slot, publication,
        serverId, snapshotMode, connectTimeout, debezium, columns, unsupportedTypes, tls);
  }

  private static Optional<Connector> parseConnector(String name) {
    for (Connector connector : Connector.values()) {
      if (connector.configName().equalsIgnoreCase(name.trim())) {
        return Optional.of(connector);
      }
    }
    return Optional.empty();
  }

  private static Tls parseTls(ConfigReader source, Connector connector) {
    String name = source.string("tls", Tls.VERIFY.configName(),
        "sqlserver: how connections are encrypted: verify (the server's certificate must be trusted),"
            + " trust-server-certificate (encrypted, any certificate accepted), strict (TDS 8.0) or disable");
    for (Tls tls : Tls.values()) {
      if (tls.configName().equalsIgnoreCase(name.trim())) {
        if (connector != Connector.SQLSERVER && tls != Tls.VERIFY) {
          source.problem("tls", name, "applies to sqlserver only; set the driver's TLS properties of "
              + connector.configName() + " under source.debezium instead");
        }
        return tls;
      }
    }
    source.problem("tls", name, "must be verify, trust-server-certificate, strict or disable");
    return Tls.VERIFY;
  }

  /** {@code columns: {public.orders: {exclude: [payload]}, public.users: {include: [id, name]}}}. */
  private static Map<TableId, ColumnSelection> parseColumns(ConfigReader columns, List<TableId> tables) {
    columns.describe("<schema.table>.include", "Only these columns of the table are captured (key columns included)");
    columns.describe("<schema.table>.exclude", "These columns of the table are not captured; never a key column");
    Map<TableId, ColumnSelection> selections = new LinkedHashMap<>();
    for (String qualified : columns.presentKeys()) {
      Optional<TableId> table = tables.stream().filter(t -> t.qualifiedName().equals(qualified)).findFirst();
      ConfigReader section = columns.section(qualified);
      List<String> include = section.stringList("include", List.of(), "Only these columns of the table are captured");
      List<String> exclude = section.stringList("exclude", List.of(), "These columns of the table are not captured");
      if (table.isEmpty()) {
        columns.problem(qualified, "", "is not one of source.tables");
        continue;
      }
      if (!include.isEmpty() && !exclude.isEmpty()) {
        columns.problem(qualified, "", "set include or exclude, not both");
        continue;
      }
      if (include.isEmpty() && exclude.isEmpty()) {
        continue;
      }
      selections.put(table.get(), new ColumnSelection(include.isEmpty() ? Optional.empty() : Optional.of(include),
          exclude));
    }
    return selections;
  }

  private static List<TableId> parseTables(ConfigReader source, String sourceName, List<String> names,
      Connector connector) {
    String form = connector.readsBinlog() ? "database.table" : "schema.table";
    if (names.isEmpty()) {
      source.problem("tables", "[]", "must list at least one table as " + form);
    }
    List<TableId> tables = new ArrayList<>();
    for (String qualified : names) {
      String[] parts = qualified.trim().split("\\.", -1);
      if (parts.length != 2) {
        source.problem("tables", qualified, "each table must be written " + form);
        continue;
      }
      try {
        TableId table = new TableId(sourceName, parts[0], parts[1]);
        if (tables.contains(table)) {
          source.problem("tables", qualified, "is listed twice");
        } else {
          tables.add(table);
        }
      } catch (IllegalArgumentException e) {
        source.problem("tables", qualified, e.getMessage());
      }
    }
    return tables;
  }

  private static boolean isValidSourceName(String name) {
    try {
      new TableId(name, "schema", "table");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Shows the settings without the password or the values of secret-like Debezium properties. */
  @Override
  public String toString() {
    return "SourceConfig[name=" + name + ", connector=" + connector + ", host=" + host + ", port=" + port
        + ", database=" + database + ", user=" + user + ", password=" + password + ", tables=" + tables
        + ", slotName=" + slotName + ", publicationName=" + publicationName + ", serverId=" + serverId
        + ", snapshotMode=" + snapshotMode + ", connectTimeout=" + connectTimeout
        + ", debezium=" + Secret.redacted(debezium) + ", columns=" + columns + ", unsupportedTypes=" + unsupportedTypes
        + ", tls=" + tls + "]";
  }
}
