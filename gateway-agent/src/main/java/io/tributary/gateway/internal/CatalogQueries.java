package io.tributary.gateway.internal;

import io.tributary.gateway.ColumnSelection;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Catalog look-ups the start-up checks of every SQL source make the same way. */
final class CatalogQueries {
  private CatalogQueries() {}

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
