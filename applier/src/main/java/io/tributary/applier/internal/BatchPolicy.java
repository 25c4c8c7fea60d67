package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When a table's pending manifests are applied, and how many in one commit: the batching that adapts
 * to lag.
 *
 * <ul>
 *   <li>A table that is <b>caught up</b> applies what it has as soon as it has it: each manifest alone
 *       when they arrive one by one, or what arrived while the previous commit was made. This gives
 *       the latency of continuous mode; under a steady load the batches grow by themselves to what
 *       arrives during one commit.
 *   <li>A table that is <b>behind</b> (its oldest pending manifest was announced at least
 *       {@code behindLag} ago) gathers manifests until it has {@code maxSegments} or its oldest has
 *       waited {@code maxWait} here: fewer, larger commits, so that it catches up.
 *   <li>{@code maxSegments} pending always makes a full batch, applied at once.
 * </ul>
 *
 * <p>How long ago a manifest was announced is measured against the gateway's clock
 * ({@code createdAtMillis}); a skew between the hosts' clocks moves the point at which a table counts
 * as behind by as much.
 */
final class BatchPolicy {
  private final int maxSegments;
  private final long maxWaitMillis;
  private final long behindLagMillis;

  BatchPolicy(int maxSegments, Duration maxWait, Duration behindLag) {
    if (maxSegments < 1) {
      throw new IllegalArgumentException("maxSegments must be >= 1: " + maxSegments);
    }
    this.maxSegments = maxSegments;
    this.maxWaitMillis = requireNonNull(maxWait, "maxWait is null").toMillis();
    this.behindLagMillis = requireNonNull(behindLag, "behindLag is null").toMillis();
  }

  /**
   * What a table holds pending.
   *
   * @param count pending manifests
   * @param oldestReceivedMillis when the applier read the oldest of them
   * @param oldestAnnouncedMillis when the gateway announced the oldest of them
   */
  record Pending(int count, long oldestReceivedMillis, long oldestAnnouncedMillis) {}

  int maxSegments() {
    return maxSegments;
  }

  /** Whether a table with {@code pending} counts as behind at {@code nowMillis}. */
  boolean behind(Pending pending, long nowMillis) {
    return pending.count() > 0 && nowMillis - pending.oldestAnnouncedMillis() >= behindLagMillis;
  }

  /**
   * When the pending manifests are due: {@code nowMillis} or earlier means now; {@link Long#MAX_VALUE}
   * when nothing is pending.
   */
  long dueAtMillis(Pending pending, long nowMillis) {
    if (pending.count() == 0) {
      return Long.MAX_VALUE;
    }
    if (pending.count() >= maxSegments || !behind(pending, nowMillis)) {
      return nowMillis;
    }
    return pending.oldestReceivedMillis() + maxWaitMillis;
  }

  /** Whether the pending manifests are to be applied at {@code nowMillis}. */
  boolean due(Pending pending, long nowMillis) {
    return dueAtMillis(pending, nowMillis) <= nowMillis;
  }

  /** How many of the pending manifests go into the next commit. */
  int batchSize(Pending pending) {
    return Math.min(pending.count(), maxSegments);
  }
}
