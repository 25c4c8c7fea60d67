package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
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
 * with their original positions after a restart). The rest apply in position order: a delete after
 * an insert cancels it, a truncate forgets every earlier change and removes the table's rows, and
 * a column the source did not send keeps the value an earlier event of the batch gave it, or else
 * the table's current value.
 *
 * <p>A resync's begin marker changes no row. At its end marker the {@link ResyncSweep} names the rows
 * existing at that point that are no longer at the source, and each becomes a delete; the events
 * after the end apply on top of that as usual. A sweep that cannot tell deletes nothing, and the
 * batch says so in {@link ReducedBatch#resyncEnds()}.
 */
public final class ChangeReducer {
  private final int[] keyIndexes;

  public ChangeReducer(TableSchema schema) {
    requireNonNull(schema, "schema is null");
    this.keyIndexes = schema.keyIndexes();
  }

  /**
   * Reduces {@code events}, dropping those at or below {@code appliedPosition}; {@code sweep} is asked
   * at every resync end left.
   */
  public ReducedBatch reduce(List<ChangeEvent> events, Optional<SourcePosition> appliedPosition, ResyncSweep sweep) {
    requireNonNull(events, "events is null");
    requireNonNull(appliedPosition, "appliedPosition is null");
    requireNonNull(sweep, "sweep is null");
    List<ChangeEvent> kept = new ArrayList<>(events.size());
    Set<SourcePosition> seen = new HashSet<>();
    long duplicates = 0;
    for (ChangeEvent event : events) {
      boolean applied = appliedPosition.isPresent() && !event.position().isAfter(appliedPosition.get());
      if (applied || !seen.add(event.position())) {
        duplicates++;
      } else {
        kept.add(event);
      }
    }
    // Stable: segments are in position order already; sorting guards against re-emitted ranges.
    kept.sort(Comparator.comparing(ChangeEvent::position));

    Map<RowKey, RowChange> changes = new LinkedHashMap<>();
    List<ReducedBatch.ResyncEnd> resyncEnds = new ArrayList<>();
    boolean truncate = false;
    for (ChangeEvent event : kept) {
      if (event.operation() == Operation.TRUNCATE) {
        changes.clear();
        truncate = true;
        continue;
      }
      if (event.operation() == Operation.RESYNC_BEGIN) {
        continue;
      }
      if (event.operation() == Operation.RESYNC_END) {
        resyncEnds.add(sweep(event, changes, truncate, sweep));
        continue;
      }
      RowKey key = RowKey.of(event.values(), keyIndexes);
      RowChange previous = changes.get(key);
      if (event.operation().isUpsert()) {
        changes.put(key, upsert(event, previous, truncate));
      } else {
        changes.put(key, new RowChange.Delete());
      }
    }
    ChangeEvent last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
    return new ReducedBatch(
        truncate,
        changes,
        Optional.ofNullable(last).map(ChangeEvent::position),
        last == null ? 0 : last.captureTimestampMillis(),
        kept.size(),
        duplicates,
        resyncEnds);
  }

  private static ReducedBatch.ResyncEnd sweep(ChangeEvent end, Map<RowKey, RowChange> changes, boolean truncated,
      ResyncSweep sweep) {
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
      if (!(changes.put(key, new RowChange.Delete()) instanceof RowChange.Delete)) {
        removed++;
      }
    }
    return new ReducedBatch.ResyncEnd(end.position(), end.captureTimestampMillis(), removed, Optional.empty());
  }

  private static RowChange.Upsert upsert(ChangeEvent event, RowChange previous, boolean truncated) {
    Object[] values = event.values().clone();
    BitSet keepOld = new BitSet();
    BitSet unavailable = event.unavailable();
    for (int i = unavailable.nextSetBit(0); i >= 0 && i < values.length; i = unavailable.nextSetBit(i + 1)) {
      if (previous instanceof RowChange.Upsert earlier) {
        values[i] = earlier.values()[i];
        if (earlier.keepOld().get(i)) {
          keepOld.set(i);
        }
      } else if (previous instanceof RowChange.Delete || truncated) {
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
