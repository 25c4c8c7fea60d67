package io.tributary.loadtests.workload;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The keys of one table that one connection of a workload made and has not deleted, in the order
 * it made them, and the choice of one of them by a {@link KeyDistribution}. Connections own
 * disjoint keys, so that their transactions never wait for one another's row locks.
 */
final class LiveKeys {
  private final KeyDistribution distribution;
  private final ZipfSampler zipf;
  private long[] keys = new long[64];
  private int size;
  private int cursor;

  LiveKeys(KeyDistribution distribution) {
    this.distribution = distribution;
    this.zipf = distribution instanceof KeyDistribution.Zipf z ? new ZipfSampler(z.exponent()) : null;
  }

  int size() {
    return size;
  }

  long get(int index) {
    return keys[index];
  }

  void add(long key) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
    }
    keys[size++] = key;
  }

  /** Removes the key at {@code index}; the newest key takes its place. */
  void remove(int index) {
    keys[index] = keys[--size];
  }

  /** The position of a key chosen by the distribution; there must be at least one. */
  int choose(SplittableRandom random) {
    if (size == 0) {
      throw new IllegalStateException("no keys to choose from");
    }
    if (zipf != null) {
      return size - (int) zipf.next(random, size);
    }
    if (distribution instanceof KeyDistribution.Uniform) {
      return random.nextInt(size);
    }
    if (cursor >= size) {
      cursor = 0;
    }
    return cursor++;
  }
}
