package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.TableId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotProgressTest {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");

  @Test
  void reportsShareRateAndTimeLeftAgainstTheEstimate() {
    SnapshotProgress progress = new SnapshotProgress(ORDERS, 0);
    progress.estimate(10_000);
    for (int i = 0; i < 2_500; i++) {
      progress.read(1_000 + i);
    }
    assertThat(progress.fraction()).isEqualTo(0.25);
    assertThat(progress.estimated()).isEqualTo(10_000);
    assertThat(progress.describe(3_500)).isEqualTo("2,500 of about 10,000 rows (25%), 1,000 rows/s, about 8 s left");
    assertThat(progress.secondsLeft(3_500)).isEqualTo(7.5);

    assertThat(progress.completed(4_000)).contains("2500 rows in 3.0 s");
    assertThat(progress.completed(5_000)).as("once").isEmpty();
    assertThat(progress.fraction()).isEqualTo(1.0);
    assertThat(progress.secondsLeft(5_000)).isZero();
  }

  @Test
  void progressIsOfferedForTheEventLogOnceAMinuteAtMost() {
    SnapshotProgress progress = new SnapshotProgress(ORDERS, 0);
    progress.estimate(1_000_000);
    List<String> reports = new ArrayList<>();
    for (long millis = 0; millis <= 150_000; millis += 100) {
      progress.read(millis).ifPresent(reports::add);
    }
    assertThat(reports).containsExactly(
        "601 of about 1,000,000 rows (0%), 10 rows/s, about 99,774 s left",
        "1,201 of about 1,000,000 rows (0%), 10 rows/s, about 99,797 s left");
  }

  @Test
  void withoutAnEstimateOnlyRowsAndRateAreKnown() {
    SnapshotProgress progress = new SnapshotProgress(ORDERS, 0);
    progress.read(0);
    progress.read(500);
    assertThat(progress.estimated()).isNaN();
    assertThat(progress.fraction()).isNaN();
    assertThat(progress.describe(1_000)).isEqualTo("2 rows, 2 rows/s");
    assertThat(progress.secondsLeft(1_000)).isNaN();

    SnapshotProgress empty = new SnapshotProgress(ORDERS, 0);
    empty.estimate(0);
    assertThat(empty.fraction()).isEqualTo(1.0);
  }

  @Test
  void moreRowsThanEstimatedCapAtTheWhole() {
    SnapshotProgress progress = new SnapshotProgress(ORDERS, 0);
    progress.estimate(2);
    progress.read(0);
    progress.read(1);
    progress.read(2);
    assertThat(progress.fraction()).isEqualTo(1.0);
    assertThat(progress.describe(1_000)).startsWith("3 of about 2 rows (100%)");
  }
}
