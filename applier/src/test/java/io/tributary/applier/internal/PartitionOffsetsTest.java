package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.applier.AppliedTableStatus;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A partition's committable offset never passes a manifest some table of it has not applied. */
class PartitionOffsetsTest {
  private static final TableId ORDERS = new TableId("pg", "public", "orders");
  private static final TableId USERS = new TableId("pg", "public", "users");

  private final PartitionOffsets offsets = new PartitionOffsets();

  private static PendingManifest manifest(TableId tableId, long offset) {
    return new PendingManifest(0, offset, new ManifestRecord(1, ManifestRecord.Kind.SEGMENT, tableId, offset,
        URI.create("file:/staging/" + offset + ".parquet"), 1, 1, "00000000", SourcePosition.of(1, offset),
        SourcePosition.of(1, offset), "fingerprint", 0, Optional.empty()), 0);
  }

  private static OptionalLong lowest(List<TableSlot> slots) {
    OptionalLong lowest = OptionalLong.empty();
    for (TableSlot slot : slots) {
      OptionalLong first = slot.firstUnacknowledged();
      if (first.isPresent() && (lowest.isEmpty() || first.getAsLong() < lowest.getAsLong())) {
        lowest = first;
      }
    }
    return lowest;
  }

  @Test
  void aPartitionMovesOnlyPastWhatEveryTableOfItApplied() {
    TableSlot orders = new TableSlot(ORDERS, 0, URI.create("file:/delta/orders"));
    TableSlot users = new TableSlot(USERS, 0, URI.create("file:/delta/users"));
    for (long offset = 0; offset < 4; offset++) {
      offsets.read(0, offset);
      (offset % 2 == 0 ? orders : users).add(manifest(offset % 2 == 0 ? ORDERS : USERS, offset));
    }
    List<TableSlot> slots = List.of(orders, users);

    assertThat(offsets.toCommit(List.of(0), p -> lowest(slots))).isEqualTo(Map.of(0, 0L));

    orders.acknowledge(2);
    assertThat(offsets.toCommit(List.of(0), p -> lowest(slots))).isEqualTo(Map.of(0, 1L));
    offsets.committed(Map.of(0, 1L));
    assertThat(offsets.toCommit(List.of(0), p -> lowest(slots))).as("unchanged: nothing to commit").isEmpty();

    users.acknowledge(2);
    assertThat(offsets.toCommit(List.of(0), p -> lowest(slots))).isEqualTo(Map.of(0, 4L));
  }

  @Test
  void aStoppedTableHoldsItsFirstUnappliedOffsetForGood() {
    TableSlot orders = new TableSlot(ORDERS, 0, URI.create("file:/delta/orders"));
    offsets.read(0, 5);
    orders.add(manifest(ORDERS, 5));
    orders.stop(AppliedTableStatus.State.FENCED, "fenced");
    offsets.read(0, 6);
    orders.add(manifest(ORDERS, 6));

    assertThat(orders.hasPending()).isFalse();
    assertThat(offsets.toCommit(List.of(0), p -> orders.firstUnacknowledged())).isEqualTo(Map.of(0, 5L));
  }

  @Test
  void aRecordOfNoTableHoldsThePartition() {
    offsets.read(0, 0);
    offsets.read(0, 1);
    offsets.hold(0, 1);
    offsets.read(0, 2);

    assertThat(offsets.toCommit(List.of(0), p -> OptionalLong.empty())).isEqualTo(Map.of(0, 1L));
  }

  @Test
  void anInvalidManifestStopsItsTableThere() {
    TableSlot orders = new TableSlot(ORDERS, 0, URI.create("file:/delta/orders"));
    orders.add(manifest(ORDERS, 3));
    orders.failAt(2, "invalid manifest");

    assertThat(orders.state()).isEqualTo(AppliedTableStatus.State.FAILED);
    assertThat(orders.firstUnacknowledged()).hasValue(2);
    assertThat(orders.status().problem()).contains("invalid manifest");
  }

  @Test
  void retriesBackOffExponentially() {
    TableSlot orders = new TableSlot(ORDERS, 0, URI.create("file:/delta/orders"));
    orders.retryLater("coordinator unavailable", 10_000);
    assertThat(orders.retryAtMillis()).isEqualTo(11_000);
    orders.retryLater("coordinator unavailable", 10_000);
    assertThat(orders.retryAtMillis()).isEqualTo(12_000);
    for (int i = 0; i < 10; i++) {
      orders.retryLater("coordinator unavailable", 10_000);
    }
    assertThat(orders.retryAtMillis()).isEqualTo(70_000);
    assertThat(orders.state()).as("not opened yet").isEqualTo(AppliedTableStatus.State.OPENING);
  }
}
