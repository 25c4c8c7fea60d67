package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.SnapshotRecord;
import io.debezium.data.Envelope;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.jdbc.JdbcValueConverters.DecimalMode;
import io.debezium.relational.RelationalChangeRecordEmitter;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ColumnType;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class RecordMapperTest {
  private static final TableId ORDERS = new TableId("src", "public", "orders");
  private static final String PLACEHOLDER = EngineProperties.DEFAULT_UNAVAILABLE_PLACEHOLDER;

  private static final Schema KEY = SchemaBuilder.struct().name("src.public.orders.Key")
      .field("id", Schema.INT32_SCHEMA).build();
  private static final Schema ROW = SchemaBuilder.struct().name("src.public.orders.Value")
      .field("id", Schema.INT32_SCHEMA)
      .field("note", Schema.OPTIONAL_STRING_SCHEMA)
      .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
      .field("amount", SpecialValueDecimal.builder(DecimalMode.PRECISE, 10, 2).optional().build())
      .build();

  private final PostgresEvents events = new PostgresEvents();
  private final TestClock clock = new TestClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final RecordMapper mapper = new RecordMapper("src", Map.of(ORDERS, List.of("id")),
      new PostgresPositions(new AtomicLong()::incrementAndGet), clock, PLACEHOLDER, SourceConfig.UnsupportedTypes.FAIL);
  private final Envelope envelope = events.envelope("public", "orders", ROW);

  private static Struct key(int id) {
    return new Struct(KEY).put("id", id);
  }

  private static Struct row(int id, String note, byte[] blob, String amount) {
    return new Struct(ROW).put("id", id).put("note", note).put("blob", blob == null ? null : ByteBuffer.wrap(blob))
        .put("amount", amount == null ? null : new BigDecimal(amount));
  }

  private Captured.Change change(SourceRecord record) {
    Captured captured = mapper.map(record);
    assertThat(captured).isInstanceOf(Captured.Change.class);
    return (Captured.Change) captured;
  }

  @Test
  void insertCarriesTheAfterImageInSchemaOrder() {
    Struct source = events.change("public", "orders", 110, 42);
    Captured.Change change = change(events.record("public", "orders", KEY, key(1),
        envelope.create(row(1, "hello", new byte[] {7}, "12.50"), source, Instant.now())));

    assertThat(change.schema().columns()).extracting(c -> c.name() + ":" + c.type())
        .containsExactly("id:INT", "note:STRING", "blob:BINARY", "amount:DECIMAL(10,2)");
    assertThat(change.schema().keyColumns()).containsExactly("id");
    assertThat(change.snapshot()).isFalse();
    assertThat(change.event().operation()).isEqualTo(Operation.INSERT);
    assertThat(change.event().values()).containsExactly(1, "hello", new byte[] {7}, new BigDecimal("12.50"));
    assertThat(change.event().transactionId()).contains("42");
    assertThat(change.event().position()).isEqualTo(SourcePosition.of(1, 0, 110, 0));
    assertThat(change.event().sourceTimestampMillis()).isEqualTo(1_700_000_000_110L);
    assertThat(change.event().captureTimestampMillis()).isEqualTo(clock.millis());
    assertThat(change.event().unavailable().isEmpty()).isTrue();
  }

  @Test
  void aNullInAColumnWithADefaultIsStagedAsNullNotAsTheDefault() {
    // Debezium puts a column's DEFAULT into its field schema; Connect's Struct.get answers a null with it.
    Schema row = SchemaBuilder.struct().name("src.public.orders.Value")
        .field("id", Schema.INT32_SCHEMA)
        .field("status", SchemaBuilder.string().optional().defaultValue("new").build())
        .field("made", io.debezium.time.Year.builder().optional().defaultValue(2024).build())
        .build();
    Struct source = events.change("public", "orders", 125, 46);
    Struct after = new Struct(row).put("id", 1).put("status", null).put("made", null);
    Captured.Change change = change(events.record("public", "orders", KEY, key(1),
        events.envelope("public", "orders", row).update(null, after, source, Instant.now())));

    assertThat(change.event().values()).containsExactly(1, null, null);
  }

  @Test
  void unchangedToastedValuesAreUnavailableAndNull() {
    Struct source = events.change("public", "orders", 120, 43);
    Struct after = row(1, PLACEHOLDER, PLACEHOLDER.getBytes(StandardCharsets.UTF_8), "1.00");
    Captured.Change change = change(events.record("public", "orders", KEY, key(1),
        envelope.update(null, after, source, Instant.now())));

    assertThat(change.event().operation()).isEqualTo(Operation.UPDATE);
    assertThat(change.event().values()).containsExactly(1, null, null, new BigDecimal("1.00"));
    assertThat(change.event().unavailable().stream().toArray()).containsExactly(1, 2);
  }

  @Test
  void unchangedToastedArraysAndHstoresAreUnavailableInEachOfDebeziumsPlaceholderForms() {
    // The placeholders Debezium's UnchangedToastedPlaceholder puts for these types, staged as JSON text.
    Schema row = SchemaBuilder.struct().name("src.public.tagged.Value")
        .field("id", Schema.INT32_SCHEMA)
        .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
        .field("scores", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
        .field("totals", SchemaBuilder.array(Schema.OPTIONAL_INT64_SCHEMA).optional().build())
        .field("blobs", SchemaBuilder.array(Schema.OPTIONAL_BYTES_SCHEMA).optional().build())
        .field("refs", SchemaBuilder.array(io.debezium.data.Uuid.builder().optional().build()).optional().build())
        .field("attrs", io.debezium.data.Json.builder().optional().build())
        .field("small", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
        .build();
    TableId tagged = new TableId("src", "public", "tagged");
    RecordMapper arrays = new RecordMapper("src", Map.of(tagged, List.of("id")),
        new PostgresPositions(new AtomicLong()::incrementAndGet), clock, PLACEHOLDER, SourceConfig.UnsupportedTypes.STRING);
    byte[] bytes = PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
    List<Integer> ints = new java.util.ArrayList<>();
    List<Long> longs = new java.util.ArrayList<>();
    for (byte b : bytes) {
      ints.add((int) b);
      longs.add((long) b);
    }
    Struct after = new Struct(row).put("id", 1).put("tags", List.of(PLACEHOLDER)).put("scores", ints)
        .put("totals", longs).put("blobs", List.of(ByteBuffer.wrap(bytes)))
        .put("refs", List.of(java.util.UUID.nameUUIDFromBytes(bytes).toString()))
        .put("attrs", "{\"" + PLACEHOLDER + "\":\"" + PLACEHOLDER + "\"}")
        .put("small", List.of(1, 2));
    Struct source = events.change("public", "tagged", 140, 45);
    Captured captured = arrays.map(events.record("public", "tagged", KEY, key(1),
        events.envelope("public", "tagged", row).update(null, after, source, Instant.now())));

    ChangeEvent event = ((Captured.Change) captured).event();
    assertThat(event.unavailable().stream().toArray()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(event.values()).containsExactly(1, null, null, null, null, null, null, "[1,2]");
  }

  @Test
  void deleteCarriesTheBeforeImageOrTheKey() {
    Struct source = events.change("public", "orders", 130, 44);
    Captured.Change withBefore = change(events.record("public", "orders", KEY, key(1),
        envelope.delete(row(1, "bye", null, null), source, Instant.now())));
    assertThat(withBefore.event().operation()).isEqualTo(Operation.DELETE);
    assertThat(withBefore.event().values()).containsExactly(1, "bye", null, null);

    Captured.Change keyOnly = change(events.record("public", "orders", KEY, key(2),
        envelope.delete(null, events.change("public", "orders", 131, 44), Instant.now())));
    assertThat(keyOnly.event().values()).containsExactly(2, null, null, null);
  }

  @Test
  void anUpdateOfTheKeyIsADeleteThenAnInsertRightAfterIt() {
    // Debezium makes a key change a delete of the old key and an insert of the new one, both from the
    // one WAL record, marked with the other key in a header.
    Struct source = events.change("public", "orders", 150, 45);
    SourceRecord delete = events.record("public", "orders", KEY, key(1), envelope.delete(row(1, "a", null, null), source,
        Instant.now()));
    delete.headers().add(RelationalChangeRecordEmitter.PK_UPDATE_NEWKEY_FIELD, key(7), KEY);
    SourceRecord insert = events.record("public", "orders", KEY, key(7), envelope.create(row(7, "a", null, null), source,
        Instant.now()));
    insert.headers().add(RelationalChangeRecordEmitter.PK_UPDATE_OLDKEY_FIELD, key(1), KEY);

    ChangeEvent deleted = change(delete).event();
    ChangeEvent inserted = change(insert).event();
    ChangeEvent next = change(events.record("public", "orders", KEY, key(8),
        envelope.create(row(8, "b", null, null), events.change("public", "orders", 151, 45), Instant.now()))).event();

    assertThat(deleted.operation()).isEqualTo(Operation.DELETE);
    assertThat(inserted.operation()).isEqualTo(Operation.INSERT);
    assertThat(inserted.position()).isEqualTo(deleted.position().immediatelyAfter());
    assertThat(List.of(deleted.position(), inserted.position(), next.position()))
        .isSortedAccordingTo(SourcePosition::compareTo).doesNotHaveDuplicates();
  }

  @Test
  void truncateCarriesNoValuesAndKeepsTheTablesKey() {
    // Debezium sends truncates without key and key schema.
    Struct source = events.change("public", "orders", 140, 45);
    Captured.Change first = change(events.record("public", "orders", null, null, envelope.truncate(source, Instant.now())));
    assertThat(first.event().operation()).isEqualTo(Operation.TRUNCATE);
    assertThat(first.event().values()).containsOnlyNulls().hasSize(4);
    assertThat(first.schema().keyColumns()).as("from the catalog").containsExactly("id");

    Captured.Change insert = change(events.record("public", "orders", KEY, key(1),
        envelope.create(row(1, null, null, null), events.change("public", "orders", 141, 46), Instant.now())));
    Captured.Change again = change(events.record("public", "orders", null, null,
        envelope.truncate(events.change("public", "orders", 142, 47), Instant.now())));
    assertThat(again.schema()).as("no schema change, no new segment").isEqualTo(insert.schema()).isEqualTo(first.schema());
  }

  @Test
  void snapshotReadsAreMarkedAndPositionedBeforeStreaming() {
    events.startSnapshot(5000);
    Struct source = events.snapshotRead("public", "orders", SnapshotRecord.FIRST);
    Captured.Change change = change(events.record("public", "orders", KEY, key(1),
        envelope.read(row(1, null, null, null), source, Instant.now())));
    assertThat(change.snapshot()).isTrue();
    assertThat(change.event().operation()).isEqualTo(Operation.SNAPSHOT_READ);
    assertThat(change.event().position()).isEqualTo(SourcePosition.of(0, 5000, 1, 1));
    assertThat(change.snapshotReset()).hasValueSatisfying(reset -> {
      assertThat(reset.operation()).isEqualTo(Operation.TRUNCATE);
      assertThat(reset.position()).isEqualTo(SourcePosition.of(0, 5000, 1, 0));
      assertThat(reset.values()).containsOnlyNulls().hasSize(4);
    });
    Captured.Change next = change(events.record("public", "orders", KEY, key(2),
        envelope.read(row(2, null, null, null), events.snapshotRead("public", "orders", SnapshotRecord.TRUE), Instant.now())));
    assertThat(next.snapshotReset()).isEmpty();
  }

  @Test
  void aNewRowSchemaIsANewTableSchema() {
    Captured.Change before = change(events.record("public", "orders", KEY, key(1),
        envelope.create(row(1, "a", null, null), events.change("public", "orders", 150, 46), Instant.now())));
    Schema widened = SchemaBuilder.struct().name("src.public.orders.Value")
        .field("id", Schema.INT32_SCHEMA)
        .field("note", Schema.OPTIONAL_STRING_SCHEMA)
        .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
        .field("amount", SpecialValueDecimal.builder(DecimalMode.PRECISE, 10, 2).optional().build())
        .field("added", Schema.OPTIONAL_INT64_SCHEMA)
        .build();
    Envelope next = events.envelope("public", "orders", widened);
    Struct value = new Struct(widened).put("id", 2).put("added", 5L);
    Captured.Change after = change(events.record("public", "orders", KEY, key(2),
        next.create(value, events.change("public", "orders", 160, 47), Instant.now())));

    assertThat(after.schema().fingerprint()).isNotEqualTo(before.schema().fingerprint());
    assertThat(after.schema().column("added").orElseThrow().type()).isEqualTo(ColumnType.LONG);
    assertThat(after.event().values()).containsExactly(2, null, null, null, 5L);
  }

  @Test
  void heartbeatsAreMarkers() {
    assertThat(mapper.map(events.heartbeat())).isEqualTo(new Captured.Marker("io.debezium.connector.common.Heartbeat"));
  }

  @Test
  void transactionEndsAreTransactionEndsAndBeginsMarkers() {
    org.apache.kafka.connect.data.Schema schema = io.debezium.schema.SchemaFactory.get()
        .transactionValueSchema(io.debezium.schema.SchemaNameAdjuster.NO_OP);
    org.apache.kafka.connect.data.Struct end = new org.apache.kafka.connect.data.Struct(schema)
        .put("status", "END").put("id", "771:24023128").put("event_count", 2L)
        .put("data_collections", List.of()).put("ts_ms", 1_700_000_000_000L);
    org.apache.kafka.connect.data.Struct begin = new org.apache.kafka.connect.data.Struct(schema)
        .put("status", "BEGIN").put("id", "771:24023128").put("ts_ms", 1_700_000_000_000L);
    SourceRecord endRecord = new SourceRecord(Map.of("server", "src"), Map.of("lsn", 24023128L), "src.transaction", null,
        null, null, schema, end);
    SourceRecord beginRecord = new SourceRecord(Map.of("server", "src"), Map.of("lsn", 24023000L), "src.transaction", null,
        null, null, schema, begin);

    assertThat(schema.name()).isEqualTo(RecordMapper.TRANSACTION_METADATA);
    assertThat(mapper.map(endRecord)).isEqualTo(new Captured.TransactionEnd("771:24023128"));
    assertThat(mapper.map(beginRecord)).isEqualTo(new Captured.Marker("transaction BEGIN"));
  }

  /** A notification record as Debezium's sink channel builds it, from its own schema. */
  private static SourceRecord notification(String type, Map<String, String> data) {
    Schema schema = io.debezium.schema.SchemaFactory.get().notificationValueSchema(
        io.debezium.schema.SchemaNameAdjuster.NO_OP);
    Struct value = new Struct(schema).put("id", "resync-1").put("type", type).put("aggregate_type", "Incremental Snapshot")
        .put("additional_data", data).put("timestamp", 1_700_000_000_500L);
    return new SourceRecord(Map.of("server", "src"), Map.of("lsn", 24023128L), EngineProperties.NOTIFICATION_TOPIC,
        null, null, null, schema, value);
  }

  @Test
  void incrementalSnapshotNotificationsAreResyncStepsWithTheirMarkers() {
    Struct source = events.change("public", "orders", 110, 42);
    Captured.Change insert = change(events.record("public", "orders", KEY, key(1),
        envelope.create(row(1, "hello", null, null), source, Instant.now())));

    Captured started = mapper.map(notification("STARTED", Map.of("data_collections", "public.orders,public.other",
        "connector_name", "src")));
    assertThat(started).isInstanceOf(Captured.ResyncStep.class);
    Captured.ResyncStep begin = (Captured.ResyncStep) started;
    assertThat(begin.kind()).isEqualTo(Captured.ResyncStep.Kind.STARTED);
    assertThat(begin.tables()).as("tables not captured are not ours").containsExactly(ORDERS);
    assertThat(begin.markers()).singleElement().satisfies(marker -> {
      assertThat(marker.event().operation()).isEqualTo(Operation.RESYNC_BEGIN);
      assertThat(marker.schema()).isEqualTo(insert.schema());
      assertThat(marker.event().values()).containsOnlyNulls().hasSize(4);
      assertThat(marker.event().position()).isGreaterThan(insert.event().position())
          .isLessThan(SourcePosition.of(1, 0, 111, 0));
    });

    Captured.ResyncStep end = (Captured.ResyncStep) mapper.map(notification("TABLE_SCAN_COMPLETED", Map.of(
        "data_collections", "public.orders", "scanned_collection", "db.public.orders", "total_rows_scanned", "3",
        "status", "SUCCEEDED")));
    assertThat(end.kind()).isEqualTo(Captured.ResyncStep.Kind.CAPTURED);
    assertThat(end.detail()).isEqualTo("3 rows read (SUCCEEDED)");
    assertThat(end.markers()).singleElement().satisfies(marker -> {
      assertThat(marker.event().operation()).isEqualTo(Operation.RESYNC_END);
      assertThat(marker.event().position()).isGreaterThan(begin.markers().get(0).event().position());
    });

    Captured.ResyncStep failed = (Captured.ResyncStep) mapper.map(notification("TABLE_SCAN_COMPLETED", Map.of(
        "scanned_collection", "public.orders", "total_rows_scanned", "0", "status", "NO_PRIMARY_KEY")));
    assertThat(failed.kind()).isEqualTo(Captured.ResyncStep.Kind.FAILED);
    assertThat(failed.markers()).as("nothing is swept when the table was not read").isEmpty();
    assertThat(failed.detail()).contains("NO_PRIMARY_KEY");
    assertThat(mapper.map(notification("IN_PROGRESS", Map.of()))).isInstanceOf(Captured.Marker.class);
  }

  @Test
  void theInitialLoadOfATableStagesNoMarkersEvenOnceItsRowsAreMapped() {
    RecordMapper loading = new RecordMapper("src", Map.of(ORDERS, List.of("id")),
        new PostgresPositions(new AtomicLong()::incrementAndGet), clock, PLACEHOLDER, SourceConfig.UnsupportedTypes.FAIL,
        table -> Optional.empty(), Optional.empty(), ORDERS::equals);
    Captured.ResyncStep begin = (Captured.ResyncStep) loading.map(notification("STARTED",
        Map.of("data_collections", "public.orders")));
    loading.map(events.record("public", "orders", KEY, key(1),
        envelope.create(row(1, "hello", null, null), events.change("public", "orders", 110, 42), Instant.now())));
    Captured.ResyncStep end = (Captured.ResyncStep) loading.map(notification("TABLE_SCAN_COMPLETED", Map.of(
        "scanned_collection", "public.orders", "total_rows_scanned", "1", "status", "SUCCEEDED")));
    assertThat(begin.tables()).containsExactly(ORDERS);
    assertThat(end.kind()).isEqualTo(Captured.ResyncStep.Kind.CAPTURED);
    assertThat(end.tables()).containsExactly(ORDERS);
    assertThat(begin.markers()).isEmpty();
    assertThat(end.markers()).as("no end without a begin: nothing is swept").isEmpty();
  }

  @Test
  void aResyncOfATableNeverStagedHasNoMarkers() {
    Captured.ResyncStep begin = (Captured.ResyncStep) mapper.map(notification("STARTED",
        Map.of("data_collections", "public.orders")));
    assertThat(begin.tables()).containsExactly(ORDERS);
    assertThat(begin.markers()).isEmpty();
  }

  @Test
  void aChangeOfAnUnconfiguredTableStopsTheGateway() {
    Envelope other = events.envelope("public", "other", ROW);
    SourceRecord record = events.record("public", "other", KEY, key(1),
        other.create(row(1, null, null, null), events.change("public", "other", 170, 48), Instant.now()));
    assertThatThrownBy(() -> mapper.map(record))
        .hasMessageContaining("a change of table src.public.other, which is not among source.tables");
  }
}
