package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.SnapshotRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class PostgresPositionsTest {
  private static final TableId ORDERS = new TableId("src", "public", "orders");
  private static final TableId ITEMS = new TableId("src", "public", "items");

  private final AtomicLong epochs = new AtomicLong();
  private final PostgresPositions positions = new PostgresPositions(epochs::incrementAndGet);
  private final PostgresEvents events = new PostgresEvents();

  @Test
  void sourceSequenceIsTheRealDebeziumShape() {
    events.commit(90);
    Struct source = events.change("public", "orders", 110, 7);
    assertThat(source.getString("sequence")).isEqualTo("[\"90\",\"110\"]");
    assertThat(positions.positionOf(ORDERS, source)).isEqualTo(SourcePosition.of(1, 90, 110, 0));
    assertThat(positions.isSnapshot(source)).isFalse();
  }

  @Test
  void interleavedConcurrentTransactionsOrderByCommit() {
    // T1 and T2 run concurrently: their WAL records interleave (T1: 110, 130; T2: 120, 140), T1
    // commits first at 150, T2 at 160. Logical decoding sends T1 whole, then T2 whole.
    events.commit(90);
    List<SourcePosition> delivered = new ArrayList<>();
    delivered.add(positions.positionOf(ORDERS, events.change("public", "orders", 110, 1)));
    delivered.add(positions.positionOf(ORDERS, events.change("public", "orders", 130, 1)));
    events.commit(150);
    delivered.add(positions.positionOf(ORDERS, events.change("public", "orders", 120, 2)));
    delivered.add(positions.positionOf(ORDERS, events.change("public", "orders", 140, 2)));
    events.commit(160);

    assertThat(delivered).isSortedAccordingTo(SourcePosition::compareTo).doesNotHaveDuplicates();
    assertThat(delivered.get(2)).as("T2's first change, at a smaller LSN than T1's last, still sorts after it")
        .isGreaterThan(delivered.get(1));
  }

  @Test
  void snapshotReadsSortBeforeEveryStreamedChange() {
    events.startSnapshot(5000);
    List<SourcePosition> delivered = new ArrayList<>();
    delivered.add(positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST)));
    delivered.add(positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.TRUE)));
    delivered.add(positions.positionOf(ITEMS, events.snapshotRead("public", "items", SnapshotRecord.FIRST_IN_DATA_COLLECTION)));
    events.completeSnapshot();
    Struct last = events.snapshotRead("public", "items", SnapshotRecord.LAST);
    assertThat(positions.isSnapshot(last)).isTrue();
    delivered.add(positions.positionOf(ITEMS, last));
    events.startStreaming();
    // The first streamed transaction has no lastCommitLsn yet; its changes still sort after the snapshot.
    SourcePosition firstStreamed = positions.positionOf(ORDERS, events.change("public", "orders", 5100, 9));

    assertThat(delivered).containsExactly(
        SourcePosition.of(0, 5000, 1, 0), SourcePosition.of(0, 5000, 1, 1),
        SourcePosition.of(0, 5000, 1, 0), SourcePosition.of(0, 5000, 1, 1));
    assertThat(firstStreamed).isEqualTo(SourcePosition.of(1, 0, 5100, 0));
    assertThat(delivered).allSatisfy(position -> assertThat(position).isLessThan(firstStreamed));
    assertThat(epochs.get()).as("the epoch is drawn once per process").isEqualTo(1);
  }

  @Test
  void aSnapshotRedoneByTheNextProcessNeverReusesAPosition() {
    events.startSnapshot(5000);
    SourcePosition first = positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));

    // The process dies mid-snapshot; the next one snapshots again, possibly at the same LSN.
    PostgresPositions next = new PostgresPositions(epochs::incrementAndGet);
    PostgresEvents again = new PostgresEvents();
    again.startSnapshot(5000);
    SourcePosition redone = next.positionOf(ORDERS, again.snapshotRead("public", "orders", SnapshotRecord.FIRST));

    assertThat(redone).isNotEqualTo(first).isGreaterThan(first);
  }

  @Test
  void aSnapshotRedoneInTheSameProcessContinuesTheRowCount() {
    events.startSnapshot(5000);
    SourcePosition first = positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));
    events.startSnapshot(5000);
    SourcePosition redone = positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));
    assertThat(redone).isGreaterThan(first);
  }

  @Test
  void changesRedeliveredAfterARestartGetTheSamePositions() {
    events.commit(90);
    positions.positionOf(ORDERS, events.change("public", "orders", 110, 1));
    events.commit(150);
    SourcePosition a = positions.positionOf(ORDERS, events.change("public", "orders", 120, 2));
    Map<String, ?> committed = events.offset();          // the gateway commits after this change
    SourcePosition b = positions.positionOf(ORDERS, events.change("public", "orders", 140, 2));
    SourcePosition c = positions.positionOf(ORDERS, events.change("public", "orders", 145, 2));
    events.commit(160);
    SourcePosition d = positions.positionOf(ORDERS, events.change("public", "orders", 170, 3));

    // Crash; Debezium loads the committed offset and re-sends what followed it.
    events.restartFrom(committed);
    PostgresPositions restarted = new PostgresPositions(epochs::incrementAndGet);
    assertThat(restarted.positionOf(ORDERS, events.change("public", "orders", 140, 2))).isEqualTo(b);
    assertThat(restarted.positionOf(ORDERS, events.change("public", "orders", 145, 2))).isEqualTo(c);
    events.commit(160);
    assertThat(restarted.positionOf(ORDERS, events.change("public", "orders", 170, 3))).isEqualTo(d);
    assertThat(a).isLessThan(b);
  }

  @Test
  void theFirstTransactionAfterTheSnapshotReplaysAfterItsFirstDelivery() {
    events.startStreaming();
    SourcePosition a = positions.positionOf(ORDERS, events.change("public", "orders", 200, 1));
    Map<String, ?> committed = events.offset();
    SourcePosition b = positions.positionOf(ORDERS, events.change("public", "orders", 210, 1));
    events.commit(220);
    SourcePosition next = positions.positionOf(ORDERS, events.change("public", "orders", 230, 2));

    events.restartFrom(committed);
    SourcePosition replayed = new PostgresPositions(epochs::incrementAndGet)
        .positionOf(ORDERS, events.change("public", "orders", 210, 1));
    assertThat(replayed).isGreaterThan(b).isLessThan(next);
    assertThat(a).isLessThan(b);
  }

  @Test
  void refusesIncrementalSnapshotReads() {
    Struct source = events.snapshotRead("public", "orders", SnapshotRecord.INCREMENTAL);
    assertThatThrownBy(() -> positions.positionOf(ORDERS, source))
        .hasMessageContaining("incremental-snapshot read of src.public.orders");
  }
}
