package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.SnapshotRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BinlogPositionsTest {
  private static final TableId ORDERS = new TableId("src", "shop", "orders");
  private static final TableId ITEMS = new TableId("src", "shop", "items");

  private final AtomicLong epochs = new AtomicLong();
  private final BinlogPositions positions = new BinlogPositions(epochs::incrementAndGet);

  static List<Supplier<BinlogEvents>> connectors() {
    return List.of(BinlogEvents::mysql, BinlogEvents::mariadb);
  }

  private SourcePosition at(TableId table, Struct source) {
    return positions.positionOf(table, source).position();
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void sourceBlockIsTheRealDebeziumShape(Supplier<BinlogEvents> connector) {
    BinlogEvents events = connector.get();
    events.startAt("binlog.000003", 154);
    events.beginTransaction("3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
    Struct source = events.row("shop", "orders", 990, 1, 3);

    assertThat(source.getString("file")).isEqualTo("binlog.000003");
    assertThat(source.getInt64("pos")).isEqualTo(990);
    assertThat(source.getInt32("row")).isEqualTo(1);
    assertThat(at(ORDERS, source)).isEqualTo(SourcePosition.of(1, 3, 990, 0, 1));
    assertThat(positions.isSnapshot(source)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void rowsEventsAndFilesOrderAsTheBinlogDoes(Supplier<BinlogEvents> connector) {
    BinlogEvents events = connector.get();
    events.startAt("binlog.000009", 4);
    List<SourcePosition> delivered = new ArrayList<>();
    events.beginTransaction("0-1-41");
    delivered.add(at(ORDERS, events.row("shop", "orders", 380, 0, 2)));
    delivered.add(at(ORDERS, events.row("shop", "orders", 380, 1, 2)));
    delivered.add(at(ITEMS, events.row("shop", "items", 512, 0, 1)));
    events.commit();
    // The server rotates to the next file; its positions start small again.
    events.startAt("binlog.000010", 4);
    events.beginTransaction("0-1-42");
    delivered.add(at(ORDERS, events.row("shop", "orders", 120, 0, 1)));
    events.commit();

    assertThat(delivered).isSortedAccordingTo(SourcePosition::compareTo).doesNotHaveDuplicates();
    assertThat(delivered.get(3)).isEqualTo(SourcePosition.of(1, 10, 120, 0, 0));
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void eventsReadAgainAfterARestartHaveTheSamePositions(Supplier<BinlogEvents> connector) {
    BinlogEvents first = connector.get();
    first.startAt("binlog.000002", 200);
    first.beginTransaction("0-1-7");
    SourcePosition once = at(ORDERS, first.row("shop", "orders", 300, 4, 5));

    // A restarted connector reads the interrupted transaction again from its start point.
    BinlogEvents restarted = connector.get();
    restarted.startAt("binlog.000002", 200);
    restarted.beginTransaction("0-1-7");
    assertThat(at(ORDERS, restarted.row("shop", "orders", 300, 4, 5))).isEqualTo(once);
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void snapshotReadsSortBeforeStreamedChangesAndAnAttemptStartsWithATruncate(Supplier<BinlogEvents> connector) {
    BinlogEvents events = connector.get();
    events.startAt("binlog.000005", 7700);
    events.startSnapshot();
    Struct firstRead = events.snapshotRead("shop", "orders", SnapshotRecord.FIRST);
    assertThat(positions.isSnapshot(firstRead)).isTrue();
    PositionExtractor.ChangePosition first = positions.positionOf(ORDERS, firstRead);
    PositionExtractor.ChangePosition second = positions.positionOf(ORDERS,
        events.snapshotRead("shop", "orders", SnapshotRecord.TRUE));
    PositionExtractor.ChangePosition items = positions.positionOf(ITEMS,
        events.snapshotRead("shop", "items", SnapshotRecord.LAST));
    events.completeSnapshot();

    assertThat(first.position()).isEqualTo(SourcePosition.of(0, 5, 7700, 1, 1));
    assertThat(first.snapshotReset()).contains(SourcePosition.of(0, 5, 7700, 1, 0));
    assertThat(second.snapshotReset()).isEmpty();
    assertThat(items.snapshotReset()).isPresent();
    events.beginTransaction("0-1-1");
    SourcePosition streamed = at(ORDERS, events.row("shop", "orders", 7800, 0, 1));
    assertThat(List.of(first.snapshotReset().get(), first.position(), second.position(), streamed))
        .isSortedAccordingTo(SourcePosition::compareTo);
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void aFileNameWithoutANumberIsRefusedAndIncrementalReadsFollowTheStream(Supplier<BinlogEvents> connector) {
    BinlogEvents events = connector.get();
    events.startAt("binlog", 4);
    events.beginTransaction("0-1-1");
    Struct unnumbered = events.row("shop", "orders", 100, 0, 1);
    assertThatThrownBy(() -> positions.positionOf(ORDERS, unnumbered))
        .hasMessageContaining("binlog file 'binlog', which does not end in the file's number");

    BinlogEvents incremental = connector.get();
    incremental.startAt("binlog.000001", 4);
    incremental.beginTransaction("0-1-2");
    SourcePosition streamed = positions.positionOf(ORDERS, incremental.row("shop", "orders", 100, 0, 1)).position();
    Struct read = incremental.snapshotRead("shop", "orders", SnapshotRecord.INCREMENTAL);
    SourcePosition readAt = positions.positionOf(ORDERS, read).position();
    assertThat(readAt).isGreaterThan(streamed);
    assertThat(positions.positionOf(ORDERS, incremental.row("shop", "orders", 100, 0, 2)).position())
        .as("the next streamed change").isGreaterThan(readAt);
  }
}
