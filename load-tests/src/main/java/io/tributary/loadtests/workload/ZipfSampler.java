package io.tributary.loadtests.workload;

import java.util.SplittableRandom;

/**
 * Draws ranks 1 to n with probability proportional to {@code 1 / rank^exponent} in constant time,
 * by rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates
 * from monotone discrete distributions", ACM TOMACS 6(3), 1996). The number of elements may change
 * between draws, as a table's live rows do; the constants are recomputed only when it does.
 */
final class ZipfSampler {
  private final double exponent;
  private long elements;
  private double integralOfFirst;
  private double integralOfAll;
  private double squeeze;

  ZipfSampler(double exponent) {
    if (!(exponent > 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException("the Zipf exponent must be a positive number: " + exponent);
    }
    this.exponent = exponent;
  }

  double exponent() {
    return exponent;
  }

  /** A rank between 1 and {@code n}, rank 1 the most likely. */
  long next(SplittableRandom random, long n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1: " + n);
    }
    if (n != elements) {
      elements = n;
      integralOfFirst = integral(1.5) - 1;
      integralOfAll = integral(n + 0.5);
      squeeze = 2 - inverseIntegral(integral(2.5) - density(2));
    }
    while (true) {
      double u = integralOfAll + random.nextDouble() * (integralOfFirst - integralOfAll);
      double x = inverseIntegral(u);
      long rank = Math.max(1, Math.min(n, (long) (x + 0.5)));
      // Accepted at once near the middle of rank's interval; otherwise by comparing with the hat.
      if (rank - x <= squeeze || u >= integral(rank + 0.5) - density(rank)) {
        return rank;
      }
    }
  }

  /** {@code x^-exponent}. */
  private double density(double x) {
    return Math.exp(-exponent * Math.log(x));
  }

  /** An antiderivative of {@link #density}: {@code (x^(1-exponent) - 1) / (1 - exponent)}, {@code log x} at 1. */
  private double integral(double x) {
    double logX = Math.log(x);
    return expm1OverX((1 - exponent) * logX) * logX;
  }

  /** The inverse of {@link #integral}. */
  private double inverseIntegral(double y) {
    double t = Math.max(-1, y * (1 - exponent));
    return Math.exp(log1pOverX(t) * y);
  }

  /** {@code (e^x - 1) / x}, 1 at 0, accurate near 0. */
  private static double expm1OverX(double x) {
    return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x / 2 * (1 + x / 3 * (1 + x / 4));
  }

  /** {@code log(1 + x) / x}, 1 at 0, accurate near 0. */
  private static double log1pOverX(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
  }
}
