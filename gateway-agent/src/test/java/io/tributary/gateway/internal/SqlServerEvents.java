package io.tributary.gateway.internal;

import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.SnapshotType;
import io.debezium.connector.sqlserver.Lsn;
import io.debezium.connector.sqlserver.SqlServerConnectorConfig;
import io.debezium.connector.sqlserver.SqlServerOffsetContext;
import io.debezium.connector.sqlserver.TxLogPosition;
import io.debezium.data.Envelope;
import io.debezium.relational.TableId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Produces the {@code source} blocks and offsets of Debezium's SQL Server connector the way its
 * streaming and snapshot sources do, by driving its real offset context: each change read from a
 * change table sets the change position (commit LSN, change LSN) and the event count of that change
 * (two for an update, read as its before and after rows), as {@code SqlServerStreamingChangeEventSource}
 * does.
 */
final class SqlServerEvents {
  static final String PREFIX = "src";
  static final String DATABASE = "shop";
  private static final Instant TIME = Instant.ofEpochMilli(1_700_000_000_000L);
  private static final SqlServerConnectorConfig CONFIG = new SqlServerConnectorConfig(Configuration.create()
      .with("topic.prefix", "src")
      .with("database.hostname", "localhost")
      .with("database.names", "shop")
      .build());

  private final SqlServerOffsetContext offset;

  private SqlServerEvents(SqlServerOffsetContext offset) {
    this.offset = offset;
  }

  /** The streaming source, started at {@code commitLsn}. */
  static SqlServerEvents streaming(String commitLsn) {
    return new SqlServerEvents(new SqlServerOffsetContext(CONFIG, TxLogPosition.valueOf(Lsn.valueOf(commitLsn)), null, false));
  }

  /** An initial snapshot taken at {@code maxLsn}, the database's highest LSN when it began. */
  static SqlServerEvents snapshot(String maxLsn) {
    SqlServerOffsetContext offset = new SqlServerOffsetContext(CONFIG, TxLogPosition.valueOf(Lsn.valueOf(maxLsn)),
        SnapshotType.INITIAL, false);
    offset.preSnapshotStart(false);
    return new SqlServerEvents(offset);
  }

  /** Simulates a restarted connector: its offset context as loaded from the stored offset. */
  static SqlServerEvents restartedFrom(Map<String, ?> stored) {
    return new SqlServerEvents(new SqlServerOffsetContext.Loader(CONFIG).load(stored));
  }

  /** A change of {@code table} at {@code changeLsn} made of {@code eventCount} change-table rows. */
  Struct change(String table, String commitLsn, String changeLsn, int eventCount) {
    offset.setChangePosition(TxLogPosition.valueOf(Lsn.valueOf(commitLsn), Lsn.valueOf(changeLsn)), eventCount);
    offset.event(new TableId("shop", "dbo", table), TIME);
    return offset.getSourceInfo();
  }

  /** A row read by the snapshot, with Debezium's marker. */
  Struct snapshotRead(String table, SnapshotRecord marker) {
    offset.event(new TableId("shop", "dbo", table), TIME);
    offset.markSnapshotRecord(marker);
    return offset.getSourceInfo();
  }

  /** The snapshot's completion, as Debezium marks it before its last record. */
  void completeSnapshot() {
    offset.preSnapshotCompletion();
  }

  /** The offset Debezium would commit for the current event. */
  Map<String, ?> offset() {
    return new HashMap<>(offset.getOffset());
  }

  SqlServerOffsetContext context() {
    return offset;
  }

  /** The envelope schema of a {@code dbo} table with the given row schema, as Debezium defines it. */
  Envelope envelope(String table, Schema rowSchema) {
    return Envelope.defineSchema()
        .withName(PREFIX + "." + DATABASE + ".dbo." + table + ".Envelope")
        .withRecord(rowSchema)
        .withSource(offset.getSourceInfoSchema())
        .build();
  }

  /** A data change record as the engine hands it over; SQL Server's partition is server and database. */
  SourceRecord record(String table, Schema keySchema, Struct key, Struct value) {
    return new SourceRecord(Map.of("server", PREFIX, "database", DATABASE), offset(),
        PREFIX + "." + DATABASE + ".dbo." + table, null, keySchema, key, value.schema(), value);
  }
}
