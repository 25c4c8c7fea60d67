package io.tributary.staging.internal;

import java.util.ArrayDeque;

/**
 * The arrays of finished column chunks, kept for the next chunks to write into. A column chunk
 * lives until its row group is written, which for a table with a moderate rate of changes is when
 * its segment is finished, a second later by default: long enough for several young collections,
 * each of which copied the chunk's array again until the array died with the chunk. Handed from
 * chunk to chunk, the arrays age into the old generation once and are not copied again, and a new
 * chunk does not grow its array from a kilobyte by doubling.
 *
 * <p>Holds at most {@code maxBytes} of idle arrays; an array given back beyond that, or larger than
 * {@code maxArrayBytes}, is left to the collector. Thread-safe: segments are written by the engine's
 * thread and may be finished by another.
 */
public final class ValueBuffers {
  /** The size of a new array. */
  static final int INITIAL_BYTES = 1024;
  private static final byte[] NONE = new byte[0];

  private final long maxBytes;
  private final int maxArrayBytes;
  private final ArrayDeque<byte[]> idle = new ArrayDeque<>();
  private long idleBytes;

  /**
   * @param maxBytes the most bytes of idle arrays kept
   * @param maxArrayBytes the largest array kept
   */
  public ValueBuffers(long maxBytes, int maxArrayBytes) {
    if (maxBytes < 0 || maxArrayBytes < 0) {
      throw new IllegalArgumentException("maxBytes and maxArrayBytes must be >= 0: " + maxBytes + ", " + maxArrayBytes);
    }
    this.maxBytes = maxBytes;
    this.maxArrayBytes = maxArrayBytes;
  }

  /** An idle array (its content is garbage), or a new one of {@link #INITIAL_BYTES}. */
  synchronized byte[] take() {
    byte[] array = idle.pollLast();
    if (array == null) {
      return new byte[INITIAL_BYTES];
    }
    idleBytes -= array.length;
    return array;
  }

  /** Takes back an array nothing refers to any more. */
  synchronized void give(byte[] array) {
    if (array.length == 0 || array.length > maxArrayBytes || idleBytes + array.length > maxBytes) {
      return;
    }
    idle.addLast(array);
    idleBytes += array.length;
  }

  /** The bytes of the idle arrays. */
  public synchronized long idleBytes() {
    return idleBytes;
  }

  static byte[] empty() {
    return NONE;
  }
}
