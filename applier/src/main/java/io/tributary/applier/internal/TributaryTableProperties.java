package io.tributary.applier.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The table properties Tributary records in every Delta table it creates, so that a reader (the
 * {@code verify} command, a later applier) knows the table's source and key without the source.
 * Key columns are a JSON array, since column names may contain any character.
 */
public final class TributaryTableProperties {
  public static final String TABLE_ID = "tributary.table-id";
  public static final String KEY_COLUMNS = "tributary.key-columns";
  public static final String SCHEMA_FINGERPRINT = "tributary.schema-fingerprint";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TributaryTableProperties() {}

  public static Map<String, String> of(TableSchema schema) {
    return Map.of(
        TABLE_ID, schema.tableId().canonical(),
        KEY_COLUMNS, encodeKeyColumns(schema.keyColumns()),
        SCHEMA_FINGERPRINT, schema.fingerprint());
  }

  public static Optional<TableId> tableId(Map<String, String> properties) {
    return Optional.ofNullable(properties.get(TABLE_ID)).map(TableId::parse);
  }

  public static Optional<List<String>> keyColumns(Map<String, String> properties) {
    return Optional.ofNullable(properties.get(KEY_COLUMNS)).map(TributaryTableProperties::decodeKeyColumns);
  }

  static String encodeKeyColumns(List<String> keyColumns) {
    try {
      return MAPPER.writeValueAsString(keyColumns);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode key columns " + keyColumns, e);
    }
  }

  static List<String> decodeKeyColumns(String json) {
    try {
      return List.copyOf(MAPPER.readValue(json, new TypeReference<List<String>>() {}));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Invalid " + KEY_COLUMNS + " property '" + json + "': not a JSON array of names", e);
    }
  }
}
