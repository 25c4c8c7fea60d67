package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reduces the change events of one batch of one table to the last change per key (SCD type 1).
 *
 * <p>Events at or below the table's applied position were applied by an earlier commit and are
 * dropped, as are events repeating a position already seen in the batch (a gateway re-emits events
 * with their original positions after a restart; see {@link NewEvents}). The rest apply in position
 * order: a delete after an insert cancels it, a truncate forgets every earlier change and removes the
 * table's rows, and a column the source did not send keeps the value an earlier event of the batch
 * gave it, or else the table's current value.
 *
 * <p>With soft delete, a delete (and a resync sweep's delete) becomes a {@link RowChange.SoftDelete}
 * that keeps the row, marked; a later upsert of the key in the batch replaces it, which clears the mark.
 *
 * <p>A resync's begin marker changes no row. At its end marker the {@link ResyncSweep} names the rows
 * existing at that point that are no longer at the source, and each becomes a delete; the events
 * after the end apply on top of that as usual. A sweep that cannot tell deletes nothing, and the
 * batch says so in {@link ReducedBatch#resyncEnds()}.
 */
public final class ChangeReducer {
  private final int[] keyIndexes;
  private final boolean softDelete;

  public ChangeReducer(TableSchema schema) {
    this(schema, false);
  }

  private ChangeReducer(TableSchema schema, boolean softDelete) {
    requireNonNull(schema, "schema is null");
    this.keyIndexes = schema.keyIndexes();
    this.softDelete = softDelete;
  }

  /** A reducer whose deletes are soft deletes: the row stays, marked with the time of its delete. */
  public static ChangeReducer softDeleting(TableSchema schema) {
    return new ChangeReducer(schema, true);
  }

  /**
   * Reduces {@code events}, dropping those at or below {@code appliedPosition}; {@code sweep} is asked
   * at every resync end left.
   */
  public ReducedBatch reduce(List<ChangeEvent> events, Optional<SourcePosition> appliedPosition, ResyncSweep sweep) {
    requireNonNull(sweep, "sweep is null");
    NewEvents fresh = NewEvents.of(events, appliedPosition);
    List<ChangeEvent> kept = fresh.kept();

    // Sized for a key per event, the common case (a bulk load, a snapshot): the map is not rehashed as it fills.
    Map<RowKey, RowChange> changes = new LinkedHashMap<>(kept.size() * 4 / 3 + 1);
    List<ReducedBatch.ResyncEnd> resyncEnds = new ArrayList<>();
    boolean truncate = false;
    long truncatedAt = 0;
    for (ChangeEvent event : kept) {
      if (event.operation() == Operation.TRUNCATE) {
        changes.clear();
        truncate = true;
        truncatedAt = event.sourceTimestampMillis();
        continue;
      }
      if (event.operation() == Operation.RESYNC_BEGIN) {
        continue;
      }
      if (event.operation() == Operation.RESYNC_END) {
        resyncEnds.add(sweep(event, changes, truncate, sweep, softDelete));
        continue;
      }
      RowKey key = RowKey.of(event.values(), keyIndexes);
      RowChange previous = changes.get(key);
      if (event.operation().isUpsert()) {
        changes.put(key, upsert(event, previous, truncate));
      } else {
        changes.put(key, delete(event.sourceTimestampMillis(), previous, softDelete));
      }
    }
    return new ReducedBatch(
        truncate,
        truncatedAt,
        changes,
        fresh.lastPosition(),
        fresh.lastCaptureMillis(),
        kept.size(),
        fresh.duplicates(),
        resyncEnds);
  }

  private static RowChange delete(long sourceMillis, RowChange previous, boolean softDelete) {
    if (!softDelete) {
      return new RowChange.Delete();
    }
    if (previous instanceof RowChange.SoftDelete earlier) {
      return earlier;
    }
    return new RowChange.SoftDelete(sourceMillis,
        previous instanceof RowChange.Upsert upsert ? Optional.of(upsert) : Optional.empty());
  }

  private static ReducedBatch.ResyncEnd sweep(ChangeEvent end, Map<RowKey, RowChange> changes, boolean truncated,
      ResyncSweep sweep, boolean softDelete) {
    Set<RowKey> upserted = new HashSet<>();
    changes.forEach((key, change) -> {
      if (change instanceof RowChange.Upsert) {
        upserted.add(key);
      }
    });
    ResyncSweep.Result result = sweep.staleRows(end, Collections.unmodifiableSet(upserted), truncated);
    if (result instanceof ResyncSweep.Failed failed) {
      return new ReducedBatch.ResyncEnd(end.position(), end.captureTimestampMillis(), 0, Optional.of(failed.reason()));
    }
    long removed = 0;
    for (RowKey key : ((ResyncSweep.Stale) result).keys()) {
      // A row the batch deleted already is not removed again by the sweep.
      RowChange previous = changes.get(key);
      if (!(previous instanceof RowChange.Delete) && !(previous instanceof RowChange.SoftDelete)) {
        changes.put(key, delete(end.sourceTimestampMillis(), previous, softDelete));
        removed++;
      }
    }
    return new ReducedBatch.ResyncEnd(end.position(), end.captureTimestampMillis(), removed, Optional.empty());
  }

  private static RowChange.Upsert upsert(ChangeEvent event, RowChange previous, boolean truncated) {
    BitSet unavailable = event.unavailable();
    if (unavailable.isEmpty()) {
      // Every value is the event's own: the event's array is shared, not copied, and its empty set of
      // unavailable columns is the empty set of columns kept; nobody changes either.
      return new RowChange.Upsert(event.values(), unavailable);
    }
    BitSet keepOld = new BitSet();
    Object[] values = event.values().clone();
    for (int i = unavailable.nextSetBit(0); i >= 0 && i < values.length; i = unavailable.nextSetBit(i + 1)) {
      if (previous instanceof RowChange.Upsert earlier) {
        values[i] = earlier.values()[i];
        if (earlier.keepOld().get(i)) {
          keepOld.set(i);
        }
      } else if (previous instanceof RowChange.Delete || previous instanceof RowChange.SoftDelete || truncated) {
        // The row was removed earlier in the batch: there is no old value to keep.
        values[i] = null;
      } else {
        values[i] = null;
        keepOld.set(i);
      }
    }
    return new RowChange.Upsert(values, keepOld);
  }
}
