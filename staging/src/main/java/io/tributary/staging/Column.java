package io.tributary.staging;

import static java.util.Objects.requireNonNull;

/**
 * One column of a captured table, as the source declares it, or one of the change metadata columns
 * an applier adds to a Delta table (their names start with {@code __}, which the gateway refuses in
 * source tables, so that the two can never clash).
 */
public record Column(String name, ColumnType type, boolean nullable) {
  public Column {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("column name is empty");
    }
  }
}
