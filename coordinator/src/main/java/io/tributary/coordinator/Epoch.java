package io.tributary.coordinator;

/**
 * A table's fencing epoch. Every lease acquisition bumps it; the coordinator refuses any commit or
 * lease renewal carrying an epoch older than the table's current one.
 */
public record Epoch(long value) implements Comparable<Epoch> {
  /** The epoch of a table whose lease was never acquired. */
  public static final Epoch NONE = new Epoch(0);

  public Epoch {
    if (value < 0) {
      throw new IllegalArgumentException("epoch must be >= 0: " + value);
    }
  }

  public Epoch next() {
    return new Epoch(value + 1);
  }

  public boolean isBefore(Epoch other) {
    return value < other.value;
  }

  @Override
  public int compareTo(Epoch other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
