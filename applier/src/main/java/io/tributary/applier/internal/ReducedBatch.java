package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A batch of change events reduced to its net effect: whether the table is truncated first, then
 * the last change of every key.
 *
 * @param truncate whether every row present before the batch is removed before {@code changes} apply
 * @param changes the net change of each key touched after the last truncate
 * @param lastPosition the position of the last event kept, empty if every event was a duplicate
 * @param lastCaptureMillis capture time of that event (for the applied lag), 0 if none
 * @param eventsKept events left after duplicates were dropped
 * @param duplicatesDropped events at or below the applied position, or repeating a position of the batch
 */
public record ReducedBatch(
    boolean truncate,
    Map<RowKey, RowChange> changes,
    Optional<SourcePosition> lastPosition,
    long lastCaptureMillis,
    long eventsKept,
    long duplicatesDropped) {

  public ReducedBatch {
    changes = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(changes, "changes is null")));
    requireNonNull(lastPosition, "lastPosition is null");
    if (eventsKept < 0 || duplicatesDropped < 0) {
      throw new IllegalArgumentException("counts must be >= 0: " + eventsKept + ", " + duplicatesDropped);
    }
  }

  /** Whether applying the batch changes nothing. */
  public boolean isEmpty() {
    return !truncate && changes.isEmpty();
  }

  public long upserts() {
    return changes.values().stream().filter(RowChange.Upsert.class::isInstance).count();
  }

  public long deletes() {
    return changes.values().stream().filter(RowChange.Delete.class::isInstance).count();
  }
}
