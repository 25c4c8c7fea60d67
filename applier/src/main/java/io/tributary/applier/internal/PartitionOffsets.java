package io.tributary.applier.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Which Kafka offset of each assigned partition may be committed. Several tables share a
 * partition, so a partition's offset may only move past what every one of them has applied: it is
 * the lowest offset still pending (or held by a stopped table), or one past the last record read.
 * Polling thread only.
 */
final class PartitionOffsets {
  private final Map<Integer, Long> nextOffsets = new HashMap<>();
  private final Map<Integer, Long> holds = new HashMap<>();
  private final Map<Integer, Long> committed = new HashMap<>();

  /** A record was read at {@code offset}. */
  void read(int partition, long offset) {
    nextOffsets.merge(partition, offset + 1, Math::max);
  }

  /** A record that belongs to no table can never be applied: hold the partition there. */
  void hold(int partition, long offset) {
    holds.merge(partition, offset, Math::min);
  }

  /**
   * The offsets to commit now: for each partition, the committable offset if it differs from the
   * last one committed.
   *
   * @param firstUnacknowledged the lowest unacknowledged offset of the tables of a partition
   */
  Map<Integer, Long> toCommit(Collection<Integer> partitions, Function<Integer, OptionalLong> firstUnacknowledged) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (int partition : partitions) {
      Long next = nextOffsets.get(partition);
      if (next == null) {
        continue;
      }
      long committable = next;
      OptionalLong pending = firstUnacknowledged.apply(partition);
      if (pending.isPresent()) {
        committable = Math.min(committable, pending.getAsLong());
      }
      Long hold = holds.get(partition);
      if (hold != null) {
        committable = Math.min(committable, hold);
      }
      if (!Long.valueOf(committable).equals(committed.get(partition))) {
        offsets.put(partition, committable);
      }
    }
    return offsets;
  }

  /** Whether a record of the partition that belongs to no table holds its offset. */
  boolean isHeld(int partition) {
    return holds.containsKey(partition);
  }

  void committed(Map<Integer, Long> offsets) {
    committed.putAll(offsets);
  }

  Collection<Integer> partitions() {
    return nextOffsets.keySet();
  }

  void forget(Collection<Integer> partitions) {
    for (int partition : partitions) {
      nextOffsets.remove(partition);
      holds.remove(partition);
      committed.remove(partition);
    }
  }
}
