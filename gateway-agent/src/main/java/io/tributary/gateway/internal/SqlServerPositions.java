package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.data.Struct;

/**
 * Source positions of Debezium's SQL Server change events, from their {@code source} block's
 * {@code commit_lsn}, {@code change_lsn} and {@code event_serial_no}.
 *
 * <p>A SQL Server LSN is ten bytes, written {@code 0000002a:00000a48:0003} (virtual log file,
 * log block, slot); it is split into two unsigned components, the first eight bytes and the last
 * two, which compare as the LSN does.
 *
 * <p><b>Streamed changes</b> are at {@code (1, commit, change, serial)}: the commit LSN orders
 * transactions, the change LSN orders the changes of one transaction, and the event serial number
 * orders the events of one change (an update read as its before and after rows). The connector reads
 * the change tables again from a committed LSN after a restart and gives the same changes the same
 * three values, so replays are recognisable.
 *
 * <p><b>Reads of an incremental snapshot</b> (a table's resync) are in the stream, right after the
 * change delivered before them ({@link SnapshotSequencer#inStream()}).
 *
 * <p><b>Snapshot reads</b> carry the LSN the snapshot was taken at as their commit LSN and no change
 * LSN; they are at {@code (0, commit, epoch, n)} ({@link SnapshotSequencer}), with a truncate before
 * an attempt's first read of a table.
 */
final class SqlServerPositions implements PositionExtractor {
  private static final FieldReader COMMIT_LSN = new FieldReader("commit_lsn");
  private static final FieldReader CHANGE_LSN = new FieldReader("change_lsn");
  private static final FieldReader EVENT_SERIAL_NUMBER = new FieldReader("event_serial_no");
  private static final int LSN_BYTES = 10;

  private final SnapshotSequencer snapshots;

  /** @param nextEpoch durably increments and returns the snapshot epoch; called at most once */
  SqlServerPositions(LongSupplier nextEpoch) {
    this(new SnapshotSequencer(nextEpoch));
  }

  SqlServerPositions(SnapshotSequencer snapshots) {
    this.snapshots = requireNonNull(snapshots, "snapshots is null");
  }

  @Override
  public boolean isSnapshot(Struct source) {
    return SnapshotSequencer.isSnapshot(SnapshotSequencer.marker(source));
  }

  @Override
  public ChangePosition positionOf(TableId table, Struct source) {
    String marker = SnapshotSequencer.marker(source);
    return snapshots.position(marker, () -> logPosition(table, source, marker));
  }

  @Override
  public SourcePosition inStream() {
    return snapshots.inStream();
  }

  private ChangePosition logPosition(TableId table, Struct source, String marker) {
    long[] commit = lsn(table, source, COMMIT_LSN);
    if (SnapshotSequencer.isSnapshot(marker)) {
      return snapshots.next(table, commit);
    }
    long[] change = lsn(table, source, CHANGE_LSN);
    Long serial = EVENT_SERIAL_NUMBER.int64(source);
    return new ChangePosition(SourcePosition.of(SourcePosition.PHASE_STREAM, commit[0], commit[1], change[0], change[1],
        serial == null ? 0 : serial), Optional.empty());
  }

  /** An LSN as its first eight bytes and its last two, both unsigned. */
  static long[] lsn(TableId table, Struct source, FieldReader field) {
    String text = field.string(source);
    if (text == null || text.equals("NULL")) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " without " + field.name());
    }
    byte[] bytes;
    try {
      bytes = HexFormat.of().parseHex(text.replace(":", ""));
    } catch (IllegalArgumentException e) {
      bytes = new byte[0];
    }
    if (bytes.length != LSN_BYTES) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " with " + field.name() + " '" + text
          + "', not a ten-byte LSN such as 0000002a:00000a48:0003");
    }
    long high = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (bytes[i] & 0xff);
    }
    long low = ((bytes[8] & 0xff) << 8) | (bytes[9] & 0xff);
    return new long[] {high, low};
  }

}
