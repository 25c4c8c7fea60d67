package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.coordinator.CommitGroupProposal;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.ConsistentPosition;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.coordinator.Replay;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.RollbackResult;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The JSON form of the control contract as the HTTP API speaks it: snake_case fields, table ids in
 * canonical form, instants in ISO-8601, absent optionals as {@code null}. Shared by the server and
 * {@link io.tributary.coordinator.client.HttpCoordinatorClient}; reading fails with
 * {@link IllegalArgumentException} naming the field.
 */
public final class ApiCodec {
  /** The one mapper of the module; thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private ApiCodec() {}

  public static ObjectNode toJson(TableRegistration registration) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", registration.tableId().canonical());
    node.put("location", registration.location().toString());
    strings(node.putArray("key_columns"), registration.keyColumns());
    return node;
  }

  public static TableRegistration registration(JsonNode node) {
    Fields fields = new Fields(node);
    return new TableRegistration(fields.tableId("table_id"), fields.uri("location"), fields.textList("key_columns"));
  }

  public static ObjectNode toJson(TableStatus status) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", status.tableId().canonical());
    node.put("location", status.location().toString());
    strings(node.putArray("key_columns"), status.keyColumns());
    node.put("version", status.version());
    node.put("applied_position", status.appliedPosition().map(SourcePosition::value).orElse(null));
    node.put("epoch", status.epoch().value());
    node.put("lease_holder", status.leaseHolder().map(WriterId::value).orElse(null));
    node.put("lease_expires_at", status.leaseExpiresAt().map(Instant::toString).orElse(null));
    node.put("paused", status.paused());
    node.put("paused_reason", status.pausedReason().orElse(null));
    if (status.resync().isPresent()) {
      node.set("resync", toJson(status.resync().get()));
    } else {
      node.putNull("resync");
    }
    return node;
  }

  public static ObjectNode toJson(Resync resync) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", resync.id());
    node.put("state", resync.state().name());
    node.put("reason", resync.reason());
    node.put("requested_at", resync.requestedAt().toString());
    node.put("updated_at", resync.updatedAt().toString());
    node.put("detail", resync.detail());
    return node;
  }

  public static Resync resync(JsonNode node) {
    Fields fields = new Fields(node);
    return new Resync(fields.text("id"), resyncState(fields.text("state")), fields.text("reason"),
        fields.instant("requested_at"), fields.instant("updated_at"), fields.optionalText("detail").orElse(""));
  }

  public static Resync.State resyncState(String state) {
    try {
      return Resync.State.valueOf(state);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("resync state must be one of " + java.util.Arrays.toString(Resync.State.values())
          + ", not '" + state + "'", e);
    }
  }

  public static TableStatus tableStatus(JsonNode node) {
    Fields fields = new Fields(node);
    return new TableStatus(fields.tableId("table_id"), fields.uri("location"), fields.textList("key_columns"),
        fields.longValue("version"), fields.optionalText("applied_position").map(SourcePosition::new),
        new Epoch(fields.longValue("epoch")), fields.optionalText("lease_holder").map(WriterId::new),
        fields.optionalText("lease_expires_at").map(text -> Fields.parseInstant("lease_expires_at", text)),
        fields.optionalText("paused_reason"),
        node.get("resync") == null || node.get("resync").isNull() ? Optional.empty() : Optional.of(resync(node.get("resync"))));
  }

  public static ObjectNode toJson(Lease lease) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", lease.tableId().canonical());
    node.put("writer", lease.writer().value());
    node.put("epoch", lease.epoch().value());
    node.put("expires_at", lease.expiresAt().toString());
    return node;
  }

  public static Lease lease(JsonNode node) {
    Fields fields = new Fields(node);
    return new Lease(fields.tableId("table_id"), new WriterId(fields.text("writer")), new Epoch(fields.longValue("epoch")),
        fields.instant("expires_at"));
  }

  public static ObjectNode toJson(CommitProposal proposal) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", proposal.tableId().canonical());
    node.put("writer", proposal.writer().value());
    node.put("epoch", proposal.epoch().value());
    node.put("version", proposal.version());
    node.put("staged_commit", proposal.stagedCommit().toString());
    node.put("watermark", proposal.watermark().map(SourcePosition::value).orElse(null));
    strings(node.putArray("segments"), proposal.segments().stream().map(URI::toString).toList());
    node.put("rows_changed", proposal.rowsChanged());
    return node;
  }

  public static CommitProposal proposal(JsonNode node) {
    Fields fields = new Fields(node);
    return new CommitProposal(fields.tableId("table_id"), new WriterId(fields.text("writer")),
        new Epoch(fields.longValue("epoch")), fields.longValue("version"), fields.uri("staged_commit"),
        fields.optionalText("watermark").map(SourcePosition::new), fields.uriList("segments"),
        fields.longValue("rows_changed"));
  }

  public static ObjectNode toJson(CommitReceipt receipt) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", receipt.tableId().canonical());
    node.put("version", receipt.version());
    node.put("published_commit", receipt.publishedCommit().toString());
    node.put("size", receipt.size());
    node.put("modification_time", receipt.modificationTime());
    return node;
  }

  public static CommitReceipt receipt(JsonNode node) {
    Fields fields = new Fields(node);
    return new CommitReceipt(fields.tableId("table_id"), fields.longValue("version"), fields.uri("published_commit"),
        fields.longValue("size"), fields.longValue("modification_time"));
  }

  public static ObjectNode toJson(CommitRecord record) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", record.tableId().canonical());
    node.put("version", record.version());
    node.put("writer", record.writer().value());
    node.put("epoch", record.epoch().value());
    node.put("watermark", record.watermark().map(SourcePosition::value).orElse(null));
    strings(node.putArray("segments"), record.segments().stream().map(URI::toString).toList());
    node.put("rows_changed", record.rowsChanged());
    node.put("committed_at", record.committedAt().toString());
    node.put("published_commit", record.publishedCommit().toString());
    node.put("status", record.status().name());
    if (record.rollback().isPresent()) {
      ObjectNode rollback = node.putObject("rollback");
      rollback.put("to_version", record.rollback().get().toVersion());
      rollback.put("reason", record.rollback().get().reason());
    } else {
      node.putNull("rollback");
    }
    if (record.group().isPresent()) {
      ObjectNode group = node.putObject("group");
      group.put("id", record.group().get().id());
      group.put("cut", record.group().get().cut().value());
      group.put("size", record.group().get().size());
    } else {
      node.putNull("group");
    }
    return node;
  }

  public static CommitRecord commitRecord(JsonNode node) {
    Fields fields = new Fields(node);
    String status = fields.text("status");
    CommitRecord.Status parsedStatus;
    try {
      parsedStatus = CommitRecord.Status.valueOf(status);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field 'status' must be RATIFIED or PUBLISHED, not '" + status + "'", e);
    }
    return new CommitRecord(fields.tableId("table_id"), fields.longValue("version"), new WriterId(fields.text("writer")),
        new Epoch(fields.longValue("epoch")), fields.optionalText("watermark").map(SourcePosition::new),
        fields.uriList("segments"), fields.longValue("rows_changed"), fields.instant("committed_at"),
        fields.uri("published_commit"), parsedStatus, rollback(node.get("rollback")), group(node.get("group")));
  }

  private static Optional<CommitRecord.Group> group(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    Fields fields = new Fields(node);
    return Optional.of(new CommitRecord.Group(fields.text("id"), new SourcePosition(fields.text("cut")),
        (int) fields.longValue("size")));
  }

  public static ObjectNode toJson(CommitGroupProposal group) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("source", group.source());
    node.put("id", group.id());
    node.put("cut", group.cut().value());
    ArrayNode commits = node.putArray("commits");
    group.commits().forEach(commit -> commits.add(toJson(commit)));
    return node;
  }

  public static CommitGroupProposal commitGroup(JsonNode node) {
    Fields fields = new Fields(node);
    JsonNode commits = node.get("commits");
    if (commits == null || !commits.isArray()) {
      throw new IllegalArgumentException("field 'commits' is missing or not an array");
    }
    List<CommitProposal> proposals = new ArrayList<>();
    commits.forEach(commit -> proposals.add(proposal(commit)));
    return new CommitGroupProposal(fields.text("source"), fields.text("id"), new SourcePosition(fields.text("cut")),
        proposals);
  }

  public static ArrayNode toJson(List<CommitReceipt> receipts) {
    ArrayNode array = MAPPER.createArrayNode();
    receipts.forEach(receipt -> array.add(toJson(receipt)));
    return array;
  }

  public static List<CommitReceipt> receipts(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException("expected an array of commit receipts");
    }
    List<CommitReceipt> receipts = new ArrayList<>();
    node.forEach(receipt -> receipts.add(receipt(receipt)));
    return List.copyOf(receipts);
  }

  /** A source's consistent position, or {@code {"source": ..., "consistent": false}} while it has none. */
  public static ObjectNode toJson(String source, Optional<ConsistentPosition> consistent) {
    if (consistent.isEmpty()) {
      ObjectNode node = MAPPER.createObjectNode();
      node.put("source", source);
      node.put("consistent", false);
      return node;
    }
    return toJson(consistent.get());
  }

