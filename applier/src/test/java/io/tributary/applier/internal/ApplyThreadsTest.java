package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tables' batches run side by side; every outcome comes back in order, failures included. */
class ApplyThreadsTest {
  @Test
  void batchesOfSeveralTablesRunAtOnce() {
    // Each batch waits for the other to start: applied one after the other, neither would finish.
    CountDownLatch started = new CountDownLatch(2);
    Map<String, Integer> batches = new LinkedHashMap<>();
    batches.put("a", 1);
    batches.put("b", 2);

    try (ApplyThreads threads = new ApplyThreads(2)) {
      Map<String, ApplyThreads.Outcome<Boolean>> outcomes = threads.run(batches, (table, batch) -> {
        started.countDown();
        try {
          return started.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });

      assertThat(outcomes).containsOnlyKeys("a", "b");
      assertThat(outcomes.values()).allSatisfy(outcome -> assertThat(outcome.get()).isTrue());
    }
  }

  @Test
  void outcomesFollowTheBatchesAndKeepFailures() {
    Map<String, Integer> batches = new LinkedHashMap<>();
    batches.put("c", 3);
    batches.put("a", 1);
    batches.put("b", 2);

    try (ApplyThreads threads = new ApplyThreads(3)) {
      Map<String, ApplyThreads.Outcome<Integer>> outcomes = threads.run(batches, (table, batch) -> {
        if (table.equals("a")) {
          throw new IllegalArgumentException("table a refused");
        }
        return batch * 10;
      });

      assertThat(outcomes.keySet()).containsExactly("c", "a", "b");
      assertThat(outcomes.get("c").get()).isEqualTo(30);
      assertThat(outcomes.get("b").get()).isEqualTo(20);
      assertThatThrownBy(() -> outcomes.get("a").get()).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("table a refused");
    }
  }

  @Test
  void oneThreadAppliesOnTheCallersThread() {
    Thread caller = Thread.currentThread();
    Map<String, Integer> batches = Map.of("a", 1);

    try (ApplyThreads threads = new ApplyThreads(1)) {
      assertThat(threads.run(batches, (table, batch) -> Thread.currentThread()).get("a").get()).isSameAs(caller);
    }
  }

  @Test
  void atLeastOneThread() {
    assertThatThrownBy(() -> new ApplyThreads(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads must be >= 1: 0");
  }
}
