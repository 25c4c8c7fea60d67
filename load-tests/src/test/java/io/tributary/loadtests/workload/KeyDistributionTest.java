package io.tributary.loadtests.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyDistributionTest {
  @Test
  void readsEachDistribution() {
    assertThat(KeyDistribution.parse("sequential")).isEqualTo(new KeyDistribution.Sequential());
    assertThat(KeyDistribution.parse(" Uniform ")).isEqualTo(new KeyDistribution.Uniform());
    assertThat(KeyDistribution.parse("zipf")).isEqualTo(new KeyDistribution.Zipf(1.0));
    assertThat(KeyDistribution.parse("zipf:1.3")).isEqualTo(new KeyDistribution.Zipf(1.3));
    assertThat(KeyDistribution.parse("zipf:1.3")).hasToString("zipf:1.3");
  }

  @Test
  void namesWhatItCannotRead() {
    assertThatThrownBy(() -> KeyDistribution.parse("normal"))
        .hasMessage("unknown key distribution 'normal': expected sequential, uniform, zipf or zipf:<exponent>");
    assertThatThrownBy(() -> KeyDistribution.parse("zipf:x")).hasMessage("the Zipf exponent must be a number: zipf:x");
    assertThatThrownBy(() -> KeyDistribution.parse("zipf:-1")).hasMessageContaining("positive");
  }

  @Test
  void sequentialVisitsEveryKeyInTurnAndStartsAgain() {
    LiveKeys keys = keys(new KeyDistribution.Sequential(), 10, 20, 30);
    SplittableRandom random = new SplittableRandom(1);
    List<Long> chosen = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      chosen.add(keys.get(keys.choose(random)));
    }
    assertThat(chosen).containsExactly(10L, 20L, 30L, 10L, 20L, 30L, 10L);
  }

  @Test
  void zipfPrefersTheNewestKeys() {
    LiveKeys keys = keys(new KeyDistribution.Zipf(1.0), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    SplittableRandom random = new SplittableRandom(3);
    int[] counts = new int[11];
    for (int i = 0; i < 10_000; i++) {
      counts[(int) keys.get(keys.choose(random))]++;
    }
    // Rank 1 (key 10) about 34 % of the time, rank 10 (key 1) about 3.4 %.
    assertThat(counts[10]).isGreaterThan(3_000);
    assertThat(counts[10]).isGreaterThan(counts[9]);
    assertThat(counts[9]).isGreaterThan(counts[5]);
    assertThat(counts[1]).isBetween(200, 500);
  }

  @Test
  void aDeletedKeyIsNeverChosenAgain() {
    LiveKeys keys = keys(new KeyDistribution.Uniform(), 1, 2, 3);
    keys.remove(0);
    assertThat(keys.size()).isEqualTo(2);
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 100; i++) {
      assertThat(keys.get(keys.choose(random))).isIn(2L, 3L);
    }
    keys.remove(0);
    keys.remove(0);
    assertThatThrownBy(() -> keys.choose(random)).isInstanceOf(IllegalStateException.class);
  }

  private static LiveKeys keys(KeyDistribution distribution, long... values) {
    LiveKeys keys = new LiveKeys(distribution);
    for (long value : values) {
      keys.add(value);
    }
    return keys;
  }
}
