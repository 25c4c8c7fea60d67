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
final class TableWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableWatch.class);
  /** Tables visible to the capture user, by schema (the database on MySQL and MariaDB) and name. */
  static final String QUERY = "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?";

  private final SourceConfig source;
  private final Lookup lookup;
  private final GatewayMetrics metrics;
  private final Set<TableId> missing = ConcurrentHashMap.newKeySet();

  /** Finds which of the captured tables the source does not have. */
  @FunctionalInterface
  interface Lookup extends AutoCloseable {
    List<TableId> missing(List<TableId> tables) throws SQLException;

    /** Releases what the look-up keeps between checks; by default nothing. */
    @Override
    default void close() {}
  }

  TableWatch(SourceConfig source, Lookup lookup, GatewayMetrics metrics) {
    this.source = requireNonNull(source, "source is null");
    this.lookup = requireNonNull(lookup, "lookup is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    metrics.tablesWatched(source.tables(), missing::contains);
  }

  /**
   * A watch looking the tables up in the source's {@code information_schema} on one connection, opened
   * through {@code connect} and kept from one check to the next.
   */
  static TableWatch of(SourceConfig source, Supplier<Connection> connect, GatewayMetrics metrics) {
    return new TableWatch(source, new CatalogLookup(connect), metrics);
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

  /** Closes the look-up's connection, if it keeps one. */
  @Override
  public void close() {
    lookup.close();
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

  /**
   * Looks tables up on a connection kept between checks: a check every heartbeat interval would
   * otherwise log in to the source each time (a SCRAM or TLS handshake, a new server process on
   * PostgreSQL). The connection stays in auto-commit, so nothing holds a transaction open between
   * checks. A kept connection that fails (the server restarted, a proxy dropped it while idle) is
   * replaced by a new one at once, within the same check.
   */
  static final class CatalogLookup implements Lookup {
    private final Supplier<Connection> connect;
    // Volatile, not under the lock: close() must not wait for a check stuck on an unresponsive server.
    private volatile Connection connection;
    private volatile boolean closed;

    CatalogLookup(Supplier<Connection> connect) {
      this.connect = requireNonNull(connect, "connect is null");
    }

    @Override
    public synchronized List<TableId> missing(List<TableId> tables) throws SQLException {
      Connection kept = connection;
      if (kept != null) {
        try {
          return missingTables(kept, tables);
        } catch (SQLException e) {
          LOG.debug("The kept connection failed to look the captured tables up ({}); connecting again", e.getMessage());
          discard(kept);
        }
      }
      if (closed) {
        throw new SQLException("The table watch is closed");
      }
      Connection opened = connect.get();
      connection = opened;
      if (closed) {
        // Closed while connecting: close() may not have seen this connection.
        discard(opened);
        throw new SQLException("The table watch is closed");
      }
      try {
        // What the driver opens by default, made sure of: no transaction outlives a check.
        opened.setAutoCommit(true);
        return missingTables(opened, tables);
      } catch (SQLException | RuntimeException e) {
        discard(opened);
        throw e;
      }
    }

    /** Whether a connection is kept for the next check. */
    boolean connected() {
      return connection != null;
    }

    /** Closes the kept connection, without waiting for a check in progress (whose query then fails). */
    @Override
    public void close() {
      closed = true;
      Connection kept = connection;
      if (kept != null) {
        discard(kept);
      }
    }

    private void discard(Connection discarded) {
      if (connection == discarded) {
        connection = null;
      }
      try {
        discarded.close();
      } catch (SQLException e) {
        LOG.debug("Closing the table watch's connection failed: {}", e.getMessage());
      }
    }
  }
}
