package io.tributary.applier;

import io.tributary.staging.TableId;

/**
 * A hook at the applier's most delicate point, between a table's Delta commit and the Kafka offset
 * commit that acknowledges it, so that tests can stop an applier exactly there and prove that the
 * next owner refuses the replayed batch. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface FaultPoint {
  /** What the applier does after consulting the hook. */
  enum Action {
    /** Go on: commit the Kafka offsets. */
    CONTINUE,
    /**
     * Stop at once, as a crash would: no Kafka offset commit, no lease release, no further batch.
     * The service ends in {@link ApplierService.State#HALTED}.
     */
    HALT
  }

  /** The hook that never interferes. */
  FaultPoint NONE = (tableId, version) -> Action.CONTINUE;

  /** Called after version {@code version} of {@code tableId} was committed, before offsets are. */
  Action afterDeltaCommit(TableId tableId, long version);
}
