package io.tributary.staging;

import static java.util.Objects.requireNonNull;

/** One column of a captured table, as the source declares it. */
public record Column(String name, ColumnType type, boolean nullable) {
  public Column {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("column name is empty");
    }
    if (name.startsWith("_") && name.length() > 1 && name.charAt(1) == '_') {
      // Double-underscore names are reserved for Tributary's own columns (__START_AT, ...).
      throw new IllegalArgumentException(
          "Column name '" + name + "' starts with '__', which Tributary reserves for its own columns");
    }
  }
}
