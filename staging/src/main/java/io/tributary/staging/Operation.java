package io.tributary.staging;

/**
 * The kind of change an event carries, with the one-letter codes Debezium uses, plus the two markers
 * of a table's resync, which carry no row.
 *
 * <p>A resync replaces a table's content with a fresh snapshot read while its changes keep streaming.
 * The gateway stages {@link #RESYNC_BEGIN} before the snapshot's first read and {@link #RESYNC_END}
 * after its last one, both at positions in stream order. Every row of the source is either read or
 * changed between the two markers, so at {@code RESYNC_END} a row of the table whose key was neither
 * upserted nor deleted since the latest {@code RESYNC_BEGIN} no longer exists at the source: the
 * applier deletes it there.
 */
public enum Operation {
  INSERT("c"),
  UPDATE("u"),
  DELETE("d"),
  SNAPSHOT_READ("r"),
  TRUNCATE("t"),
  /** A table's resync starts here: its snapshot reads and changes follow. */
  RESYNC_BEGIN("b"),
  /** A table's resync ends here: rows not read or changed since its {@link #RESYNC_BEGIN} are gone. */
  RESYNC_END("e");

  private final String code;

  Operation(String code) {
    this.code = code;
  }

  /** The one-letter code stored in the {@code _op} column of a segment. */
  public String code() {
    return code;
  }

  /** Whether the event leaves a row in place (insert, update or snapshot read). */
  public boolean isUpsert() {
    return this == INSERT || this == UPDATE || this == SNAPSHOT_READ;
  }

  /** Whether the event is a resync marker, which changes no row by itself. */
  public boolean isResyncMarker() {
    return this == RESYNC_BEGIN || this == RESYNC_END;
  }

  public static Operation fromCode(String code) {
    if (code == null) {
      throw new IllegalArgumentException("Missing operation code: expected one of c, u, d, r, t, b, e");
    }
    // A switch, not a search of values(): it is asked for every change captured.
    return switch (code) {
      case "c" -> INSERT;
      case "u" -> UPDATE;
      case "d" -> DELETE;
      case "r" -> SNAPSHOT_READ;
      case "t" -> TRUNCATE;
      case "b" -> RESYNC_BEGIN;
      case "e" -> RESYNC_END;
      default -> throw new IllegalArgumentException(
          "Unknown operation code '" + code + "': expected one of c, u, d, r, t, b, e");
    };
  }
}
