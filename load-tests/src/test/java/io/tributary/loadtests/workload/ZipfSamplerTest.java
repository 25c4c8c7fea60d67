package io.tributary.loadtests.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfSamplerTest {
  private static final int DRAWS = 400_000;

  @Test
  void ranksFollowTheZipfLawForSeveralExponents() {
    for (double exponent : new double[] {0.5, 1.0, 1.5, 3.0}) {
      int n = 200;
      long[] counts = draw(exponent, n);
      double normalizer = 0;
      for (int k = 1; k <= n; k++) {
        normalizer += Math.pow(k, -exponent);
      }
      for (int k : new int[] {1, 2, 3, 10, 50, 200}) {
        double expected = Math.pow(k, -exponent) / normalizer;
        double observed = counts[k] / (double) DRAWS;
        // Five standard deviations of a binomial share: a fixed seed, so this never flickers.
        double tolerance = 5 * Math.sqrt(expected * (1 - expected) / DRAWS);
        assertThat(observed).as("rank %d of %d, exponent %s", k, n, exponent).isCloseTo(expected, within(tolerance));
      }
    }
  }

  @Test
  void staysWithinTheRanksAsTheirNumberChanges() {
    ZipfSampler sampler = new ZipfSampler(1.2);
    SplittableRandom random = new SplittableRandom(7);
    for (long n = 1; n <= 3_000; n++) {
      long rank = sampler.next(random, n);
      assertThat(rank).isBetween(1L, n);
    }
    assertThat(sampler.next(random, 1)).isEqualTo(1);
  }

  @Test
  void refusesWhatIsNoDistribution() {
    assertThatThrownBy(() -> new ZipfSampler(0)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new ZipfSampler(Double.NaN)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new ZipfSampler(1).next(new SplittableRandom(1), 0)).hasMessageContaining(">= 1");
  }

  private static long[] draw(double exponent, int n) {
    ZipfSampler sampler = new ZipfSampler(exponent);
    SplittableRandom random = new SplittableRandom(42);
    long[] counts = new long[n + 1];
    for (int i = 0; i < DRAWS; i++) {
      counts[(int) sampler.next(random, n)]++;
    }
    return counts;
  }
}
