package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
