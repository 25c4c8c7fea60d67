package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangeReducerTest {
  private static final TableId TABLE = new TableId("pg", "public", "customers");
  private static final TableSchema SCHEMA = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, false), new Column("name", ColumnType.STRING, true),
          new Column("bio", ColumnType.STRING, true)),
      List.of("id"));

  /** For batches without a resync's end: meeting one fails the test. */
  private static final ResyncSweep NO_RESYNC = ResyncSweep.refusing();

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
        event(Operation.INSERT, 4, 2L, "z", null)), Optional.empty(), NO_RESYNC);

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
        event(Operation.UPDATE, 3, 1L, "early", null)), Optional.empty(), NO_RESYNC);

    assertThat(((RowChange.Upsert) batch.changes().get(key(1))).values()).containsExactly(1L, "late", null);
  }

  @Test
  void insertThenDeleteLeavesADelete() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 1, 1L, "a", null),
        event(Operation.DELETE, 2, 1L, null, null)), Optional.empty(), NO_RESYNC);

    assertThat(batch.changes()).containsExactly(Map.entry(key(1), new RowChange.Delete()));
    assertThat(batch.upserts()).isZero();
    assertThat(batch.deletes()).isEqualTo(1);
  }

  @Test
  void deleteThenReinsertLeavesTheInsert() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.DELETE, 1, 1L, null, null),
        event(Operation.INSERT, 2, 1L, "again", "bio")), Optional.empty(), NO_RESYNC);

    assertThat(batch.changes().get(key(1))).isEqualTo(new RowChange.Upsert(new Object[] {1L, "again", "bio"}, new BitSet()));
  }

  @Test
  void eventsAtOrBelowTheAppliedPositionAndRepeatedPositionsAreDropped() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 4, 1L, "old", null),
        event(Operation.UPDATE, 5, 1L, "applied", null),
        event(Operation.UPDATE, 6, 1L, "new", null),
        event(Operation.UPDATE, 6, 1L, "new", null),
        event(Operation.INSERT, 7, 2L, "two", null)), Optional.of(SourcePosition.of(1, 5)), NO_RESYNC);

    assertThat(batch.duplicatesDropped()).isEqualTo(3);
    assertThat(batch.eventsKept()).isEqualTo(2);
    assertThat(((RowChange.Upsert) batch.changes().get(key(1))).values()).containsExactly(1L, "new", null);
  }

  @Test
  void aReEmittedRangeIsAppliedOnce() {
    // A gateway restarted after announcing 2 and 3 emits them again before 4.
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 1, 1L, "one", null),
        event(Operation.INSERT, 2, 2L, "two", null),
        event(Operation.UPDATE, 3, 1L, "one again", null),
        event(Operation.INSERT, 2, 2L, "two", null),
        event(Operation.UPDATE, 3, 1L, "one again", null),
        event(Operation.DELETE, 4, 2L, null, null)), Optional.empty(), NO_RESYNC);

    assertThat(batch.duplicatesDropped()).isEqualTo(2);
    assertThat(batch.eventsKept()).isEqualTo(4);
    assertThat(batch.lastPosition()).contains(SourcePosition.of(1, 4));
    assertThat(((RowChange.Upsert) batch.changes().get(key(1))).values()).containsExactly(1L, "one again", null);
    assertThat(batch.changes().get(key(2))).isEqualTo(new RowChange.Delete());
  }

  @Test
  void onlyDuplicatesLeaveAnEmptyBatch() {
    ReducedBatch batch = reducer.reduce(List.of(event(Operation.INSERT, 3, 1L, "a", null)),
        Optional.of(SourcePosition.of(1, 3)), NO_RESYNC);

    assertThat(batch.isEmpty()).isTrue();
    assertThat(batch.eventsKept()).isZero();
    assertThat(batch.lastPosition()).isEmpty();
    assertThat(batch.duplicatesDropped()).isEqualTo(1);
  }

  @Test
  void anUnavailableColumnKeepsTheTablesValue() {
    ReducedBatch batch = reducer.reduce(List.of(event(Operation.UPDATE, 1, unavailable(2), 1L, "renamed", null)),
        Optional.empty(), NO_RESYNC);

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
        event(Operation.UPDATE, 3, unavailable(2), 1L, "c", null)), Optional.empty(), NO_RESYNC);

    RowChange.Upsert upsert = (RowChange.Upsert) batch.changes().get(key(1));
    assertThat(upsert.keepOld().isEmpty()).isTrue();
    assertThat(upsert.values()).containsExactly(1L, "c", "fresh bio");
  }

  @Test
  void anUnavailableColumnAfterADeleteHasNoValueToKeep() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.DELETE, 1, 1L, null, null),
        event(Operation.INSERT, 2, unavailable(2), 1L, "back", null)), Optional.empty(), NO_RESYNC);

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
        event(Operation.UPDATE, 5, unavailable(2), 4L, "toasted", null)), Optional.empty(), NO_RESYNC);

    assertThat(batch.truncate()).isTrue();
    assertThat(batch.changes()).containsOnlyKeys(key(3), key(4));
    assertThat(((RowChange.Upsert) batch.changes().get(key(4))).keepOld().isEmpty()).isTrue();
    assertThat(batch.isEmpty()).isFalse();
  }

  @Test
  void snapshotReadsAreUpserts() {
    ReducedBatch batch = reducer.reduce(List.of(event(Operation.SNAPSHOT_READ, 1, 1L, "snap", null)), Optional.empty(),
        NO_RESYNC);

    assertThat(batch.changes().get(key(1))).isInstanceOf(RowChange.Upsert.class);
  }


  /**
   * A sweep over a table holding {@code tableKeys}, where the resync left {@code aliveKeys} alive;
   * records what the reducer asked.
   */
  private static final class FakeSweep implements ResyncSweep {
    private final Set<RowKey> table;
    private final Set<RowKey> alive;
    private final List<Set<RowKey>> upsertedAsked = new ArrayList<>();
    private final List<Boolean> truncatedAsked = new ArrayList<>();

    FakeSweep(Set<Long> tableKeys, Set<Long> aliveKeys) {
      this.table = keys(tableKeys);
      this.alive = keys(aliveKeys);
    }

    private static Set<RowKey> keys(Set<Long> ids) {
      Set<RowKey> keys = new HashSet<>();
      ids.forEach(id -> keys.add(key(id)));
      return keys;
    }

    @Override
    public Result staleRows(ChangeEvent end, Set<RowKey> upsertedInBatch, boolean truncatedInBatch) {
      upsertedAsked.add(Set.copyOf(upsertedInBatch));
      truncatedAsked.add(truncatedInBatch);
      Set<RowKey> stale = new HashSet<>(upsertedInBatch);
      if (!truncatedInBatch) {
        stale.addAll(table);
      }
      stale.removeAll(alive);
      return new Stale(stale);
    }
  }

  private static ChangeEvent marker(Operation operation, long position) {
    return event(operation, position, new Object[] {null, null, null});
  }

  @Test
  void aResyncBeginChangesNoRow() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 1, 1L, "a", null),
        marker(Operation.RESYNC_BEGIN, 2),
        event(Operation.SNAPSHOT_READ, 3, 2L, "read", null)), Optional.empty(), NO_RESYNC);

    assertThat(batch.changes()).containsOnlyKeys(key(1), key(2));
    assertThat(batch.deletes()).isZero();
    assertThat(batch.resyncEnds()).isEmpty();
    assertThat(batch.eventsKept()).isEqualTo(3);
    assertThat(batch.lastPosition()).contains(SourcePosition.of(1, 3));
  }

  @Test
  void aBatchOfOnlyABeginIsKeptButChangesNothing() {
    ReducedBatch batch = reducer.reduce(List.of(marker(Operation.RESYNC_BEGIN, 1)), Optional.empty(), NO_RESYNC);

    assertThat(batch.isEmpty()).isTrue();
    assertThat(batch.eventsKept()).isEqualTo(1);
  }

  @Test
  void aResyncEndDeletesTheRowsOfTheTableAndOfTheBatchThatAreNotAlive() {
    FakeSweep sweep = new FakeSweep(Set.of(1L, 2L, 5L), Set.of(1L, 3L));

    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.SNAPSHOT_READ, 1, 3L, "read", null),
        event(Operation.INSERT, 2, 4L, "not alive", null),
        marker(Operation.RESYNC_END, 3)), Optional.empty(), sweep);

    assertThat(sweep.upsertedAsked).containsExactly(Set.of(key(3), key(4)));
    assertThat(sweep.truncatedAsked).containsExactly(false);
    assertThat(batch.changes()).containsOnlyKeys(key(2), key(3), key(4), key(5));
    assertThat(batch.changes().get(key(3))).isInstanceOf(RowChange.Upsert.class);
    assertThat(batch.changes().get(key(2))).isEqualTo(new RowChange.Delete());
    assertThat(batch.changes().get(key(4))).isEqualTo(new RowChange.Delete());
    assertThat(batch.changes().get(key(5))).isEqualTo(new RowChange.Delete());
    assertThat(batch.resyncEnds()).containsExactly(
        new ReducedBatch.ResyncEnd(SourcePosition.of(1, 3), 10_003, 3, Optional.empty()));
  }

  @Test
  void rowsTheBatchDeletedBeforeTheEndAreNotCountedAsRemovedByIt() {
    FakeSweep sweep = new FakeSweep(Set.of(1L, 2L), Set.of(1L));

    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.DELETE, 1, 2L, null, null),
        marker(Operation.RESYNC_END, 2)), Optional.empty(), sweep);

    assertThat(batch.changes()).containsExactly(Map.entry(key(2), new RowChange.Delete()));
    assertThat(batch.resyncEnds()).singleElement().satisfies(end -> assertThat(end.rowsRemoved()).isZero());
  }

  @Test
  void eventsAfterTheEndApplyOnTopOfItsDeletes() {
    FakeSweep sweep = new FakeSweep(Set.of(1L, 2L), Set.of(1L));

    ReducedBatch batch = reducer.reduce(List.of(
        marker(Operation.RESYNC_END, 1),
        event(Operation.INSERT, 2, unavailable(2), 2L, "back", null),
        event(Operation.UPDATE, 3, 1L, "after", "bio"),
        event(Operation.INSERT, 4, 6L, "new", null)), Optional.empty(), sweep);

    RowChange.Upsert back = (RowChange.Upsert) batch.changes().get(key(2));
    assertThat(back.values()).containsExactly(2L, "back", null);
    assertThat(back.keepOld().isEmpty()).as("the row was removed at the end: no old value to keep").isTrue();
    assertThat(batch.changes().get(key(1))).isEqualTo(new RowChange.Upsert(new Object[] {1L, "after", "bio"}, new BitSet()));
    assertThat(batch.changes()).containsOnlyKeys(key(1), key(2), key(6));
    assertThat(batch.resyncEnds()).singleElement().satisfies(end -> assertThat(end.rowsRemoved()).isEqualTo(1));
  }

  @Test
  void anEndAtOrBelowTheAppliedPositionIsIgnored() {
    ReducedBatch batch = reducer.reduce(List.of(
        marker(Operation.RESYNC_BEGIN, 3),
        marker(Operation.RESYNC_END, 5),
        event(Operation.INSERT, 6, 1L, "a", null)), Optional.of(SourcePosition.of(1, 5)), NO_RESYNC);

    assertThat(batch.resyncEnds()).isEmpty();
    assertThat(batch.changes()).containsOnlyKeys(key(1));
    assertThat(batch.duplicatesDropped()).isEqualTo(2);
  }

  @Test
  void anEndRepeatedInTheBatchIsSweptOnce() {
    FakeSweep sweep = new FakeSweep(Set.of(1L, 2L), Set.of(1L));

    ReducedBatch batch = reducer.reduce(List.of(
        marker(Operation.RESYNC_END, 4),
        event(Operation.INSERT, 5, 2L, "again", null),
        marker(Operation.RESYNC_END, 4)), Optional.empty(), sweep);

    assertThat(sweep.upsertedAsked).hasSize(1);
    assertThat(batch.resyncEnds()).hasSize(1);
    assertThat(batch.changes().get(key(2))).isInstanceOf(RowChange.Upsert.class);
  }

  @Test
  void anEndAfterATruncateSweepsOnlyTheRowsUpsertedSinceAndKeepsTheTruncate() {
    FakeSweep sweep = new FakeSweep(Set.of(1L, 2L), Set.of(3L));

    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.INSERT, 1, 7L, "before the truncate", null),
        marker(Operation.TRUNCATE, 2),
        event(Operation.SNAPSHOT_READ, 3, 3L, "read", null),
        event(Operation.INSERT, 4, 4L, "not alive", null),
        marker(Operation.RESYNC_END, 5)), Optional.empty(), sweep);

    assertThat(sweep.truncatedAsked).containsExactly(true);
    assertThat(sweep.upsertedAsked).containsExactly(Set.of(key(3), key(4)));
    assertThat(batch.truncate()).isTrue();
    assertThat(batch.changes()).containsOnlyKeys(key(3), key(4));
    assertThat(batch.changes().get(key(4))).isEqualTo(new RowChange.Delete());
    assertThat(batch.resyncEnds()).singleElement().satisfies(end -> assertThat(end.rowsRemoved()).isEqualTo(1));
  }

  @Test
  void aTruncateAfterTheEndRemovesEverythingTheEndKept() {
    FakeSweep sweep = new FakeSweep(Set.of(1L, 2L), Set.of(1L));

    ReducedBatch batch = reducer.reduce(List.of(
        marker(Operation.RESYNC_END, 1),
        marker(Operation.TRUNCATE, 2),
        event(Operation.INSERT, 3, 9L, "after", null)), Optional.empty(), sweep);

    assertThat(batch.truncate()).isTrue();
    assertThat(batch.changes()).containsOnlyKeys(key(9));
    assertThat(batch.resyncEnds()).hasSize(1);
  }

  @Test
  void aFailedSweepDeletesNothingAndSaysWhy() {
    ReducedBatch batch = reducer.reduce(List.of(
        event(Operation.SNAPSHOT_READ, 1, 1L, "read", null),
        marker(Operation.RESYNC_END, 2)), Optional.empty(),
        (end, upserted, truncated) -> new ResyncSweep.Failed("no begin staged"));

    assertThat(batch.changes()).containsOnlyKeys(key(1));
    assertThat(batch.deletes()).isZero();
    assertThat(batch.resyncEnds()).containsExactly(
        new ReducedBatch.ResyncEnd(SourcePosition.of(1, 2), 10_002, 0, Optional.of("no begin staged")));
  }

  @Test
  void anEndMetWithoutASweepIsRefusedNotIgnored() {
    List<ChangeEvent> events = List.of(marker(Operation.RESYNC_END, 1));

    assertThatThrownBy(() -> reducer.reduce(events, Optional.empty(), NO_RESYNC))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("resync end of pg.public.customers");
  }

  @Test
  void keysCompareByValueWhateverTheirJavaRepresentation() {
    assertThat(RowKey.ofValues(new java.math.BigDecimal("1.50"))).isEqualTo(RowKey.ofValues(new java.math.BigDecimal("1.5")));
    assertThat(RowKey.ofValues((Object) new byte[] {1, 2})).isEqualTo(RowKey.ofValues((Object) new byte[] {1, 2}));
    assertThat(RowKey.ofValues((Object) new byte[] {(byte) 0xff})).isGreaterThan(RowKey.ofValues((Object) new byte[] {1}));
    assertThat(RowKey.ofValues((Object) null)).isLessThan(RowKey.ofValues(1L));
  }
}
