package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MariaDB through Debezium's MariaDB connector (Debezium's MySQL connector refuses MariaDB servers).
 *
 * <p>The user needs REPLICATION SLAVE and BINLOG MONITOR (REPLICATION CLIENT before MariaDB 10.5) to
 * read the binary log, RELOAD, SHOW DATABASES and SELECT on the tables; the rest is
 * {@link BinlogSourceConnector}'s.
 */
final class MariaDbSourceConnector extends BinlogSourceConnector {
  /** BINLOG MONITOR is what MariaDB 10.5 and later call REPLICATION CLIENT; SUPER implies both before 10.5. */
  private static final List<String> PRIVILEGES = List.of("REPLICATION SLAVE", "BINLOG MONITOR", "RELOAD",
      "SHOW DATABASES");

  @Override
  String connectorClass() {
    return "io.debezium.connector.mariadb.MariaDbConnector";
  }

  /**
   * The snapshot's connections render TIMESTAMP values in UTC: Debezium reads them as text in the
   * JVM's time zone (UTC, see {@link DefaultTimeZone}), and in a server zone with daylight saving an
   * hour of them would be ambiguous.
   */
  @Override
  public Map<String, String> debeziumProperties(GatewayConfig config) {
    Map<String, String> properties = super.debeziumProperties(config);
    properties.put("driver.connectionTimeZone", "+00:00");
    properties.put("driver.forceConnectionTimeZoneToSession", "true");
    return properties;
  }

  @Override
  String jdbcScheme() {
    return "mariadb";
  }

  @Override
  List<String> missingPrivileges(Set<String> held) {
    boolean binlogMonitor = held.contains("BINLOG MONITOR") || held.contains("REPLICATION CLIENT")
        // Before 10.5 neither name exists and SUPER grants what BINLOG MONITOR grants now.
        || held.contains("SUPER");
    return PRIVILEGES.stream()
        .filter(privilege -> !held.contains(privilege) && !(privilege.equals("BINLOG MONITOR") && binlogMonitor))
        .toList();
  }

  /**
   * Debezium's MariaDB DDL parser refuses the {@code CREATE TABLE} of a table with an INET4 or INET6
   * column (MariaDB 10.10 and later), excluded or not, and so the whole capture.
   */
  @Override
  void checkColumnTypes(Connection connection, SourceConfig source) throws SQLException {
    List<String> unreadable = new ArrayList<>();
    CatalogQueries.perTable(connection, "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS"
        + " WHERE BINARY TABLE_SCHEMA = ? AND BINARY TABLE_NAME = ? AND DATA_TYPE IN ('inet4', 'inet6')"
        + " ORDER BY ORDINAL_POSITION", source.tables(), (table, result) -> {
          while (result.next()) {
            unreadable.add(table.qualifiedName() + "." + result.getString(1) + " (" + result.getString(2) + ")");
          }
        });
    if (!unreadable.isEmpty()) {
      throw GatewayErrors.uncapturedColumns(source, unreadable, "its DDL parser refuses their tables, even with the"
          + " columns left out", "Change their types (to VARCHAR(39), for example) or leave their tables out.");
    }
  }

  /** The server's message without the driver's {@code (conn=5) } prefix. */
  @Override
  String serverMessage(String message) {
    return message.replaceFirst("^\\(conn=\\d+\\) ", "");
  }
}
