package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tributary.loadtests.internal.MemorySampler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureBenchmarkTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theWarmRateIsTimedFromTheFirstPointPastAThirdOfTheChanges() {
    // 900 changes: the point at 200 is still warming up, the one at 400 is the first past 300.
    List<CaptureBenchmark.Progress> progress = List.of(new CaptureBenchmark.Progress(SECOND, 200),
        new CaptureBenchmark.Progress(3 * SECOND, 400), new CaptureBenchmark.Progress(4 * SECOND, 650));

    assertThat(CaptureBenchmark.warmRate(progress, 900, 8 * SECOND)).isCloseTo(100.0, within(1e-9));
  }

  @Test
  void aPointExactlyAtTheWarmUpShareCounts() {
    List<CaptureBenchmark.Progress> progress = List.of(new CaptureBenchmark.Progress(2 * SECOND, 300));

    assertThat(CaptureBenchmark.warmRate(progress, 900, 5 * SECOND)).isCloseTo(200.0, within(1e-9));
  }

  @Test
  void withoutAPointBetweenTheWarmUpAndTheEndThereIsNoWarmRate() {
    assertThat(CaptureBenchmark.warmRate(List.of(), 900, 5 * SECOND)).isZero();
    assertThat(CaptureBenchmark.warmRate(List.of(new CaptureBenchmark.Progress(SECOND, 100)), 900, 5 * SECOND))
        .isZero();
    // The only point past the warm-up is the last change itself.
    assertThat(CaptureBenchmark.warmRate(List.of(new CaptureBenchmark.Progress(5 * SECOND, 900)), 900, 5 * SECOND))
        .isZero();
  }

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
    return CaptureBenchmark.threadCpu(samples, CaptureBenchmark.sampleAtOrBefore(samples, fromNanos),
        CaptureBenchmark.sampleAtOrAfter(samples, toNanos).orElseThrow());
  }

  /** A sample of the process's threads; without any, of a process that is gone. */
  private static MemorySampler.Sample sample(long nanos, Map<String, Double> threads) {
    return new MemorySampler.Sample(nanos, 1, threads.isEmpty() ? 0 : 1, -1, -1, -1, -1, threads);
  }

  @Test
  void eachRepeatsGatewayIsSetAgainstItsOwnPeerLeavingIncompleteRepeatsOut() {
    List<CaptureResult.Run> runs = List.of(run("peer", 1, true, 100), run("gateway", 1, true, 90),
        run("gateway", 2, true, 80), run("peer", 2, true, 50), run("peer", 3, true, 100), run("gateway", 3, false, 0));

    assertThat(CaptureBenchmark.pairRatios(runs)).containsExactly(0.9, 1.6);
  }

  @Test
  void theReaderIsSetAgainstThePeerOfItsOwnRepeat() {
    List<CaptureResult.Run> runs = List.of(run("peer", 1, true, 100), run("reader", 1, true, 85),
        run("gateway", 1, true, 80), run("reader", 2, false, 0), run("peer", 2, true, 90), run("reader", 3, true, 72),
        run("peer", 3, true, 80));

    assertThat(CaptureBenchmark.pairRatios(runs, "reader", "peer")).containsExactly(0.85, 0.9);
  }

  @Test
  void eachRepeatStartsOnePlaceFurtherSoThatEverySystemTakesEveryPlace() {
    assertThat(CaptureBenchmark.order(1)).containsExactly("peer", "reader", "gateway");
    assertThat(CaptureBenchmark.order(2)).containsExactly("reader", "gateway", "peer");
    assertThat(CaptureBenchmark.order(3)).containsExactly("gateway", "peer", "reader");
    assertThat(CaptureBenchmark.order(4)).containsExactly("peer", "reader", "gateway");
  }

  @Test
  void repeatsAreBoundByTheReplicationSlotsTheServerHolds() {
    assertThat(settings(16).repeats()).isEqualTo(16);
    assertThatThrownBy(() -> settings(17)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("repeats must be <= 16");
  }

  private static CaptureBenchmark.Settings settings(int repeats) {
    return new CaptureBenchmark.Settings(CaptureBenchmark.Mode.STREAMING, 1000, repeats, "1g", Duration.ofMinutes(1),
        false, Path.of("work"), Path.of("binaries"));
  }

  @Test
  void busyCoresAddTheJvmsAndPostgresqlsCpuOverTheCapture() {
    CaptureResult.Run run = new CaptureResult.Run("gateway", 1, 1, true, 1, 20, 100, 5, 0, 0, 24, 12, Map.of(), 0, 0,
        0, 0, 0, 0);
    assertThat(CaptureBenchmark.busyCores(run)).isEqualTo(1.8);
    assertThat(CaptureBenchmark.busyCores(run("peer", 1, true, 5))).as("PostgreSQL's CPU time unread").isEqualTo(-1);
  }

  private static CaptureResult.Run run(String system, int repeat, boolean completed, double changesPerSecond) {
    return new CaptureResult.Run(system, repeat, 1, completed, 1, 1, 100, changesPerSecond, 0, 0, 0, -1, Map.of(), 0, 0,
        0, 0, 0, 0);
  }
}
