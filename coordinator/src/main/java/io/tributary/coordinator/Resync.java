package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;

/**
 * A table's latest resync: its Delta content replaced by a fresh snapshot of its source table while
 * the source's other tables keep streaming. An operator requests it; the table's gateway captures
 * the snapshot; the table's applier switches the table over once the snapshot is applied.
 *
 * @param id unique per request
 * @param detail what the last step said (rows captured, why it failed); empty if nothing
 */
public record Resync(String id, State state, String reason, Instant requestedAt, Instant updatedAt, String detail) {
  /** Where a resync stands. */
  public enum State {
    /** Requested by an operator; the gateway has not started it yet. */
    REQUESTED,
    /** The gateway is capturing the snapshot. */
    CAPTURING,
    /** The gateway announced the whole snapshot; the applier switches the table over once it is applied. */
    CAPTURED,
    /** The table holds the snapshot and the changes after it. */
    DONE,
    /** The snapshot could not be captured or applied; {@code detail} says why. */
    FAILED,
    /** An operator gave the resync up before it was done. */
    CANCELLED;

    /** Whether a resync in this state is still under way. */
    public boolean inProgress() {
      return this == REQUESTED || this == CAPTURING || this == CAPTURED;
    }

    /** Whether a resync in this state waits for its table's gateway: requested, or being captured. */
    public boolean awaitsGateway() {
      return this == REQUESTED || this == CAPTURING;
    }

    /** The states a resync in this state may move to. */
    public Set<State> next() {
      return switch (this) {
        case REQUESTED -> Set.of(CAPTURING, FAILED, CANCELLED);
        case CAPTURING -> Set.of(CAPTURING, CAPTURED, FAILED, CANCELLED);
        case CAPTURED -> Set.of(DONE, FAILED, CANCELLED);
        case DONE, FAILED, CANCELLED -> Set.of();
      };
    }
  }

  public Resync {
    requireNonNull(id, "id is null");
    requireNonNull(state, "state is null");
    requireNonNull(reason, "reason is null");
    requireNonNull(requestedAt, "requestedAt is null");
    requireNonNull(updatedAt, "updatedAt is null");
    requireNonNull(detail, "detail is null");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a resync needs an id");
    }
  }

  /**
   * Whether this resync replaces changes staged before {@code stagedUntil}: it was requested at or
   * after that time and neither failed nor was cancelled, so its snapshot reads the rows they changed
   * as they are now. Changes that can no longer be applied (their segment deleted by retention) may
   * then be skipped.
   */
  public boolean supersedes(Instant stagedUntil) {
    return state != State.FAILED && state != State.CANCELLED && !requestedAt.isBefore(stagedUntil);
  }

  /** The same resync moved to {@code next} at {@code at}, saying {@code what}. */
  public Resync moved(State next, Instant at, String what) {
    return new Resync(id, next, reason, requestedAt, at, what);
  }
}
