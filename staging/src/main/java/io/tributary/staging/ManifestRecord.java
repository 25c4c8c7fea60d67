package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;

/**
 * One record of the message log: announces a staged segment (or, later, a control event) of one
 * table. Records of a table are keyed by its {@link TableId} (or, when the gateway rolls commit
 * groups, by its source's name), so they stay in order on one partition and one applier owns them
 * at a time.
 *
 * <p>{@code kind} says what the record is; a {@link Kind#SEGMENT} record carries every field.
 * Readers must refuse a {@code formatVersion} newer than they know.
 *
 * @param group the commit group the segment closes, when the gateway rolled it at a source
 *     transaction's end together with every other open segment of the source
 * @param positionFormat how the source's positions are laid out, when the gateway names it (gateways
 *     before it did not): what lets an applier measure its lag in the source's own unit
 */
public record ManifestRecord(
    int formatVersion,
    Kind kind,
    TableId tableId,
    long sequence,
    URI segmentPath,
    long rowCount,
    long bytes,
    String checksum,
    SourcePosition firstPosition,
    SourcePosition lastPosition,
    String schemaFingerprint,
    long createdAtMillis,
    Optional<Group> group,
    Optional<PositionFormat> positionFormat) {

  /** The format version this code writes and the newest it reads. */
  public static final int CURRENT_FORMAT_VERSION = 1;

  /** What a manifest record announces. */
  public enum Kind {
    /** A staged segment of change events. */
    SEGMENT
  }

  /**
   * The segments a gateway rolled together at the end of a source transaction: with them, every
   * change of the source up to {@code cut} is announced, and none after it. An applier that commits
   * each table up to its last segment of the group, all or nothing, leaves the source's tables
   * consistent as of {@code cut}.
   *
   * @param id unique per roll, so that a group repeated after a gateway restart is a new group
   * @param size how many manifests the group has; they are published one after the other
   */
  public record Group(String id, SourcePosition cut, int size) {
    public Group {
      requireNonNull(id, "id is null");
      requireNonNull(cut, "cut is null");
      if (id.isBlank()) {
        throw new IllegalArgumentException("commit group id is blank");
      }
      if (size < 1) {
        throw new IllegalArgumentException("commit group " + id + " has size " + size + "; it must be at least 1");
      }
    }
  }

  /** A record that does not name its position format. */
  public ManifestRecord(int formatVersion, Kind kind, TableId tableId, long sequence, URI segmentPath, long rowCount,
      long bytes, String checksum, SourcePosition firstPosition, SourcePosition lastPosition, String schemaFingerprint,
      long createdAtMillis, Optional<Group> group) {
    this(formatVersion, kind, tableId, sequence, segmentPath, rowCount, bytes, checksum, firstPosition, lastPosition,
        schemaFingerprint, createdAtMillis, group, Optional.empty());
  }

  public ManifestRecord {
    requireNonNull(kind, "kind is null");
    requireNonNull(group, "group is null");
    requireNonNull(positionFormat, "positionFormat is null");
    requireNonNull(tableId, "tableId is null");
    requireNonNull(segmentPath, "segmentPath is null");
    requireNonNull(checksum, "checksum is null");
    requireNonNull(firstPosition, "firstPosition is null");
    requireNonNull(lastPosition, "lastPosition is null");
    requireNonNull(schemaFingerprint, "schemaFingerprint is null");
    if (formatVersion < 1 || formatVersion > CURRENT_FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "Unsupported manifest format version " + formatVersion + ": this build reads versions 1 to " + CURRENT_FORMAT_VERSION);
    }
    if (sequence < 0 || rowCount < 1 || bytes < 1) {
      throw new IllegalArgumentException(
          "Invalid manifest for " + tableId + ": sequence " + sequence + ", rows " + rowCount + ", bytes " + bytes);
    }
    if (firstPosition.isAfter(lastPosition)) {
      throw new IllegalArgumentException(
          "Invalid manifest for " + tableId + ": first position " + firstPosition + " is after last position " + lastPosition);
    }
    if (group.isPresent() && lastPosition.isAfter(group.get().cut())) {
      throw new IllegalArgumentException("Invalid manifest for " + tableId + ": last position " + lastPosition
          + " is after the cut " + group.get().cut() + " of its commit group " + group.get().id());
    }
  }

  /** The record announcing a finished segment. */
  public static ManifestRecord forSegment(SegmentInfo segment, long createdAtMillis) {
    return new ManifestRecord(
        CURRENT_FORMAT_VERSION,
        Kind.SEGMENT,
        segment.tableId(),
        segment.sequence(),
        segment.path(),
        segment.rowCount(),
        segment.bytes(),
        segment.checksum(),
        segment.firstPosition(),
        segment.lastPosition(),
        segment.schemaFingerprint(),
        createdAtMillis,
        Optional.empty());
  }

  /** The record announcing a finished segment as a member of a commit group. */
  public static ManifestRecord forSegment(SegmentInfo segment, long createdAtMillis, Group group) {
    return forSegment(segment, createdAtMillis).withGroup(group);
  }

  private ManifestRecord withGroup(Group commitGroup) {
    return new ManifestRecord(formatVersion, kind, tableId, sequence, segmentPath, rowCount, bytes, checksum,
        firstPosition, lastPosition, schemaFingerprint, createdAtMillis, Optional.of(commitGroup), positionFormat);
  }

  /** This record naming the layout of its source's positions. */
  public ManifestRecord withPositionFormat(PositionFormat format) {
    return new ManifestRecord(formatVersion, kind, tableId, sequence, segmentPath, rowCount, bytes, checksum,
        firstPosition, lastPosition, schemaFingerprint, createdAtMillis, group, Optional.of(format));
  }

  /** The segment this record announces, when it announces one. */
  public Optional<SegmentInfo> segment() {
    if (kind != Kind.SEGMENT) {
      return Optional.empty();
    }
    return Optional.of(new SegmentInfo(
        tableId, sequence, segmentPath, rowCount, bytes, checksum, firstPosition, lastPosition, schemaFingerprint));
  }
}
