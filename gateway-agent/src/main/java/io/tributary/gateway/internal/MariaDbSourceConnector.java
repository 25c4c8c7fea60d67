package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
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

  /** The server's message without the driver's {@code (conn=5) } prefix. */
  @Override
  String serverMessage(String message) {
    return message.replaceFirst("^\\(conn=\\d+\\) ", "");
  }
}
