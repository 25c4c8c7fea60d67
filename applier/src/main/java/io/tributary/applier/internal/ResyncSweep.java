package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import java.util.Set;

/**
 * What {@link ChangeReducer} asks at a {@link io.tributary.staging.Operation#RESYNC_END}: which rows
 * existing at that point of the batch are no longer at the source, so that it deletes them there.
 * Rows existing at that point are the table's rows before the batch (unless the batch truncated the
 * table before the end) and the keys the batch upserted before the end.
 */
@FunctionalInterface
public interface ResyncSweep {
  /**
   * The keys to delete at {@code end}.
   *
   * @param end the resync's end marker, after the applied position
   * @param upsertedInBatch the keys the batch leaves with a row just before {@code end}
   * @param truncatedInBatch whether the batch truncated the table before {@code end}: the table's
   *     rows from before the batch are gone already
   */
  Result staleRows(ChangeEvent end, Set<RowKey> upsertedInBatch, boolean truncatedInBatch);

  /** A sweep for batches that must not hold a resync's end: refuses one instead of ignoring it. */
  static ResyncSweep refusing() {
    return (end, upserted, truncated) -> {
      throw new IllegalStateException("A resync end of " + end.tableId() + " at " + end.position()
          + " met where no resync sweep was given");
    };
  }

  /** What the sweep found. */
  sealed interface Result permits Stale, Failed {}

  /** The keys of the rows that are no longer at the source; often none. */
  record Stale(Set<RowKey> keys) implements Result {
    public Stale {
      keys = Set.copyOf(requireNonNull(keys, "keys is null"));
    }
  }

  /** The sweep could not tell which rows are gone ({@code reason} says why): nothing is deleted. */
  record Failed(String reason) implements Result {
    public Failed {
      requireNonNull(reason, "reason is null");
    }
  }
}
