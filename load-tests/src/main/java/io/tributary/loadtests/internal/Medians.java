package io.tributary.loadtests.internal;

import java.util.stream.DoubleStream;

/** The median benchmarks publish. */
public final class Medians {
  private Medians() {}

  /** The median of {@code values}, the mean of the middle two for an even count; 0 without any. */
  public static double of(DoubleStream values) {
    double[] sorted = values.sorted().toArray();
    if (sorted.length == 0) {
      return 0;
    }
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
}
