package io.tributary.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The on-disk form of the engine's committed offsets: a JSON document listing each (key, value)
 * pair that Kafka Connect's offset writer produced, base64-encoded because the store treats them as
 * opaque bytes. Keys and values are themselves JSON written by the engine's converter: a key is
 * {@code ["<engine name>", {partition}]}, a value the connector's offset map.
 */
final class OffsetFile {
  static final int FORMAT_VERSION = 1;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OffsetFile() {}

  /** The stored pairs, or none when the file does not exist. */
  static Map<ByteBuffer, ByteBuffer> read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new HashMap<>();
    }
    JsonNode root = MAPPER.readTree(bytes);
    if (root == null || !root.isObject() || root.path("format_version").asInt(-1) != FORMAT_VERSION
        || !root.path("offsets").isArray()) {
      throw new IOException("not an offset file of format version " + FORMAT_VERSION);
    }
    Map<ByteBuffer, ByteBuffer> data = new HashMap<>();
    for (JsonNode entry : root.path("offsets")) {
      JsonNode key = entry.get("key");
      JsonNode value = entry.get("value");
      if (key == null || !key.isTextual()) {
        throw new IOException("an entry has no key");
      }
      data.put(ByteBuffer.wrap(Base64.getDecoder().decode(key.asText())),
          value == null || value.isNull() ? null : ByteBuffer.wrap(Base64.getDecoder().decode(value.asText())));
    }
    return data;
  }

  /** Replaces the file durably and atomically with {@code data}. */
  static void write(Path file, Map<ByteBuffer, ByteBuffer> data) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    ArrayNode offsets = root.putArray("offsets");
    for (Map.Entry<ByteBuffer, ByteBuffer> entry : data.entrySet()) {
      ObjectNode node = offsets.addObject();
      node.put("key", Base64.getEncoder().encodeToString(bytes(entry.getKey())));
      if (entry.getValue() == null) {
        node.putNull("value");
      } else {
        node.put("value", Base64.getEncoder().encodeToString(bytes(entry.getValue())));
      }
    }
    DurableFile.replace(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  /**
   * The committed offset of the engine named {@code engineName}, decoded. Debezium's PostgreSQL
   * connector has a single source partition, so there is at most one.
   */
  static Optional<Map<String, Object>> committedOffset(Path file, String engineName) throws IOException {
    for (Map.Entry<ByteBuffer, ByteBuffer> entry : read(file).entrySet()) {
      JsonNode key = MAPPER.readTree(bytes(entry.getKey()));
      if (key != null && key.isArray() && key.size() == 2 && engineName.equals(key.get(0).asText())
          && entry.getValue() != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> offset = MAPPER.readValue(bytes(entry.getValue()), LinkedHashMap.class);
        return Optional.of(offset);
      }
    }
    return Optional.empty();
  }

  /** The partitions of {@code engineName} found among the keys. */
  static java.util.Set<Map<String, Object>> partitions(Map<ByteBuffer, ByteBuffer> data, String engineName) {
    java.util.Set<Map<String, Object>> partitions = new java.util.HashSet<>();
    for (ByteBuffer key : data.keySet()) {
      try {
        JsonNode node = MAPPER.readTree(bytes(key));
        if (node != null && node.isArray() && node.size() == 2 && engineName.equals(node.get(0).asText())
            && node.get(1).isObject()) {
          @SuppressWarnings("unchecked")
          Map<String, Object> partition = MAPPER.convertValue(node.get(1), LinkedHashMap.class);
          partitions.add(partition);
        }
      } catch (IOException e) {
        // Not a key written by Kafka Connect's JSON converter; it names no partition.
      }
    }
    return partitions;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
