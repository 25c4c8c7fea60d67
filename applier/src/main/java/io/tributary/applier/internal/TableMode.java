package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.applier.TableOptions;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How one table's changes are applied, resolved from its {@link TableOptions} and its staged schema:
 * the apply mode, whether every column is the key, whether deletes only mark rows. The mode decides
 * the change metadata columns the Delta table has after the source's columns (created with the
 * table, since Kernel 4.4 cannot add columns to a table without column mapping), and is recorded in
 * the table's {@link TributaryTableProperties#APPLY_MODE} property so that an applier configured
 * differently refuses the table instead of writing it in another shape.
 *
 * <p>Metadata column names start with {@code __}, which the gateway refuses in source tables; a
 * staged schema holding such a column is refused here too ({@link #deltaSchema}).
 *
 * @param mode what a change does to the table
 * @param allColumnsKey whether every column of the source is the key (a table without primary key)
 * @param softDelete whether a delete sets {@link #DELETED_AT} instead of removing the row
 */
public record TableMode(TableOptions.Mode mode, boolean allColumnsKey, boolean softDelete) {
  /** Append mode: the operation code, {@code c u d r t}. */
  public static final String OP = "__op";
  /** Append mode: the change's source position (text order is source order). */
  public static final String POSITION = "__position";
  /** Append mode: the source commit time of the change. */
  public static final String SOURCE_TS = "__source_ts";
  /** Append mode: the source transaction id, null where the source gives none. */
  public static final String TXID = "__txid";
  /** Soft delete: when the row was deleted at the source, null while it exists. */
  public static final String DELETED_AT = "__deleted_at";
  /** SCD type 2: the source commit time of the change that opened the version. */
  public static final String START_AT = "__start_at";
  /** SCD type 2: the source position of the change that opened the version. */
  public static final String START_POSITION = "__start_position";
  /** SCD type 2: the source commit time of the change that closed the version; null while current. */
  public static final String END_AT = "__end_at";
  /** SCD type 2: the source position of the change that closed the version; null while current. */
  public static final String END_POSITION = "__end_position";
  /** SCD type 2: whether the version is the key's current one. */
  public static final String CURRENT = "__current";

  /** The mode of tables created before apply modes existed, which have no property. */
  public static final TableMode SCD1 = new TableMode(TableOptions.Mode.SCD1, false, false);

  public TableMode {
    requireNonNull(mode, "mode is null");
    if (softDelete && mode != TableOptions.Mode.SCD1) {
      throw new IllegalArgumentException("soft delete applies to mode scd1 only: " + mode);
    }
    if (allColumnsKey && mode == TableOptions.Mode.APPEND) {
      throw new IllegalArgumentException("an all-columns key applies to modes scd1 and scd2 only");
    }
  }

  /**
   * The mode {@code options} give a table staged as {@code staged}: by default SCD type 1 for a
   * table with a primary key, append for one without.
   *
   * @throws io.tributary.staging.TributaryException {@code MISSING_PRIMARY_KEY} for a keyed mode
   *     of a table without a key, {@code CONFIG_INVALID} for an all-columns key of a table with one
   */
  public static TableMode resolve(TableId tableId, TableSchema staged, TableOptions options) {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(staged, "staged is null");
    requireNonNull(options, "options is null");
    boolean allColumns = options.key() == TableOptions.Key.ALL_COLUMNS;
    if (allColumns && staged.hasPrimaryKey()) {
      throw ApplierErrors.allColumnsKeyWithPrimaryKey(tableId, staged.keyColumns());
    }
    TableOptions.Mode mode = options.mode()
        .orElse(staged.hasPrimaryKey() || allColumns ? TableOptions.Mode.SCD1 : TableOptions.Mode.APPEND);
    if (mode != TableOptions.Mode.APPEND && !staged.hasPrimaryKey() && !allColumns) {
      throw ApplierErrors.missingPrimaryKey(tableId, mode);
    }
    return new TableMode(mode, allColumns, options.softDelete());
  }

  /**
   * The mode recorded in a table's properties: {@code scd1}, {@code scd2} or {@code append}, then
   * {@code +all-columns} and {@code +soft-delete} where they apply.
   */
  public String property() {
    return mode.configName() + (allColumnsKey ? "+all-columns" : "") + (softDelete ? "+soft-delete" : "");
  }

  /** The mode a table's property names; {@link #SCD1} when the table has none. */
  public static TableMode parse(Optional<String> property) {
    if (property.isEmpty()) {
      return SCD1;
    }
    String[] parts = property.get().split("\\+");
    TableOptions.Mode mode;
    try {
      mode = TableOptions.Mode.valueOf(parts[0].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid " + TributaryTableProperties.APPLY_MODE + " property '"
          + property.get() + "': expected scd1, scd2 or append", e);
    }
    boolean allColumns = false;
    boolean softDelete = false;
    for (int i = 1; i < parts.length; i++) {
      switch (parts[i]) {
        case "all-columns" -> allColumns = true;
        case "soft-delete" -> softDelete = true;
        default -> throw new IllegalArgumentException("Invalid " + TributaryTableProperties.APPLY_MODE + " property '"
            + property.get() + "': unknown option '" + parts[i] + "'");
      }
    }
    return new TableMode(mode, allColumns, softDelete);
  }

  /** The change metadata columns of this mode, in the order they follow the source's columns. */
  public List<Column> metadataColumns() {
    List<Column> columns = new ArrayList<>();
    switch (mode) {
      case APPEND -> {
        columns.add(new Column(OP, ColumnType.STRING, true));
        columns.add(new Column(POSITION, ColumnType.STRING, true));
        columns.add(new Column(SOURCE_TS, ColumnType.TIMESTAMP, true));
        columns.add(new Column(TXID, ColumnType.STRING, true));
      }
      case SCD2 -> {
        columns.add(new Column(START_AT, ColumnType.TIMESTAMP, true));
        columns.add(new Column(START_POSITION, ColumnType.STRING, true));
        columns.add(new Column(END_AT, ColumnType.TIMESTAMP, true));
        columns.add(new Column(END_POSITION, ColumnType.STRING, true));
        columns.add(new Column(CURRENT, ColumnType.BOOLEAN, true));
      }
      case SCD1 -> {
        if (softDelete) {
          columns.add(new Column(DELETED_AT, ColumnType.TIMESTAMP, true));
        }
      }
    }
    return columns;
  }

  /**
   * The columns and key the Delta table has for {@code staged}: its columns, then this mode's
   * metadata columns; the key is the source's, or every source column with an all-columns key. For
   * SCD type 1 without soft delete, that is {@code staged} itself (same fingerprint, so tables
   * created before apply modes existed keep theirs).
   *
   * @throws io.tributary.staging.TributaryException {@code UNSUPPORTED_TYPE} when a staged column's
   *     name starts with {@code __}, the prefix of the metadata columns
   */
  public TableSchema deltaSchema(TableSchema staged) {
    requireNonNull(staged, "staged is null");
    for (Column column : staged.columns()) {
      if (column.name().startsWith("__")) {
        throw ApplierErrors.reservedColumn(staged.tableId(), column.name(), this);
      }
    }
    List<Column> metadata = metadataColumns();
    if (metadata.isEmpty() && !allColumnsKey) {
      return staged;
    }
    List<Column> columns = new ArrayList<>(staged.columns());
    columns.addAll(metadata);
    List<String> key = allColumnsKey ? staged.columns().stream().map(Column::name).toList() : staged.keyColumns();
    return new TableSchema(staged.tableId(), columns, key);
  }

  @Override
  public String toString() {
    return property();
  }
}
