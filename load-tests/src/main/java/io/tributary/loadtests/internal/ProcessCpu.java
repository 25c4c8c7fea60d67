package io.tributary.loadtests.internal;

import java.lang.management.ManagementFactory;

/**
 * The CPU time this process has used so far, on all its threads: the collector's and the JIT
 * compiler's as well as the work's. Read before and after a timed part, the difference is the CPU the
 * part cost, however many cores it ran on.
 */
public final class ProcessCpu {
  private ProcessCpu() {}

  /** Milliseconds of CPU since the process started; -1 where the JVM does not tell. */
  public static long millis() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long nanos = os.getProcessCpuTime();
      return nanos < 0 ? -1 : nanos / 1_000_000;
    }
    return -1;
  }
}
