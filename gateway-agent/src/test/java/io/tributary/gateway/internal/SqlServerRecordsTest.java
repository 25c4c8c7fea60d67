package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.data.Envelope;
import io.debezium.pipeline.txmetadata.DefaultTransactionStructMaker;
import io.debezium.pipeline.txmetadata.TransactionStructMaker;
import io.debezium.time.NanoTimestamp;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ColumnType;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Records of Debezium 3.5's SQL Server connector, as its streaming and snapshot sources make them (real
 * offset context, {@code source} block, offset map and envelope), mapped to staged change events.
 */
class SqlServerRecordsTest {
  private static final TableId ORDERS = new TableId("src", "dbo", "orders");

  private static final Schema KEY = SchemaBuilder.struct().name("src.shop.dbo.orders.Key")
      .field("id", Schema.INT32_SCHEMA).build();
  /** {@code id INT, note NVARCHAR(100), placed DATETIME2(7)}: DATETIME2(7) is a NanoTimestamp. */
  private static final Schema ROW = SchemaBuilder.struct().name("src.shop.dbo.orders.Value")
      .field("id", Schema.INT32_SCHEMA)
      .field("note", Schema.OPTIONAL_STRING_SCHEMA)
      .field("placed", NanoTimestamp.builder().optional().build())
      .build();
  private static final long PLACED_NANOS = 1_700_000_000_123_456_700L;

  private final TestClock clock = new TestClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final RecordMapper mapper = mapper();

  private RecordMapper mapper() {
    return new RecordMapper("src", Map.of(ORDERS, List.of("id")), new SqlServerPositions(new AtomicLong()::incrementAndGet),
        clock, EngineProperties.DEFAULT_UNAVAILABLE_PLACEHOLDER, SourceConfig.UnsupportedTypes.FAIL);
  }

  private static Struct key(int id) {
    return new Struct(KEY).put("id", id);
  }

  private static Struct row(int id, String note) {
    return new Struct(ROW).put("id", id).put("note", note).put("placed", PLACED_NANOS);
  }

  private static Map<String, Object> offsetOf(SourceRecord record) {
    return new HashMap<>(record.sourceOffset());
  }

  private Captured.Change change(SourceRecord record) {
    Captured captured = mapper.map(record);
    assertThat(captured).isInstanceOf(Captured.Change.class);
    return (Captured.Change) captured;
  }

