package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.data.Struct;

/**
 * Source positions of Debezium's MySQL and MariaDB change events, which share the binlog
 * connectors' {@code source} block ({@code file}, {@code pos}, {@code row}, {@code gtid},
 * {@code server_id}).
 *
 * <p><b>Streamed changes</b> are at {@code (1, fileNumber, start, event, row)}: {@code fileNumber} is
 * the numeric extension of the binlog file ({@code mysql-bin.000003} is 3; the server numbers its files
 * in order), {@code start} the position in that file of the transaction's first event, {@code event}
 * the number of events of the transaction before the change's rows event and {@code row} the row within
 * that event. {@code start} and {@code event} are the connector's own restart coordinates (offset keys
 * {@code pos} and {@code event}): the {@code source} block's {@code pos} does not tell the events of a
 * transaction apart on MariaDB, whose binlog gives events inside a transaction no position of their
 * own ({@code End_log_pos} 0), so that every row event of a transaction reports the same {@code pos}.
 * The binlog holds whole transactions in commit order, so these coordinates order changes across
 * transactions and within one; a restarted connector reads the same events again from the start of
 * the interrupted transaction and gives their rows the same coordinates, so replays are recognisable.
 * The coordinates are those of the server the connector reads: after a fail-over to another server
 * (whose binlog is numbered independently), the tables must be resynced. GTIDs are not used: a GTID
 * set is not totally ordered.
 *
 * <p><b>Reads of an incremental snapshot</b> (a table's resync) are in the stream, right after the
 * change delivered before them ({@link SnapshotSequencer#inStream()}).
 *
 * <p><b>Snapshot reads</b> are at {@code (0, fileNumber, pos, epoch, n)}, the binlog coordinates the
 * snapshot started at, with the epoch and counter of {@link SnapshotSequencer}; an attempt's first
 * read of a table is preceded by a truncate.
 */
final class BinlogPositions implements PositionExtractor {
  private static final FieldReader FILE = new FieldReader("file");
  private static final FieldReader POS = new FieldReader("pos");
  private static final FieldReader ROW = new FieldReader("row");
  private final SnapshotSequencer snapshots;

  /** @param nextEpoch durably increments and returns the snapshot epoch; called at most once */
  BinlogPositions(LongSupplier nextEpoch) {
    this(new SnapshotSequencer(nextEpoch));
  }

  BinlogPositions(SnapshotSequencer snapshots) {
    this.snapshots = requireNonNull(snapshots, "snapshots is null");
  }

  @Override
  public boolean isSnapshot(Struct source) {
    return SnapshotSequencer.isSnapshot(SnapshotSequencer.marker(source));
  }

  /**
   * The position from the {@code source} block alone: a streamed change is taken to be the first
   * event of a transaction starting at its {@code pos}. Only right where the connector's offset is
   * not at hand; the engine's records go through {@link #positionOf(TableId, Struct, Map)}.
   */
  @Override
  public ChangePosition positionOf(TableId table, Struct source) {
    return positionOf(table, source, Map.of());
  }

  @Override
  public ChangePosition positionOf(TableId table, Struct source, Map<String, ?> offset) {
    String marker = SnapshotSequencer.marker(source);
    return snapshots.position(marker, () -> logPosition(table, source, offset, marker));
  }

  @Override
  public SourcePosition inStream() {
    return snapshots.inStream();
  }

  private ChangePosition logPosition(TableId table, Struct source, Map<String, ?> offset, String marker) {
    long file = fileNumber(table, source);
    long position = requiredLong(table, source, POS);
    if (SnapshotSequencer.isSnapshot(marker)) {
      return snapshots.next(table, file, position);
    }
    long start = offset.get("pos") instanceof Number restart ? restart.longValue() : position;
    long event = offset.get("event") instanceof Number events ? events.longValue() : 0;
    Integer row = ROW.int32(source);
    return new ChangePosition(
        SourcePosition.of(SourcePosition.PHASE_STREAM, file, start, event, row == null ? 0 : row), Optional.empty());
  }

  /** The numeric extension of the binlog file name, e.g. 3 for {@code mysql-bin.000003}. */
  static long fileNumber(TableId table, Struct source) {
    String file = FILE.string(source);
    int dot = file == null ? -1 : file.lastIndexOf('.');
    if (dot < 0 || dot == file.length() - 1) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " with binlog file '" + file
          + "', which does not end in the file's number");
    }
    try {
      return Long.parseLong(file.substring(dot + 1));
    } catch (NumberFormatException e) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " with binlog file '" + file
          + "', which does not end in the file's number");
    }
  }

  private static long requiredLong(TableId table, Struct source, FieldReader field) {
    Long value = field.int64(source);
    if (value == null || value < 0) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " without a binlog " + field.name());
    }
    return value;
  }

}
