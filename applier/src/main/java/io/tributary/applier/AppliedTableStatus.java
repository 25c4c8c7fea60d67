package io.tributary.applier;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.Epoch;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.util.Optional;

/**
 * What an applier knows of one table it owns (or owned): how far it is applied and in what state
 * its applier is.
 *
 * @param version the latest Delta version this applier committed or read ({@code -1} before the table exists)
 * @param appliedPosition the source position the table is applied up to
 * @param rows the number of rows in the table at {@code version}, or {@code -1} when unknown
 * @param epoch the fencing epoch of the lease this applier holds or held ({@link Epoch#NONE} before any)
 * @param problem the last error that stopped or delayed the table, if any
 */
public record AppliedTableStatus(
    TableId tableId,
    URI location,
    State state,
    long version,
    Optional<SourcePosition> appliedPosition,
    long rows,
    Epoch epoch,
    Optional<String> problem) {

  /** The life of a table inside one applier. */
  public enum State {
    /** Manifests arrived; the table is being registered, leased and opened. */
    OPENING,
    /** Owned and applied. */
    ACTIVE,
    /** A retryable failure; the batch is retried after a pause. */
    RETRYING,
    /** Another applier took the table's lease; this one stopped working on it. */
    FENCED,
    /** A failure that retrying cannot fix; the table waits for an operator (its offsets are held). */
    FAILED,
    /** The partition was revoked; the lease was given up. */
    RELEASED
  }

  public AppliedTableStatus {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(location, "location is null");
    requireNonNull(state, "state is null");
    requireNonNull(appliedPosition, "appliedPosition is null");
    requireNonNull(epoch, "epoch is null");
    requireNonNull(problem, "problem is null");
    if (version < -1) {
      throw new IllegalArgumentException("version must be >= -1: " + version);
    }
    if (rows < -1) {
      throw new IllegalArgumentException("rows must be >= -1: " + rows);
    }
  }
}
