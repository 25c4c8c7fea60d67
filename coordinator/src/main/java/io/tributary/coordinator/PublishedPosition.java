package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.Optional;

/**
 * How far a table's changes are durably in Delta: every change at or below {@code position} is in a
 * published version, the latest of which is {@code version}. This is what makes a staged segment
 * safe to delete; a commit still being ratified or published does not count.
 *
 * @param version the latest published version, {@code -1} when none is
 * @param position the watermark of the latest published commit that carries one; empty when no
 *     published commit applied source changes yet
 */
public record PublishedPosition(TableId tableId, long version, Optional<SourcePosition> position) {
  public PublishedPosition {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(position, "position is null");
    if (version < -1) {
      throw new IllegalArgumentException("version must be >= -1: " + version);
    }
  }

  /** Whether every change at or below {@code last} is in a published version. */
  public boolean covers(SourcePosition last) {
    return position.isPresent() && position.get().compareTo(last) >= 0;
  }
}
