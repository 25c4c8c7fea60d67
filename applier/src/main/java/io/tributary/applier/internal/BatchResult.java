package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

/**
 * How a batch ended when it did not fail; in every case its manifests are done with and their
 * Kafka offsets may be committed.
 *
 * @param version the table's Delta version afterwards
 */
public record BatchResult(Outcome outcome, long version) {
  /** What happened to the batch. */
  public enum Outcome {
    /** Committed as a new Delta version. */
    COMMITTED,
    /** Every manifest of it was already committed: Kernel refused the replayed transaction. */
    REPLAY_REFUSED,
    /** Every event of it was already applied (duplicates); nothing to commit. */
    NOTHING_TO_APPLY
  }

  public BatchResult {
    requireNonNull(outcome, "outcome is null");
  }
}
