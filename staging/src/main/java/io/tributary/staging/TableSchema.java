package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The columns and primary key of a captured table at one point of its history. Every segment holds
 * rows of exactly one schema, identified by its {@link #fingerprint()}.
 */
public record TableSchema(TableId tableId, List<Column> columns, List<String> keyColumns) {
  public TableSchema {
    requireNonNull(tableId, "tableId is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    keyColumns = List.copyOf(requireNonNull(keyColumns, "keyColumns is null"));
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("Table " + tableId + " has no columns");
    }
    Set<String> names = new HashSet<>();
    for (Column column : columns) {
      if (!names.add(column.name())) {
        throw new IllegalArgumentException("Table " + tableId + " has two columns named '" + column.name() + "'");
      }
    }
    for (String key : keyColumns) {
      if (!names.contains(key)) {
        throw new IllegalArgumentException(
            "Key column '" + key + "' of table " + tableId + " is not one of its columns " + names);
      }
    }
  }

  /** The position of the named column, or -1. */
  public int indexOf(String columnName) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(columnName)) {
        return i;
      }
    }
    return -1;
  }

  public Optional<Column> column(String columnName) {
    int index = indexOf(columnName);
    return index < 0 ? Optional.empty() : Optional.of(columns.get(index));
  }

  /** The positions of the key columns in {@link #columns()}, in key order. */
  public int[] keyIndexes() {
    int[] indexes = new int[keyColumns.size()];
    for (int i = 0; i < indexes.length; i++) {
      indexes[i] = indexOf(keyColumns.get(i));
    }
    return indexes;
  }

  public boolean hasPrimaryKey() {
    return !keyColumns.isEmpty();
  }

  /** Column name to position, for readers that look columns up by name. */
  public Map<String, Integer> columnIndex() {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      index.put(columns.get(i).name(), i);
    }
    return index;
  }

  /**
   * A stable hash of the column names, types, nullability and key, in order. Two schemas with the
   * same fingerprint read and write the same rows.
   */
  public String fingerprint() {
    StringBuilder canonical = new StringBuilder();
    for (Column column : columns) {
      canonical.append(column.name()).append(' ').append(column.type())
          .append(column.nullable() ? " NULL" : " NOT NULL").append('\n');
    }
    canonical.append("KEY ").append(String.join(",", keyColumns));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
