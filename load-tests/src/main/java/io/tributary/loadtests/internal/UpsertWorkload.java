package io.tributary.loadtests.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The changes of benchmark {@code apply}'s upsert part: a table of {@code rows} rows (keys 0 to
 * rows - 1), then batches of changes, each touching a key at most once: updates and deletes of
 * existing keys drawn uniformly over the whole key range, and inserts of new keys after the highest.
 * Deterministic: every process that makes the batches from the same settings makes the same ones.
 */
public final class UpsertWorkload {
  /** Shares of a batch's changes, in percent. */
  public static final int UPDATE_PERCENT = 70;
  public static final int INSERT_PERCENT = 20;
  public static final int DELETE_PERCENT = 10;

  /** One change: an operation code ({@code c}, {@code u}, {@code d}) and the row's values (the key only for a delete). */
  public record Change(String op, long key, Object[] values) {}

  private final int changesPerBatch;
  private final SplittableRandom random;
  private final BitSet alive = new BitSet();
  /** The version each key's row is at, to make an update's new values. */
  private final HashMap<Long, Integer> versions = new HashMap<>();
  private long nextKey;

  public UpsertWorkload(long rows, int changesPerBatch, long seed) {
    if (rows < 1 || rows > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("rows must be between 1 and " + Integer.MAX_VALUE / 2 + ": " + rows);
    }
    if (changesPerBatch < 10 || changesPerBatch > rows / 2) {
      throw new IllegalArgumentException("changes per batch must be between 10 and half the rows: " + changesPerBatch);
    }
    this.changesPerBatch = changesPerBatch;
    this.random = new SplittableRandom(seed);
    alive.set(0, (int) rows);
    nextKey = rows;
  }

  /** The next batch of changes, in the order the source made them. */
  public List<Change> nextBatch() {
    int inserts = changesPerBatch * INSERT_PERCENT / 100;
    int deletes = changesPerBatch * DELETE_PERCENT / 100;
    int updates = changesPerBatch - inserts - deletes;
    BitSet touched = new BitSet();
    List<Change> changes = new ArrayList<>(changesPerBatch);
    int madeUpdates = 0;
    int madeDeletes = 0;
    while (changes.size() < changesPerBatch) {
      int pick = random.nextInt(changesPerBatch - changes.size());
      if (pick < updates - madeUpdates) {
        long key = existingKey(touched);
        int version = versions.merge(key, 1, Integer::sum);
        changes.add(new Change("u", key, OrderRows.row(key, version)));
        madeUpdates++;
      } else if (pick < updates - madeUpdates + deletes - madeDeletes) {
        long key = existingKey(touched);
        alive.clear((int) key);
        versions.remove(key);
        changes.add(new Change("d", key, OrderRows.keyOnly(key)));
        madeDeletes++;
      } else {
        long key = nextKey++;
        touched.set((int) key);
        alive.set((int) key);
        changes.add(new Change("c", key, OrderRows.row(key, 0)));
      }
    }
    return changes;
  }

  /** A key alive now and not yet changed in this batch, drawn uniformly over the key range. */
  private long existingKey(BitSet touched) {
    while (true) {
      int key = (int) random.nextLong(nextKey);
      if (alive.get(key) && !touched.get(key)) {
        touched.set(key);
        return key;
      }
    }
  }

  /** Keys alive after the batches made so far. */
  public long aliveRows() {
    return alive.cardinality();
  }
}
