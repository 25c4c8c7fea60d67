package io.tributary.applier.internal;

import io.tributary.staging.ColumnType;
import io.tributary.staging.TableSchema;
import java.util.HashSet;
import java.util.Set;

/**
 * A mutable set of row keys sized for a whole table: the keys a resync read or changed. A key of one
 * integral column (int, bigint, date, timestamp) is held as a primitive {@code long} in an
 * open-addressing table, about 11 to 21 bytes a key; any other key as a {@link RowKey} in a hash
 * set, about 100 bytes a key and more for long strings. Not thread-safe.
 */
abstract sealed class AliveKeys permits AliveKeys.Integral, AliveKeys.Generic {

  /** An empty set for the keys of {@code schema}'s table. */
  static AliveKeys forSchema(TableSchema schema) {
    if (schema.keyColumns().size() == 1) {
      ColumnType.Kind kind = schema.column(schema.keyColumns().get(0)).orElseThrow().type().kind();
      if (kind == ColumnType.Kind.INT || kind == ColumnType.Kind.LONG || kind == ColumnType.Kind.DATE
          || kind == ColumnType.Kind.TIMESTAMP || kind == ColumnType.Kind.TIMESTAMP_NTZ) {
        return new Integral();
      }
    }
    return new Generic();
  }

  abstract void add(RowKey key);

  abstract void remove(RowKey key);

  abstract boolean contains(RowKey key);

  abstract void clear();

  abstract long size();

  /** Keys of one integral column, in a linear-probing table of longs with backward-shift deletion. */
  static final class Integral extends AliveKeys {
    private static final int INITIAL_CAPACITY = 1 << 10;
    private static final int MAX_CAPACITY = 1 << 30;

    /** Slots; 0 marks a free slot, so the key 0 is held by {@link #hasZero}. */
    private long[] slots = new long[INITIAL_CAPACITY];
    private int used;
    private boolean hasZero;
    private boolean hasNull;

    @Override
    void add(RowKey key) {
      Number value = (Number) key.value(0);
      if (value == null) {
        hasNull = true;
      } else if (value.longValue() == 0) {
        hasZero = true;
      } else {
        int slot = find(value.longValue());
        if (slots[slot] == 0) {
          slots[slot] = value.longValue();
          used++;
          // Kept at most three quarters full so that probes stay short.
          if (used * 4L > slots.length * 3L) {
            grow();
          }
        }
      }
    }

    @Override
    void remove(RowKey key) {
      Number value = (Number) key.value(0);
      if (value == null) {
        hasNull = false;
      } else if (value.longValue() == 0) {
        hasZero = false;
      } else {
        int slot = find(value.longValue());
        if (slots[slot] != 0) {
          slots[slot] = 0;
          used--;
          shiftBack(slot);
        }
      }
    }

    @Override
    boolean contains(RowKey key) {
      Number value = (Number) key.value(0);
      if (value == null) {
        return hasNull;
      }
      return value.longValue() == 0 ? hasZero : slots[find(value.longValue())] != 0;
    }

    @Override
    void clear() {
      slots = new long[INITIAL_CAPACITY];
      used = 0;
      hasZero = false;
      hasNull = false;
    }

    @Override
    long size() {
      return used + (hasZero ? 1 : 0) + (hasNull ? 1 : 0);
    }

    /** The slot holding {@code value}, or the free slot where it would go. */
    private int find(long value) {
      int mask = slots.length - 1;
      int slot = hash(value) & mask;
      while (slots[slot] != 0 && slots[slot] != value) {
        slot = (slot + 1) & mask;
      }
      return slot;
    }

    /** Moves the entries after a freed slot back so that every entry stays reachable from its home slot. */
    private void shiftBack(int freed) {
      int mask = slots.length - 1;
      int gap = freed;
      for (int slot = (gap + 1) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
        int home = hash(slots[slot]) & mask;
        // Movable unless its home lies cyclically in (gap, slot].
        if (((slot - home) & mask) >= ((slot - gap) & mask)) {
          slots[gap] = slots[slot];
          slots[slot] = 0;
          gap = slot;
        }
      }
    }

    private void grow() {
      long[] old = slots;
      if (old.length >= MAX_CAPACITY) {
        throw new IllegalStateException("More than " + (MAX_CAPACITY / 4 * 3) + " keys alive in one resync");
      }
      slots = new long[old.length * 2];
      for (long value : old) {
        if (value != 0) {
          slots[find(value)] = value;
        }
      }
    }

    private static int hash(long value) {
      long mixed = value * 0x9E3779B97F4A7C15L;
      return (int) (mixed ^ (mixed >>> 32));
    }

    @Override
    public String toString() {
      return "AliveKeys[" + size() + " integral keys in " + slots.length + " slots]";
    }
  }

  /** Keys of any other shape. */
  static final class Generic extends AliveKeys {
    private final Set<RowKey> keys = new HashSet<>();

    @Override
    void add(RowKey key) {
      keys.add(key);
    }

    @Override
    void remove(RowKey key) {
      keys.remove(key);
    }

    @Override
    boolean contains(RowKey key) {
      return keys.contains(key);
    }

    @Override
    void clear() {
      keys.clear();
    }

    @Override
    long size() {
      return keys.size();
    }

    @Override
    public String toString() {
      return "AliveKeys[" + keys.size() + " keys]";
    }
  }
}
