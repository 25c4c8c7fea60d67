package io.tributary.gateway.internal;

import io.tributary.gateway.ColumnSelection;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Catalog look-ups the start-up checks of every SQL source make the same way. */
final class CatalogQueries {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogQueries.class);

  private CatalogQueries() {}

  /**
   * The source's estimate of each table's row count for snapshot progress: {@code query} takes a
   * table's schema (or database) and name and answers one count from the source's statistics. Tables
   * without an estimate (no row, null or negative) are left out. Never fails: a failed estimate only
   * costs the progress percentage.
   */
  static Map<TableId, Long> rowEstimates(SourceConfig source, Supplier<Connection> connect, String query) {
    Map<TableId, Long> estimates = new LinkedHashMap<>();
    try (Connection connection = connect.get()) {
      perTable(connection, query, source.tables(), (table, result) -> {
        if (result.next() && result.getObject(1) != null && result.getLong(1) >= 0) {
          estimates.put(table, result.getLong(1));
        }
      });
    } catch (SQLException | RuntimeException e) {
      LOG.info("Cannot estimate the row counts of source {} for snapshot progress: {}", source.name(), e.getMessage());
    }
    return estimates;
  }

  /** What to do with one table's result rows. */
  @FunctionalInterface
  interface TableRows {
    void accept(TableId table, ResultSet result) throws SQLException;
  }

  /**
   * Runs {@code query}, whose two parameters are a table's schema (or database) and name, once per
   * table.
   */
  static void perTable(Connection connection, String query, List<TableId> tables, TableRows rows) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      for (TableId table : tables) {
        statement.setString(1, table.schema());
        statement.setString(2, table.table());
        try (ResultSet result = statement.executeQuery()) {
          rows.accept(table, result);
        }
      }
    }
  }

  /**
   * Checks that every column a selection names exists and that no selection leaves out a key column.
   *
   * @param columnsQuery the names of a table's columns, given its schema (or database) and name
   */
  static void checkColumnSelections(Connection connection, SourceConfig source, Map<TableId, List<String>> keys,
      String columnsQuery) throws SQLException {
    for (Map.Entry<TableId, ColumnSelection> entry : source.columns().entrySet()) {
      TableId table = entry.getKey();
      ColumnSelection selection = entry.getValue();
      List<String> columns = new ArrayList<>();
      perTable(connection, columnsQuery, List.of(table), (ignored, result) -> {
        while (result.next()) {
          columns.add(result.getString(1));
        }
      });
      List<String> unknown = selection.named().stream().filter(column -> !columns.contains(column)).toList();
      List<String> keysLeftOut = keys.getOrDefault(table, List.of()).stream().filter(key -> !selection.captures(key))
          .toList();
      if (!unknown.isEmpty() || !keysLeftOut.isEmpty()) {
        throw GatewayErrors.invalidColumnSelection(source, table, unknown, keysLeftOut, columns);
      }
    }
  }
}
