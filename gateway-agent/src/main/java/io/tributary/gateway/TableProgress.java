package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.Optional;

/**
 * Capture progress of one table since the gateway started.
 *
 * @param lastCapturedPosition position of the last change read from the source
 * @param lastStagedPosition last position of the last segment announced on the log: every change of
 *     the table up to it is durable downstream
 */
public record TableProgress(
    TableId tableId,
    long eventsCaptured,
    long segmentsStaged,
    Optional<SourcePosition> lastCapturedPosition,
    Optional<SourcePosition> lastStagedPosition) {

  public TableProgress {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(lastCapturedPosition, "lastCapturedPosition is null");
    requireNonNull(lastStagedPosition, "lastStagedPosition is null");
    if (eventsCaptured < 0 || segmentsStaged < 0) {
      throw new IllegalArgumentException("counts must be >= 0: " + eventsCaptured + ", " + segmentsStaged);
    }
  }
}
