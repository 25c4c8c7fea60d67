package io.tributary.loadtests.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * The time this JVM's collectors have spent collecting so far, as their management beans count it
 * (G1's young, mixed and full pauses; not its concurrent work): read before and after a timed part,
 * the difference is how much of that part the JVM spent in collection pauses.
 */
public final class GcPauses {
  private GcPauses() {}

  /** Milliseconds of collection since the JVM started. */
  public static long millis() {
    long total = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, collector.getCollectionTime());
    }
    return total;
  }
}
