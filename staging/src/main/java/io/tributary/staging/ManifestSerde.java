package io.tributary.staging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Writes and reads manifest records as compact JSON, the value format of the message log. The
 * Kafka key of a record is {@link #key(TableId)}, or {@link #sourceKey(String)} for every record of
 * a gateway that rolls commit groups (so that all tables of the source share one partition). Readers
 * take the table from the value; the key only places the record.
 */
public final class ManifestSerde {
  /** The manifest topic gateways write and appliers read unless {@code kafka.topic} says otherwise. */
  public static final String DEFAULT_TOPIC = "tributary.manifests";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ManifestSerde() {}

  /** The Kafka record key for a table's manifests: its canonical id in UTF-8. */
  public static byte[] key(TableId tableId) {
    return tableId.canonical().getBytes(StandardCharsets.UTF_8);
  }

  /** The Kafka record key for every manifest of a source whose tables are committed in groups: its name in UTF-8. */
  public static byte[] sourceKey(String source) {
    return source.getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] serialize(ManifestRecord record) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("format_version", record.formatVersion());
    node.put("kind", record.kind().name());
    node.put("table", record.tableId().canonical());
    node.put("sequence", record.sequence());
    node.put("path", record.segmentPath().toString());
    node.put("rows", record.rowCount());
    node.put("bytes", record.bytes());
    node.put("checksum", record.checksum());
    node.put("first_position", record.firstPosition().value());
    node.put("last_position", record.lastPosition().value());
    node.put("schema_fingerprint", record.schemaFingerprint());
    node.put("created_at_ms", record.createdAtMillis());
    record.group().ifPresent(group -> {
      ObjectNode groupNode = node.putObject("group");
      groupNode.put("id", group.id());
      groupNode.put("cut", group.cut().value());
      groupNode.put("size", group.size());
    });
    record.positionFormat().ifPresent(format -> node.put("position_format", format.manifestName()));
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.INTERNAL, "Cannot serialize manifest of " + record.tableId(), e);
    }
  }

  /**
   * Parses a manifest record.
   *
   * @throws TributaryException with {@link ErrorCode#MANIFEST_INVALID} naming the problem when the
   *     bytes are not a valid manifest record
   */
  public static ManifestRecord deserialize(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new TributaryException(ErrorCode.MANIFEST_INVALID, "Invalid manifest record: empty value");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.MANIFEST_INVALID, "Invalid manifest record: not JSON (" + e.getMessage() + ")", e);
    }
    if (node == null || !node.isObject()) {
      throw new TributaryException(ErrorCode.MANIFEST_INVALID, "Invalid manifest record: not a JSON object");
    }
    try {
      return new ManifestRecord(
          (int) requiredLong(node, "format_version"),
          ManifestRecord.Kind.valueOf(requiredText(node, "kind")),
          TableId.parse(requiredText(node, "table")),
          requiredLong(node, "sequence"),
          URI.create(requiredText(node, "path")),
          requiredLong(node, "rows"),
          requiredLong(node, "bytes"),
          requiredText(node, "checksum"),
          new SourcePosition(requiredText(node, "first_position")),
          new SourcePosition(requiredText(node, "last_position")),
          requiredText(node, "schema_fingerprint"),
          requiredLong(node, "created_at_ms"),
          group(node.get("group")),
          positionFormat(node.get("position_format")));
    } catch (IllegalArgumentException e) {
      throw new TributaryException(ErrorCode.MANIFEST_INVALID, "Invalid manifest record: " + e.getMessage(), e);
    }
  }

  private static Optional<ManifestRecord.Group> group(JsonNode group) {
    if (group == null || group.isNull()) {
      return Optional.empty();
    }
    if (!group.isObject()) {
      throw new IllegalArgumentException("field 'group' is not an object");
    }
    long size = requiredLong(group, "size");
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("field 'group.size' is too large: " + size);
    }
    return Optional.of(new ManifestRecord.Group(requiredText(group, "id"), new SourcePosition(requiredText(group, "cut")),
        (int) size));
  }

  /** The format a manifest names; one this build does not know is left out rather than refused. */
  private static Optional<PositionFormat> positionFormat(JsonNode format) {
    if (format == null || !format.isTextual()) {
      return Optional.empty();
    }
    return PositionFormat.fromManifestName(format.asText());
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not a string");
    }
    return value.asText();
  }

  private static long requiredLong(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not an integer");
    }
    return value.asLong();
  }
}
