package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, while the gateway runs, that every captured table still exists at the source. Debezium
 * selects the tables it captures by name: after a rename (PostgreSQL's {@code ALTER TABLE ... RENAME
 * TO}, MySQL's and MariaDB's {@code RENAME TABLE}) or a drop, the table's changes are filtered out
 * without a word. A table found missing is logged at ERROR, reported as an ERROR event and shown by
 * {@code tributary.gateway.tables.missing}, once per disappearance; found again, it is logged at INFO.
 */
final class TableWatch {
  private static final Logger LOG = LoggerFactory.getLogger(TableWatch.class);
  /** Tables visible to the capture user, by schema (the database on MySQL and MariaDB) and name. */
  static final String QUERY = "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?";

  private final SourceConfig source;
  private final Lookup lookup;
  private final GatewayMetrics metrics;
  private final Set<TableId> missing = ConcurrentHashMap.newKeySet();

  /** Finds which of the captured tables the source does not have. */
  @FunctionalInterface
  interface Lookup {
    List<TableId> missing(List<TableId> tables) throws SQLException;
  }

  TableWatch(SourceConfig source, Lookup lookup, GatewayMetrics metrics) {
    this.source = requireNonNull(source, "source is null");
    this.lookup = requireNonNull(lookup, "lookup is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    metrics.tablesWatched(source.tables(), missing::contains);
  }

  /** A watch looking the tables up in the source's {@code information_schema} through {@code connect}. */
  static TableWatch of(SourceConfig source, Supplier<Connection> connect, GatewayMetrics metrics) {
    return new TableWatch(source, tables -> {
      try (Connection connection = connect.get()) {
        return missingTables(connection, tables);
      }
    }, metrics);
  }

  /** Looks every captured table up at the source; a failed look-up is logged and changes nothing. */
  void check() {
    List<TableId> absent;
    try {
      absent = lookup.missing(source.tables());
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Cannot check that the captured tables of source {} still exist: {}", source.name(), e.getMessage());
      return;
    }
    for (TableId table : source.tables()) {
      if (absent.contains(table)) {
        if (missing.add(table)) {
          String message = GatewayErrors.tableMissing(source, table);
          LOG.error(message);
          metrics.tableMissing(table, message);
        }
      } else if (missing.remove(table)) {
        LOG.info("Captured table {} of source {} exists again; changes made while it was missing were not captured:"
            + " resync it (tributary resync <table>)", table.qualifiedName(), source.name());
      }
    }
  }

  /** The captured tables found missing by the last check. */
  Set<TableId> missing() {
    return Set.copyOf(missing);
  }

  /** The tables of {@code tables} that {@code connection}'s database does not have. */
  static List<TableId> missingTables(Connection connection, List<TableId> tables) throws SQLException {
    List<TableId> absent = new ArrayList<>();
    CatalogQueries.perTable(connection, QUERY, tables, (table, result) -> {
      if (!result.next()) {
        absent.add(table);
      }
    });
    return absent;
  }
}
