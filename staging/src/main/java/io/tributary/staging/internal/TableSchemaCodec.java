package io.tributary.staging.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Writes and reads a {@link TableSchema} as JSON, as stored in a segment's footer. */
public final class TableSchemaCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TableSchemaCodec() {}

  public static String toJson(TableSchema schema) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table", schema.tableId().canonical());
    ArrayNode columns = node.putArray("columns");
    for (Column column : schema.columns()) {
      columns.addObject()
          .put("name", column.name())
          .put("type", column.type().toString())
          .put("nullable", column.nullable());
    }
    ArrayNode keys = node.putArray("key");
    schema.keyColumns().forEach(keys::add);
    return node.toString();
  }

  public static TableSchema fromJson(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      List<Column> columns = new ArrayList<>();
      for (JsonNode column : node.get("columns")) {
        columns.add(new Column(
            column.get("name").asText(),
            ColumnType.parse(column.get("type").asText()),
            column.get("nullable").asBoolean()));
      }
      List<String> keys = new ArrayList<>();
      for (JsonNode key : node.get("key")) {
        keys.add(key.asText());
      }
      return new TableSchema(TableId.parse(node.get("table").asText()), columns, keys);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Invalid table schema JSON: " + e.getMessage(), e);
    }
  }
}
