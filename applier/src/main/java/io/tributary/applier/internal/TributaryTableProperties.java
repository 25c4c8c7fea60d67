package io.tributary.applier.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The table properties Tributary records in every Delta table it creates, so that a reader (the
 * {@code verify} command, a later applier) knows the table's source and key without the source.
 * Key columns are a JSON array, since column names may contain any character.
 *
 * <p>Schema evolution keeps {@link #SCHEMA_FINGERPRINT} at the fingerprint of the staged schema last
 * applied and lists the columns the source dropped in {@link #INACTIVE_COLUMNS} (a JSON array, absent
 * while there are none): they stay in the Delta schema but are no longer filled.
 *
 * <p>A table whose first key column comes after its 32nd column gets {@link #STATISTICS_COLUMNS} up
 * to it, so that every data file has the key range the applier finds files by ({@link TableFiles}).
 *
 * <p>{@link #APPLY_MODE} records how the table's changes are applied (see {@link TableMode}), which
 * decides its metadata columns and what its rows mean; an applier configured otherwise refuses it.
 */
public final class TributaryTableProperties {
  public static final String TABLE_ID = "tributary.table-id";
  public static final String KEY_COLUMNS = "tributary.key-columns";
  public static final String SCHEMA_FINGERPRINT = "tributary.schema-fingerprint";
  public static final String INACTIVE_COLUMNS = "tributary.inactive-columns";
  /** How the table's changes are applied ({@link TableMode#property()}); absent in tables older than apply modes. */
  public static final String APPLY_MODE = "tributary.apply-mode";

  /** How many leading columns Kernel collects statistics of ({@code delta.dataSkippingNumIndexedCols}). */
  static final String STATISTICS_COLUMNS = "delta.dataSkippingNumIndexedCols";
  private static final int DEFAULT_STATISTICS_COLUMNS = 32;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TributaryTableProperties() {}

  /**
   * The properties of a table created for {@code schema} (its Delta columns and key, see
   * {@link TableMode#deltaSchema}) in {@code mode}.
   */
  public static Map<String, String> of(TableSchema schema, TableMode mode) {
    return of(schema, mode, false);
  }

  /**
   * The properties of a table created for {@code schema} in {@code mode}, with deletion vectors
   * enabled ({@code delta.enableDeletionVectors}, which makes Kernel raise the protocol to reader
   * version 3 and writer version 7) when {@code deletionVectors}.
   */
  public static Map<String, String> of(TableSchema schema, TableMode mode, boolean deletionVectors) {
    Map<String, String> properties = new HashMap<>(Map.of(
        TABLE_ID, schema.tableId().canonical(),
        KEY_COLUMNS, encodeNames(schema.keyColumns()),
        SCHEMA_FINGERPRINT, schema.fingerprint(),
        APPLY_MODE, mode.property()));
    // Kernel writes min/max statistics of the first 32 columns only; the applier finds files by the first key column's.
    int firstKey = schema.keyColumns().isEmpty() ? -1 : schema.indexOf(schema.keyColumns().get(0));
    if (firstKey >= DEFAULT_STATISTICS_COLUMNS) {
      properties.put(STATISTICS_COLUMNS, Integer.toString(firstKey + 1));
    }
    if (deletionVectors) {
      properties.put(DeletionVectors.ENABLE, "true");
    }
    return Map.copyOf(properties);
  }

  /** The table's apply mode; SCD type 1 for a table created before apply modes existed. */
  public static TableMode applyMode(Map<String, String> properties) {
    return TableMode.parse(Optional.ofNullable(properties.get(APPLY_MODE)));
  }

  /**
   * The properties that change with the table's layout: the fingerprint and the inactive columns
   * (an empty array once none is left inactive, since a property cannot be removed in the same
   * commit that sets others).
   */
  public static Map<String, String> of(TableLayout layout) {
    return Map.of(
        SCHEMA_FINGERPRINT, layout.fingerprint(),
        INACTIVE_COLUMNS, encodeNames(layout.inactive().stream().sorted().toList()));
  }

  /** The columns the source dropped, empty when the property is absent. */
  public static List<String> inactiveColumns(Map<String, String> properties) {
    return Optional.ofNullable(properties.get(INACTIVE_COLUMNS)).map(json -> decodeNames(INACTIVE_COLUMNS, json))
        .orElse(List.of());
  }

  public static Optional<TableId> tableId(Map<String, String> properties) {
    return Optional.ofNullable(properties.get(TABLE_ID)).map(TableId::parse);
  }

  public static Optional<List<String>> keyColumns(Map<String, String> properties) {
    return Optional.ofNullable(properties.get(KEY_COLUMNS)).map(json -> decodeNames(KEY_COLUMNS, json));
  }

  static String encodeNames(List<String> names) {
    try {
      return MAPPER.writeValueAsString(names);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode column names " + names, e);
    }
  }

  static List<String> decodeNames(String property, String json) {
    try {
      return List.copyOf(MAPPER.readValue(json, new TypeReference<List<String>>() {}));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Invalid " + property + " property '" + json + "': not a JSON array of names", e);
    }
  }
}
