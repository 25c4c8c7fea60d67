package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.ConfigReader;
import java.time.Duration;

/**
 * When the gateway finishes a table's open segment and announces it (section {@code gateway.segment}):
 * after {@code maxRows} events, after about {@code maxBytes} of data (the size is checked at the first
 * event and every 64 after it), or {@code maxAge} after its first event, whichever comes first. The age bound is what gives continuous mode its latency.
 *
 * @param commitGroups whether segments due by age are finished at the end of a source transaction,
 *     all of the source's open segments together, as one commit group (announced with the
 *     transaction's position as their cut, all on one partition keyed by the source), so that
 *     appliers can commit the source's tables all or nothing and the coordinator can answer a
 *     consistent position for the source. The size bound still finishes a single segment.
 */
public record SegmentPolicy(long maxRows, long maxBytes, Duration maxAge, boolean commitGroups) {
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

  /** A policy without commit groups. */
  public SegmentPolicy(long maxRows, long maxBytes, Duration maxAge) {
    this(maxRows, maxBytes, maxAge, false);
  }

  static SegmentPolicy from(ConfigReader segment) {
    long maxRows = segment.longValue("max-rows", 100_000, 1, Long.MAX_VALUE,
        "Events after which a table's segment is finished and announced");
    long maxBytes = segment.longValue("max-bytes", DEFAULT_MAX_BYTES, 1024, Long.MAX_VALUE,
        "Approximate size in bytes after which a table's segment is finished and announced");
    Duration maxAge = segment.duration("max-age", Duration.ofSeconds(1), Duration.ofMillis(10),
        "Time after a segment's first event when it is finished and announced, events or not: the capture latency");
    boolean commitGroups = segment.bool("commit-groups", false,
        "Finish all of the source's due segments together at a source transaction's end, as a commit group that"
            + " appliers commit all or nothing, so that the coordinator can answer a consistent position for the"
            + " source. All of the source's manifests then share one Kafka partition, so one applier at a time"
            + " applies the source");
    return new SegmentPolicy(maxRows, maxBytes, maxAge, commitGroups);
  }
}
