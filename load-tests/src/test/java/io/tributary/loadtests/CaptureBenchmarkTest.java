package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureBenchmarkTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theWarmRateIsTimedFromTheFirstPointPastAThirdOfTheChanges() {
    // 900 changes: the point at 200 is still warming up, the one at 400 is the first past 300.
    List<CaptureBenchmark.Progress> progress = List.of(new CaptureBenchmark.Progress(SECOND, 200),
        new CaptureBenchmark.Progress(3 * SECOND, 400), new CaptureBenchmark.Progress(4 * SECOND, 650));

    assertThat(CaptureBenchmark.warmRate(progress, 900, 8 * SECOND)).isCloseTo(100.0, within(1e-9));
  }

  @Test
  void aPointExactlyAtTheWarmUpShareCounts() {
    List<CaptureBenchmark.Progress> progress = List.of(new CaptureBenchmark.Progress(2 * SECOND, 300));

    assertThat(CaptureBenchmark.warmRate(progress, 900, 5 * SECOND)).isCloseTo(200.0, within(1e-9));
  }

  @Test
  void withoutAPointBetweenTheWarmUpAndTheEndThereIsNoWarmRate() {
    assertThat(CaptureBenchmark.warmRate(List.of(), 900, 5 * SECOND)).isZero();
    assertThat(CaptureBenchmark.warmRate(List.of(new CaptureBenchmark.Progress(SECOND, 100)), 900, 5 * SECOND))
        .isZero();
    // The only point past the warm-up is the last change itself.
    assertThat(CaptureBenchmark.warmRate(List.of(new CaptureBenchmark.Progress(5 * SECOND, 900)), 900, 5 * SECOND))
        .isZero();
  }
}
