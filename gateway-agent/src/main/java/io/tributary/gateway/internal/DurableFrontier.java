package io.tributary.gateway.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latest delivered record up to which every change is in an acknowledged segment: the only
 * record whose offset may be committed.
 *
 * <p>Records are numbered in delivery order. A table's open segment {@link #hold holds} the frontier
 * back to the record delivered just before the segment's first change; {@link #release acknowledging}
 * the segment lifts the hold. The frontier is the record just before the oldest hold, or, with no
 * hold, the last record delivered. Records that stage nothing (heartbeats) therefore move the
 * frontier only when no segment is open before them. Because Debezium offsets are cumulative per
 * source partition, committing the frontier's offset commits exactly the changes that are durable.
 *
 * @param <R> the record type (Debezium's change event; a string in tests)
 */
final class DurableFrontier<R> {
  private record Hold<R>(long ordinal, R before) {}

  private final Map<Object, Hold<R>> holds = new HashMap<>();
  private long delivered;
  private R last;
  private R previous;
  private long advancedTo;

  /** Records a delivered record; call before staging its change. */
  void deliver(R record) {
    previous = last;
    last = record;
    delivered++;
  }

  /** The change of the last delivered record opened a segment under {@code key}. */
  void hold(Object key) {
    if (delivered == 0) {
      throw new IllegalStateException("no record delivered");
    }
    holds.putIfAbsent(key, new Hold<>(delivered, previous));
  }

  /** The segment under {@code key} is acknowledged (or was never opened). */
  void release(Object key) {
    holds.remove(key);
  }

  /** The last delivered record, if any. */
  Optional<R> last() {
    return Optional.ofNullable(last);
  }

  /** The current frontier record, if there is one. */
  Optional<R> frontier() {
    Hold<R> oldest = oldestHold();
    return Optional.ofNullable(oldest == null ? last : oldest.before());
  }

  /** The frontier if it moved past the one returned last time. */
  Optional<R> advance() {
    Hold<R> oldest = oldestHold();
    long ordinal = oldest == null ? delivered : oldest.ordinal() - 1;
    R record = oldest == null ? last : oldest.before();
    if (ordinal <= advancedTo || record == null) {
      return Optional.empty();
    }
    advancedTo = ordinal;
    return Optional.of(record);
  }

  /** Whether any open segment holds the frontier back. */
  boolean holding() {
    return !holds.isEmpty();
  }

  private Hold<R> oldestHold() {
    Hold<R> oldest = null;
    for (Hold<R> hold : holds.values()) {
      if (oldest == null || hold.ordinal() < oldest.ordinal()) {
        oldest = hold;
      }
    }
    return oldest;
  }
}
