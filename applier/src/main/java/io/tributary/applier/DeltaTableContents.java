package io.tributary.applier;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableSchema;
import java.net.URI;
import java.util.List;

/**
 * Every current row of a Delta table written by Tributary, at one version.
 *
 * @param schema the table's columns (all nullable in Delta) and key, from its schema and properties
 * @param rows the rows ordered by key; values follow {@code schema}'s columns, typed as
 *     {@link io.tributary.staging.ColumnType} documents. The arrays are the caller's to keep, not to share.
 */
public record DeltaTableContents(URI location, long version, TableSchema schema, List<Object[]> rows) {
  public DeltaTableContents {
    requireNonNull(location, "location is null");
    requireNonNull(schema, "schema is null");
    rows = List.copyOf(requireNonNull(rows, "rows is null"));
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
  }
}
