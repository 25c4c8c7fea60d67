package io.tributary.loadtests.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What this JVM has spent so far: the time its collectors paused it, as they count it (G1's young,
 * mixed and full pauses; not its concurrent work), and the CPU time of all its threads (the
 * collector's and the JIT compiler's as well as the work's). Read before and after a timed part,
 * {@link #since} is what the part cost, however many cores it ran on.
 *
 * @param gcMillis milliseconds of collection pauses
 * @param cpuMillis milliseconds of CPU; -1 where the JVM does not tell
 */
public record JvmTime(long gcMillis, long cpuMillis) {
  /** What the JVM has spent since it started. */
  public static JvmTime now() {
    long gc = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, collector.getCollectionTime());
    }
    long cpuNanos = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    return new JvmTime(gc, cpuNanos < 0 ? -1 : cpuNanos / 1_000_000);
  }

  /** What was spent from {@code start} to this reading; CPU -1 if either reading lacks it. */
  public JvmTime since(JvmTime start) {
    return new JvmTime(gcMillis - start.gcMillis,
        cpuMillis < 0 || start.cpuMillis < 0 ? -1 : cpuMillis - start.cpuMillis);
  }
}
