package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One Delta version as the coordinator recorded it: who committed it under which epoch, the source
 * position it applies up to and the segments it applies. This is the lineage of every table version.
 *
 * @param publishedCommit the log entry {@code <location>/_delta_log/<version>.json}
 * @param status {@link Status#RATIFIED} while the log entry is still being published
 */
public record CommitRecord(
    TableId tableId,
    long version,
    WriterId writer,
    Epoch epoch,
    Optional<SourcePosition> watermark,
    List<URI> segments,
    long rowsChanged,
    Instant committedAt,
    URI publishedCommit,
    Status status) {

  public CommitRecord {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(writer, "writer is null");
    requireNonNull(epoch, "epoch is null");
    requireNonNull(watermark, "watermark is null");
    segments = List.copyOf(requireNonNull(segments, "segments is null"));
    requireNonNull(committedAt, "committedAt is null");
    requireNonNull(publishedCommit, "publishedCommit is null");
    requireNonNull(status, "status is null");
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
    if (rowsChanged < 0) {
      throw new IllegalArgumentException("rowsChanged must be >= 0: " + rowsChanged);
    }
  }

  /** Where a ratified commit stands. */
  public enum Status {
    /** Recorded durably; its log entry is not yet known to be in place. */
    RATIFIED,
    /** Its log entry is in place: the version is visible to Delta readers. */
    PUBLISHED
  }

  /** The same commit in another status. */
  public CommitRecord withStatus(Status newStatus) {
    return new CommitRecord(tableId, version, writer, epoch, watermark, segments, rowsChanged, committedAt, publishedCommit, newStatus);
  }
}
