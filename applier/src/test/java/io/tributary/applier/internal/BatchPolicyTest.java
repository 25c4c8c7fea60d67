package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Caught up: apply at once; behind: gather up to the maximum within the wait; full: at once. */
class BatchPolicyTest {
  private static final long NOW = 1_000_000;
  private final BatchPolicy policy = new BatchPolicy(64, Duration.ofMillis(200), Duration.ofSeconds(2));

  @Test
  void nothingPendingIsNeverDue() {
    BatchPolicy.Pending none = new BatchPolicy.Pending(0, Long.MAX_VALUE, Long.MAX_VALUE);

    assertThat(policy.due(none, NOW)).isFalse();
    assertThat(policy.dueAtMillis(none, NOW)).isEqualTo(Long.MAX_VALUE);
    assertThat(policy.batchSize(none)).isZero();
  }

  @Test
  void aCaughtUpTableAppliesEachManifestAsItArrives() {
    BatchPolicy.Pending justArrived = new BatchPolicy.Pending(1, NOW, NOW - 30);

    assertThat(policy.behind(justArrived, NOW)).isFalse();
    assertThat(policy.due(justArrived, NOW)).isTrue();
    assertThat(policy.batchSize(justArrived)).isEqualTo(1);
  }

  @Test
  void aCaughtUpTableAppliesTogetherWhatArrivedDuringTheLastCommit() {
    BatchPolicy.Pending arrivedMeanwhile = new BatchPolicy.Pending(3, NOW - 150, NOW - 400);

    assertThat(policy.due(arrivedMeanwhile, NOW)).isTrue();
    assertThat(policy.batchSize(arrivedMeanwhile)).isEqualTo(3);
  }

  @Test
  void aTableBehindGathersUntilTheWaitIsOver() {
    BatchPolicy.Pending behind = new BatchPolicy.Pending(5, NOW - 50, NOW - 10_000);

    assertThat(policy.behind(behind, NOW)).isTrue();
    assertThat(policy.due(behind, NOW)).isFalse();
    assertThat(policy.dueAtMillis(behind, NOW)).isEqualTo(NOW - 50 + 200);
    assertThat(policy.due(behind, NOW + 150)).isTrue();
    assertThat(policy.batchSize(behind)).isEqualTo(5);
  }

  @Test
  void aTableCountsAsBehindFromTheLagOn() {
    assertThat(policy.behind(new BatchPolicy.Pending(1, NOW, NOW - 1_999), NOW)).isFalse();
    assertThat(policy.behind(new BatchPolicy.Pending(1, NOW, NOW - 2_000), NOW)).isTrue();
  }

  @Test
  void aFullBatchIsDueAtOnceAndTakesTheMaximum() {
    BatchPolicy.Pending full = new BatchPolicy.Pending(200, NOW, NOW - 60_000);

    assertThat(policy.due(full, NOW)).isTrue();
    assertThat(policy.batchSize(full)).isEqualTo(64);
  }

  @Test
  void aZeroBehindLagGathersAlwaysAsBeforeAndAZeroWaitNever() {
    BatchPolicy gathering = new BatchPolicy(64, Duration.ofMillis(200), Duration.ZERO);
    BatchPolicy.Pending fresh = new BatchPolicy.Pending(1, NOW, NOW);
    assertThat(gathering.due(fresh, NOW)).isFalse();
    assertThat(gathering.due(fresh, NOW + 200)).isTrue();

    BatchPolicy immediate = new BatchPolicy(64, Duration.ZERO, Duration.ZERO);
    assertThat(immediate.due(fresh, NOW)).isTrue();
  }

  @Test
  void refusesAnEmptyBatch() {
    assertThatThrownBy(() -> new BatchPolicy(0, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("maxSegments must be >= 1: 0");
  }
}
