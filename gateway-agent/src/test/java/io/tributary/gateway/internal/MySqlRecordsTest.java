package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.data.Envelope;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.jdbc.JdbcValueConverters.DecimalMode;
import io.debezium.pipeline.txmetadata.DefaultTransactionStructMaker;
import io.debezium.pipeline.txmetadata.TransactionStructMaker;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.math.BigDecimal;
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
 * Records of Debezium 3.5's MySQL connector, as its streaming and snapshot sources make them (real
 * offset context, {@code source} block, offset map and envelope), mapped to staged change events.
 */
class MySqlRecordsTest {
  private static final TableId ORDERS = new TableId("src", "shop", "orders");
  private static final String UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

  private static final Schema KEY = SchemaBuilder.struct().name("src.shop.orders.Key")
      .field("id", Schema.INT32_SCHEMA).build();
  /** {@code id INT, note TEXT, amount DECIMAL(12,2), counter BIGINT UNSIGNED} with precise decimals. */
  private static final Schema ROW = SchemaBuilder.struct().name("src.shop.orders.Value")
      .field("id", Schema.INT32_SCHEMA)
      .field("note", Schema.OPTIONAL_STRING_SCHEMA)
      .field("amount", SpecialValueDecimal.builder(DecimalMode.PRECISE, 12, 2).optional().build())
      .field("counter", SpecialValueDecimal.builder(DecimalMode.PRECISE, 20, 0).optional().build())
      .build();

  private final TestClock clock = new TestClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final RecordMapper mapper = new RecordMapper("src", Map.of(ORDERS, List.of("id")),
      new BinlogPositions(new AtomicLong()::incrementAndGet), clock, EngineProperties.DEFAULT_UNAVAILABLE_PLACEHOLDER,
      SourceConfig.UnsupportedTypes.FAIL);

  private static Struct key(int id) {
    return new Struct(KEY).put("id", id);
  }

  private static Struct row(int id, String note) {
    return new Struct(ROW).put("id", id).put("note", note).put("amount", new BigDecimal("12.50"))
        .put("counter", new BigDecimal("18446744073709551615"));
  }

  private static Map<String, Object> offsetOf(SourceRecord record) {
    return new HashMap<>(record.sourceOffset());
  }

  private ChangeEvent staged(SourceRecord record) {
    Captured captured = mapper.map(record);
    assertThat(captured).isInstanceOf(Captured.Change.class);
    return ((Captured.Change) captured).event();
  }

  private static List<SourceRecord> inserts(BinlogEvents events, long position, int... ids) {
    Envelope envelope = events.envelope("shop", "orders", ROW);
    return events.rowsEvent("shop", "orders", position, ids.length, (row, source, offset) ->
        BinlogEvents.record("shop", "orders", offset, KEY, key(ids[row]),
            envelope.create(row(ids[row], "new"), source, Instant.now())));
  }

