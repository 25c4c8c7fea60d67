package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tributary.loadtests.internal.Environment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coordinator's cost per commit net of its fixed costs, the rounding of estimates, and the summary's sections. */
class ScaleOutReportTest {
  private static ScaleOutResult.Step step(int processes, int batchSegments, double commits, double coordinatorCpuSeconds) {
    double seconds = 10;
    return new ScaleOutResult.Step(processes, batchSegments, seconds, seconds + 5, 100_000, 10_000, 10_000.0 / processes,
        commits, batchSegments == 1 ? 1 : 20, commits / seconds, 20, coordinatorCpuSeconds,
        1000 * coordinatorCpuSeconds / commits, 5, 0.5, 50, 0.3, 2, true,
        List.of(new ScaleOutResult.Process("applier-1", 16, 100_000, (long) commits, 10_000, 5)));
  }

  private static ScaleOutResult result(List<ScaleOutResult.Step> steps) {
    Environment environment = new Environment(new Environment.Machine(2, 1L << 33, "cpu", "os", "jvm"),
        new Environment.Versions("1", "3.5.0.Final", "4.1.1", "18.6"));
    ScaleOutResult.Setup setup = new ScaleOutResult.Setup("method", 16, 16, List.of("public.events_0"), List.of(1, 2),
        List.of(64, 1), "gateway", "coordinator", "applier", List.of("-Xmx512m"), List.of("-Xmx512m"),
        List.of("-Xmx1g"));
    ScaleOutResult.Backlog backlog = new ScaleOutResult.Backlog(10_000, 100_000, 60_000, 30_000, 10_000, 100,
        3_000_000, 30, 10, 12, 50_000);
    return new ScaleOutResult("scale-out", "2026-11-22T00:00:00Z", 100, environment, setup, backlog, steps,
        new ScaleOutResult.Verdict(true, List.of()));
  }

  @Test
  void aCommitCostsTheCoordinatorCpuTheExtraCommitsOfTheOneSegmentRoundAdded() {
    ScaleOutResult result = result(List.of(step(1, 64, 32, 6), step(2, 64, 32, 5), step(1, 1, 232, 8),
        step(2, 1, 232, 9)));

    // (8 - 6) s and (9 - 5) s over 200 extra commits each: 10 and 20 ms, median 15 ms.
    assertThat(ScaleOutReport.marginalCommitMillis(result)).isCloseTo(15, within(1e-9));
    assertThat(ScaleOutReport.summary(result, "mvn ...")).contains("## What it says about a Kubernetes cluster",
        "15.0 ms each", "about 67 commits/s for each core", "0.24 of a coordinator core", "| 64 | 2 |", "## Method", "Repeat with: `mvn ...`");
  }

  @Test
  void withoutTheOneSegmentRoundThereIsNoNetCostPerCommit() {
    ScaleOutResult result = result(List.of(step(1, 64, 32, 6), step(2, 64, 32, 5)));

    assertThat(ScaleOutReport.marginalCommitMillis(result)).isNaN();
    assertThat(ScaleOutReport.summary(result, "mvn ...")).doesNotContain("ms each");
  }

  @Test
  void estimatesAreRoundedToTwoSignificantFigures() {
    assertThat(ScaleOutReport.rounded(309_179)).isEqualTo("310,000");
    assertThat(ScaleOutReport.rounded(66.7)).isEqualTo("67");
    assertThat(ScaleOutReport.rounded(7.4)).isEqualTo("7");
  }
}