  @Test
  void streamedChangesAreStagedWithTheRealSourceAndOffsetShapesInLogOrder() {
    SqlServerEvents events = SqlServerEvents.streaming("00000027:00000700:0001");
    Envelope envelope = events.envelope("orders", ROW);
    List<SourceRecord> records = new ArrayList<>();
    Struct source = events.change("orders", "00000027:00000780:0002", "00000027:00000758:0002", 1);
    records.add(events.record("orders", KEY, key(1), envelope.create(row(1, "new"), source, Instant.now())));
    // An update: its before and after rows in the change table are one event of two rows.
    source = events.change("orders", "00000027:00000780:0002", "00000027:00000760:0004", 2);
    records.add(events.record("orders", KEY, key(1), envelope.update(row(1, "new"), row(1, "paid"), source,
        Instant.now())));
    // An update of the key, which CDC records as a delete and an insert at one change LSN.
    source = events.change("orders", "00000027:00000790:0001", "00000027:00000770:0003", 1);
    records.add(events.record("orders", KEY, key(1), envelope.delete(row(1, "paid"), source, Instant.now())));
    source = events.change("orders", "00000027:00000790:0001", "00000027:00000770:0003", 1);
    records.add(events.record("orders", KEY, key(5), envelope.create(row(5, "paid"), source, Instant.now())));

    Struct block = ((Struct) records.get(1).value()).getStruct("source");
    assertThat(block.schema().name()).isEqualTo("io.debezium.connector.sqlserver.Source");
    assertThat(block.getString("connector")).isEqualTo("sqlserver");
    assertThat(block.getString("db")).isEqualTo("shop");
    assertThat(block.getString("schema")).isEqualTo("dbo");
    assertThat(block.getString("table")).isEqualTo("orders");
    assertThat(block.getString("commit_lsn")).isEqualTo("00000027:00000780:0002");
    assertThat(block.getString("change_lsn")).isEqualTo("00000027:00000760:0004");
    assertThat(block.getInt64("event_serial_no")).isEqualTo(2);
    assertThat(offsetOf(records.get(1))).containsEntry("commit_lsn", "00000027:00000780:0002")
        .containsEntry("change_lsn", "00000027:00000760:0004").containsEntry("event_serial_no", 2L)
        .doesNotContainKey("snapshot");
    assertThat(offsetOf(records.get(3))).containsEntry("event_serial_no", 2L);
    assertThat(records).allSatisfy(record -> assertThat(ChangeBatchHandler.isPastSnapshot(record.sourceOffset()))
        .isTrue());

    List<Captured.Change> changes = records.stream().map(this::change).toList();
    assertThat(changes.get(0).event().tableId()).isEqualTo(ORDERS);
    assertThat(changes.get(0).schema().columns()).extracting(c -> c.name() + ":" + c.type())
        .containsExactly("id:INT", "note:STRING", "placed:" + ColumnType.TIMESTAMP_NTZ);
    assertThat(changes.get(0).event().values()).containsExactly(1, "new", PLACED_NANOS / 1000);
    List<ChangeEvent> staged = changes.stream().map(Captured.Change::event).toList();
    assertThat(staged).extracting(ChangeEvent::operation)
        .containsExactly(Operation.INSERT, Operation.UPDATE, Operation.DELETE, Operation.INSERT);
    assertThat(staged.get(1).values()).containsExactly(1, "paid", PLACED_NANOS / 1000);
    assertThat(staged).extracting(ChangeEvent::position).isSortedAccordingTo(SourcePosition::compareTo)
        .doesNotHaveDuplicates();
    assertThat(staged.get(3).position())
        .isEqualTo(SourcePosition.of(1, 0x0000002700000790L, 1, 0x0000002700000770L, 3, 2));
    assertThat(staged.get(0).sourceTimestampMillis()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void aChangeReadAgainAfterARestartFromItsCommittedOffsetHasTheSamePosition() {
    SqlServerEvents events = SqlServerEvents.streaming("00000030:00000010:0001");
    Envelope envelope = events.envelope("orders", ROW);
    Struct deleteSource = events.change("orders", "00000030:00000020:0003", "00000030:00000018:0002", 1);
    SourceRecord delete = events.record("orders", KEY, key(1), envelope.delete(row(1, "a"), deleteSource,
        Instant.now()));
    Struct insertSource = events.change("orders", "00000030:00000020:0003", "00000030:00000018:0002", 1);
    SourcePosition inserted = change(events.record("orders", KEY, key(2),
        envelope.create(row(2, "a"), insertSource, Instant.now()))).event().position();

    // The engine committed the delete's offset; the restarted connector reads the change tables again
    // from it, skips the delete it already emitted and emits the insert, the next event at that LSN.
    SqlServerEvents restarted = SqlServerEvents.restartedFrom(delete.sourceOffset());
    assertThat(restarted.context().getEventSerialNo()).isEqualTo(1);
    Struct again = restarted.change("orders", "00000030:00000020:0003", "00000030:00000018:0002", 1);
    SourcePosition replayed = ((Captured.Change) mapper().map(restarted.record("orders", KEY, key(2),
        envelope.create(row(2, "a"), again, Instant.now())))).event().position();
    assertThat(replayed).isEqualTo(inserted);
  }

  @Test
  void snapshotReadsStageBeforeStreamingAndTheLastOneCarriesTheCompletion() {
    SqlServerEvents snapshot = SqlServerEvents.snapshot("00000040:00000100:0001");
    Envelope envelope = snapshot.envelope("orders", ROW);
    SourceRecord first = snapshot.record("orders", KEY, key(1),
        envelope.read(row(1, "a"), snapshot.snapshotRead("orders", SnapshotRecord.FIRST), Instant.now()));
    SourceRecord middle = snapshot.record("orders", KEY, key(2),
        envelope.read(row(2, "b"), snapshot.snapshotRead("orders", SnapshotRecord.TRUE), Instant.now()));
    snapshot.completeSnapshot();
    SourceRecord last = snapshot.record("orders", KEY, key(3),
        envelope.read(row(3, "c"), snapshot.snapshotRead("orders", SnapshotRecord.LAST), Instant.now()));
    SqlServerEvents streaming = SqlServerEvents.streaming("00000040:00000100:0001");
    SourceRecord streamed = streaming.record("orders", KEY, key(4), streaming.envelope("orders", ROW).create(
        row(4, "d"), streaming.change("orders", "00000040:00000120:0002", "00000040:00000110:0001", 1), Instant.now()));

    assertThat(offsetOf(first)).containsEntry("snapshot", "INITIAL").containsEntry("snapshot_completed", false)
        .containsEntry("commit_lsn", "00000040:00000100:0001").containsEntry("change_lsn", "NULL");
    assertThat(ChangeBatchHandler.isPastSnapshot(first.sourceOffset())).isFalse();
    assertThat(ChangeBatchHandler.isPastSnapshot(middle.sourceOffset())).isFalse();
    assertThat(offsetOf(last)).containsEntry("snapshot_completed", true);
    assertThat(ChangeBatchHandler.isPastSnapshot(last.sourceOffset())).isTrue();

    Captured.Change firstRead = change(first);
    assertThat(firstRead.snapshot()).isTrue();
    assertThat(firstRead.event().operation()).isEqualTo(Operation.SNAPSHOT_READ);
    assertThat(firstRead.event().position()).isEqualTo(SourcePosition.of(0, 0x0000004000000100L, 1, 1, 1));
    assertThat(firstRead.snapshotReset()).hasValueSatisfying(reset -> {
      assertThat(reset.operation()).isEqualTo(Operation.TRUNCATE);
      assertThat(reset.position()).isEqualTo(SourcePosition.of(0, 0x0000004000000100L, 1, 1, 0));
    });
    Captured.Change streamedChange = change(streamed);
    assertThat(streamedChange.snapshot()).isFalse();
    assertThat(List.of(firstRead.snapshotReset().orElseThrow().position(), firstRead.event().position(),
        change(middle).event().position(), change(last).event().position(), streamedChange.event().position()))
        .isSortedAccordingTo(SourcePosition::compareTo).doesNotHaveDuplicates();
  }

  @Test
  void transactionMetadataLeavesWhatIsStagedUnchanged() {
    TransactionStructMaker metadata = new DefaultTransactionStructMaker(Configuration.empty());
    SqlServerEvents events = SqlServerEvents.streaming("00000050:00000010:0001");
    Struct source = events.change("orders", "00000050:00000020:0004", "00000050:00000018:0002", 1);
    // SQL Server's transaction id is the commit LSN.
    events.context().getTransactionContext().beginTransaction("00000050:00000020:0004");
    SourceRecord begin = new SourceRecord(Map.of("server", "src", "database", "shop"), events.offset(),
        "src.transaction", null, metadata.getTransactionKeySchema(), metadata.buildTransactionKey(events.context()),
        metadata.getTransactionValueSchema(), metadata.buildBeginTransactionValue(events.context(), Instant.now()));
    Envelope envelope = Envelope.defineSchema().withName("src.shop.dbo.orders.Envelope").withRecord(ROW)
        .withSource(events.context().getSourceInfoSchema())
        .withTransaction(metadata.getTransactionBlockSchema()).build();
    Struct value = envelope.create(row(1, "new"), source, Instant.now());
    long order = events.context().getTransactionContext().event(new io.debezium.relational.TableId("shop", "dbo",
        "orders"));
    // As TransactionMonitor.dataEvent adds it.
    value.put(Envelope.FieldName.TRANSACTION, metadata.addTransactionBlock(events.context(), order, value));
    SourceRecord insert = events.record("orders", KEY, key(1), value);

    assertThat(offsetOf(insert)).containsEntry("transaction_id", "00000050:00000020:0004");
    assertThat(mapper.map(begin)).isInstanceOf(Captured.Marker.class);
    ChangeEvent staged = change(insert).event();
    assertThat(staged.operation()).isEqualTo(Operation.INSERT);
    assertThat(staged.position())
        .isEqualTo(SourcePosition.of(1, 0x0000005000000020L, 4, 0x0000005000000018L, 2, 1));
  }
}
