package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentNameTest {
  private static final TableId TABLE = TableId.parse("shop.public.orders");

  @TempDir
  java.nio.file.Path directory;

  private URI path(SourcePosition first, SourcePosition last) {
    try (StagingStore store = StagingStore.open(new StagingConfig(directory.toUri(), Optional.empty(), Map.of(),
        java.time.Duration.ofDays(30), StagingConfig.UnappliedPastRetention.RESYNC), Clock.systemUTC())) {
      return store.segmentPath(TABLE, LocalDate.of(2026, 11, 21), 7, first, last);
    }
  }

  @Test
  void namesWritePositionsCompactlyAndReadThemBackWhole() {
    SourcePosition first = SourcePosition.of(1, 0x1c619c8, 0x1c619c8, 0);
    SourcePosition last = new SourcePosition(SourcePosition.of(1, 0x1c7f0a8, 0x1c7f200, 0).value() + "-"
        + SourcePosition.of((3L << 40) | 0x78d).value());
    URI segment = path(first, last);

    assertThat(segment.getPath()).endsWith("/000000000007_1-1c619c8-1c619c8-0_1-1c7f0a8-1c7f200-0-3000000078d.parquet");
    assertThat(StagingStore.lastPositionOf(segment)).isEqualTo(last);
    assertThat(StagingStore.sequenceOf(segment)).isEqualTo(7);
  }

  @Test
  void namesOfEarlierVersionsWithWholePositionsStillRead() {
    SourcePosition last = SourcePosition.of(1, 90, 110, 0);
    URI old = URI.create("file:/staging/shop/public.orders/2026-11-21/000000000003_" + SourcePosition.of(1, 80, 80, 0)
        + "_" + last + ".parquet");
    assertThat(StagingStore.lastPositionOf(old)).isEqualTo(last);
    assertThat(StagingStore.sequenceOf(old)).isEqualTo(3);
  }

  @Test
  void aRangeTooLongForAFileNameKeepsOnlyItsLastPosition() {
    long[] wide = {1, -1L, -2L, -3L, -4L, -5L, -6L, -7L};
    SourcePosition first = SourcePosition.of(wide);
    SourcePosition last = SourcePosition.of(1, -1L, -2L, -3L, -4L, -5L, -6L, -8L);
    URI segment = path(first, last);

    assertThat(new org.apache.hadoop.fs.Path(segment).getName()).hasSizeLessThanOrEqualTo(255)
        .doesNotContain(StagingStore.compact(first));
    assertThat(StagingStore.lastPositionOf(segment)).isEqualTo(last);
  }
}
