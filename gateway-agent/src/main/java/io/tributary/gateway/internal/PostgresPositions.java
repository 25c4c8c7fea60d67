package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.data.Struct;

/**
 * Source positions of Debezium's PostgreSQL change events.
 *
 * <p><b>Streamed changes</b> are at {@code (1, lastCommitLsn, lsn, 0)}, both taken from
 * {@code source.sequence}, the JSON text {@code ["<lastCommitLsn>","<lsn>"]} (a null counts as 0).
 * Logical decoding sends whole transactions in commit order, and within a transaction the changes
 * in WAL order. {@code lastCommitLsn} is the commit LSN of the transaction received before the
 * change's own: it is the same for all changes of one transaction and strictly greater for every
 * later transaction, so it orders transactions; {@code lsn} orders changes within one. The bare
 * {@code lsn} is not enough: concurrent transactions write interleaved WAL, so a transaction
 * committed later can hold smaller LSNs than one committed earlier.
 *
 * <p><b>Replays are recognisable</b>: after a restart Debezium resumes from the committed offset,
 * which stores {@code lsn_commit}; the re-sent changes of a partly processed transaction carry the
 * same {@code lastCommitLsn} and {@code lsn}, hence the same position. (One exception is harmless:
 * changes of the first transaction after the initial snapshot carry a null {@code lastCommitLsn};
 * re-sent, they carry the stored {@code lsn_proc} instead, so they sort after their first delivery
 * and before the next transaction, and re-applying them in order yields the same rows.)
 *
 * <p><b>Reads of an incremental snapshot</b> (a table's resync) are in the stream, right after the
 * change delivered before them ({@link SnapshotSequencer#inStream()}).
 *
 * <p><b>Snapshot reads</b> are at {@code (0, snapshotLsn, epoch, n)} ({@link SnapshotSequencer}): a
 * snapshot redone after a crash (by the next process, possibly at the same {@code snapshotLsn} and
 * reading rows in another order) or after an internal task restart never reuses a position of rows
 * staged before. Snapshot LSNs of successive attempts never decrease (each is the new slot's start or
 * the current WAL position).
 *
 * <p><b>Snapshot attempts replace each other</b>: the first read of each table in an attempt is
 * preceded by a truncate at the position just before it. Without it, rows staged by an interrupted
 * attempt and deleted before the next one would survive downstream, since the new attempt does not
 * read them and streaming starts after it. (An attempt in the same process at an unchanged LSN cannot
 * miss a deletion: a deletion moves the LSN.)
 */
final class PostgresPositions implements PositionExtractor {
  private static final FieldReader SEQUENCE = new FieldReader("sequence");
  private static final FieldReader LSN = new FieldReader("lsn");
  private final SnapshotSequencer snapshots;

  /** @param nextEpoch durably increments and returns the snapshot epoch; called at most once */
  public PostgresPositions(LongSupplier nextEpoch) {
    this(new SnapshotSequencer(nextEpoch));
  }

  PostgresPositions(SnapshotSequencer snapshots) {
    this.snapshots = requireNonNull(snapshots, "snapshots is null");
  }

  @Override
  public boolean isSnapshot(Struct source) {
    return SnapshotSequencer.isSnapshot(SnapshotSequencer.marker(source));
  }

  @Override
  public ChangePosition positionOf(TableId table, Struct source) {
    String marker = SnapshotSequencer.marker(source);
    return snapshots.position(marker, () -> SnapshotSequencer.isSnapshot(marker) ? snapshotPosition(table, source)
        : new ChangePosition(streamPosition(table, source), Optional.empty()));
  }

  @Override
  public SourcePosition inStream() {
    return snapshots.inStream();
  }

  private ChangePosition snapshotPosition(TableId table, Struct source) {
    Long lsn = LSN.int64(source);
    if (lsn == null) {
      throw GatewayErrors.unexpectedRecord("a snapshot read of " + table + " without an LSN");
    }
    return snapshots.next(table, lsn);
  }

  private static SourcePosition streamPosition(TableId table, Struct source) {
    String sequence = SEQUENCE.string(source);
    if (sequence == null) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " without source.sequence");
    }
    long[] lsns;
    try {
      lsns = sequence(sequence);
    } catch (IllegalArgumentException e) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " with an unreadable source.sequence '"
          + sequence + "' (" + e.getMessage() + ")");
    }
    return SourcePosition.of(SourcePosition.PHASE_STREAM, lsns[0], lsns[1], 0);
  }

  /**
   * {@code [lastCommitLsn, lsn]} of Debezium's {@code source.sequence}: a JSON array of two LSNs, each
   * a quoted decimal (as Debezium writes them), a bare one, or null (read as 0). Read by hand: it is
   * read for every streamed change.
   *
   * @throws IllegalArgumentException if the text is not such an array
   */
  static long[] sequence(String text) {
    int open = skipSpace(text, 0);
    int close = text.length();
    while (close > open && Character.isWhitespace(text.charAt(close - 1))) {
      close--;
    }
    int comma = text.indexOf(',', open);
    if (open >= close || text.charAt(open) != '[' || text.charAt(close - 1) != ']' || comma < 0
        || text.indexOf(',', comma + 1) >= 0) {
      throw new IllegalArgumentException("expected [lastCommitLsn, lsn]");
    }
    return new long[] {lsnOf(text, open + 1, comma), lsnOf(text, comma + 1, close - 1)};
  }

  /** The LSN written from {@code start} to {@code end} of {@code text}, read without copying it. */
  private static long lsnOf(String text, int start, int end) {
    int from = skipSpace(text, start);
    int to = end;
    while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
      to--;
    }
    if (text.startsWith("null", from) && to - from == 4) {
      return 0;
    }
    if (to - from >= 2 && text.charAt(from) == '"' && text.charAt(to - 1) == '"') {
      from++;
      to--;
    }
    return Long.parseLong(text, from, to, 10);
  }

  private static int skipSpace(String text, int from) {
    int at = from;
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
    return at;
  }
}