  public static ObjectNode toJson(ConsistentPosition position) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("source", position.source());
    node.put("consistent", true);
    node.put("position", position.position().value());
    node.put("group", position.group());
    node.put("ratified_at", position.ratifiedAt().toString());
    ArrayNode tables = node.putArray("tables");
    for (ConsistentPosition.TableVersion table : position.tables()) {
      ObjectNode entry = tables.addObject();
      entry.put("table_id", table.tableId().canonical());
      entry.put("version", table.version());
    }
    return node;
  }

  public static ConsistentPosition consistentPosition(JsonNode node) {
    Fields fields = new Fields(node);
    JsonNode tables = node.get("tables");
    if (tables == null || !tables.isArray()) {
      throw new IllegalArgumentException("field 'tables' is missing or not an array");
    }
    List<ConsistentPosition.TableVersion> versions = new ArrayList<>();
    tables.forEach(table -> {
      Fields entry = new Fields(table);
      versions.add(new ConsistentPosition.TableVersion(entry.tableId("table_id"), entry.longValue("version")));
    });
    return new ConsistentPosition(fields.text("source"), new SourcePosition(fields.text("position")),
        fields.text("group"), fields.instant("ratified_at"), versions);
  }

  private static Optional<CommitRecord.Rollback> rollback(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    Fields fields = new Fields(node);
    return Optional.of(new CommitRecord.Rollback(fields.longValue("to_version"), fields.text("reason")));
  }

  /** A pending replay, or {@code {"table_id": ..., "pending": false}} when there is none. */
  public static ObjectNode toJson(TableId tableId, Optional<Replay> replay) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", tableId.canonical());
    node.put("pending", replay.isPresent());
    replay.ifPresent(pending -> {
      node.put("rollback_version", pending.rollbackVersion());
      node.put("to_version", pending.toVersion());
      node.put("from", pending.from().map(SourcePosition::value).orElse(null));
      node.put("until", pending.until().value());
      strings(node.putArray("segments"), pending.segments().stream().map(URI::toString).toList());
    });
    return node;
  }

  public static Optional<Replay> replay(JsonNode node) {
    Fields fields = new Fields(node);
    if (!fields.bool("pending")) {
      return Optional.empty();
    }
    return Optional.of(new Replay(fields.tableId("table_id"), fields.longValue("rollback_version"),
        fields.longValue("to_version"), fields.optionalText("from").map(SourcePosition::new),
        new SourcePosition(fields.text("until")), fields.uriList("segments")));
  }

  public static ObjectNode toJson(RollbackResult result) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", result.tableId().canonical());
    node.put("from_version", result.fromVersion());
    node.put("to_version", result.toVersion());
    node.put("version", result.version());
    node.put("files_removed", result.filesRemoved());
    node.put("files_added", result.filesAdded());
    node.set("replay", toJson(result.tableId(), result.replay()));
    return node;
  }

  public static RollbackResult rollbackResult(JsonNode node) {
    Fields fields = new Fields(node);
    return new RollbackResult(fields.tableId("table_id"), fields.longValue("from_version"), fields.longValue("to_version"),
        fields.longValue("version"), (int) fields.longValue("files_removed"), (int) fields.longValue("files_added"),
        replay(node.get("replay")));
  }

  public static ObjectNode toJson(PublishedPosition published) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("table_id", published.tableId().canonical());
    node.put("version", published.version());
    node.put("position", published.position().map(SourcePosition::value).orElse(null));
    return node;
  }

  public static PublishedPosition publishedPosition(JsonNode node) {
    Fields fields = new Fields(node);
    return new PublishedPosition(fields.tableId("table_id"), fields.longValue("version"),
        fields.optionalText("position").map(SourcePosition::new));
  }

  public static ObjectNode toJson(CoordinatorEvent event) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("sequence", event.sequence());
    node.setAll(toJson(new CoordinatorEvent.Report(event.at(), event.type(), event.tableId(), event.severity(),
        event.message(), event.details())));
    return node;
  }

  public static CoordinatorEvent event(JsonNode node) {
    Fields fields = new Fields(node);
    return new CoordinatorEvent(fields.longValue("sequence"), fields.instant("at"),
        fields.enumValue("type", CoordinatorEvent.Type.class), fields.optionalText("table_id").map(TableId::parse),
        fields.enumValue("severity", CoordinatorEvent.Severity.class), fields.text("message"), fields.textMap("details"));
  }

  public static ObjectNode toJson(CoordinatorEvent.Report report) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("at", report.at().toString());
    node.put("type", report.type().name());
    node.put("table_id", report.tableId().map(TableId::canonical).orElse(null));
    node.put("severity", report.severity().name());
    node.put("message", report.message());
    ObjectNode details = node.putObject("details");
    new java.util.TreeMap<>(report.details()).forEach(details::put);
    return node;
  }

  /** A reported event; {@code at} defaults to {@code now}, severity to INFO, details to none. */
  public static CoordinatorEvent.Report report(JsonNode node, Instant now) {
    Fields fields = new Fields(node);
    return new CoordinatorEvent.Report(fields.optionalText("at").map(text -> Fields.parseInstant("at", text)).orElse(now),
        fields.enumValue("type", CoordinatorEvent.Type.class), fields.optionalText("table_id").map(TableId::parse),
        fields.optionalText("severity").isPresent() ? fields.enumValue("severity", CoordinatorEvent.Severity.class)
            : CoordinatorEvent.Severity.INFO,
        fields.text("message"), node.has("details") ? fields.textMap("details") : Map.of());
  }

  public static <T> List<T> list(JsonNode node, Function<JsonNode, T> reader) {
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException("expected a JSON array");
    }
    List<T> items = new ArrayList<>();
    node.forEach(item -> items.add(reader.apply(item)));
    return items;
  }

  public static ObjectNode error(String code, String message) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("code", code);
    node.put("message", message);
    return node;
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  /** Reads typed fields of one JSON object, failing with the field's name. */
  public static final class Fields {
    private final JsonNode node;

    public Fields(JsonNode node) {
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      this.node = node;
    }

    public String text(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        throw new IllegalArgumentException("missing field '" + field + "'");
      }
      if (!value.isTextual()) {
        throw new IllegalArgumentException("field '" + field + "' must be a string");
      }
      return value.textValue();
    }

    public Optional<String> optionalText(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        return Optional.empty();
      }
      return Optional.of(text(field));
    }

    public long longValue(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        throw new IllegalArgumentException("missing field '" + field + "'");
      }
      if (!value.isIntegralNumber() || !value.canConvertToLong()) {
        throw new IllegalArgumentException("field '" + field + "' must be an integer");
      }
      return value.longValue();
    }

    public boolean bool(String field) {
      JsonNode value = node.get(field);
      if (value == null || !value.isBoolean()) {
        throw new IllegalArgumentException("field '" + field + "' must be true or false");
      }
      return value.booleanValue();
    }

    public Optional<Long> optionalLong(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        return Optional.empty();
      }
      return Optional.of(longValue(field));
    }

    public TableId tableId(String field) {
      return TableId.parse(text(field));
    }

    public URI uri(String field) {
      String text = text(field);
      try {
        return new URI(text);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("field '" + field + "' is not a URI: " + e.getMessage(), e);
      }
    }

    public Instant instant(String field) {
      return parseInstant(field, text(field));
    }

    public List<String> textList(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        throw new IllegalArgumentException("missing field '" + field + "'");
      }
      if (!value.isArray()) {
        throw new IllegalArgumentException("field '" + field + "' must be a list");
      }
      List<String> items = new ArrayList<>();
      for (JsonNode item : value) {
        if (!item.isTextual()) {
          throw new IllegalArgumentException("field '" + field + "' must be a list of strings");
        }
        items.add(item.textValue());
      }
      return items;
    }

    public <E extends Enum<E>> E enumValue(String field, Class<E> type) {
      String text = text(field);
      try {
        return Enum.valueOf(type, text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("field '" + field + "' must be one of "
            + java.util.Arrays.toString(type.getEnumConstants()) + ", not '" + text + "'", e);
      }
    }

    /** An object of string values. */
    public Map<String, String> textMap(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        throw new IllegalArgumentException("missing field '" + field + "'");
      }
      if (!value.isObject()) {
        throw new IllegalArgumentException("field '" + field + "' must be an object");
      }
      Map<String, String> entries = new java.util.TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
          throw new IllegalArgumentException("field '" + field + "." + entry.getKey() + "' must be a string or number");
        }
        entries.put(entry.getKey(), entry.getValue().asText());
      }
      return entries;
    }

    public List<URI> uriList(String field) {
      List<URI> uris = new ArrayList<>();
      for (String text : textList(field)) {
        try {
          uris.add(new URI(text));
        } catch (java.net.URISyntaxException e) {
          throw new IllegalArgumentException("field '" + field + "' holds a value that is not a URI: " + e.getMessage(), e);
        }
      }
      return uris;
    }

    static Instant parseInstant(String field, String text) {
      requireNonNull(text, "text is null");
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("field '" + field + "' must be an ISO-8601 instant, not '" + text + "'", e);
      }
    }
  }
}
