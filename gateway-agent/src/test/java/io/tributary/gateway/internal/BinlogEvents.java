package io.tributary.gateway.internal;

import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.binlog.BinlogOffsetContext;
import io.debezium.connector.mariadb.MariaDbConnectorConfig;
import io.debezium.connector.mariadb.MariaDbOffsetContext;
import io.debezium.connector.mysql.MySqlConnectorConfig;
import io.debezium.connector.mysql.MySqlOffsetContext;
import io.debezium.relational.TableId;
import io.debezium.data.Envelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Produces the {@code source} blocks and offsets of Debezium's MySQL or MariaDB connector the way their
 * binlog streaming and snapshot sources do, by driving the connectors' real offset contexts with the
 * same calls: the start point of a transaction, the position of each row event, the row within it.
 *
 * <p>The event methods ({@link #gtidEvent}, {@link #beginEvent}, {@link #tableMapEvent},
 * {@link #rowsEvent}, {@link #xidEvent}) follow {@code BinlogStreamingChangeEventSource.handleEvent}
 * for one binlog event each: the event's position, its handler, then {@code completeEvent()}.
 */
final class BinlogEvents {
  static final String PREFIX = "src";
  private static final Instant TIME = Instant.ofEpochMilli(1_700_000_000_000L);
  private static final long EVENT_LENGTH = 100;

  /** Makes the record of one row of a rows event, given the row's {@code source} block and offset. */
  @FunctionalInterface
  interface RowEmitter {
    SourceRecord emit(int row, Struct source, Map<String, ?> offset);
  }

  private final BinlogOffsetContext<?> offset;

  private BinlogEvents(BinlogOffsetContext<?> offset) {
    this.offset = offset;
  }

  static BinlogEvents mysql() {
    return new BinlogEvents(MySqlOffsetContext.initial(new MySqlConnectorConfig(config())));
  }

  /** Simulates a restarted MySQL connector: its offset context as loaded from the stored offset. */
  static BinlogEvents mysqlRestartedFrom(Map<String, ?> stored) {
    return new BinlogEvents(new MySqlOffsetContext.Loader(new MySqlConnectorConfig(config())).load(stored));
  }

  static BinlogEvents mariadb() {
    return new BinlogEvents(MariaDbOffsetContext.initial(new MariaDbConnectorConfig(config())));
  }

  private static Configuration config() {
    return Configuration.create()
        .with("topic.prefix", "src")
        .with("database.hostname", "localhost")
        .with("database.server.id", 5400)
        .build();
  }

  /** The connector starts (or restarts) reading {@code file} at {@code position}. */
  void startAt(String file, long position) {
    offset.setBinlogStartPoint(file, position);
  }

  /** The GTID of the transaction that begins. */
  void beginTransaction(String gtid) {
    offset.startGtid(gtid, gtid);
    offset.startNextTransaction();
  }

  /** Row {@code row} of {@code rows} of the rows event at {@code position} of the current file. */
  Struct row(String database, String table, long position, int row, int rows) {
    offset.setEventPosition(position, 100);
    offset.setRowNumber(row, rows);
    offset.event(new TableId(database, null, table), TIME);
    return offset.getSourceInfo();
  }

  void commit() {
    offset.commitTransaction();
  }

  /** A snapshot taken at the current binlog position. */
  void startSnapshot() {
    offset.preSnapshotStart(false);
  }

  /** A row read by the snapshot, with Debezium's marker. */
  Struct snapshotRead(String database, String table, SnapshotRecord marker) {
    offset.event(new TableId(database, null, table), TIME);
    offset.markSnapshotRecord(marker);
    return offset.getSourceInfo();
  }

  void completeSnapshot() {
    offset.preSnapshotCompletion();
    offset.postSnapshotCompletion();
  }

  /**
   * The connector starts reading {@code file} at {@code position}, with the server's executed GTIDs: as a
   * snapshot reads them before its first row, or a connector resumes from them.
   */
  void startAt(String file, long position, String executedGtids) {
    offset.setBinlogStartPoint(file, position);
    offset.setCompletedGtidSet(executedGtids);
  }

  /** MySQL's GTID event before a transaction: {@code gtidSet} includes {@code gtid}. */
  void gtidEvent(long position, String gtid, String gtidSet) {
    handled(position, () -> offset.startGtid(gtid, gtidSet));
  }

  /** The {@code BEGIN} query event that starts a transaction. */
  void beginEvent(long position) {
    handled(position, offset::startNextTransaction);
  }

  /** A table map event inside a transaction. */
  void tableMapEvent(long position) {
    handled(position, () -> { });
  }

  /** The XID event that commits the transaction. */
  void xidEvent(long position) {
    handled(position, offset::commitTransaction);
  }

  /** A rows event at {@code position} with {@code rows} rows of {@code database.table}, emitted in order. */
  List<SourceRecord> rowsEvent(String database, String table, long position, int rows, RowEmitter emitter) {
    List<SourceRecord> records = new ArrayList<>();
    handled(position, () -> {
      for (int row = 0; row < rows; row++) {
        offset.setRowNumber(row, rows);
        offset.event(new TableId(database, null, table), TIME);
        records.add(emitter.emit(row, offset.getSourceInfo(), offset()));
      }
      offset.changeEventCompleted();
    });
    return records;
  }

  private void handled(long position, Runnable handler) {
    offset.setEventPosition(position, EVENT_LENGTH);
    handler.run();
    offset.completeEvent();
  }

  /** The offset Debezium would commit for the current event. */
  Map<String, ?> offset() {
    return new HashMap<>(offset.getOffset());
  }

  BinlogOffsetContext<?> context() {
    return offset;
  }

  /** The envelope schema of a table with the given row schema, as Debezium defines it. */
  Envelope envelope(String database, String table, Schema rowSchema) {
    return Envelope.defineSchema()
        .withName(PREFIX + "." + database + "." + table + ".Envelope")
        .withRecord(rowSchema)
        .withSource(offset.getSourceInfoSchema())
        .build();
  }

  /** A data change record as the engine hands it over; the MySQL and MariaDB partition is the server. */
  static SourceRecord record(String database, String table, Map<String, ?> offset, Schema keySchema, Struct key,
      Struct value) {
    return new SourceRecord(Map.of("server", PREFIX), offset, PREFIX + "." + database + "." + table, null,
        keySchema, key, value.schema(), value);
  }
}
