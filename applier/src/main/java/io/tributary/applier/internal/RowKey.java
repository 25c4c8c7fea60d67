package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The primary-key values of one row, comparable and usable as a map key whatever the column types
 * ({@code byte[]} compares by content, decimals by value). Keys order component by component,
 * nulls first, binary values as unsigned bytes: the order rows are written in, so that files stay
 * clustered by key.
 */
public final class RowKey implements Comparable<RowKey> {
  /** Orders keys as {@link #compareTo} does. */
  public static final Comparator<RowKey> ORDER = RowKey::compareTo;

  private final Object[] values;
  private final int hash;

  private RowKey(Object[] values) {
    this.values = values;
    this.hash = Arrays.deepHashCode(values);
  }

  /** The key of a row whose values follow the table's columns. */
  public static RowKey of(Object[] row, int[] keyIndexes) {
    requireNonNull(row, "row is null");
    Object[] values = new Object[keyIndexes.length];
    for (int i = 0; i < keyIndexes.length; i++) {
      values[i] = normalize(row[keyIndexes[i]]);
    }
    return new RowKey(values);
  }

  /** The first key component of a row, as {@link #value(int) value(0)} of its key, without making the key. */
  public static Object first(Object[] row, int[] keyIndexes) {
    return normalize(row[keyIndexes[0]]);
  }

  /** Orders rows by their keys as {@link #compareTo} orders the keys, without making a key per comparison. */
  public static Comparator<Object[]> rowOrder(int[] keyIndexes) {
    int[] indexes = keyIndexes.clone();
    return (left, right) -> {
      for (int index : indexes) {
        int result = compareValues(left[index], right[index]);
        if (result != 0) {
          return result;
        }
      }
      return 0;
    };
  }

  /** The key made of exactly these values. */
  public static RowKey ofValues(Object... values) {
    Object[] copy = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      copy[i] = normalize(values[i]);
    }
    return new RowKey(copy);
  }

  public int size() {
    return values.length;
  }

  /** The value of the key's {@code index}-th column, possibly null (decimals without trailing zeros). */
  public Object value(int index) {
    return values[index];
  }

  public boolean hasNull() {
    for (Object value : values) {
      if (value == null) {
        return true;
      }
    }
    return false;
  }

  /** A key value as keys hold it: decimals without trailing zeros. */
  static Object normalize(Object value) {
    return value instanceof BigDecimal decimal ? decimal.stripTrailingZeros() : value;
  }

  @Override
  public int compareTo(RowKey other) {
    int length = Math.min(values.length, other.values.length);
    for (int i = 0; i < length; i++) {
      int result = compareValues(values[i], other.values[i]);
      if (result != 0) {
        return result;
      }
    }
    return Integer.compare(values.length, other.values.length);
  }

  /** Compares two values of the same column type, nulls first. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compareValues(Object left, Object right) {
    if (left == null || right == null) {
      return left == null ? (right == null ? 0 : -1) : 1;
    }
    if (left instanceof byte[] a && right instanceof byte[] b) {
      return Arrays.compareUnsigned(a, b);
    }
    return ((Comparable) left).compareTo(right);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RowKey that && hash == that.hash && Arrays.deepEquals(values, that.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return Arrays.deepToString(values);
  }
}
