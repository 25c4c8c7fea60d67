package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.PositionFormat;
import io.tributary.staging.SourcePosition;
import java.util.OptionalLong;

/**
 * How far a table's applied position is behind the newest position announced for it, in the source's
 * own unit where it has one ({@link PositionFormat}):
 *
 * <ul>
 *   <li>PostgreSQL: WAL bytes between the LSN of the last applied change and the LSN of the newest
 *       announced one.
 *   <li>MySQL and MariaDB: binlog bytes between the transactions' starts when both are in the same
 *       binlog file; across a rotation, the bytes of the newer file up to the announced transaction
 *       (what is left of the older file is not known here): a lower bound.
 *   <li>SQL Server: none; an LSN is a virtual log file, block and slot, whose distance means no amount
 *       of log. The count of changes pending stands for it.
 * </ul>
 *
 * <p>There is no distance either when one of the positions is a snapshot read (its components are the
 * snapshot's, not the log's) or not shaped as the format says. A distance is never negative: within
 * PostgreSQL's WAL a change committed later can lie before one committed earlier.
 */
final class PositionLag {
  private static final int COMPONENT_CHARS = 16;

  private PositionLag() {}

  /** The distance from {@code applied} to {@code announced}, when the format gives one. */
  static OptionalLong bytes(PositionFormat format, SourcePosition applied, SourcePosition announced) {
    requireNonNull(format, "format is null");
    requireNonNull(applied, "applied is null");
    requireNonNull(announced, "announced is null");
    if (applied.isSnapshotPhase() || announced.isSnapshotPhase()) {
      return OptionalLong.empty();
    }
    long[] from = components(applied);
    long[] to = components(announced);
    return switch (format) {
      // (1, lastCommitLsn, lsn, 0[, in-stream sequence])
      case POSTGRESQL -> from.length >= 4 && to.length >= 4
          ? OptionalLong.of(positive(to[2], from[2])) : OptionalLong.empty();
      // (1, fileNumber, start, event, row[, in-stream sequence])
      case BINLOG -> {
        if (from.length < 5 || to.length < 5) {
          yield OptionalLong.empty();
        }
        int files = Long.compareUnsigned(to[1], from[1]);
        yield files == 0 ? OptionalLong.of(positive(to[2], from[2]))
            : files > 0 ? OptionalLong.of(to[2]) : OptionalLong.of(0);
      }
      case SQLSERVER -> OptionalLong.empty();
    };
  }

  private static long positive(long to, long from) {
    return Long.compareUnsigned(to, from) > 0 ? to - from : 0;
  }

  /** The components of a position, each 16 hex digits; an empty array if one is not. */
  private static long[] components(SourcePosition position) {
    String value = position.value();
    if ((value.length() + 1) % (COMPONENT_CHARS + 1) != 0) {
      return new long[0];
    }
    long[] components = new long[(value.length() + 1) / (COMPONENT_CHARS + 1)];
    for (int i = 0; i < components.length; i++) {
      int start = i * (COMPONENT_CHARS + 1);
      if (start > 0 && value.charAt(start - 1) != '-') {
        return new long[0];
      }
      try {
        components[i] = Long.parseUnsignedLong(value, start, start + COMPONENT_CHARS, 16);
      } catch (NumberFormatException e) {
        return new long[0];
      }
    }
    return components;
  }
}
