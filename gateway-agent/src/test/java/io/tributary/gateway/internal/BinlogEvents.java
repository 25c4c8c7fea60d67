package io.tributary.gateway.internal;

import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.binlog.BinlogOffsetContext;
import io.debezium.connector.mariadb.MariaDbConnectorConfig;
import io.debezium.connector.mariadb.MariaDbOffsetContext;
import io.debezium.connector.mysql.MySqlConnectorConfig;
import io.debezium.connector.mysql.MySqlOffsetContext;
import io.debezium.relational.TableId;
import java.time.Instant;
import org.apache.kafka.connect.data.Struct;

/**
 * Produces the {@code source} blocks of Debezium's MySQL or MariaDB connector the way their binlog
 * streaming and snapshot sources do, by driving the connectors' real offset contexts with the same
 * calls: the start point of a transaction, the position of each row event, the row within it.
 */
final class BinlogEvents {
  private static final Instant TIME = Instant.ofEpochMilli(1_700_000_000_000L);

  private final BinlogOffsetContext<?> offset;

  private BinlogEvents(BinlogOffsetContext<?> offset) {
    this.offset = offset;
  }

  static BinlogEvents mysql() {
    return new BinlogEvents(MySqlOffsetContext.initial(new MySqlConnectorConfig(config())));
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
}
