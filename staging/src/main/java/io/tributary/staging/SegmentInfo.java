package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/** What a finished, visible segment holds: the facts its manifest record announces. */
public record SegmentInfo(
    TableId tableId,
    long sequence,
    URI path,
    long rowCount,
    long bytes,
    String checksum,
    SourcePosition firstPosition,
    SourcePosition lastPosition,
    String schemaFingerprint) {

  public SegmentInfo {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(path, "path is null");
    requireNonNull(checksum, "checksum is null");
    requireNonNull(firstPosition, "firstPosition is null");
    requireNonNull(lastPosition, "lastPosition is null");
    requireNonNull(schemaFingerprint, "schemaFingerprint is null");
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0: " + sequence);
    }
    if (rowCount < 1) {
      throw new IllegalArgumentException("a segment holds at least one row: " + rowCount);
    }
    if (bytes < 1) {
      throw new IllegalArgumentException("bytes must be >= 1: " + bytes);
    }
    if (firstPosition.isAfter(lastPosition)) {
      throw new IllegalArgumentException(
          "first position " + firstPosition + " is after last position " + lastPosition);
    }
  }
}
