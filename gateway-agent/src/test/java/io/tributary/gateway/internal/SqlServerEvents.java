package io.tributary.gateway.internal;

import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.SnapshotType;
import io.debezium.connector.sqlserver.Lsn;
import io.debezium.connector.sqlserver.SqlServerConnectorConfig;
import io.debezium.connector.sqlserver.SqlServerOffsetContext;
import io.debezium.connector.sqlserver.TxLogPosition;
import io.debezium.relational.TableId;
import java.time.Instant;
import org.apache.kafka.connect.data.Struct;

/**
 * Produces the {@code source} blocks of Debezium's SQL Server connector the way its streaming and
 * snapshot sources do, by driving its real offset context: each change read from a change table sets
 * the change position (commit LSN, change LSN) and the event count of that change.
 */
final class SqlServerEvents {
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

  /** A change of {@code table}: the {@code eventCount}-th event of the change at {@code changeLsn}. */
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
}
