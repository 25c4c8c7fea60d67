package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.gateway.SegmentPolicy;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentPipelineTest {
  private static final TableId ORDERS = new TableId("src", "public", "orders");
  private static final TableId ITEMS = new TableId("src", "public", "items");
  private static final TableSchema ORDERS_V1 = new TableSchema(ORDERS,
      List.of(new Column("id", ColumnType.INT, false), new Column("note", ColumnType.STRING, true)), List.of("id"));
  private static final TableSchema ORDERS_V2 = new TableSchema(ORDERS,
      List.of(new Column("id", ColumnType.INT, false), new Column("note", ColumnType.STRING, true),
          new Column("added", ColumnType.LONG, true)), List.of("id"));
  private static final TableSchema ITEMS_V1 = new TableSchema(ITEMS,
      List.of(new Column("id", ColumnType.INT, false)), List.of("id"));

  @TempDir
  Path directory;

  private final TestClock clock = new TestClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RecordingSink sink = new RecordingSink();
  private StagingStore store;
  private SegmentPipeline<String> pipeline;

  @BeforeEach
  void open() {
    store = StagingStore.open(StagingConfig.local(directory.resolve("staging")), clock);
    pipeline = pipeline(new SegmentPolicy(3, 64L << 20, Duration.ofSeconds(1)));
  }

  @AfterEach
  void closeAll() {
    pipeline.close();
    store.close();
  }

  private SegmentPipeline<String> pipeline(SegmentPolicy policy) {
    return new SegmentPipeline<>(store, sink, policy, clock, new GatewayMetrics(registry, clock));
  }

  private static Captured change(TableSchema schema, long lsn, Object... values) {
    ChangeEvent event = new ChangeEvent(schema.tableId(), Operation.INSERT, SourcePosition.of(1, 0, lsn, 0), values,
        new BitSet(), 1_000, Optional.of("7"), 2_000);
    return new Captured.Change(schema, Optional.empty(), event, false);
  }

  private static final Captured HEARTBEAT = new Captured.Marker("heartbeat");

  private List<ChangeEvent> read(ManifestRecord manifest) {
    try (SegmentReader reader = store.openSegment(manifest)) {
      return reader.readAll();
    }
  }

  @Test
  void rollsOnRowCountAndAnnouncesBeforeTheFrontierMoves() {
    for (int i = 1; i <= 7; i++) {
      pipeline.accept("r" + i, change(ORDERS_V1, 100 + i, i, "n" + i));
      if (i == 2) {
        assertThat(pipeline.advanceFrontier()).as("the open segment holds r1 and r2").isEmpty();
      }
    }
    assertThat(sink.published).extracting(ManifestRecord::rowCount).containsExactly(3L, 3L);
    assertThat(sink.published).extracting(ManifestRecord::sequence).containsExactly(0L, 1L);
    assertThat(pipeline.advanceFrontier()).as("r7 is in an open segment").contains("r6");
    assertThat(read(sink.published.get(1))).extracting(e -> e.value(0)).containsExactly(4, 5, 6);
  }

  @Test
  void withCommitGroupsRollsEverySegmentTogetherAtTheNextTransactionEnd() {
    SegmentPipeline<String> grouped = pipeline(new SegmentPolicy(3, 64L << 20, Duration.ofSeconds(1), true));
    grouped.accept("r1", change(ORDERS_V1, 101, 1, "a"));
    grouped.accept("r2", change(ITEMS_V1, 102, 10));
    grouped.accept("end1", new Captured.TransactionEnd("tx1"));
    assertThat(sink.published).as("nothing is due by age yet").isEmpty();

    clock.advance(Duration.ofSeconds(2));
    grouped.accept("r3", change(ORDERS_V1, 201, 2, "b"));
    grouped.rollExpired();
    assertThat(sink.published).as("due, but the source is inside a transaction").isEmpty();
    grouped.accept("r4", change(ORDERS_V1, 202, 3, "c"));
    grouped.accept("r5", change(ORDERS_V1, 203, 4, "d"));
    assertThat(sink.published).as("the size bound still rolls one segment, outside any group").singleElement()
        .satisfies(manifest -> assertThat(manifest.group()).isEmpty());
    grouped.accept("r6", change(ITEMS_V1, 204, 11));
    grouped.accept("end2", new Captured.TransactionEnd("tx2"));

    List<ManifestRecord> group = sink.published.subList(1, sink.published.size());
    assertThat(group).extracting(ManifestRecord::tableId).containsExactlyInAnyOrder(ORDERS, ITEMS);
    assertThat(group).extracting(manifest -> manifest.group().orElseThrow()).allSatisfy(member -> {
      assertThat(member.cut()).isEqualTo(SourcePosition.of(1, 0, 204, 0));
      assertThat(member.size()).isEqualTo(2);
      assertThat(member.id()).isEqualTo(group.get(0).group().orElseThrow().id());
    });
    assertThat(grouped.advanceFrontier()).contains("end2");

    // A snapshot's end is a consistent point: what is open rolls as a group at once.
    grouped.accept("r7", change(ITEMS_V1, 301, 12));
    grouped.flushAtConsistentPoint();
    assertThat(sink.published.get(sink.published.size() - 1).group()).hasValueSatisfying(member -> {
      assertThat(member.size()).isEqualTo(1);
      assertThat(member.cut()).isEqualTo(SourcePosition.of(1, 0, 301, 0));
    });
    grouped.close();
  }

  @Test
  void rollsOnSize() {
    SegmentPipeline<String> bySize = pipeline(new SegmentPolicy(1_000_000, 1, Duration.ofHours(1)));
    bySize.accept("r1", change(ORDERS_V1, 101, 1, "x"));
    assertThat(sink.published).hasSize(1);
    assertThat(bySize.advanceFrontier()).contains("r1");
    bySize.close();

    // The size is checked at a segment's first row and every SIZE_CHECK_ROWS rows after it.
    sink.published.clear();
    SegmentPipeline<String> byKilobytes = pipeline(new SegmentPolicy(1_000_000, 1024, Duration.ofHours(1)));
    for (int i = 1; i <= SegmentPipeline.SIZE_CHECK_ROWS + 1; i++) {
      byKilobytes.accept("r" + i, change(ORDERS_V1, i, i, "x".repeat(100)));
      assertThat(sink.published).as("after row " + i).hasSize(i <= SegmentPipeline.SIZE_CHECK_ROWS ? 0 : 1);
    }
    byKilobytes.close();
  }

  @Test
  void theTimeFromSourceCommitToAnnouncedSegmentIsMeasuredPerTable() {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "x"));
    clock.advance(Duration.ofSeconds(1));
    pipeline.rollExpired();
    Timer lag = registry.get("tributary.gateway.durable.lag").tag("table", ORDERS_V1.tableId().canonical()).timer();
    assertThat(lag.count()).isEqualTo(1);
    // The change was committed at 1,000 ms after the epoch (see change()).
    assertThat(lag.max(TimeUnit.MILLISECONDS)).isEqualTo(clock.millis() - 1_000);
    assertThat(registry.get("tributary.gateway.staged").tag("table", ORDERS_V1.tableId().canonical()).counter().count())
        .isEqualTo(sink.published.get(0).segment().orElseThrow().bytes());
  }

  @Test
  void theGatewaysOwnPartsOfTheDurableLagAreTimedPerSegment() {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "x"));
    pipeline.accept("r2", change(ORDERS_V1, 102, 2, "y"));
    clock.advance(Duration.ofSeconds(1));
    pipeline.rollExpired();
    pipeline.accept("r3", change(ORDERS_V1, 103, 3, "z"));
    pipeline.flushAll();
    // Two segments made durable and announced: each timed once, by the time the work took.
    Timer finish = registry.get("tributary.gateway.segment.finish").timer();
    Timer publish = registry.get("tributary.gateway.manifest.publish").timer();
    assertThat(sink.published).hasSize(2);
    assertThat(finish.count()).isEqualTo(2);
    assertThat(publish.count()).isEqualTo(2);
    assertThat(finish.totalTime(TimeUnit.NANOSECONDS)).isPositive();
  }

  @Test
  void rollsOnAgeWhenNoChangeArrives() {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "x"));
    pipeline.accept("heartbeat", HEARTBEAT);
    clock.advance(Duration.ofMillis(999));
    pipeline.rollExpired();
    assertThat(sink.published).isEmpty();
    assertThat(pipeline.advanceFrontier()).isEmpty();

    clock.advance(Duration.ofMillis(1));
    pipeline.rollExpired();
    assertThat(sink.published).hasSize(1);
    assertThat(pipeline.advanceFrontier()).contains("heartbeat");
  }

  @Test
  void aSchemaChangeFinishesTheSegmentAndStartsOneWithTheNewFingerprint() {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "a"));
    pipeline.accept("r2", change(ORDERS_V2, 102, 2, "b", 5L));
    pipeline.flushAll();
    assertThat(sink.published).extracting(ManifestRecord::schemaFingerprint)
        .containsExactly(ORDERS_V1.fingerprint(), ORDERS_V2.fingerprint());
    assertThat(read(sink.published.get(1)).get(0).values()).containsExactly(2, "b", 5L);
  }

  @Test
  void replayedChangesGoToANewSegment() {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "a"));
    pipeline.accept("r2", change(ORDERS_V1, 102, 2, "b"));
    pipeline.accept("r1-again", change(ORDERS_V1, 101, 1, "a"));
    pipeline.accept("r2-again", change(ORDERS_V1, 102, 2, "b"));
    pipeline.flushAll();
    assertThat(sink.published).extracting(m -> m.firstPosition() + ".." + m.lastPosition()).containsExactly(
        SourcePosition.of(1, 0, 101, 0) + ".." + SourcePosition.of(1, 0, 102, 0),
        SourcePosition.of(1, 0, 101, 0) + ".." + SourcePosition.of(1, 0, 102, 0));
  }

  @Test
  void theOldestOpenSegmentOfAnyTableHoldsTheFrontier() {
    pipeline.accept("r1", change(ITEMS_V1, 101, 1));
    pipeline.accept("r2", change(ORDERS_V1, 102, 1, "a"));
    pipeline.accept("r3", change(ORDERS_V1, 103, 2, "b"));
    pipeline.accept("r4", change(ORDERS_V1, 104, 3, "c"));   // orders rolls (3 rows)
    assertThat(sink.published).extracting(ManifestRecord::tableId).containsExactly(ORDERS);
    assertThat(pipeline.advanceFrontier()).as("items, opened by r1, still holds").isEmpty();
    clock.advance(Duration.ofSeconds(1));
    pipeline.rollExpired();
    assertThat(pipeline.advanceFrontier()).contains("r4");
  }

  @Test
  void sequencesContinueAfterWhatIsAlreadyStaged() {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "a"));
    pipeline.flushAll();
    SegmentPipeline<String> next = pipeline(new SegmentPolicy(3, 64L << 20, Duration.ofSeconds(1)));
    next.accept("r2", change(ORDERS_V1, 102, 2, "b"));
    next.flushAll();
    assertThat(sink.published).extracting(ManifestRecord::sequence).containsExactly(0L, 1L);
    next.close();
  }

  @Test
  void aFailedAnnouncementStopsEverythingAndTheFrontierNeverPassesIt() throws Exception {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "a"));
    pipeline.accept("r2", change(ITEMS_V1, 102, 1));
    sink.failing = true;
    assertThatThrownBy(() -> pipeline.flushAll())
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KAFKA_UNREACHABLE))
        .hasMessageContaining("Cannot announce segment")
        .hasMessageContaining("of table src.public.orders");
    sink.failing = false;
    assertThatThrownBy(() -> pipeline.advanceFrontier()).hasMessageContaining("stopped after an earlier failure");
    assertThatThrownBy(() -> pipeline.accept("r3", HEARTBEAT)).hasMessageContaining("stopped after an earlier failure");
    pipeline.rollExpired();
    assertThat(sink.published).isEmpty();
    try (var spool = Files.list(store.config().effectiveSpoolDirectory())) {
      assertThat(spool).as("open segments were discarded").isEmpty();
    }
  }

  @Test
  void closeDiscardsOpenSegments() throws Exception {
    pipeline.accept("r1", change(ORDERS_V1, 101, 1, "a"));
    pipeline.close();
    pipeline.close();
    assertThat(sink.published).isEmpty();
    try (var spool = Files.list(store.config().effectiveSpoolDirectory())) {
      assertThat(spool).isEmpty();
    }
    assertThatThrownBy(() -> pipeline.accept("r2", HEARTBEAT)).isInstanceOf(IllegalStateException.class);
  }
}
