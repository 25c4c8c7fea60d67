package io.tributary.applier.internal;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.util.Arrays;

/**
 * Whether a row read from a data file may have one of a batch's keys, told from the hash of its first
 * key component before the row's whole key is made: a batch marking rows in a large file looks at
 * every row of it, and most are not the batch's. A bit per hash bucket, sixteen buckets per key or
 * more, so that about one row in sixteen of those not in the batch is looked at further; a row in the
 * batch always is. Integer, date, long and timestamp values are hashed without boxing them.
 *
 * <p>The values read must be of the key's type in the batch (no widening since the file was written):
 * their hashes are those of {@link RowKey#value(int) the batch's key values}.
 */
final class FirstKeyFilter {
  private static final int MIN_BITS = 10;

  private final long[] words;
  private final int shift;

  private FirstKeyFilter(long[] words, int shift) {
    this.words = words;
    this.shift = shift;
  }

  /** A filter passing every row whose first key component is that of one of {@code keys}. */
  static FirstKeyFilter of(Iterable<RowKey> keys, int size) {
    int bits = Math.max(MIN_BITS, 32 - Integer.numberOfLeadingZeros(Math.max(1, size) * 16 - 1));
    bits = Math.min(bits, 30);
    FirstKeyFilter filter = new FirstKeyFilter(new long[Math.max(1, (1 << bits) >>> 6)], 32 - bits);
    for (RowKey key : keys) {
      filter.set(hash(key.value(0)));
    }
    return filter;
  }

  /** Whether the value at {@code row} of {@code vector} (of {@code type}) may be a first key component of the batch. */
  boolean mayContain(ColumnVector vector, DataType type, int row) {
    int hash;
    if (vector.isNullAt(row)) {
      hash = hash(null);
    } else if (type instanceof LongType || type instanceof TimestampType || type instanceof TimestampNTZType) {
      hash = Long.hashCode(vector.getLong(row));
    } else if (type instanceof IntegerType || type instanceof DateType) {
      hash = Integer.hashCode(vector.getInt(row));
    } else {
      hash = hash(RowKey.normalize(KernelValues.value(vector, type, row)));
    }
    int bucket = bucket(hash);
    return (words[bucket >>> 6] & (1L << bucket)) != 0;
  }

  /** The hash of a key value as the key holds it: binary values by content. */
  static int hash(Object value) {
    if (value == null) {
      return 0;
    }
    return value instanceof byte[] bytes ? Arrays.hashCode(bytes) : value.hashCode();
  }

  private void set(int hash) {
    int bucket = bucket(hash);
    words[bucket >>> 6] |= 1L << bucket;
  }

  private int bucket(int hash) {
    // Fibonacci hashing spreads hashes of consecutive keys (Long.hashCode of a sequence) over the buckets.
    return (hash * 0x9E3779B9) >>> shift;
  }
}
