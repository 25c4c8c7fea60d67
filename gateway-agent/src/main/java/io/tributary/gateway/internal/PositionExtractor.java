package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns the {@code source} block of a connector's change events into {@link SourcePosition}s, the
 * connector-specific part of the data contract. One instance serves one run of the engine and is
 * called once per change, in delivery order, from one thread.
 */
public interface PositionExtractor {
  /**
   * Where a change goes in its table's order.
   *
   * @param position the change's position
   * @param snapshotReset for the first snapshot read of a table in a snapshot attempt, the position
   *     of a truncate that must precede it, so that the attempt replaces the rows of any earlier,
   *     interrupted attempt (rows deleted in between would otherwise stay)
   */
  record ChangePosition(SourcePosition position, Optional<SourcePosition> snapshotReset) {
    public ChangePosition {
      requireNonNull(position, "position is null");
      requireNonNull(snapshotReset, "snapshotReset is null");
    }
  }

  /** The position of one change of {@code table}. */
  ChangePosition positionOf(TableId table, Struct source);

  /**
   * The position of one change of {@code table}, given also the connector's offset of the change
   * (its restart point), for connectors whose {@code source} block alone does not order every change.
   */
  default ChangePosition positionOf(TableId table, Struct source, Map<String, ?> offset) {
    return positionOf(table, source);
  }

  /**
   * Whether the change was read by a snapshot rather than streamed from the log; the reads of an
   * incremental snapshot are part of the stream.
   */
  boolean isSnapshot(Struct source);

  /**
   * A position after every change delivered so far and before every change delivered later, for
   * what the gateway itself puts into the stream (a resync's markers).
   */
  SourcePosition inStream();
}
