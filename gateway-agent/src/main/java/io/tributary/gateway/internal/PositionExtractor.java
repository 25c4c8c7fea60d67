package io.tributary.gateway.internal;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns the {@code source} block of a connector's change events into {@link SourcePosition}s, the
 * connector-specific part of the data contract. One instance serves one run of the engine and is
 * called once per change, in delivery order, from one thread.
 */
public interface PositionExtractor {
  /** The position of one change of {@code table}. */
  SourcePosition positionOf(TableId table, Struct source);

  /** Whether the change was read by a snapshot rather than streamed from the log. */
  boolean isSnapshot(Struct source);
}
