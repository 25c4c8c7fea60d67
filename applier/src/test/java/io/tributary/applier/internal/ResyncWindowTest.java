package io.tributary.applier.internal;

import static io.tributary.applier.testing.Segments.position;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.applier.testing.Segments;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.time.Clock;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads resync windows from real segments in a local staging store. */
class ResyncWindowTest {
  private static final TableId TABLE = new TableId("pg", "shop", "orders");
  private static final TableSchema SCHEMA = new TableSchema(TABLE,
      List.of(new Column("id", ColumnType.LONG, false), new Column("status", ColumnType.STRING, true)), List.of("id"));

  @TempDir
  java.nio.file.Path dir;

  private StagingStore staging;
  private Segments segments;

  @BeforeEach
  void setUp() {
    staging = StagingStore.open(StagingConfig.local(dir), Clock.systemUTC());
    segments = new Segments(staging, SCHEMA);
  }

  @AfterEach
  void tearDown() {
    staging.close();
  }

  private ResyncWindow.Outcome read(long end) {
    return ResyncWindow.read(staging, SCHEMA, position(end));
  }

  private static ResyncWindow.Found found(ResyncWindow.Outcome outcome) {
    assertThat(outcome).isInstanceOf(ResyncWindow.Found.class);
    return (ResyncWindow.Found) outcome;
  }

  private static void assertAlive(ResyncWindow.Found window, long... alive) {
    assertThat(window.alive().size()).isEqualTo(alive.length);
    for (long id = 0; id <= 20; id++) {
      long candidate = id;
      boolean expected = LongStream.of(alive).anyMatch(key -> key == candidate);
      assertThat(window.alive().contains(RowKey.ofValues(id))).as("key %s alive", id).isEqualTo(expected);
    }
  }

  @Test
  void theBeginIsFoundInAnEarlierSegmentAndOlderSegmentsAreNotRead() {
    segments.segment(segments.event(Operation.INSERT, 1, 1L, "before"), segments.event(Operation.INSERT, 2, 2L, "before"));
    segments.segment(segments.resyncBegin(3), segments.event(Operation.SNAPSHOT_READ, 4, 1L, "read"));
    segments.segment(segments.event(Operation.SNAPSHOT_READ, 5, 3L, "read"), segments.event(Operation.DELETE, 6, 3L, null),
        segments.event(Operation.INSERT, 7, 4L, "streamed"));
    segments.segment(segments.event(Operation.UPDATE, 8, 5L, "streamed"), segments.resyncEnd(9),
        segments.event(Operation.INSERT, 10, 6L, "after the end"));

    ResyncWindow.Found window = found(read(9));

    assertThat(window.begin()).isEqualTo(position(3));
    assertAlive(window, 1, 4, 5);
    assertThat(window.segmentsRead()).as("the segment before the begin is not read").isEqualTo(3);
  }

  @Test
  void theLatestBeginBeforeTheEndCountsAndChangesBeforeItDoNot() {
    segments.segment(segments.resyncBegin(1), segments.event(Operation.SNAPSHOT_READ, 2, 1L, "first attempt"),
        segments.resyncBegin(3), segments.event(Operation.SNAPSHOT_READ, 4, 2L, "second attempt"),
        segments.truncate(5), segments.event(Operation.SNAPSHOT_READ, 6, 7L, "after truncate"),
        segments.resyncEnd(7), segments.resyncBegin(8));

    ResyncWindow.Found window = found(read(7));

    assertThat(window.begin()).isEqualTo(position(3));
    assertAlive(window, 7);
  }

  @Test
  void rangesStagedAgainByARestartedGatewayGiveTheSameKeys() {
    segments.segment(segments.event(Operation.INSERT, 1, 9L, "before"), segments.resyncBegin(2),
        segments.event(Operation.SNAPSHOT_READ, 3, 1L, "read"), segments.event(Operation.SNAPSHOT_READ, 4, 2L, "read"),
        segments.event(Operation.SNAPSHOT_READ, 5, 3L, "read"));
    // The gateway restarted and staged positions 4.. again, then went on.
    segments.segment(segments.event(Operation.SNAPSHOT_READ, 4, 2L, "read"),
        segments.event(Operation.SNAPSHOT_READ, 5, 3L, "read"), segments.event(Operation.DELETE, 6, 3L, null),
        segments.event(Operation.SNAPSHOT_READ, 7, 4L, "read"));
    // And once more from 6, through the end.
    segments.segment(segments.event(Operation.DELETE, 6, 3L, null), segments.event(Operation.SNAPSHOT_READ, 7, 4L, "read"),
        segments.event(Operation.DELETE, 8, 1L, null), segments.resyncEnd(9));
    segments.segment(segments.event(Operation.DELETE, 8, 1L, null), segments.resyncEnd(9),
        segments.event(Operation.INSERT, 10, 3L, "after the end"));

    ResyncWindow.Found window = found(read(9));

    assertThat(window.begin()).isEqualTo(position(2));
    assertAlive(window, 2, 4);
  }

  @Test
  void anEndWhoseBeginIsNoLongerStagedFindsNothing() {
    ManifestRecord withBegin = segments.segment(segments.resyncBegin(1), segments.event(Operation.SNAPSHOT_READ, 2, 1L, "r"));
    segments.segment(segments.event(Operation.SNAPSHOT_READ, 3, 2L, "read"), segments.resyncEnd(4));
    staging.deleteSegment(withBegin.segmentPath());

    assertThat(read(4)).isInstanceOfSatisfying(ResyncWindow.Incomplete.class, incomplete ->
        assertThat(incomplete.reason()).contains("no RESYNC_BEGIN before it is staged", "1 segments searched"));
  }

  @Test
  void aBeginAfterTheEndDoesNotCount() {
    segments.segment(segments.event(Operation.SNAPSHOT_READ, 1, 1L, "read"), segments.resyncEnd(2), segments.resyncBegin(3));

    assertThat(read(2)).isInstanceOf(ResyncWindow.Incomplete.class);
  }

  @Test
  void anEndThatNoSegmentReachesFindsNothing() {
    segments.segment(segments.resyncBegin(1), segments.event(Operation.SNAPSHOT_READ, 2, 1L, "read"));

    assertThat(read(5)).isInstanceOfSatisfying(ResyncWindow.Incomplete.class, incomplete ->
        assertThat(incomplete.reason()).contains("no staged segment reaches position " + position(5)));
  }
}