  @Test
  void aGtidTransactionIsStagedInBinlogOrderWithTheRealSourceAndOffsetShapes() {
    BinlogEvents events = BinlogEvents.mysql();
    events.startAt("binlog.000003", 4, UUID + ":1-22");
    events.gtidEvent(1000, UUID + ":23", UUID + ":1-23");
    events.beginEvent(1100);
    events.tableMapEvent(1200);
    List<SourceRecord> records = new ArrayList<>(inserts(events, 1300, 1, 2));
    events.tableMapEvent(1400);
    Envelope envelope = events.envelope("shop", "orders", ROW);
    records.addAll(events.rowsEvent("shop", "orders", 1500, 1, (row, source, offset) ->
        BinlogEvents.record("shop", "orders", offset, KEY, key(1),
            envelope.update(row(1, "old"), row(1, "paid"), source, Instant.now()))));
    events.xidEvent(1600);
    events.gtidEvent(1700, UUID + ":24", UUID + ":1-24");
    events.beginEvent(1800);
    events.tableMapEvent(1900);
    records.addAll(events.rowsEvent("shop", "orders", 2000, 1, (row, source, offset) ->
        BinlogEvents.record("shop", "orders", offset, KEY, key(2),
            envelope.delete(row(2, "new"), source, Instant.now()))));
    events.xidEvent(2100);

    // What the connector emits: the rows event's own position and GTID in the source block, the
    // transaction's restart point (BEGIN), the events and rows to skip and the executed GTIDs in the offset.
    Struct source = ((Struct) records.get(1).value()).getStruct("source");
    assertThat(source.schema().name()).isEqualTo("io.debezium.connector.mysql.Source");
    assertThat(source.getString("connector")).isEqualTo("mysql");
    assertThat(source.getString("db")).isEqualTo("shop");
    assertThat(source.getString("table")).isEqualTo("orders");
    assertThat(source.getString("gtid")).isEqualTo(UUID + ":23");
    assertThat(source.getString("file")).isEqualTo("binlog.000003");
    assertThat(source.getInt64("pos")).isEqualTo(1300);
    assertThat(source.getInt32("row")).isEqualTo(1);
    assertThat(offsetOf(records.get(1))).containsEntry("file", "binlog.000003").containsEntry("pos", 1100L)
        .containsEntry("event", 2L).containsEntry("row", 2L).containsEntry("gtids", UUID + ":1-22")
        .containsKey("ts_sec").doesNotContainKey("snapshot");
    assertThat(offsetOf(records.get(0))).containsEntry("row", 1L);

    List<ChangeEvent> staged = records.stream().map(this::staged).toList();
    assertThat(staged).extracting(ChangeEvent::operation)
        .containsExactly(Operation.INSERT, Operation.INSERT, Operation.UPDATE, Operation.DELETE);
    assertThat(staged).extracting(ChangeEvent::position).containsExactly(
        SourcePosition.of(1, 3, 1100, 2, 0), SourcePosition.of(1, 3, 1100, 2, 1), SourcePosition.of(1, 3, 1100, 4, 0),
        SourcePosition.of(1, 3, 1800, 2, 0));
    assertThat(staged.get(2).values()).containsExactly(1, "paid", new BigDecimal("12.50"),
        new BigDecimal("18446744073709551615"));
    assertThat(staged.get(3).values()).as("the before-image").containsExactly(2, "new", new BigDecimal("12.50"),
        new BigDecimal("18446744073709551615"));
    assertThat(staged.get(0).sourceTimestampMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(records).allSatisfy(record -> assertThat(ChangeBatchHandler.isPastSnapshot(record.sourceOffset()))
        .isTrue());
  }

  @Test
  void withoutGtidsPositionsComeFromFileAndPositionAcrossARotation() {
    BinlogEvents events = BinlogEvents.mysql();
    events.startAt("mysql-bin.000009", 4);
    events.beginEvent(500);
    events.tableMapEvent(600);
    SourceRecord first = inserts(events, 700, 1).get(0);
    events.xidEvent(800);
    // The server rotates to the next file: positions start small again.
    events.startAt("mysql-bin.000010", 4);
    events.beginEvent(120);
    events.tableMapEvent(220);
    SourceRecord second = inserts(events, 320, 2).get(0);
    events.xidEvent(420);

    assertThat(((Struct) first.value()).getStruct("source").getString("gtid")).isNull();
    assertThat(offsetOf(first)).doesNotContainKey("gtids").containsEntry("pos", 500L);
    assertThat(staged(first).position()).isEqualTo(SourcePosition.of(1, 9, 500, 2, 0));
    assertThat(staged(second).position()).isEqualTo(SourcePosition.of(1, 10, 120, 2, 0));
    assertThat(staged(second).position()).isGreaterThan(staged(first).position());
  }

  @Test
  void rowsReadAgainByARestartedConnectorHaveTheSamePositions() {
    BinlogEvents events = BinlogEvents.mysql();
    events.startAt("binlog.000002", 4, UUID + ":1-6");
    events.gtidEvent(200, UUID + ":7", UUID + ":1-7");
    events.beginEvent(300);
    events.tableMapEvent(400);
    List<SourceRecord> once = inserts(events, 500, 1, 2, 3);
    List<SourcePosition> positions = once.stream().map(record -> staged(record).position()).toList();

    // The engine committed the offset of the second row; the restarted connector reads the transaction
    // again from its BEGIN (the offset's pos) and skips the events and rows the offset counts.
    Map<String, Object> committed = offsetOf(once.get(1));
    assertThat(committed).containsEntry("pos", 300L).containsEntry("event", 2L).containsEntry("row", 2L)
        .containsEntry("gtids", UUID + ":1-6");
    BinlogEvents restarted = BinlogEvents.mysqlRestartedFrom(committed);
    assertThat(restarted.context().eventsToSkipUponRestart()).isEqualTo(2);
    assertThat(restarted.context().rowsToSkipUponRestart()).isEqualTo(2);
    restarted.gtidEvent(200, UUID + ":7", UUID + ":1-7");
    restarted.beginEvent(300);
    restarted.tableMapEvent(400);
    List<SourceRecord> again = inserts(restarted, 500, 1, 2, 3);

    RecordMapper fresh = new RecordMapper("src", Map.of(ORDERS, List.of("id")),
        new BinlogPositions(new AtomicLong()::incrementAndGet), clock, EngineProperties.DEFAULT_UNAVAILABLE_PLACEHOLDER,
        SourceConfig.UnsupportedTypes.FAIL);
    // Only the third row is emitted again (rows to skip: 2); it lands where it landed the first time.
    SourcePosition replayed = ((Captured.Change) fresh.map(again.get(2))).event().position();
    assertThat(replayed).isEqualTo(positions.get(2));
  }

  @Test
  void snapshotReadsStageBeforeStreamingAndTheirOffsetsStayBehindTheBarrier() {
    BinlogEvents events = BinlogEvents.mysql();
    events.startSnapshot();
    events.startAt("binlog.000005", 7700, UUID + ":1-40");
    Envelope envelope = events.envelope("shop", "orders", ROW);
    List<SourceRecord> reads = new ArrayList<>();
    for (SnapshotRecord marker : List.of(SnapshotRecord.FIRST, SnapshotRecord.TRUE, SnapshotRecord.LAST)) {
      int id = reads.size() + 1;
      Struct source = events.snapshotRead("shop", "orders", marker);
      reads.add(BinlogEvents.record("shop", "orders", events.offset(), KEY, key(id),
          envelope.read(row(id, "old"), source, Instant.now())));
    }
    events.completeSnapshot();
    events.gtidEvent(7800, UUID + ":41", UUID + ":1-41");
    events.beginEvent(7900);
    events.tableMapEvent(8000);
    SourceRecord streamed = inserts(events, 8100, 9).get(0);

    assertThat(offsetOf(reads.get(0))).containsEntry("snapshot", "INITIAL").containsEntry("file", "binlog.000005")
        .containsEntry("pos", 7700L).containsEntry("gtids", UUID + ":1-40");
    assertThat(reads).allSatisfy(read -> assertThat(ChangeBatchHandler.isPastSnapshot(read.sourceOffset())).isFalse());
    assertThat(ChangeBatchHandler.isPastSnapshot(streamed.sourceOffset())).isTrue();

    Captured.Change first = (Captured.Change) mapper.map(reads.get(0));
    assertThat(first.snapshot()).isTrue();
    assertThat(first.event().operation()).isEqualTo(Operation.SNAPSHOT_READ);
    assertThat(first.snapshotReset()).hasValueSatisfying(reset -> {
      assertThat(reset.operation()).isEqualTo(Operation.TRUNCATE);
      assertThat(reset.position()).isEqualTo(SourcePosition.of(0, 5, 7700, 1, 0));
    });
    List<SourcePosition> order = new ArrayList<>(List.of(first.snapshotReset().orElseThrow().position(),
        first.event().position()));
    order.add(staged(reads.get(1)).position());
    order.add(staged(reads.get(2)).position());
    ChangeEvent change = staged(streamed);
    assertThat(((Captured.Change) mapper.map(streamed)).snapshot()).isFalse();
    order.add(change.position());
    assertThat(order).isSortedAccordingTo(SourcePosition::compareTo).doesNotHaveDuplicates();
    assertThat(change.position()).isEqualTo(SourcePosition.of(1, 5, 7900, 2, 0));
  }

  @Test
  void transactionMetadataLeavesWhatIsStagedUnchanged() {
    TransactionStructMaker metadata = new DefaultTransactionStructMaker(Configuration.empty());
    BinlogEvents events = BinlogEvents.mysql();
    events.startAt("binlog.000004", 4);
    events.gtidEvent(100, UUID + ":5", UUID + ":1-5");
    events.beginEvent(200);
    events.context().getTransactionContext().beginTransaction(events.context().getTransactionId());
    SourceRecord begin = new SourceRecord(Map.of("server", "src"), events.offset(), "src.transaction", null,
        metadata.getTransactionKeySchema(), metadata.buildTransactionKey(events.context()),
        metadata.getTransactionValueSchema(), metadata.buildBeginTransactionValue(events.context(), Instant.now()));
    events.tableMapEvent(300);
    Envelope envelope = Envelope.defineSchema().withName("src.shop.orders.Envelope").withRecord(ROW)
        .withSource(events.context().getSourceInfoSchema())
        .withTransaction(metadata.getTransactionBlockSchema()).build();
    SourceRecord insert = events.rowsEvent("shop", "orders", 400, 1, (row, source, ignored) -> {
      Struct value = envelope.create(row(1, "new"), source, Instant.now());
      long order = events.context().getTransactionContext().event(new io.debezium.relational.TableId("shop", null,
          "orders"));
      // As TransactionMonitor.dataEvent adds it.
      value.put(Envelope.FieldName.TRANSACTION, metadata.addTransactionBlock(events.context(), order, value));
      return BinlogEvents.record("shop", "orders", events.offset(), KEY, key(1), value);
    }).get(0);

    Struct transaction = ((Struct) insert.value()).getStruct("transaction");
    assertThat(transaction.getString("id")).isEqualTo(UUID + ":5");
    assertThat(transaction.getInt64("total_order")).isEqualTo(1);
    assertThat(offsetOf(insert)).containsEntry("transaction_id", UUID + ":5");
    assertThat(mapper.map(begin)).isInstanceOf(Captured.Marker.class);
    ChangeEvent staged = staged(insert);
    assertThat(staged.position()).isEqualTo(SourcePosition.of(1, 4, 200, 2, 0));
    assertThat(staged.operation()).isEqualTo(Operation.INSERT);
  }
}
