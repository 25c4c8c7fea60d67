package io.tributary.gateway;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds tables from staged segments the way the applier does (events at or below the table's
 * applied position are dropped; unavailable values keep the current one) and checks the position
 * contract while doing so: every dropped event must repeat, with the same position, an event seen
 * before. A dropped event that was never seen would be a loss downstream.
 */
final class StagedReplica {
  private final StagingStore store;
  private final Map<TableId, Map<List<Object>, Map<String, Object>>> tables = new HashMap<>();
  private final Map<TableId, SourcePosition> applied = new HashMap<>();
  private final Map<TableId, Map<SourcePosition, String>> seen = new HashMap<>();
  private final Map<TableId, Long> lastSequence = new HashMap<>();
  private final Map<TableId, Long> snapshotReads = new HashMap<>();
  private long events;
  private long duplicates;
  private long segments;

  StagedReplica(StagingStore store) {
    this.store = store;
  }

  void apply(List<ManifestRecord> manifests) {
    for (ManifestRecord manifest : manifests) {
      apply(manifest);
    }
  }

  private void apply(ManifestRecord manifest) {
    TableId table = manifest.tableId();
    Long previous = lastSequence.put(table, manifest.sequence());
    if (previous != null && manifest.sequence() <= previous) {
      throw new AssertionError("Sequence " + manifest.sequence() + " of " + table + " after " + previous);
    }
    segments++;
    try (SegmentReader reader = store.openSegment(manifest)) {
      TableSchema schema = reader.schema();
      SourcePosition last = null;
      for (ChangeEvent event : reader.readAll()) {
        if (last != null && !event.position().isAfter(last)) {
          throw new AssertionError("Segment " + manifest.segmentPath() + " is not in strictly increasing position order");
        }
        last = event.position();
        apply(schema, event);
      }
    }
  }

  private void apply(TableSchema schema, ChangeEvent event) {
    TableId table = event.tableId();
    events++;
    String fingerprint = event.operation().code() + Arrays.deepToString(normalized(event.values()))
        + event.unavailable();
    SourcePosition position = event.position();
    SourcePosition high = applied.get(table);
    Map<SourcePosition, String> seenOfTable = seen.computeIfAbsent(table, t -> new HashMap<>());
    if (high != null && !position.isAfter(high)) {
      String earlier = seenOfTable.get(position);
      if (earlier == null) {
        // The documented exception (PostgresPositions): the first transaction streamed after the
        // snapshot carries no lastCommitLsn when first delivered and the stored lsn_proc when
        // delivered again, so its repeat sits at another position than the original.
        earlier = seenOfTable.get(firstDeliveryAfterSnapshot(position));
      }
      if (earlier == null) {
        throw new AssertionError("Event " + event + " sorts at or before the applied position " + high
            + " of " + table + " but repeats no event seen before: the applier would drop a change");
      }
      if (!earlier.equals(fingerprint)) {
        throw new AssertionError("Event " + event + " repeats position " + position + " with other content: "
            + earlier + " vs " + fingerprint);
      }
      duplicates++;
      return;
    }
    seenOfTable.put(position, fingerprint);
    applied.put(table, position);
    if (event.operation() == Operation.SNAPSHOT_READ) {
      snapshotReads.merge(table, 1L, Long::sum);
    }
    Map<List<Object>, Map<String, Object>> rows = tables.computeIfAbsent(table, t -> new HashMap<>());
    List<Object> key = new ArrayList<>();
    for (int index : schema.keyIndexes()) {
      key.add(ShopDatabase.normalize(event.value(index)));
    }
    switch (event.operation()) {
      case INSERT, UPDATE, SNAPSHOT_READ -> {
        Map<String, Object> old = rows.get(key);
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < schema.columns().size(); i++) {
          String column = schema.columns().get(i).name();
          if (event.isUnavailable(i)) {
            if (old == null) {
              throw new AssertionError("Unavailable value of " + column + " for a row never seen: " + event);
            }
            row.put(column, old.get(column));
          } else {
            row.put(column, ShopDatabase.normalize(event.value(i)));
          }
        }
        rows.put(key, row);
      }
      case DELETE -> rows.remove(key);
      case TRUNCATE -> rows.clear();
    }
  }

  private static SourcePosition firstDeliveryAfterSnapshot(SourcePosition position) {
    String[] parts = position.value().split("-");
    if (parts.length != 4 || Long.parseLong(parts[0], 16) != SourcePosition.PHASE_STREAM) {
      return position;
    }
    return SourcePosition.of(SourcePosition.PHASE_STREAM, 0, Long.parseUnsignedLong(parts[2], 16),
        Long.parseUnsignedLong(parts[3], 16));
  }

  private static Object[] normalized(Object[] values) {
    Object[] copy = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      copy[i] = ShopDatabase.normalize(values[i]);
    }
    return copy;
  }

  Map<List<Object>, Map<String, Object>> rows(TableId table) {
    return tables.getOrDefault(table, Map.of());
  }

  /** Snapshot reads of a table staged once each (repeats not counted). */
  long snapshotReads(TableId table) {
    return snapshotReads.getOrDefault(table, 0L);
  }

  long events() {
    return events;
  }

  long duplicates() {
    return duplicates;
  }

  long segments() {
    return segments;
  }
}
