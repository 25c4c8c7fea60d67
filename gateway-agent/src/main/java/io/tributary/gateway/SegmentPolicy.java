package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.ConfigReader;
import java.time.Duration;

/**
 * When the gateway finishes a table's open segment and announces it (section {@code gateway.segment}):
 * after {@code maxRows} events, after about {@code maxBytes} of data, or {@code maxAge} after its first
 * event, whichever comes first. The age bound is what gives continuous mode its latency.
 */
public record SegmentPolicy(long maxRows, long maxBytes, Duration maxAge) {
  /** The default size bound: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  public SegmentPolicy {
    requireNonNull(maxAge, "maxAge is null");
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be >= 1: " + maxRows);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1: " + maxBytes);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
    }
  }

  static SegmentPolicy from(ConfigReader segment) {
    long maxRows = segment.longValue("max-rows", 100_000, 1, Long.MAX_VALUE,
        "Events after which a table's segment is finished and announced");
    long maxBytes = segment.longValue("max-bytes", DEFAULT_MAX_BYTES, 1024, Long.MAX_VALUE,
        "Approximate size in bytes after which a table's segment is finished and announced");
    Duration maxAge = segment.duration("max-age", Duration.ofSeconds(1), Duration.ofMillis(10),
        "Time after a segment's first event when it is finished and announced, events or not: the capture latency");
    return new SegmentPolicy(maxRows, maxBytes, maxAge);
  }
}
