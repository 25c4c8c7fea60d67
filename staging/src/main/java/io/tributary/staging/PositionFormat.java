package io.tributary.staging;

import java.util.Locale;
import java.util.Optional;

/**
 * How the components of a source's {@link SourcePosition}s are laid out, which tells how far apart
 * two positions are in the source's own unit. A gateway names the format of its source in every
 * manifest it writes, so that an applier can report how far behind a table is without knowing the
 * source.
 */
public enum PositionFormat {
  /**
   * PostgreSQL: streamed changes at {@code (1, lastCommitLsn, lsn, 0)}; the LSNs are byte offsets in
   * the write-ahead log, so their difference is WAL bytes.
   */
  POSTGRESQL,
  /**
   * MySQL and MariaDB: streamed changes at {@code (1, fileNumber, start, event, row)}; {@code start}
   * is a byte offset within the numbered binlog file.
   */
  BINLOG,
  /**
   * SQL Server: streamed changes at {@code (1, commitLsn, commitLsnLow, changeLsn, changeLsnLow,
   * serial)}; an LSN is a virtual log file, block and slot, so the distance between two has no unit.
   */
  SQLSERVER;

  /** The name written in a manifest: the constant in lower case. */
  public String manifestName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The format a manifest names, if this build knows it (a newer gateway may name others). */
  public static Optional<PositionFormat> fromManifestName(String name) {
    for (PositionFormat format : values()) {
      if (format.manifestName().equals(name)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }
}
