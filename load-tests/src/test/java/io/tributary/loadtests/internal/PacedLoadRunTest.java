package io.tributary.loadtests.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A change is visible once it or a later change of its row is; changes not made are not measured. */
class PacedLoadRunTest {
  // Sequence numbers 100..104: 100 inserts row 100, 101 inserts row 101, 102 updates row 100,
  // 103 was not made, 104 updates row 100 again.
  private final PacedLoad.Run run = new PacedLoad.Run(100, new long[] {10, 10, 20, 0, 30},
      new long[] {100, 101, 100, 0, 100}, 0, 30, 2, 2, 3);

  @Test
  void aChangeSupersededInTheSameBatchIsVisibleWithTheLaterOne() {
    // Only 101 and 104 reached the table: 100 and 102 were reduced away in 104's batch.
    long[] visible = run.visibleNanos(sequence -> Map.of(101L, 50L, 104L, 70L).getOrDefault(sequence, 0L));

    assertThat(visible).containsExactly(70, 50, 70, 0, 70);
    assertThat(run.changes()).isEqualTo(4);
    assertThat(run.made(3)).isFalse();
  }

  @Test
  void aChangeSeenItselfKeepsItsOwnMoment() {
    long[] visible = run.visibleNanos(sequence -> Map.of(100L, 40L, 101L, 50L, 104L, 70L).getOrDefault(sequence, 0L));

    assertThat(visible).containsExactly(40, 50, 70, 0, 70);
  }

  @Test
  void aChangeIsNotVisibleWhileNoLaterChangeOfItsRowIs() {
    long[] visible = run.visibleNanos(sequence -> sequence == 101 ? 50L : 0L);

    assertThat(visible).containsExactly(0, 50, 0, 0, 0);
  }
}
