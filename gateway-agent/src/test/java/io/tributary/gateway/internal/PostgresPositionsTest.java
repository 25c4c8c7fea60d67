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

  private static SourcePosition at(PostgresPositions positions, TableId table, Struct source) {
    return positions.positionOf(table, source).position();
  }

  @Test
  void sourceSequenceIsTheRealDebeziumShape() {
    events.commit(90);
    Struct source = events.change("public", "orders", 110, 7);
    assertThat(source.getString("sequence")).isEqualTo("[\"90\",\"110\"]");
    assertThat(at(positions, ORDERS, source)).isEqualTo(SourcePosition.of(1, 90, 110, 0));
    assertThat(positions.isSnapshot(source)).isFalse();
  }

  @Test
  void sequencesAreReadInEveryFormDebeziumWritesThem() {
    assertThat(PostgresPositions.sequence("[\"90\",\"110\"]")).containsExactly(90, 110);
    assertThat(PostgresPositions.sequence("[null,\"110\"]")).as("the first transaction after a snapshot")
        .containsExactly(0, 110);
    assertThat(PostgresPositions.sequence(" [ 90 , \"9223372036854775807\" ] ")).containsExactly(90, Long.MAX_VALUE);
    for (String unreadable : new String[] {"", "[]", "[\"90\"]", "[\"90\",\"110\",\"7\"]", "\"90\",\"110\"",
        "[\"x\",\"110\"]"}) {
      assertThatThrownBy(() -> PostgresPositions.sequence(unreadable)).as(unreadable)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void interleavedConcurrentTransactionsOrderByCommit() {
    // T1 and T2 run concurrently: their WAL records interleave (T1: 110, 130; T2: 120, 140), T1
    // commits first at 150, T2 at 160. Logical decoding sends T1 whole, then T2 whole.
    events.commit(90);
    List<SourcePosition> delivered = new ArrayList<>();
    delivered.add(at(positions, ORDERS, events.change("public", "orders", 110, 1)));
    delivered.add(at(positions, ORDERS, events.change("public", "orders", 130, 1)));
    events.commit(150);
    delivered.add(at(positions, ORDERS, events.change("public", "orders", 120, 2)));
    delivered.add(at(positions, ORDERS, events.change("public", "orders", 140, 2)));
    events.commit(160);

    assertThat(delivered).isSortedAccordingTo(SourcePosition::compareTo).doesNotHaveDuplicates();
    assertThat(delivered.get(2)).as("T2's first change, at a smaller LSN than T1's last, still sorts after it")
        .isGreaterThan(delivered.get(1));
  }

  @Test
  void snapshotReadsSortBeforeEveryStreamedChange() {
    events.startSnapshot(5000);
    List<SourcePosition> delivered = new ArrayList<>();
    delivered.add(at(positions, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST)));
    delivered.add(at(positions, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.TRUE)));
    delivered.add(at(positions, ITEMS, events.snapshotRead("public", "items", SnapshotRecord.FIRST_IN_DATA_COLLECTION)));
    events.completeSnapshot();
    Struct last = events.snapshotRead("public", "items", SnapshotRecord.LAST);
    assertThat(positions.isSnapshot(last)).isTrue();
    delivered.add(at(positions, ITEMS, last));
    events.startStreaming();
    // The first streamed transaction has no lastCommitLsn yet; its changes still sort after the snapshot.
    SourcePosition firstStreamed = at(positions, ORDERS, events.change("public", "orders", 5100, 9));

    // Position 0 of each table goes to the truncate that precedes its first read (see below).
    assertThat(delivered).containsExactly(
        SourcePosition.of(0, 5000, 1, 1), SourcePosition.of(0, 5000, 1, 2),
        SourcePosition.of(0, 5000, 1, 1), SourcePosition.of(0, 5000, 1, 2));
    assertThat(firstStreamed).isEqualTo(SourcePosition.of(1, 0, 5100, 0));
    assertThat(delivered).allSatisfy(position -> assertThat(position).isLessThan(firstStreamed));
    assertThat(epochs.get()).as("the epoch is drawn once per process").isEqualTo(1);
  }

  @Test
  void aSnapshotRedoneByTheNextProcessNeverReusesAPosition() {
    events.startSnapshot(5000);
    SourcePosition first = at(positions, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));

    // The process dies mid-snapshot; the next one snapshots again, possibly at the same LSN.
    PostgresPositions next = new PostgresPositions(epochs::incrementAndGet);
    PostgresEvents again = new PostgresEvents();
    again.startSnapshot(5000);
    SourcePosition redone = at(next, ORDERS, again.snapshotRead("public", "orders", SnapshotRecord.FIRST));

    assertThat(redone).isNotEqualTo(first).isGreaterThan(first);
  }

  @Test
  void aSnapshotRedoneInTheSameProcessContinuesTheRowCount() {
    events.startSnapshot(5000);
    SourcePosition first = at(positions, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));
    events.startSnapshot(5000);
    SourcePosition redone = at(positions, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));
    assertThat(redone).isGreaterThan(first);
  }

  @Test
  void changesRedeliveredAfterARestartGetTheSamePositions() {
    events.commit(90);
    at(positions, ORDERS, events.change("public", "orders", 110, 1));
    events.commit(150);
    SourcePosition a = at(positions, ORDERS, events.change("public", "orders", 120, 2));
    Map<String, ?> committed = events.offset();          // the gateway commits after this change
    SourcePosition b = at(positions, ORDERS, events.change("public", "orders", 140, 2));
    SourcePosition c = at(positions, ORDERS, events.change("public", "orders", 145, 2));
    events.commit(160);
    SourcePosition d = at(positions, ORDERS, events.change("public", "orders", 170, 3));

    // Crash; Debezium loads the committed offset and re-sends what followed it.
    events.restartFrom(committed);
    PostgresPositions restarted = new PostgresPositions(epochs::incrementAndGet);
    assertThat(at(restarted, ORDERS, events.change("public", "orders", 140, 2))).isEqualTo(b);
    assertThat(at(restarted, ORDERS, events.change("public", "orders", 145, 2))).isEqualTo(c);
    events.commit(160);
    assertThat(at(restarted, ORDERS, events.change("public", "orders", 170, 3))).isEqualTo(d);
    assertThat(a).isLessThan(b);
  }

  @Test
  void theFirstTransactionAfterTheSnapshotReplaysAfterItsFirstDelivery() {
    events.startStreaming();
    SourcePosition a = at(positions, ORDERS, events.change("public", "orders", 200, 1));
    Map<String, ?> committed = events.offset();
    SourcePosition b = at(positions, ORDERS, events.change("public", "orders", 210, 1));
    events.commit(220);
    SourcePosition next = at(positions, ORDERS, events.change("public", "orders", 230, 2));

    events.restartFrom(committed);
    SourcePosition replayed = at(new PostgresPositions(epochs::incrementAndGet), ORDERS, events.change("public", "orders", 210, 1));
    assertThat(replayed).isGreaterThan(b).isLessThan(next);
    assertThat(a).isLessThan(b);
  }

  @Test
  void theFirstReadOfATableInEachSnapshotAttemptIsPrecededByAReset() {
    events.startSnapshot(5000);
    var first = positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));
    var second = positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.TRUE));
    assertThat(first.snapshotReset()).contains(SourcePosition.of(0, 5000, 1, 0));
    assertThat(first.position()).isEqualTo(SourcePosition.of(0, 5000, 1, 1));
    assertThat(second.snapshotReset()).isEmpty();

    // Debezium redoes the snapshot in the same process (internal task restart) at a later LSN.
    events.startSnapshot(5200);
    var redone = positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));
    assertThat(redone.snapshotReset()).contains(SourcePosition.of(0, 5200, 1, 3));
    assertThat(redone.position()).isEqualTo(SourcePosition.of(0, 5200, 1, 4));

    // ... and a new process redoes it once more: new epoch, a reset again.
    var nextProcess = new PostgresPositions(epochs::incrementAndGet)
        .positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.FIRST));
    assertThat(nextProcess.snapshotReset()).contains(SourcePosition.of(0, 5200, 2, 0));
    assertThat(nextProcess.snapshotReset().get()).isGreaterThan(redone.position());
  }

  @Test
  void streamedChangesHaveNoReset() {
    assertThat(positions.positionOf(ORDERS, events.change("public", "orders", 110, 1)).snapshotReset()).isEmpty();
  }

  @Test
  void incrementalReadsSortRightAfterTheChangeDeliveredBeforeThem() {
    events.commit(90);
    SourcePosition before = at(positions, ITEMS, events.change("public", "items", 110, 1));
    events.commit(150);
    // Debezium sends a window's reads when the change that closes it arrives, with that change's
    // source block: the reads must still sort before it.
    Struct closing = events.change("public", "orders", 160, 2);
    SourcePosition first = at(positions, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.INCREMENTAL));
    SourcePosition second = at(positions, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.INCREMENTAL));
    SourcePosition after = at(positions, ORDERS, closing);

    assertThat(List.of(before, first, second, after)).isSortedAccordingTo(SourcePosition::compareTo)
        .doesNotHaveDuplicates();
    assertThat(positions.isSnapshot(events.snapshotRead("public", "orders", SnapshotRecord.INCREMENTAL))).isFalse();
    assertThat(positions.positionOf(ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.INCREMENTAL))
        .snapshotReset()).isEmpty();
  }

  @Test
  void aNewProcessPlacesItsFirstInStreamPositionsAfterEverythingStaged() {
    SourcePosition staged = SourcePosition.of(1, 90, 110, 0);
    SourcePosition earlierRead = new PostgresPositions(new SnapshotSequencer(epochs::incrementAndGet,
        () -> java.util.Optional.of(staged))).inStream();
    // The next process reads again from the same point before any change is delivered to it: its
    // reads sort after the first process's (the epoch), so none is taken for a duplicate.
    PostgresPositions restarted = new PostgresPositions(new SnapshotSequencer(epochs::incrementAndGet,
        () -> java.util.Optional.of(staged)));
    SourcePosition read = at(restarted, ORDERS, events.snapshotRead("public", "orders", SnapshotRecord.INCREMENTAL));

    assertThat(earlierRead).isGreaterThan(staged);
    assertThat(read).isGreaterThan(earlierRead).isLessThan(SourcePosition.of(1, 90, 111, 0));
    assertThat(new PostgresPositions(epochs::incrementAndGet).inStream())
        .as("nothing staged: before every streamed change").isLessThan(SourcePosition.of(1, 0, 0, 0));
  }
}
