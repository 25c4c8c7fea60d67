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
 * @param rollback present for a commit that gave the table the content of an earlier version; its
 *     {@code watermark} is then the position that version was applied up to (empty if none)
 * @param group present for a commit ratified together with commits of other tables of its source,
 *     all or nothing, as one commit group
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
    Status status,
    Optional<Rollback> rollback,
    Optional<Group> group) {

  public CommitRecord {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(writer, "writer is null");
    requireNonNull(epoch, "epoch is null");
    requireNonNull(watermark, "watermark is null");
    segments = List.copyOf(requireNonNull(segments, "segments is null"));
    requireNonNull(committedAt, "committedAt is null");
    requireNonNull(publishedCommit, "publishedCommit is null");
    requireNonNull(status, "status is null");
    requireNonNull(rollback, "rollback is null");
    requireNonNull(group, "group is null");
    if (rollback.isPresent() && group.isPresent()) {
      throw new IllegalArgumentException("a rollback is never part of a commit group");
    }
    if (group.isPresent() && (watermark.isEmpty() || watermark.get().isAfter(group.get().cut()))) {
      throw new IllegalArgumentException("a commit of group " + group.get().id() + " applies up to a position at or"
          + " before the group's cut " + group.get().cut() + ", not " + watermark.map(Object::toString).orElse("none"));
    }
    if (rollback.isPresent() && rollback.get().toVersion() >= version) {
      throw new IllegalArgumentException("a rollback goes to an earlier version, not " + rollback.get().toVersion()
          + " from " + version);
    }
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
    if (rowsChanged < 0) {
      throw new IllegalArgumentException("rowsChanged must be >= 0: " + rowsChanged);
    }
  }

  /** A commit outside any commit group. */
  public CommitRecord(TableId tableId, long version, WriterId writer, Epoch epoch, Optional<SourcePosition> watermark,
      List<URI> segments, long rowsChanged, Instant committedAt, URI publishedCommit, Status status,
      Optional<Rollback> rollback) {
    this(tableId, version, writer, epoch, watermark, segments, rowsChanged, committedAt, publishedCommit, status, rollback,
        Optional.empty());
  }

  /** Where a ratified commit stands. */
  public enum Status {
    /** Recorded durably; its log entry is not yet known to be in place. */
    RATIFIED,
    /** Its log entry is in place: the version is visible to Delta readers. */
    PUBLISHED
  }

  /**
   * The commit group a commit was ratified in: {@code size} commits of tables of one source, together
   * applying every change of the source up to {@code cut}.
   */
  public record Group(String id, SourcePosition cut, int size) {
    public Group {
      requireNonNull(id, "id is null");
      requireNonNull(cut, "cut is null");
      if (id.isBlank() || size < 1) {
        throw new IllegalArgumentException("a commit group needs an id and at least one commit, not '" + id + "' with "
            + size);
      }
    }
  }

  /**
   * What a rollback commit restored: the content of {@code toVersion}, for {@code reason}. The changes
   * applied after that version are applied again from staging.
   */
  public record Rollback(long toVersion, String reason) {
    public Rollback {
      requireNonNull(reason, "reason is null");
      if (toVersion < 0) {
        throw new IllegalArgumentException("toVersion must be >= 0: " + toVersion);
      }
    }
  }

  /** The same commit in another status. */
  public CommitRecord withStatus(Status newStatus) {
    return new CommitRecord(tableId, version, writer, epoch, watermark, segments, rowsChanged, committedAt, publishedCommit,
        newStatus, rollback, group);
  }

  /**
   * The source position the table is applied up to once this commit is visible, given the position
   * before it: a rollback's watermark (even an empty one), otherwise the watermark if it has one.
   */
  public Optional<SourcePosition> appliedPositionAfter(Optional<SourcePosition> before) {
    return rollback.isPresent() || watermark.isPresent() ? watermark : before;
  }
}
