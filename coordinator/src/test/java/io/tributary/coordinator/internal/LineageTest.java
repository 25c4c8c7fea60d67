package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Replay;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LineageTest {
  private static final TableId TABLE = TableId.parse("pg1.public.orders");

  @Test
  void positionOfAVersionIsTheLatestWatermarkAtOrBeforeIt() {
    List<CommitRecord> history = newestFirst(create(0), apply(1, 1, 2), apply(2, 3), compaction(3));
    assertThat(Lineage.positionAt(history, 0)).isEmpty();
    assertThat(Lineage.positionAt(history, 1)).contains(position(2));
    assertThat(Lineage.positionAt(history, 3)).contains(position(3));
  }

  @Test
  void rollbackReplaysTheSegmentsAfterTheRestoredVersionInSourceOrder() {
    List<CommitRecord> history = newestFirst(create(0), apply(1, 1, 2), apply(2, 3), apply(3, 4, 5),
        rollback(4, 1, Optional.of(position(2))));

    Replay replay = Lineage.pendingReplay(TABLE, history, Optional.of(position(2))).orElseThrow();

    assertThat(replay.rollbackVersion()).isEqualTo(4);
    assertThat(replay.toVersion()).isEqualTo(1);
    assertThat(replay.from()).contains(position(2));
    assertThat(replay.until()).isEqualTo(position(5));
    assertThat(replay.segments()).containsExactly(segment(3), segment(4), segment(5));
    // Part replayed: still pending; all replayed: done.
    assertThat(Lineage.pendingReplay(TABLE, history, Optional.of(position(4)))).isPresent();
    assertThat(Lineage.pendingReplay(TABLE, history, Optional.of(position(5)))).isEmpty();
  }

  @Test
  void rollbackToTheCreationReplaysEverything() {
    List<CommitRecord> history = newestFirst(create(0), apply(1, 1, 2), apply(2, 3), rollback(3, 0, Optional.empty()));
    Replay replay = Lineage.pendingReplay(TABLE, history, Optional.empty()).orElseThrow();
    assertThat(replay.from()).isEmpty();
    assertThat(replay.segments()).containsExactly(segment(1), segment(2), segment(3));
  }

  @Test
  void secondRollbackAlsoReplaysWhatTheFirstOneLeftUndone() {
    // Versions 1-5 apply segments 1-5; version 6 rolls back to 2; version 7 replays segment 3 only;
    // version 8 rolls back to 7, whose content holds segments 1-3: segments 4 and 5 are still undone.
    List<CommitRecord> history = newestFirst(create(0), apply(1, 1), apply(2, 2), apply(3, 3), apply(4, 4), apply(5, 5),
        rollback(6, 2, Optional.of(position(2))), apply(7, 3), rollback(8, 7, Optional.of(position(3))));

    Replay replay = Lineage.pendingReplay(TABLE, history, Optional.of(position(3))).orElseThrow();

    assertThat(replay.segments()).containsExactly(segment(4), segment(5));
    assertThat(replay.until()).isEqualTo(position(5));
  }

  @Test
  void rollbackThatUndidNoChangeLeavesNothingToReplay() {
    List<CommitRecord> history = newestFirst(create(0), apply(1, 1), compaction(2), rollback(3, 1, Optional.of(position(1))));
    assertThat(Lineage.pendingReplay(TABLE, history, Optional.of(position(1)))).isEmpty();
    assertThat(Lineage.pendingReplay(TABLE, newestFirst(create(0), apply(1, 1)), Optional.of(position(1)))).isEmpty();
  }

  private static List<CommitRecord> newestFirst(CommitRecord... records) {
    List<CommitRecord> history = new ArrayList<>(Arrays.asList(records));
    java.util.Collections.reverse(history);
    return history;
  }

  private static CommitRecord create(long version) {
    return record(version, Optional.empty(), List.of(), Optional.empty());
  }

  private static CommitRecord compaction(long version) {
    return record(version, Optional.empty(), List.of(), Optional.empty());
  }

  /** A commit applying the segments numbered {@code segments}, each ending at the position of its number. */
  private static CommitRecord apply(long version, int... segments) {
    List<URI> uris = Arrays.stream(segments).mapToObj(LineageTest::segment).toList();
    return record(version, Optional.of(position(segments[segments.length - 1])), uris, Optional.empty());
  }

  private static CommitRecord rollback(long version, long toVersion, Optional<SourcePosition> position) {
    return record(version, position, List.of(), Optional.of(new CommitRecord.Rollback(toVersion, "test")));
  }

  private static CommitRecord record(long version, Optional<SourcePosition> watermark, List<URI> segments,
      Optional<CommitRecord.Rollback> rollback) {
    return new CommitRecord(TABLE, version, new WriterId("a"), new Epoch(1), watermark, segments, 1,
        Instant.parse("2026-11-01T10:00:00Z"), URI.create("file:/t/_delta_log/" + version + ".json"),
        CommitRecord.Status.PUBLISHED, rollback);
  }

  private static SourcePosition position(int n) {
    return SourcePosition.of(1, n);
  }

  /** A staged segment named as the gateway names them: sequence, first and last position. */
  private static URI segment(int n) {
    return URI.create(String.format("file:/staging/pg1/public.orders/2026-11-01/%012d_%s_%s.parquet", n,
        position(n).value(), position(n).value()));
  }
}
