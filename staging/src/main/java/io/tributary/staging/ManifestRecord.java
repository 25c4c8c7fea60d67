package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;

/**
 * One record of the message log: announces a staged segment (or, later, a control event) of one
 * table. Records of a table are keyed by its {@link TableId}, so they stay in order on one
 * partition and one applier owns them at a time.
 *
 * <p>{@code kind} says what the record is; a {@link Kind#SEGMENT} record carries every field.
 * Readers must refuse a {@code formatVersion} newer than they know.
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
    long createdAtMillis) {

  /** The format version this code writes and the newest it reads. */
  public static final int CURRENT_FORMAT_VERSION = 1;

  /** What a manifest record announces. */
  public enum Kind {
    /** A staged segment of change events. */
    SEGMENT
  }

  public ManifestRecord {
    requireNonNull(kind, "kind is null");
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
        createdAtMillis);
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
