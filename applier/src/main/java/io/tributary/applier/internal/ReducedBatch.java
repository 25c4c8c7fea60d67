package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A batch of change events reduced to its net effect: whether the table is truncated first, then
 * the last change of every key (the deletes of resync sweeps included), and the resyncs whose end
 * the batch holds.
 *
 * @param truncate whether every row present before the batch is removed (or, with soft delete, marked
 *     deleted) before {@code changes} apply
 * @param truncatedAtMillis the source commit time of the batch's last truncate, 0 if none
 * @param changes the net change of each key touched after the last truncate, in the order the keys were
 *     first changed; the batch holds the map itself, which nobody may change after
 * @param lastPosition the position of the last event kept, empty if every event was a duplicate
 * @param lastCaptureMillis capture time of that event (for the applied lag), 0 if none
 * @param eventsKept events left after duplicates were dropped
 * @param duplicatesDropped events at or below the applied position, or repeating a position of the batch
 * @param resyncEnds the resync ends the batch applies, in position order
 */
public record ReducedBatch(
    boolean truncate,
    long truncatedAtMillis,
    Map<RowKey, RowChange> changes,
    Optional<SourcePosition> lastPosition,
    long lastCaptureMillis,
    long eventsKept,
    long duplicatesDropped,
    List<ResyncEnd> resyncEnds) {

  public ReducedBatch {
    // Not copied: a batch of a bulk load holds a key per event, and the reducer hands its map over.
    changes = Collections.unmodifiableMap(requireNonNull(changes, "changes is null"));
    requireNonNull(lastPosition, "lastPosition is null");
    if (eventsKept < 0 || duplicatesDropped < 0) {
      throw new IllegalArgumentException("counts must be >= 0: " + eventsKept + ", " + duplicatesDropped);
    }
    resyncEnds = List.copyOf(requireNonNull(resyncEnds, "resyncEnds is null"));
  }

  /**
   * A resync's end applied by the batch: where, when it was captured, and how many rows its sweep
   * deleted, or why it deleted none.
   *
   * @param position the position of the end marker
   * @param captureMillis when the gateway captured the end marker
   * @param rowsRemoved rows existing at the end that the sweep deleted (not counting rows the batch
   *     had deleted already)
   * @param failure why the sweep could not tell which rows are gone; empty when it could
   */
  public record ResyncEnd(SourcePosition position, long captureMillis, long rowsRemoved, Optional<String> failure) {
    public ResyncEnd {
      requireNonNull(position, "position is null");
      requireNonNull(failure, "failure is null");
      if (rowsRemoved < 0) {
        throw new IllegalArgumentException("rowsRemoved must be >= 0: " + rowsRemoved);
      }
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
    return changes.values().stream().filter(change -> !(change instanceof RowChange.Upsert)).count();
  }
}
