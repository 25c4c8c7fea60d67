package io.tributary.gateway.internal;

import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationMessage;
import io.debezium.data.Envelope;
import io.debezium.relational.TableId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Produces the {@code source} blocks and offsets of Debezium's PostgreSQL connector the way its
 * streaming and snapshot sources do, by driving its real {@link PostgresOffsetContext}: the same
 * calls in the same order as {@code PostgresStreamingChangeEventSource} makes for each replication
 * message, and as the snapshot source makes for each row.
 */
final class PostgresEvents {
  static final String PREFIX = "src";

  private final PostgresConnectorConfig config;
  private PostgresOffsetContext offset;
  private Lsn lastCompletelyProcessed;

  PostgresEvents() {
    this.config = new PostgresConnectorConfig(Configuration.create()
        .with("topic.prefix", PREFIX)
        .with("database.dbname", "db")
        .with("database.hostname", "localhost")
        .with("plugin.name", "pgoutput")
        .build());
    this.offset = new PostgresOffsetContext.Loader(config).load(Map.of());
  }

  /** A streamed change at {@code lsn} of transaction {@code txId}. */
  Struct change(String schema, String table, long lsn, long txId) {
    lastCompletelyProcessed = Lsn.valueOf(lsn);
    offset.updateWalPosition(Lsn.valueOf(lsn), lastCompletelyProcessed, Instant.ofEpochMilli(1_700_000_000_000L + lsn),
        txId, null, new TableId("db", schema, table), ReplicationMessage.Operation.INSERT);
    return offset.getSourceInfo();
  }

  /** The COMMIT message of the transaction just streamed. */
  void commit(long commitLsn) {
    lastCompletelyProcessed = Lsn.valueOf(commitLsn);
    offset.updateCommitPosition(Lsn.valueOf(commitLsn), lastCompletelyProcessed);
  }

  /** The offset Debezium would commit for the last event. */
  Map<String, ?> offset() {
    return new HashMap<>(offset.getOffset());
  }

  /** Simulates a restart: the connector loads the stored offset. */
  void restartFrom(Map<String, ?> stored) {
    offset = new PostgresOffsetContext.Loader(config).load(stored);
  }

  /** A snapshot starting at {@code lsn}. */
  void startSnapshot(long lsn) {
    offset.preSnapshotStart(false);
    offset.updateWalPosition(Lsn.valueOf(lsn), null, Instant.ofEpochMilli(1_700_000_000_000L), 1L, null, null, null);
  }

  /** A row read by the snapshot, with Debezium's marker. */
  Struct snapshotRead(String schema, String table, SnapshotRecord marker) {
    offset.event(new TableId("db", schema, table), Instant.ofEpochMilli(1_700_000_000_000L));
    offset.markSnapshotRecord(marker);
    return offset.getSourceInfo();
  }

  /** The snapshot's completion, as Debezium marks it before its last record. */
  void completeSnapshot() {
    offset.preSnapshotCompletion();
  }

  /** After the snapshot: streaming begins. */
  void startStreaming() {
    offset.postSnapshotCompletion();
  }

  Schema sourceSchema() {
    return offset.getSourceInfoSchema();
  }

  /** An envelope schema of a table with the given row schema, as Debezium defines it. */
  Envelope envelope(String schema, String table, Schema rowSchema) {
    return Envelope.defineSchema()
        .withName(PREFIX + "." + schema + "." + table + ".Envelope")
        .withRecord(rowSchema)
        .withSource(sourceSchema())
        .build();
  }

  /** A data change record as the engine hands it over. */
  SourceRecord record(String schema, String table, Schema keySchema, Struct key, Struct value) {
    return new SourceRecord(Map.of("server", PREFIX), offset(), PREFIX + "." + schema + "." + table, null,
        keySchema, key, value.schema(), value);
  }

  /** A heartbeat record carrying the current offset. */
  SourceRecord heartbeat() {
    Schema heartbeatSchema = org.apache.kafka.connect.data.SchemaBuilder.struct()
        .name("io.debezium.connector.common.Heartbeat")
        .field("ts_ms", Schema.INT64_SCHEMA).build();
    Struct value = new Struct(heartbeatSchema).put("ts_ms", 1L);
    Schema keySchema = org.apache.kafka.connect.data.SchemaBuilder.struct()
        .name("io.debezium.connector.common.ServerNameKey")
        .field("serverName", Schema.STRING_SCHEMA).build();
    return new SourceRecord(Map.of("server", PREFIX), offset(), "__debezium-heartbeat." + PREFIX, null,
        keySchema, new Struct(keySchema).put("serverName", PREFIX), heartbeatSchema, value);
  }
}
