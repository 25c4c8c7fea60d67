package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeReducerTest {
  private static final TableId TABLE = new TableId("pg", "public", "customers");
  private static final TableSchema SCHEMA = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, false), new Column("name", ColumnType.STRING, true),
          new Column("bio", ColumnType.STRING, true)),
      List.of("id"));

  private final ChangeReducer reducer = new ChangeReducer(SCHEMA);

  private static ChangeEvent event(Operation operation, long position, Object... values) {
    return event(operation, position, new BitSet(), values);
  }

  private static ChangeEvent event(Operation operation, long position, BitSet unavailable, Object... values) {
    return new ChangeEvent(TABLE, operation, SourcePosition.of(1, position), values, unavailable, position,
        Optional.empty(), 10_000 + position);
  }

  private static BitSet unavailable(int... columns) {
    BitSet bits = new BitSet();
    for (int column : columns) {
      bits.set(column);
    }
    return bits;
  }

  private static RowKey key(long id) {
    return RowKey.ofValues(id);
  }

  @Test
  void manyUpdatesOfOneKeyReduceToTheLast() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 1, 1L, "a", "x"),
        event(Operation.UPDATE, 2, 1L, "b", "x"),
        event(Operation.UPDATE, 3, 1L, "c", "y"),
        event(Operation.INSERT, 4, 2L, "z", null)), Optional.empty());

    assertThat(batch.changes()).containsOnlyKeys(key(1), key(2));
    assertThat(batch.changes().get(key(1))).isEqualTo(new RowChange.Upsert(new Object[] {1L, "c", "y"}, new BitSet()));
    assertThat(batch.truncate()).isFalse();
    assertThat(batch.lastPosition()).contains(SourcePosition.of(1, 4));
    assertThat(batch.lastCaptureMillis()).isEqualTo(10_004);
    assertThat(batch.eventsKept()).isEqualTo(4);
    assertThat(batch.upserts()).isEqualTo(2);
  }

  @Test
  void eventsAreReducedInPositionOrderWhateverTheirArrivalOrder() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.UPDATE, 5, 1L, "late", null),
        event(Operation.UPDATE, 3, 1L, "early", null)), Optional.empty());

    assertThat(((RowChange.Upsert) batch.changes().get(key(1))).values()).containsExactly(1L, "late", null);
  }

  @Test
  void insertThenDeleteLeavesADelete() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 1, 1L, "a", null),
        event(Operation.DELETE, 2, 1L, null, null)), Optional.empty());

    assertThat(batch.changes()).containsExactly(java.util.Map.entry(key(1), new RowChange.Delete()));
    assertThat(batch.upserts()).isZero();
    assertThat(batch.deletes()).isEqualTo(1);
  }

  @Test
  void deleteThenReinsertLeavesTheInsert() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.DELETE, 1, 1L, null, null),
        event(Operation.INSERT, 2, 1L, "again", "bio")), Optional.empty());

    assertThat(batch.changes().get(key(1))).isEqualTo(new RowChange.Upsert(new Object[] {1L, "again", "bio"}, new BitSet()));
  }

  @Test
  void eventsAtOrBelowTheAppliedPositionAndRepeatedPositionsAreDropped() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 4, 1L, "old", null),
        event(Operation.UPDATE, 5, 1L, "applied", null),
        event(Operation.UPDATE, 6, 1L, "new", null),
        event(Operation.UPDATE, 6, 1L, "new", null),
        event(Operation.INSERT, 7, 2L, "two", null)), Optional.of(SourcePosition.of(1, 5)));

    assertThat(batch.duplicatesDropped()).isEqualTo(3);
    assertThat(batch.eventsKept()).isEqualTo(2);
    assertThat(((RowChange.Upsert) batch.changes().get(key(1))).values()).containsExactly(1L, "new", null);
  }

  @Test
  void onlyDuplicatesLeaveAnEmptyBatch() {
    ReducedBatch batch = reducer.reduce(List.of(event(Operation.INSERT, 3, 1L, "a", null)),
        Optional.of(SourcePosition.of(1, 3)));

    assertThat(batch.isEmpty()).isTrue();
    assertThat(batch.eventsKept()).isZero();
    assertThat(batch.lastPosition()).isEmpty();
    assertThat(batch.duplicatesDropped()).isEqualTo(1);
  }

  @Test
  void anUnavailableColumnKeepsTheTablesValue() {
    ReducedBatch batch = reducer.reduce(List.of(event(Operation.UPDATE, 1, unavailable(2), 1L, "renamed", null)),
        Optional.empty());

    RowChange.Upsert upsert = (RowChange.Upsert) batch.changes().get(key(1));
    assertThat(upsert.keepOld()).isEqualTo(unavailable(2));
    assertThat(upsert.resolve(new Object[] {1L, "old", "long toasted bio"})).containsExactly(1L, "renamed", "long toasted bio");
    assertThat(upsert.resolve(null)).containsExactly(1L, "renamed", null);
  }

  @Test
  void anUnavailableColumnKeepsTheValueAnEarlierEventOfTheBatchGave() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.UPDATE, 1, 1L, "a", "fresh bio"),
        event(Operation.UPDATE, 2, unavailable(2), 1L, "b", null),
        event(Operation.UPDATE, 3, unavailable(2), 1L, "c", null)), Optional.empty());

    RowChange.Upsert upsert = (RowChange.Upsert) batch.changes().get(key(1));
    assertThat(upsert.keepOld().isEmpty()).isTrue();
    assertThat(upsert.values()).containsExactly(1L, "c", "fresh bio");
  }

  @Test
  void anUnavailableColumnAfterADeleteHasNoValueToKeep() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.DELETE, 1, 1L, null, null),
        event(Operation.INSERT, 2, unavailable(2), 1L, "back", null)), Optional.empty());

    RowChange.Upsert upsert = (RowChange.Upsert) batch.changes().get(key(1));
    assertThat(upsert.keepOld().isEmpty()).isTrue();
    assertThat(upsert.resolve(new Object[] {1L, "old", "old bio"})).containsExactly(1L, "back", null);
  }

  @Test
  void truncateForgetsEarlierChangesAndEmptiesTheTable() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 1, 1L, "gone", null),
        event(Operation.INSERT, 2, 2L, "gone too", null),
        event(Operation.TRUNCATE, 3, new BitSet(), null, null, null),
        event(Operation.INSERT, 4, 3L, "after", null),
        event(Operation.UPDATE, 5, unavailable(2), 4L, "toasted", null)), Optional.empty());

    assertThat(batch.truncate()).isTrue();
    assertThat(batch.changes()).containsOnlyKeys(key(3), key(4));
    assertThat(((RowChange.Upsert) batch.changes().get(key(4))).keepOld().isEmpty()).isTrue();
    assertThat(batch.isEmpty()).isFalse();
  }

  @Test
  void snapshotReadsAreUpserts() {
    ReducedBatch batch = reducer.reduce(List.of(event(Operation.SNAPSHOT_READ, 1, 1L, "snap", null)), Optional.empty());

    assertThat(batch.changes().get(key(1))).isInstanceOf(RowChange.Upsert.class);
  }

  @Test
  void keysCompareByValueWhateverTheirJavaRepresentation() {
    assertThat(RowKey.ofValues(new java.math.BigDecimal("1.50"))).isEqualTo(RowKey.ofValues(new java.math.BigDecimal("1.5")));
    assertThat(RowKey.ofValues((Object) new byte[] {1, 2})).isEqualTo(RowKey.ofValues((Object) new byte[] {1, 2}));
    assertThat(RowKey.ofValues((Object) new byte[] {(byte) 0xff})).isGreaterThan(RowKey.ofValues((Object) new byte[] {1}));
    assertThat(RowKey.ofValues((Object) null)).isLessThan(RowKey.ofValues(1L));
  }
}
