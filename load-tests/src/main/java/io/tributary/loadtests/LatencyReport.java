package io.tributary.loadtests;

import io.tributary.loadtests.internal.ResultFiles;
import io.tributary.loadtests.internal.SvgChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The latency benchmark's files: the latency percentiles against the achieved rate with the targets
 * marked ({@code plot.svg}), and the figures in words ({@code summary.md}).
 */
final class LatencyReport {
  private LatencyReport() {}

  static void write(LatencyResult result, Path directory, String command) throws IOException {
    ResultFiles.write(directory, result, plot(result), summary(result, command));
  }

  static String plot(LatencyResult result) {
    List<SvgChart.Series> series = List.of(
        series("p50", "#2ca02c", result, LatencyResult.Step::p50Seconds),
        series("p95", "#1f77b4", result, LatencyResult.Step::p95Seconds),
        series("p99", "#ff7f0e", result, LatencyResult.Step::p99Seconds),
        series("max", "#7f7f7f", result, LatencyResult.Step::maxSeconds));
    List<SvgChart.Level> levels = List.of(
        new SvgChart.Level("p99 target", "#d62728", LatencyBenchmark.TARGET_P99_SECONDS),
        new SvgChart.Level("p50 target", "#2ca02c", LatencyBenchmark.TARGET_P50_SECONDS));
    List<SvgChart.Mark> marks = new ArrayList<>();
    marks.add(new SvgChart.Mark("target rate", "#d62728", LatencyBenchmark.TARGET_RATE));
    if (!Double.isNaN(result.p99CrossingRate())) {
      marks.add(new SvgChart.Mark("p99 crosses 3 s", "#ff7f0e", result.p99CrossingRate()));
    }
    String title = "Commit to visible in Delta, tributary standalone, against the rate of changes";
    String chart = SvgChart.lineChart(0, 0, 900, 480, title, "changes per second (achieved)", "latency (seconds)",
        series, levels, marks);
    return SvgChart.document(900, 480, List.of(chart));
  }

  private static SvgChart.Series series(String name, String color, LatencyResult result,
      ToDoubleFunction<LatencyResult.Step> figure) {
    List<double[]> points = result.steps().stream().filter(step -> step.visible() > 0)
        .map(step -> new double[] {step.achievedRate(), figure.applyAsDouble(step)}).toList();
    return new SvgChart.Series(name, color, points, false);
  }

  static String summary(LatencyResult result, String command) {
    StringBuilder md = new StringBuilder();
    LatencyResult.Target target = result.target();
    md.append("# Latency: source commit to row visible in Delta, continuous mode\n\n");
    md.append(String.format(Locale.ROOT, "**Target at %,.0f changes/s (p50 ≤ %.0f s, p99 ≤ %.0f s): %s.** ",
        target.rate(), target.p50Seconds(), target.p99Seconds(),
        target.outcome()));
    md.append(Double.isNaN(result.p99CrossingRate())
        ? String.format(Locale.ROOT, "p99 stayed within %.0f s at every rate run.", LatencyBenchmark.TARGET_P99_SECONDS)
        : String.format(Locale.ROOT, "p99 crosses %.0f s at about %,.0f changes/s.", LatencyBenchmark.TARGET_P99_SECONDS,
            result.p99CrossingRate()));
    md.append("\n\n");
    if (!result.verdict().passed()) {
      md.append("**Problems**: ").append(String.join("; ", result.verdict().problems())).append(".\n\n");
    }
    md.append("| target changes/s | achieved | changes | visible | p50 s | p95 s | p99 s | max s | mean s"
        + " | segments per commit | commits | gateway s | finish s | publish s | wait s | batch s | commit s"
        + " | load avg |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (LatencyResult.Step step : result.steps()) {
      md.append(String.format(Locale.ROOT, "| %,.0f | %,.0f | %,d | %,d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.0f"
              + " | %.2f | %.3f | %.3f | %.2f | %.2f | %.2f | %.1f |%n", step.targetRate(), step.achievedRate(),
          step.changes(), step.visible(), step.p50Seconds(), step.p95Seconds(), step.p99Seconds(), step.maxSeconds(),
          step.meanSeconds(), step.segmentsPerCommit(), step.commits(), step.gatewayMeanSeconds(),
          step.finishMeanSeconds(), step.publishMeanSeconds(), step.waitMeanSeconds(), step.batchMeanSeconds(),
          step.commitMeanSeconds(), step.loadAverage()));
    }
    result.steps().stream().filter(step -> !step.stopReason().isEmpty())
        .map(step -> String.format(Locale.ROOT, "%nStopped after %,.0f changes/s: %s.%n", step.targetRate(),
            step.stopReason()))
        .forEach(md::append);
    md.append("\n![latency percentiles against the rate](").append(ResultFiles.PLOT).append(")\n\n");
    md.append("## Method\n\n").append(result.setup().method()).append("\n\n");
    md.append(String.format(Locale.ROOT, "- Deployment: `%s`%n", result.setup().deployment()));
    md.append(String.format(Locale.ROOT, "- Pipeline JVM: `%s`%n", String.join(" ", result.setup().jvmOptions())));
    md.append(String.format(Locale.ROOT, "- Resolution: the watcher lists the logs every %.0f ms%n",
        result.setup().pollMillis()));
    md.append("- Segments per commit and commits are the applier's `tributary_applier_batch_segments` over the step\n");
    md.append("- Gateway s: the mean of `tributary_gateway_durable_lag_seconds` over the step, from the source commit of"
        + " a segment's last change to the segment durable and announced; finish s and publish s: the means of"
        + " `tributary_gateway_segment_finish_seconds` (a rolled segment made durable in staging) and"
        + " `tributary_gateway_manifest_publish_seconds` (its manifest acknowledged by Kafka), parts of gateway s;"
        + " wait s: the mean of `tributary_applier_manifest_wait_seconds`, from a manifest announced to the start of"
        + " the batch applying it; batch s: the mean of `tributary_applier_batch_duration_seconds`, from a batch's"
        + " start to its commit; commit s: the mean of `tributary_applier_commit_latency_seconds`, one Delta commit"
        + " ratified by the coordinator. A change also waits in its segment, up to `gateway.segment.max-age` (about"
        + " half of it on average), before the gateway's part starts\n\n");
    md.append(result.environment().markdown(result.startedAt(), result.runSeconds(), command));
    return md.toString();
  }
}
