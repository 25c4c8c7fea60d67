package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.SnapshotRecord;
import io.debezium.data.Envelope;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.gateway.SegmentPolicy;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeBatchHandlerTest {
  private static final TableId ORDERS = new TableId("src", "public", "orders");
  private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
  private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();

  /** The engine's change event type as the Connect format hands it over. */
  private record Event(SourceRecord value) implements ChangeEvent<SourceRecord, SourceRecord> {
    @Override
    public SourceRecord key() {
      return null;
    }

    @Override
    public String destination() {
      return value.topic();
    }

    @Override
    public Integer partition() {
      return null;
    }
  }

  /**
   * Behaves like the engine's SourceRecordCommitter with an always-commit policy: a mark records
   * the offset, finishing a batch flushes the last recorded offset to the store.
   */
  private static final class Committer implements DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> {
    final List<ChangeEvent<SourceRecord, SourceRecord>> marked = new ArrayList<>();
    ChangeEvent<SourceRecord, SourceRecord> pending;
    Map<String, Object> stored;
    boolean storeFails;

    @Override
    public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record) {
      marked.add(record);
      pending = record;
    }

    @Override
    public void markBatchFinished() {
      if (pending != null && !storeFails) {
        stored = new HashMap<>(pending.value().sourceOffset());
        pending = null;
      }
    }

    @Override
    public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record, DebeziumEngine.Offsets offsets) {
      throw new UnsupportedOperationException();
    }

    @Override
    public DebeziumEngine.Offsets buildOffsets() {
      throw new UnsupportedOperationException();
    }
  }

  @TempDir
  Path directory;

  private final TestClock clock = new TestClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final RecordingSink sink = new RecordingSink();
  private final PostgresEvents events = new PostgresEvents();
  private final Envelope envelope = events.envelope("public", "orders", ROW);
  private final Committer committer = new Committer();
  private StagingStore store;
  private SegmentPipeline<ChangeEvent<SourceRecord, SourceRecord>> pipeline;

  @AfterEach
  void closeAll() {
    if (pipeline != null) {
      pipeline.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private ChangeBatchHandler handler(boolean snapshotBarrier, long maxRows) {
    return handler(snapshotBarrier, maxRows, Duration.ZERO);
  }

  private ChangeBatchHandler handler(boolean snapshotBarrier, long maxRows, Duration commitInterval) {
    store = StagingStore.open(StagingConfig.local(directory), clock);
    GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry(), clock);
    pipeline = new SegmentPipeline<>(store, sink, new SegmentPolicy(maxRows, 64L << 20, Duration.ofSeconds(1)), clock,
        metrics);
    RecordMapper mapper = new RecordMapper("src", Map.of(ORDERS, List.of("id")), new PostgresPositions(new AtomicLong()::incrementAndGet),
        clock, EngineProperties.DEFAULT_UNAVAILABLE_PLACEHOLDER, SourceConfig.UnsupportedTypes.FAIL);
    return new ChangeBatchHandler(pipeline, mapper, metrics, () -> Optional.ofNullable(committer.stored),
        directory.resolve("offsets.json"), snapshotBarrier, clock, commitInterval);
  }

  private Event insert(int id, long lsn) {
    Struct source = events.change("public", "orders", lsn, 1);
    return new Event(events.record("public", "orders", KEY, new Struct(KEY).put("id", id),
        envelope.create(new Struct(ROW).put("id", id), source, Instant.now())));
  }

  private Event snapshotRead(int id, SnapshotRecord marker) {
    Struct source = events.snapshotRead("public", "orders", marker);
    return new Event(events.record("public", "orders", KEY, new Struct(KEY).put("id", id),
        envelope.read(new Struct(ROW).put("id", id), source, Instant.now())));
  }

  @Test
  void onlyRecordsWhoseChangesAreAnnouncedAreMarked() throws Exception {
    ChangeBatchHandler handler = handler(false, 2);
    Event a = insert(1, 101);
    Event b = insert(2, 102);
    Event c = insert(3, 103);
    handler.handleBatch(List.of(a, b, c), committer);
    assertThat(sink.published).hasSize(1);
    assertThat(committer.marked).as("c is in the open segment").containsExactly(b);

    Event heartbeat = new Event(events.heartbeat());
    handler.handleBatch(List.of(heartbeat), committer);
    assertThat(committer.marked).as("the open segment still holds c").containsExactly(b);

    clock.advance(Duration.ofSeconds(1));
    pipeline.rollExpired();                                  // the roller thread
    handler.handleBatch(List.of(new Event(events.heartbeat())), committer);
    assertThat(committer.marked).hasSize(2);
    assertThat(committer.stored).isEqualTo(committer.marked.get(1).value().sourceOffset());
  }

  @Test
  void aRecordFromAnEarlierBatchIsMarkedWhenItsSegmentIsAnnounced() throws Exception {
    ChangeBatchHandler handler = handler(false, 1000);
    Event a = insert(1, 101);
    handler.handleBatch(List.of(a), committer);
    Event b = new Event(events.heartbeat());
    handler.handleBatch(List.of(b), committer);
    assertThat(committer.marked).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    Event c = new Event(events.heartbeat());
    handler.handleBatch(List.of(c), committer);               // rolls by age after the batch
    assertThat(committer.marked).containsExactly(c);
  }

  @Test
  void aFailedAnnouncementIsThrownAndNothingAfterItIsMarked() throws Exception {
    ChangeBatchHandler handler = handler(false, 1);
    sink.failing = true;
    assertThatThrownBy(() -> handler.handleBatch(List.of(insert(1, 101)), committer))
        .hasMessageContaining("Cannot announce segment");
    sink.failing = false;
    assertThatThrownBy(() -> handler.handleBatch(List.of(new Event(events.heartbeat())), committer))
        .hasMessageContaining("stopped after an earlier failure");
    assertThat(committer.marked).isEmpty();
  }

  @Test
  void theSnapshotsEndIsCommittedBeforeAnyStreamedChangeIsStaged() throws Exception {
    ChangeBatchHandler handler = handler(true, 1000);
    events.startSnapshot(5000);
    Event first = snapshotRead(1, SnapshotRecord.FIRST);
    events.completeSnapshot();
    Event last = snapshotRead(2, SnapshotRecord.LAST);
    events.startStreaming();
    Event afterSnapshot = new Event(events.heartbeat());    // Debezium always emits one here
    Event streamed = insert(3, 5100);

    handler.handleBatch(List.of(first, last, afterSnapshot, streamed), committer);

    assertThat(sink.published).as("the snapshot rows were announced at the boundary").hasSize(1);
    assertThat(sink.published.get(0).rowCount()).as("a reset and two reads").isEqualTo(3);
    assertThat(committer.marked.get(0)).isEqualTo(afterSnapshot);
    assertThat(committer.stored).doesNotContainKey("snapshot");
    assertThat(pipeline.openTables()).as("the streamed change is staged after the commit").containsExactly(ORDERS);
  }

  @Test
  void aRunWithoutSnapshotReadsStreamsFromItsFirstChange() throws Exception {
    assertThat(ChangeBatchHandler.startsBehindSnapshot(Optional.empty(), "initial")).isTrue();
    assertThat(ChangeBatchHandler.startsBehindSnapshot(Optional.of(Map.of("lsn", 5100L)), "initial")).isFalse();
    assertThat(ChangeBatchHandler.startsBehindSnapshot(Optional.empty(), "no_data")).isFalse();

    // snapshot.mode=no_data: no read and no heartbeat precede the first streamed change.
    ChangeBatchHandler handler = handler(ChangeBatchHandler.startsBehindSnapshot(Optional.empty(), "no_data"), 1);
    Event streamed = insert(1, 5100);
    handler.handleBatch(List.of(streamed), committer);

    assertThat(sink.published).hasSize(1);
    assertThat(committer.marked).containsExactly(streamed);
    assertThat(handler.streaming()).isTrue();
  }

  @Test
  void behindTheBarrierAFirstStreamedChangeWithoutASnapshotEndIsRefused() throws Exception {
    ChangeBatchHandler handler = handler(true, 1);
    assertThatThrownBy(() -> handler.handleBatch(List.of(insert(1, 5100)), committer))
        .hasMessageContaining("a streamed change before any record marking the end of the snapshot");
    assertThat(committer.marked).isEmpty();
  }

  @Test
  void aNotificationWithoutAnOffsetIsNeverACommitPoint() throws Exception {
    ChangeBatchHandler handler = handler(true, 1000);
    events.startSnapshot(5000);
    Event first = snapshotRead(1, SnapshotRecord.FIRST);
    events.completeSnapshot();
    Event last = snapshotRead(2, SnapshotRecord.LAST);
    // Debezium's sink channel sends the initial snapshot's notifications with an empty offset.
    Schema schema = io.debezium.schema.SchemaFactory.get().notificationValueSchema(
        io.debezium.schema.SchemaNameAdjuster.NO_OP);
    Struct completed = new Struct(schema).put("id", "n-1").put("type", "COMPLETED")
        .put("aggregate_type", "Initial Snapshot").put("additional_data", Map.of()).put("timestamp", 1L);
    Event notification = new Event(new SourceRecord(Map.of("server", "src"), Map.of(),
        EngineProperties.NOTIFICATION_TOPIC, null, null, null, schema, completed));
    events.startStreaming();
    handler.handleBatch(List.of(first, last, notification, insert(3, 5100)), committer);

    assertThat(committer.marked).doesNotContain(notification);
    assertThat(committer.stored).as("the end of the snapshot, not an empty offset")
        .containsEntry("last_snapshot_record", true);
  }

  @Test
  void withoutAHeartbeatTheLastSnapshotReadMarksTheEnd() throws Exception {
    ChangeBatchHandler handler = handler(true, 1000);
    events.startSnapshot(5000);
    Event first = snapshotRead(1, SnapshotRecord.FIRST);
    events.completeSnapshot();
    Event last = snapshotRead(2, SnapshotRecord.LAST);
    events.startStreaming();
    handler.handleBatch(List.of(first, last, insert(3, 5100)), committer);

    assertThat(committer.marked.get(0)).isEqualTo(last);
    assertThat(committer.stored).containsEntry("last_snapshot_record", true);
  }

  @Test
  void aSnapshotEndThatIsNotStoredStopsTheGateway() throws Exception {
    ChangeBatchHandler handler = handler(true, 1000);
    events.startSnapshot(5000);
    Event first = snapshotRead(1, SnapshotRecord.FIRST);
    events.completeSnapshot();
    Event last = snapshotRead(2, SnapshotRecord.LAST);
    events.startStreaming();
    committer.storeFails = true;
    assertThatThrownBy(() -> handler.handleBatch(List.of(first, last, new Event(events.heartbeat())), committer))
        .hasMessageContaining("Cannot commit the capture position")
        .hasMessageContaining("end of the snapshot was not stored");
  }

  @Test
  void aCommitIntervalSpacesCommitsAndTheNextCommitTakesTheFrontierWhereverItIs() throws Exception {
    ChangeBatchHandler handler = handler(false, 1, Duration.ofSeconds(10));
    Event a = insert(1, 101);
    handler.handleBatch(List.of(a), committer);
    assertThat(committer.marked).as("the first commit is not delayed").containsExactly(a);

    Event b = insert(2, 102);
    Event c = insert(3, 103);
    handler.handleBatch(List.of(b), committer);
    clock.advance(Duration.ofSeconds(9));
    handler.handleBatch(List.of(c), committer);
    assertThat(sink.published).hasSize(3);
    assertThat(committer.marked).as("within the interval nothing more is committed").containsExactly(a);

    clock.advance(Duration.ofSeconds(1));
    handler.handleBatch(List.of(new Event(events.heartbeat())), committer);
    assertThat(committer.marked).hasSize(2);
    assertThat(committer.stored).as("everything announced is committed at once")
        .isEqualTo(committer.marked.get(1).value().sourceOffset());
  }

  @Test
  void drainCommitsAtOnceWhateverTheInterval() throws Exception {
    ChangeBatchHandler handler = handler(false, 1, Duration.ofHours(1));
    handler.handleBatch(List.of(insert(1, 101)), committer);
    Event b = insert(2, 102);
    handler.handleBatch(List.of(b), committer);
    assertThat(committer.marked).hasSize(1);

    assertThat(handler.drain(Duration.ofSeconds(5))).isTrue();
    assertThat(committer.marked).last().isEqualTo(b);
    assertThat(committer.stored).isEqualTo(b.value().sourceOffset());
  }

  @Test
  void drainAnnouncesOpenSegmentsAndMarksTheLastRecord() throws Exception {
    ChangeBatchHandler handler = handler(false, 1000);
    Event a = insert(1, 101);
    Event b = insert(2, 102);
    handler.handleBatch(List.of(a, b), committer);
    assertThat(committer.marked).isEmpty();

    assertThat(handler.drain(Duration.ofSeconds(5))).isTrue();
    assertThat(sink.published).extracting(ManifestRecord::rowCount).containsExactly(2L);
    assertThat(committer.marked).containsExactly(b);

    handler.handleBatch(List.of(insert(3, 103)), committer);
    assertThat(pipeline.openTables()).as("batches after drain are left for replay").isEmpty();
  }

  @Test
  void offsetsPastTheSnapshot() {
    assertThat(ChangeBatchHandler.isPastSnapshot(Map.of("lsn", 1L))).isTrue();
    assertThat(ChangeBatchHandler.isPastSnapshot(Map.of("snapshot", "INITIAL", "snapshot_completed", false))).isFalse();
    assertThat(ChangeBatchHandler.isPastSnapshot(Map.of("snapshot", "INITIAL", "last_snapshot_record", true))).isTrue();
    assertThat(ChangeBatchHandler.isPastSnapshot(Map.of("snapshot", "INITIAL", "snapshot_completed", true))).isTrue();
  }
}
