package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Snapshot;
import io.tributary.staging.Column;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Delta table as Tributary writes it: its columns in Delta order (all nullable) with the key, the
 * columns the source no longer has ("inactive": kept, no longer filled), and the fingerprint of the
 * staged schema its latest changes were applied with. All three are read from the table itself
 * (its schema and {@link TributaryTableProperties}), so that any applier taking the table over
 * continues from the same layout.
 *
 * @param columns the Delta columns, in order, and the key
 * @param inactive the names of the columns dropped at the source
 * @param fingerprint the fingerprint of the staged schema last applied
 */
public record TableLayout(TableSchema columns, Set<String> inactive, String fingerprint) {
  public TableLayout {
    requireNonNull(columns, "columns is null");
    inactive = Set.copyOf(requireNonNull(inactive, "inactive is null"));
    requireNonNull(fingerprint, "fingerprint is null");
    for (String name : inactive) {
      if (columns.indexOf(name) < 0) {
        throw new IllegalArgumentException("Inactive column '" + name + "' is not a column of " + columns.tableId());
      }
    }
  }

  /** The layout of a table created for {@code staged}: its columns, all active. */
  public static TableLayout of(TableSchema staged) {
    List<Column> columns = new ArrayList<>();
    for (Column column : staged.columns()) {
      columns.add(new Column(column.name(), column.type(), true));
    }
    return new TableLayout(new TableSchema(staged.tableId(), columns, staged.keyColumns()), Set.of(), staged.fingerprint());
  }

  /**
   * The layout of an existing Tributary table at {@code location}, key and inactive columns from its
   * properties. A table written before schema evolution existed has no inactive columns.
   */
  public static TableLayout of(TableId tableId, URI location, Snapshot snapshot) {
    Map<String, String> properties = snapshot.getTableProperties();
    List<String> keyColumns = TributaryTableProperties.keyColumns(properties)
        .orElseThrow(() -> ApplierErrors.notTributaryTable(location, TributaryTableProperties.KEY_COLUMNS));
    TableSchema columns = DeltaTypes.toTableSchema(tableId, snapshot.getSchema(), keyColumns);
    return new TableLayout(columns, Set.copyOf(TributaryTableProperties.inactiveColumns(properties)),
        properties.getOrDefault(TributaryTableProperties.SCHEMA_FINGERPRINT, ""));
  }

  /** Whether the source still has the column. */
  public boolean isActive(String column) {
    return columns.indexOf(column) >= 0 && !inactive.contains(column);
  }
}
