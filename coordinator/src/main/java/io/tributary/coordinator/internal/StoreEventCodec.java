package io.tributary.coordinator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The JSON form of {@link StoreEvent}s, one object per journal line, {@code type} first. Field names
 * match the HTTP API's. Reading fails with {@link IllegalArgumentException} naming what is wrong.
 */
final class StoreEventCodec {
  private StoreEventCodec() {}

  static ObjectNode toJson(StoreEvent event) {
    ObjectNode node = ApiCodec.MAPPER.createObjectNode();
    if (event instanceof StoreEvent.TableRegistered registered) {
      header(node, "table_registered", event);
      node.put("location", registered.location().toString());
      registered.keyColumns().forEach(node.putArray("key_columns")::add);
    } else if (event instanceof StoreEvent.LeaseAcquired acquired) {
      header(node, "lease_acquired", event);
      node.put("writer", acquired.writer().value());
      node.put("epoch", acquired.epoch().value());
      node.put("expires_at", acquired.expiresAt().toString());
    } else if (event instanceof StoreEvent.LeaseRenewed renewed) {
      header(node, "lease_renewed", event);
      node.put("writer", renewed.writer().value());
      node.put("epoch", renewed.epoch().value());
      node.put("expires_at", renewed.expiresAt().toString());
    } else if (event instanceof StoreEvent.LeaseReleased released) {
      header(node, "lease_released", event);
      node.put("writer", released.writer().value());
      node.put("epoch", released.epoch().value());
    } else if (event instanceof StoreEvent.TablePaused paused) {
      header(node, "table_paused", event);
      node.put("reason", paused.reason());
    } else if (event instanceof StoreEvent.TableResumed) {
      header(node, "table_resumed", event);
    } else if (event instanceof StoreEvent.ResyncChanged changed) {
      header(node, "resync_changed", event);
      node.set("resync", ApiCodec.toJson(changed.resync()));
    } else if (event instanceof StoreEvent.CommitRatified ratified) {
      header(node, "commit_ratified", event);
      CommitEntry entry = ratified.entry();
      node.setAll(ApiCodec.toJson(entry.record()));
      // "at" is the commit time and the status is implied by the record type.
      node.remove("status");
      node.remove("committed_at");
      node.put("staged_commit", entry.stagedCommit().toString());
      node.put("sha256", entry.sha256());
      node.put("size", entry.size());
    } else if (event instanceof StoreEvent.GroupRatified group) {
      header(node, "commit_group_ratified", event);
      ArrayNode commits = node.putArray("commits");
      group.entries().forEach(entry -> commits.add(toJson(new StoreEvent.CommitRatified(entry))));
    } else if (event instanceof StoreEvent.CommitPublished published) {
      header(node, "commit_published", event);
      node.put("version", published.version());
      node.put("size", published.size());
      node.put("modification_time", published.modificationTime());
    } else if (event instanceof StoreEvent.CommitWithdrawn withdrawn) {
      header(node, "commit_withdrawn", event);
      node.put("version", withdrawn.version());
      node.put("reason", withdrawn.reason());
    } else {
      throw new IllegalArgumentException("unknown event " + event);
    }
    return node;
  }

  static StoreEvent fromJson(JsonNode node) {
    ApiCodec.Fields fields = new ApiCodec.Fields(node);
    String type = fields.text("type");
    TableId tableId = fields.tableId("table_id");
    java.time.Instant at = fields.instant("at");
    return switch (type) {
      case "table_registered" -> new StoreEvent.TableRegistered(tableId, at, fields.uri("location"),
          fields.textList("key_columns"));
      case "lease_acquired" -> new StoreEvent.LeaseAcquired(tableId, at, new WriterId(fields.text("writer")),
          new Epoch(fields.longValue("epoch")), fields.instant("expires_at"));
      case "lease_renewed" -> new StoreEvent.LeaseRenewed(tableId, at, new WriterId(fields.text("writer")),
          new Epoch(fields.longValue("epoch")), fields.instant("expires_at"));
      case "lease_released" -> new StoreEvent.LeaseReleased(tableId, at, new WriterId(fields.text("writer")),
          new Epoch(fields.longValue("epoch")));
      case "table_paused" -> new StoreEvent.TablePaused(tableId, at, fields.text("reason"));
      case "table_resumed" -> new StoreEvent.TableResumed(tableId, at);
      case "resync_changed" -> new StoreEvent.ResyncChanged(tableId, at, ApiCodec.resync(node.get("resync")));
      case "commit_ratified" -> {
        ObjectNode recordNode = ((ObjectNode) node).deepCopy();
        recordNode.put("status", CommitRecord.Status.RATIFIED.name());
        recordNode.put("committed_at", at.toString());
        CommitRecord record = ApiCodec.commitRecord(recordNode);
        yield new StoreEvent.CommitRatified(new CommitEntry(record, fields.uri("staged_commit"),
            fields.text("sha256"), fields.longValue("size"), OptionalLong.empty()));
      }
      case "commit_group_ratified" -> {
        JsonNode commits = node.get("commits");
        if (commits == null || !commits.isArray()) {
          throw new IllegalArgumentException("field 'commits' is missing or not an array");
        }
        List<CommitEntry> entries = new ArrayList<>();
        for (JsonNode commit : commits) {
          if (!(fromJson(commit) instanceof StoreEvent.CommitRatified ratified)) {
            throw new IllegalArgumentException("a commit group holds a record that is not a ratified commit");
          }
          entries.add(ratified.entry());
        }
        yield new StoreEvent.GroupRatified(entries);
      }
      case "commit_published" -> new StoreEvent.CommitPublished(tableId, at, fields.longValue("version"),
          fields.longValue("size"), fields.longValue("modification_time"));
      case "commit_withdrawn" -> new StoreEvent.CommitWithdrawn(tableId, at, fields.longValue("version"),
          fields.text("reason"));
      default -> throw new IllegalArgumentException("unknown record type '" + type + "'");
    };
  }

  private static void header(ObjectNode node, String type, StoreEvent event) {
    node.put("type", type);
    node.put("at", event.at().toString());
    node.put("table_id", event.tableId().canonical());
  }
}
