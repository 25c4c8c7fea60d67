package io.tributary.gateway.internal;

import io.tributary.gateway.SourceConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MySQL through Debezium's MySQL connector.
 *
 * <p>The user needs REPLICATION SLAVE and REPLICATION CLIENT to read the binary log, RELOAD,
 * SHOW DATABASES and SELECT on the tables. MySQL 8 may log the changed parts of JSON values only
 * ({@code binlog_row_value_options=PARTIAL_JSON}), which the connector cannot turn into full rows, so
 * that is refused. With GTIDs on, Debezium resumes from the GTID set of its offset; the positions of
 * the staged changes are still this server's binlog coordinates ({@link BinlogPositions}). The rest is
 * {@link BinlogSourceConnector}'s.
 */
final class MySqlSourceConnector extends BinlogSourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlSourceConnector.class);
  private static final List<String> PRIVILEGES = List.of("REPLICATION SLAVE", "REPLICATION CLIENT", "RELOAD",
      "SHOW DATABASES");

  @Override
  String connectorClass() {
    return "io.debezium.connector.mysql.MySqlConnector";
  }

  @Override
  String jdbcScheme() {
    return "mysql";
  }

  @Override
  List<String> missingPrivileges(Set<String> held) {
    return PRIVILEGES.stream().filter(privilege -> !held.contains(privilege)).toList();
  }

  @Override
  void checkServer(Connection connection, SourceConfig source) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT @@global.gtid_mode, @@global.binlog_row_value_options")) {
      result.next();
      String gtidMode = result.getString(1);
      String valueOptions = result.getString(2) == null ? "" : result.getString(2);
      if (valueOptions.toUpperCase(Locale.ROOT).contains("PARTIAL_JSON")) {
        throw GatewayErrors.binlogSetting(source, "binlog_row_value_options", valueOptions, "");
      }
      if ("ON".equalsIgnoreCase(gtidMode)) {
        LOG.info("MySQL at {} runs with gtid_mode=ON: the connector resumes from the GTID set of its offset. Staged"
            + " positions are this server's binlog coordinates: after a fail-over to another server, resync the"
            + " captured tables", source.address());
      } else {
        LOG.info("MySQL at {} runs with gtid_mode={}: the connector resumes from the binlog file and position of its"
            + " offset", source.address(), gtidMode);
      }
    }
  }
}
