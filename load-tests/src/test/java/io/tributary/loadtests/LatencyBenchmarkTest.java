package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Percentiles by nearest rank, and the rate where p99 crosses its target. */
class LatencyBenchmarkTest {
  private static LatencyResult.Step step(double rate, double p99) {
    return new LatencyResult.Step(rate, rate, 100, 60, 40, 100, 0.5, p99, p99, p99, 0.5, 1, 10, 0.2, 0.02, 0.01, 0.1,
        0.1, 0.05, 1, "");
  }

  @Test
  void percentilesAreNearestRank() {
    double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    assertThat(LatencyBenchmark.percentile(sorted, 0.5)).isEqualTo(5);
    assertThat(LatencyBenchmark.percentile(sorted, 0.99)).isEqualTo(10);
    assertThat(LatencyBenchmark.percentile(new double[0], 0.5)).isNaN();
  }

  @Test
  void theCrossingIsInterpolatedBetweenTheRatesAroundIt() {
    List<LatencyResult.Step> steps = List.of(step(1000, 1), step(2500, 2), step(5000, 4), step(7500, 9));

    assertThat(LatencyBenchmark.crossing(steps)).isCloseTo(3750, within(0.01));
  }

  @Test
  void noCrossingWhenEveryRateStaysWithin() {
    assertThat(LatencyBenchmark.crossing(List.of(step(1000, 1), step(2500, 2.9)))).isNaN();
  }

  @Test
  void aFirstRateAlreadyOverIsTheCrossing() {
    assertThat(LatencyBenchmark.crossing(List.of(step(1000, 4), step(2500, 8)))).isEqualTo(1000);
  }
}
