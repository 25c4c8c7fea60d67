package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * What a table's applier applies again, before anything new, after the table was rolled back: the
 * staged segments whose changes came after the version it was rolled back to, in source order. The
 * replay is over once the table is applied up to {@code until} again; until then the coordinator
 * answers it to every applier that takes the table.
 *
 * @param rollbackVersion the version that restored the earlier content
 * @param toVersion the version whose content was restored
 * @param from the position the table was applied up to at {@code toVersion}; changes at or below it
 *     are in the restored content already (empty: none are)
 * @param until the highest position applied before the rollback
 * @param segments the segments to apply again, in the order to apply them
 */
public record Replay(
    TableId tableId,
    long rollbackVersion,
    long toVersion,
    Optional<SourcePosition> from,
    SourcePosition until,
    List<URI> segments) {

  public Replay {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(from, "from is null");
    requireNonNull(until, "until is null");
    segments = List.copyOf(requireNonNull(segments, "segments is null"));
    if (toVersion < 0 || rollbackVersion <= toVersion) {
      throw new IllegalArgumentException("a rollback at version " + rollbackVersion + " cannot restore version " + toVersion);
    }
  }
}
