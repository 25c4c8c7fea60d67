package io.tributary.loadtests.workload;

import java.util.Locale;

/**
 * How updates and deletes choose among the rows that exist. Each connection of a workload keeps its
 * rows in the order it made them (a delete moves the newest into the deleted one's place); a
 * distribution picks a position there.
 *
 * <ul>
 *   <li>{@code sequential}: every row in turn, oldest first, then again from the start;</li>
 *   <li>{@code uniform}: any row alike;</li>
 *   <li>{@code zipf} or {@code zipf:<exponent>} (default exponent 1.0): the newest row most often,
 *       the k-th newest with a probability proportional to {@code 1 / k^exponent}, as an
 *       application keeps changing its recent orders.</li>
 * </ul>
 */
public sealed interface KeyDistribution {
  /** Every row in turn. */
  record Sequential() implements KeyDistribution {
    @Override
    public String toString() {
      return "sequential";
    }
  }

  /** Every row alike. */
  record Uniform() implements KeyDistribution {
    @Override
    public String toString() {
      return "uniform";
    }
  }

  /** The newest rows most often. */
  record Zipf(double exponent) implements KeyDistribution {
    public Zipf {
      if (!(exponent > 0) || Double.isInfinite(exponent)) {
        throw new IllegalArgumentException("the Zipf exponent must be a positive number: " + exponent);
      }
    }

    @Override
    public String toString() {
      return "zipf:" + exponent;
    }
  }

  /** Reads {@code sequential}, {@code uniform}, {@code zipf} or {@code zipf:<exponent>}. */
  static KeyDistribution parse(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (value.equals("sequential")) {
      return new Sequential();
    }
    if (value.equals("uniform")) {
      return new Uniform();
    }
    if (value.equals("zipf")) {
      return new Zipf(1.0);
    }
    if (value.startsWith("zipf:")) {
      try {
        return new Zipf(Double.parseDouble(value.substring("zipf:".length())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the Zipf exponent must be a number: " + text);
      }
    }
    throw new IllegalArgumentException("unknown key distribution '" + text
        + "': expected sequential, uniform, zipf or zipf:<exponent>");
  }
}
