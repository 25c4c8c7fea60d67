package io.tributary.loadtests.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A process's {@link MemorySampler} samples around an interval, such as a capture: the sample that
 * stands for its start, the one that stands for its end, and the CPU time each thread spent between
 * them. Samples that did not read the process (it was gone) stand for nothing.
 */
public final class SampleWindow {
  /** Threads that spent less than this between the two samples are left out. */
  private static final double LEAST_THREAD_SECONDS = 0.01;

  private SampleWindow() {}

  /** The last sample taken at or before {@code nanos} that read the process. */
  public static Optional<MemorySampler.Sample> atOrBefore(List<MemorySampler.Sample> samples, long nanos) {
    return samples.stream().filter(sample -> sample.nanos() <= nanos && sample.cpuSeconds() > 0)
        .reduce((earlier, later) -> later);
  }

  /** The first sample taken at or after {@code nanos} that read the process, else the last one that did. */
  public static Optional<MemorySampler.Sample> atOrAfter(List<MemorySampler.Sample> samples, long nanos) {
    List<MemorySampler.Sample> read = samples.stream().filter(sample -> sample.cpuSeconds() > 0).toList();
    return read.stream().filter(sample -> sample.nanos() >= nanos).findFirst()
        .or(() -> read.stream().reduce((earlier, later) -> later));
  }

  /**
   * CPU seconds by thread name from {@code start} (else the process's start) to {@code end}, leaving
   * out names with less than 10 ms. A thread's time at the end is its highest reading in the samples
   * after {@code start} up to {@code end}: a process that is shutting down may have ended some of its
   * threads by the sample that stands for the end, and their last readings are what they spent.
   */
  public static Map<String, Double> threadCpu(List<MemorySampler.Sample> samples, Optional<MemorySampler.Sample> start,
      MemorySampler.Sample end) {
    Map<String, Double> before = start.map(MemorySampler.Sample::threadCpuSeconds).orElse(Map.of());
    long from = start.map(MemorySampler.Sample::nanos).orElse(Long.MIN_VALUE);
    Map<String, Double> last = new TreeMap<>();
    for (MemorySampler.Sample sample : samples) {
      if (sample.nanos() > from && sample.nanos() <= end.nanos()) {
        sample.threadCpuSeconds().forEach((name, seconds) -> last.merge(name, seconds, Math::max));
      }
    }
    Map<String, Double> spent = new TreeMap<>();
    last.forEach((name, seconds) -> {
      double during = seconds - before.getOrDefault(name, 0.0);
      if (during >= LEAST_THREAD_SECONDS) {
        spent.put(name, during);
      }
    });
    return spent;
  }
}
