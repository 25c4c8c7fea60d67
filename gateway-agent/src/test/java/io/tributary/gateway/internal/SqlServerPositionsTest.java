package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.SnapshotRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class SqlServerPositionsTest {
  private static final TableId ORDERS = new TableId("src", "dbo", "orders");
  private static final TableId ITEMS = new TableId("src", "dbo", "items");

  private final AtomicLong epochs = new AtomicLong();
  private final SqlServerPositions positions = new SqlServerPositions(epochs::incrementAndGet);

  private SourcePosition at(TableId table, Struct source) {
    return positions.positionOf(table, source).position();
  }

  @Test
  void sourceBlockIsTheRealDebeziumShape() {
    SqlServerEvents events = SqlServerEvents.streaming("00000027:00000758:0001");
    Struct source = events.change("orders", "00000027:00000758:0005", "00000027:00000758:0003", 2);

    assertThat(source.getString("commit_lsn")).isEqualTo("00000027:00000758:0005");
    assertThat(source.getString("change_lsn")).isEqualTo("00000027:00000758:0003");
    assertThat(source.getInt64("event_serial_no")).isEqualTo(2);
    assertThat(at(ORDERS, source)).isEqualTo(SourcePosition.of(1, 0x0000002700000758L, 5, 0x0000002700000758L, 3, 2));
    assertThat(positions.isSnapshot(source)).isFalse();
  }

  @Test
  void transactionsOrderByCommitThenChangeThenEvent() {
    // T1 and T2 ran concurrently: T2's change LSN lies between T1's, but T1 committed first.
    SqlServerEvents events = SqlServerEvents.streaming("00000027:00000700:0001");
    List<SourcePosition> delivered = new ArrayList<>();
    delivered.add(at(ORDERS, events.change("orders", "00000027:00000780:0002", "00000027:00000758:0002", 1)));
    // An update is two events of one change: before and after.
    delivered.add(at(ORDERS, events.change("orders", "00000027:00000780:0002", "00000027:00000760:0004", 1)));
    delivered.add(at(ORDERS, events.change("orders", "00000027:00000780:0002", "00000027:00000760:0004", 2)));
    delivered.add(at(ITEMS, events.change("items", "00000027:00000790:0001", "00000027:00000759:0001", 1)));
    // A commit LSN whose first eight bytes carry over.
    delivered.add(at(ORDERS, events.change("orders", "00000028:00000000:0000", "00000027:ffffffff:ffff", 1)));

    assertThat(delivered).isSortedAccordingTo(SourcePosition::compareTo).doesNotHaveDuplicates();
  }

  @Test
  void aChangeReadAgainAfterARestartHasTheSamePosition() {
    SourcePosition once = at(ORDERS, SqlServerEvents.streaming("00000030:00000010:0001")
        .change("orders", "00000030:00000020:0003", "00000030:00000018:0002", 1));
    SourcePosition again = at(ORDERS, SqlServerEvents.streaming("00000030:00000010:0001")
        .change("orders", "00000030:00000020:0003", "00000030:00000018:0002", 1));
    assertThat(again).isEqualTo(once);
  }

  @Test
  void snapshotReadsSortBeforeStreamedChangesAndAnAttemptStartsWithATruncate() {
    SqlServerEvents snapshot = SqlServerEvents.snapshot("00000040:00000100:0001");
    Struct firstRead = snapshot.snapshotRead("orders", SnapshotRecord.FIRST);
    assertThat(positions.isSnapshot(firstRead)).isTrue();
    PositionExtractor.ChangePosition first = positions.positionOf(ORDERS, firstRead);
    PositionExtractor.ChangePosition second = positions.positionOf(ORDERS, snapshot.snapshotRead("orders", SnapshotRecord.LAST));

    assertThat(first.position()).isEqualTo(SourcePosition.of(0, 0x0000004000000100L, 1, 1, 1));
    assertThat(first.snapshotReset()).contains(SourcePosition.of(0, 0x0000004000000100L, 1, 1, 0));
    assertThat(second.snapshotReset()).isEmpty();
    SourcePosition streamed = at(ORDERS, SqlServerEvents.streaming("00000040:00000100:0001")
        .change("orders", "00000040:00000120:0002", "00000040:00000110:0001", 1));
    assertThat(List.of(first.snapshotReset().get(), first.position(), second.position(), streamed))
        .isSortedAccordingTo(SourcePosition::compareTo);
  }

  @Test
  void aChangeWithoutAnLsnIsRefused() {
    Struct noChangeLsn = SqlServerEvents.streaming("00000027:00000758:0001")
        .change("orders", "00000027:00000758:0005", "NULL", 1);
    assertThatThrownBy(() -> positions.positionOf(ORDERS, noChangeLsn)).hasMessageContaining("without change_lsn");
  }
}
