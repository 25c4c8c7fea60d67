package io.tributary.loadtests.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleWindowTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void threadCpuIsTheDifferenceBetweenTheSamplesAroundTheCapture() {
    List<MemorySampler.Sample> samples = List.of(
        sample(0, Map.of("main", 1.0)),
        sample(SECOND, Map.of("main", 1.5, "debezium-postgr", 0.2)),
        sample(3 * SECOND, Map.of("main", 1.505, "debezium-postgr", 2.0, "C# CompilerThre", 0.5)),
        sample(5 * SECOND, Map.of("main", 1.505, "debezium-postgr", 3.2, "C# CompilerThre", 0.9)),
        // The process is gone: nothing read.
        sample(6 * SECOND, Map.of()));

    // From the sample at 1 s (the last at or before 2 s) to the one at 5 s (the first at or after 4 s);
    // main used under 10 ms in between and is left out.
    assertThat(threadCpu(samples, 2 * SECOND, 4 * SECOND))
        .containsOnlyKeys("debezium-postgr", "C# CompilerThre")
        .hasEntrySatisfying("debezium-postgr", seconds -> assertThat(seconds).isCloseTo(3.0, within(1e-9)))
        .hasEntrySatisfying("C# CompilerThre", seconds -> assertThat(seconds).isCloseTo(0.9, within(1e-9)));
    // Ended after the last sample that read anything: that one stands for the end.
    assertThat(threadCpu(samples, 2 * SECOND, 6 * SECOND).get("debezium-postgr"))
        .isCloseTo(3.0, within(1e-9));
  }

  @Test
  void aThreadThatEndedBeforeTheEndSampleCountsWithItsLastReading() {
    List<MemorySampler.Sample> samples = List.of(
        sample(0, Map.of("debezium-postgr", 0.2, "pool-#-thread-#", 0.1)),
        sample(2 * SECOND, Map.of("debezium-postgr", 2.0, "pool-#-thread-#", 0.6)),
        sample(4 * SECOND, Map.of("debezium-postgr", 3.2, "pool-#-thread-#", 1.1, "VM Thread", 0.05)),
        // Shutting down after the capture: the engine's threads have ended, the JVM's own still run.
        sample(5 * SECOND, Map.of("VM Thread", 0.06, "GC Thread##", 0.3)));

    assertThat(threadCpu(samples, SECOND, 4 * SECOND + SECOND / 2))
        .containsOnlyKeys("debezium-postgr", "pool-#-thread-#", "VM Thread", "GC Thread##")
        .hasEntrySatisfying("debezium-postgr", seconds -> assertThat(seconds).isCloseTo(3.0, within(1e-9)))
        .hasEntrySatisfying("pool-#-thread-#", seconds -> assertThat(seconds).isCloseTo(1.0, within(1e-9)))
        .hasEntrySatisfying("GC Thread##", seconds -> assertThat(seconds).isCloseTo(0.3, within(1e-9)));
    // Samples after the one that stands for the end are not read.
    assertThat(threadCpu(samples, SECOND, 3 * SECOND)).doesNotContainKey("GC Thread##")
        .hasEntrySatisfying("debezium-postgr", seconds -> assertThat(seconds).isCloseTo(3.0, within(1e-9)));
  }

  private static Map<String, Double> threadCpu(List<MemorySampler.Sample> samples, long fromNanos, long toNanos) {
    return SampleWindow.threadCpu(samples, SampleWindow.atOrBefore(samples, fromNanos),
        SampleWindow.atOrAfter(samples, toNanos).orElseThrow());
  }

  /** A sample of the process's threads; without any, of a process that is gone. */
  private static MemorySampler.Sample sample(long nanos, Map<String, Double> threads) {
    return new MemorySampler.Sample(nanos, 1, threads.isEmpty() ? 0 : 1, -1, -1, -1, -1, threads);
  }
}
