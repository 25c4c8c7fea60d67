package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A writer's request to make one Delta commit visible. The actions are already written to
 * {@code stagedCommit} (a file under the table's {@code _delta_log/_staged_commits/}); the
 * coordinator checks the epoch and that {@code version} is exactly one after its latest ratified
 * version, publishes the file as {@code _delta_log/<version>.json} without overwriting, and records
 * the watermark and segments as the lineage of that version, all or nothing.
 *
 * @param watermark the source position the table is applied up to once this commit is visible
 *     (empty for commits that apply no source changes, such as table creation)
 * @param segments the staged segments whose changes this commit applies
 */
public record CommitProposal(
    TableId tableId,
    WriterId writer,
    Epoch epoch,
    long version,
    URI stagedCommit,
    Optional<SourcePosition> watermark,
    List<URI> segments,
    long rowsChanged) {

  public CommitProposal {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(writer, "writer is null");
    requireNonNull(epoch, "epoch is null");
    requireNonNull(stagedCommit, "stagedCommit is null");
    requireNonNull(watermark, "watermark is null");
    segments = List.copyOf(requireNonNull(segments, "segments is null"));
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
    if (rowsChanged < 0) {
      throw new IllegalArgumentException("rowsChanged must be >= 0: " + rowsChanged);
    }
  }

  /** The version the writer read before building this commit. */
  public long readVersion() {
    return version - 1;
  }
}
