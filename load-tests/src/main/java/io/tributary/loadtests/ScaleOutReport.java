package io.tributary.loadtests;

import io.tributary.loadtests.internal.Medians;
import io.tributary.loadtests.internal.ResultFiles;
import io.tributary.loadtests.internal.SvgChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The scale-out benchmark's files: throughput in total and per process against the number of applier
 * processes for each round of segments per commit, with linear scaling from one process for
 * comparison, and the coordinator's commits per second ({@code plot.svg}); the figures in words with
 * what they say about a Kubernetes cluster ({@code summary.md}).
 */
final class ScaleOutReport {
  private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"};

  private ScaleOutReport() {}

  static void write(ScaleOutResult result, Path directory, String command) throws IOException {
    ResultFiles.write(directory, result, plot(result), summary(result, command));
  }

  static String plot(ScaleOutResult result) {
    List<SvgChart.Series> throughput = new ArrayList<>();
    List<SvgChart.Series> commits = new ArrayList<>();
    List<Integer> rounds = result.setup().batchSegments();
    for (int r = 0; r < rounds.size(); r++) {
      List<ScaleOutResult.Step> round = round(result, rounds.get(r));
      String color = COLORS[r % COLORS.length];
      String label = segments(rounds.get(r));
      throughput.add(series("in total, " + label, color, round, ScaleOutResult.Step::changesPerSecond, true));
      throughput.add(series("per process, " + label, color, round, ScaleOutResult.Step::perProcessChangesPerSecond,
          false));
      commits.add(series(label, color, round, ScaleOutResult.Step::coordinatorCommitsPerSecond, true));
    }
    baseline(result).ifPresent(one -> throughput.add(new SvgChart.Series("linear from 1 process", "#7f7f7f",
        round(result, one.batchSegments()).stream()
            .map(step -> new double[] {step.processes(), one.changesPerSecond() * step.processes() / one.processes()})
            .toList(), false)));
    List<SvgChart.Mark> marks = List.of(new SvgChart.Mark(result.environment().machine().cores() + " cores", "#d62728",
        result.environment().machine().cores()));
    String top = SvgChart.lineChart(0, 0, 900, 420, "One backlog of " + result.setup().tables()
            + " tables applied by more applier processes (one consumer group)", "applier processes", "changes per second",
        throughput, List.of(), marks);
    String bottom = SvgChart.lineChart(0, 420, 900, 300, "Commits the coordinator ratified per second meanwhile",
        "applier processes", "commits per second", commits, List.of(), marks);
    return SvgChart.document(900, 720, List.of(top, bottom));
  }

  private static SvgChart.Series series(String name, String color, List<ScaleOutResult.Step> steps,
      ToDoubleFunction<ScaleOutResult.Step> figure, boolean markers) {
    List<double[]> points = steps.stream().filter(step -> step.applySeconds() > 0)
        .map(step -> new double[] {step.processes(), figure.applyAsDouble(step)}).toList();
    return new SvgChart.Series(name, color, points, markers);
  }

  private static List<ScaleOutResult.Step> round(ScaleOutResult result, int batchSegments) {
    return result.steps().stream().filter(step -> step.batchSegments() == batchSegments).toList();
  }

  private static String segments(int batchSegments) {
    return batchSegments == 1 ? "1 segment per commit" : "up to " + batchSegments + " segments per commit";
  }

  /** The first round's step of the fewest processes: the base of scaling and of the extrapolation. */
  private static Optional<ScaleOutResult.Step> baseline(ScaleOutResult result) {
    return result.steps().stream().filter(step -> step.batchSegments() == result.setup().batchSegments().get(0))
        .min(Comparator.comparingInt(ScaleOutResult.Step::processes));
  }

  static String summary(ScaleOutResult result, String command) {
    StringBuilder md = new StringBuilder();
    ScaleOutResult.Backlog backlog = result.backlog();
    md.append("# Scale-out: one backlog applied by more applier processes\n\n");
    md.append(String.format(Locale.ROOT, "A backlog of %,d changes over %d tables (%d partitions, %,d segments, %.1f MB"
            + " staged) applied from the start by each number of `tributary applier` processes in one consumer group,"
            + " on a machine of %d cores.", backlog.changes(), result.setup().tables(), result.setup().partitions(),
        backlog.segments(), backlog.stagedBytes() / 1e6, result.environment().machine().cores()));
    for (int batchSegments : result.setup().batchSegments()) {
      List<ScaleOutResult.Step> round = round(result, batchSegments);
      Optional<ScaleOutResult.Step> fewest = round.stream().min(Comparator.comparingInt(ScaleOutResult.Step::processes));
      Optional<ScaleOutResult.Step> most = round.stream().max(Comparator.comparingInt(ScaleOutResult.Step::processes));
      if (fewest.isPresent() && most.get() != fewest.get()) {
        md.append(String.format(Locale.ROOT, " **%s: %,.0f changes/s with %d process%s, %,.0f with %d (%.2fx).**",
            segments(batchSegments), fewest.get().changesPerSecond(), fewest.get().processes(),
            fewest.get().processes() == 1 ? "" : "es", most.get().changesPerSecond(), most.get().processes(),
            most.get().changesPerSecond() / fewest.get().changesPerSecond()));
      }
    }
    md.append("\n\n");
    md.append(result.verdict().passed() ? "**Passed**: every step applied the whole backlog and every table equalled"
        + " its source.\n\n" : "**Problems**: " + String.join("; ", result.verdict().problems()) + ".\n\n");
    md.append("| segments per commit, most | processes | apply s | from launch s | changes/s in all | per process"
        + " | commits | segments per commit | coordinator commits/s | commit ms | coordinator CPU ms per commit"
        + " | applier CPU s | cores busy | CPU s per M changes | staging read MB/s | load avg | rows equal |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (ScaleOutResult.Step step : result.steps()) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %,.0f | %,.0f | %.0f | %.1f | %.1f | %.1f | %.1f"
              + " | %.1f | %.2f | %.1f | %.2f | %.1f | %s |%n", step.batchSegments(), step.processes(),
          step.applySeconds(), step.fromLaunchSeconds(), step.changesPerSecond(), step.perProcessChangesPerSecond(),
          step.commits(), step.segmentsPerCommit(), step.coordinatorCommitsPerSecond(), step.coordinatorCommitMillis(),
          step.coordinatorCpuMillisPerCommit(), step.applierCpuSeconds(), step.applierCoresBusy(),
          step.cpuSecondsPerMillionChanges(), step.stagingReadMegabytesPerSecond(), step.loadAverage(),
          step.rowsVerified() ? "yes" : "**no**"));
    }
    md.append("\nEach process of each step (tables: whose lease it held at the end; changes: of the segments its"
        + " ratified commits applied):\n\n");
    md.append("| segments per commit, most | processes | process | tables | commits | changes | changes/s | CPU s |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    for (ScaleOutResult.Step step : result.steps()) {
      for (ScaleOutResult.Process process : step.perProcess()) {
        md.append(String.format(Locale.ROOT, "| %d | %d | %s | %d | %d | %,d | %,.0f | %.1f |%n", step.batchSegments(),
            step.processes(), process.writer(), process.tables(), process.commits(), process.changes(),
            process.changesPerSecond(), process.cpuSeconds()));
      }
    }
    md.append("\n![throughput against the number of applier processes](").append(ResultFiles.PLOT).append(")\n\n");
    baseline(result).ifPresent(base -> md.append(extrapolation(result, base)));
    md.append("## Method\n\n").append(result.setup().method()).append("\n\n");
    md.append(String.format(Locale.ROOT, "- Backlog: %,d transactions (%,d inserts, %,d updates, %,d deletes) made in"
            + " %.1f s, all staged and announced %.1f s after the load began; %.0f bytes of segment per change; the"
            + " tables then held %,d rows%n", backlog.transactions(), backlog.inserts(), backlog.updates(),
        backlog.deletes(), backlog.loadSeconds(), backlog.stagingSeconds(), backlog.bytesPerChange(), backlog.sourceRows()));
    md.append(String.format(Locale.ROOT, "- Applier JVM: `%s`; coordinator JVM: `%s`; gateway JVM: `%s`%n",
        String.join(" ", result.setup().applierJvmOptions()), String.join(" ", result.setup().coordinatorJvmOptions()),
        String.join(" ", result.setup().gatewayJvmOptions())));
    md.append("- Commits: the coordinator's `tributary_coordinator_commits_ratified_total` over the step (the tables'"
        + " creation and any compaction included); segments per commit: over the commits that applied segments, from"
        + " the tables' history; commit ms: the mean of `tributary_coordinator_commit_latency_seconds`; coordinator"
        + " CPU ms per commit: its CPU time while the appliers ran over those commits, its idle work (the event log's"
        + " export) included\n");
    md.append("- Cores busy: the appliers' CPU time over the apply time; staging read: the backlog's staged bytes over"
        + " the apply time\n\n");
    md.append(result.environment().markdown(result.startedAt(), result.runSeconds(), command));
    return md.toString();
  }

  /**
   * The coordinator's CPU time per commit net of what does not depend on commits: for each number of
   * processes run in the first round and in the round of one segment per commit, the difference in its
   * CPU time over the difference in commits; the median of those, NaN without such pairs.
   */
  static double marginalCommitMillis(ScaleOutResult result) {
    int first = result.setup().batchSegments().get(0);
    List<Double> marginal = new ArrayList<>();
    for (ScaleOutResult.Step one : result.steps()) {
      if (one.batchSegments() != 1 || first == 1) {
        continue;
      }
      result.steps().stream()
          .filter(step -> step.batchSegments() == first && step.processes() == one.processes()
              && one.commits() > step.commits())
          .findFirst()
          .ifPresent(batched -> marginal.add(1000 * (one.coordinatorCpuSeconds() - batched.coordinatorCpuSeconds())
              / (one.commits() - batched.commits())));
    }
    return marginal.isEmpty() ? Double.NaN : Medians.of(marginal.stream().mapToDouble(Double::doubleValue));
  }

  /** {@code value} to two significant figures, with thousands separators. */
  static String rounded(double value) {
    if (!Double.isFinite(value) || value <= 0) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    double unit = Math.pow(10, Math.max(0, Math.floor(Math.log10(value)) - 1));
    return String.format(Locale.ROOT, "%,.0f", Math.round(value / unit) * unit);
  }

  /** What the figures say about a Kubernetes deployment, with the costs of {@code base} and of the busiest coordinator. */
  static String extrapolation(ScaleOutResult result, ScaleOutResult.Step base) {
    double perCore = 1e6 / base.cpuSecondsPerMillionChanges();
    double bytesPerChange = result.backlog().bytesPerChange();
    ScaleOutResult.Step busiest = result.steps().stream()
        .max(Comparator.comparingDouble(ScaleOutResult.Step::coordinatorCommitsPerSecond)).orElse(base);
    double marginalMillis = marginalCommitMillis(result);
    Optional<ScaleOutResult.Step> perSegment = result.steps().stream().filter(step -> step.batchSegments() == 1)
        .min(Comparator.comparingInt(ScaleOutResult.Step::processes));
    int cores = result.environment().machine().cores();
    int pods = result.setup().partitions();
    StringBuilder md = new StringBuilder("## What it says about a Kubernetes cluster\n\n");
    md.append(String.format(Locale.ROOT, "This machine has %d cores shared by every process: once the appliers keep them"
            + " busy, more processes add no throughput, only their own overhead (each JVM's threads, its copy of"
            + " every table's state, its share of the group). What carries over to a cluster are the costs, not the"
            + " totals:%n%n", cores));
    md.append(String.format(Locale.ROOT, "- **Per process.** One applier (%s) used %.1f CPU seconds per million changes"
            + " of this backlog, a fresh JVM's warm-up included: about %,.0f changes/s for each core it is given"
            + " (%,.0f changes/s measured with %.2f cores busy).", segments(base.batchSegments()), base.cpuSecondsPerMillionChanges(), perCore,
        base.changesPerSecond(), base.applierCoresBusy()));
    perSegment.ifPresent(step -> md.append(String.format(Locale.ROOT, " Committing each segment on its own, as a"
            + " caught-up table does, it took %.1f CPU seconds per million changes (%,.0f changes/s per core), since"
            + " every commit rewrites the files its keys fall in; it kept %.2f cores busy at %,.0f changes/s (a table's"
            + " commits follow one another, each waiting for the coordinator's answer, and at most"
            + " `applier.apply-threads` (4) tables of a process apply at once).", step.cpuSecondsPerMillionChanges(),
        1e6 / step.cpuSecondsPerMillionChanges(), step.applierCoresBusy(), step.changesPerSecond())));
    md.append(" Applier pods scale by that figure, as long as the limits below allow.\n");
    md.append(String.format(Locale.ROOT, "- **Partitions bound the parallelism.** A table's manifests go to one"
            + " partition and a partition to one member of the group, so at most as many appliers work as the topic"
            + " has partitions with tables on them (here %d), and a table is applied by one process, one batch after"
            + " the other, whatever the cluster's size: a single hot table is bound by what one applier does for one"
            + " table. Create the topic with at least as many partitions as appliers you mean to run"
            + " (`kafka.topic-partitions`, 6 by default); Kafka's partitioner may put two tables on one partition and"
            + " leave another empty, which the table names here avoid.%n", result.setup().partitions()));
    md.append(String.format(Locale.ROOT, "- **Coordinator commits.** Every Delta commit of every table is ratified by"
            + " the coordinator. The most it was asked here: %.1f commits/s (%d process%s, %s), answered in %.1f ms on"
            + " average, at %.1f ms of its CPU per commit; that figure holds a fresh JVM's warm-up, the event log's"
            + " export and the benchmark's polling of the progress API, which few commits do not amortize.",
        busiest.coordinatorCommitsPerSecond(), busiest.processes(), busiest.processes() == 1 ? "" : "es",
        segments(busiest.batchSegments()), busiest.coordinatorCommitMillis(), busiest.coordinatorCpuMillisPerCommit()));
    if (Double.isFinite(marginalMillis) && marginalMillis > 0) {
      md.append(String.format(Locale.ROOT, " What a commit itself costs is what the one-segment round's extra commits"
          + " added to the coordinator's CPU time over the batched round with as many processes: %.1f ms each (the"
          + " median over the numbers of processes), so about %s commits/s for each core it is given, if its CPU is"
          + " what bounds it (each commit also forces its journal records and its Delta log entry to disk, which a"
          + " slow disk or object store makes the bound instead).", marginalMillis, rounded(1000 / marginalMillis)));
    }
    md.append(String.format(Locale.ROOT, " Behind, an applier puts up to"
            + " `applier.batch.max-segments` (64) segments in one commit, so a backlog needs few commits; caught up,"
            + " each table with changes commits about once per `gateway.segment.max-age` (1 s): about one commit per"
            + " second per changing table. Beyond one coordinator, replicas share the PostgreSQL store.%n"));
    md.append(String.format(Locale.ROOT, "- **Staging bandwidth.** A change took %.0f bytes of staged segment (zstd"
            + " Parquet): at %,.0f changes/s per core an applier core reads about %.2f MB/s from staging, besides the"
            + " Delta files it reads and rewrites, so %d one-core pods read about %.0f MB/s in all: far within what an"
            + " object store gives a cluster. Rows wider than these (about 80 bytes) scale it in proportion.%n",
        bytesPerChange, perCore, perCore * bytesPerChange / 1e6, pods, pods * perCore * bytesPerChange / 1e6));
    String coordinatorShare = Double.isFinite(marginalMillis) && marginalMillis > 0
        ? String.format(Locale.ROOT, " (%.2f of a coordinator core at the cost per commit measured here: a core"
            + " serves about %s tables that each change every second)", result.setup().tables() * marginalMillis / 1000,
            rounded(1000 / marginalMillis))
        : "";
    md.append(String.format(Locale.ROOT, "- **So**, for %d tables on %d partitions, %d applier pods of one core each"
            + " would apply about %s changes/s of a backlog if the tables are equally busy, with about %d coordinator"
            + " commits/s once caught up%s and %.0f MB/s of staging reads; past that, more partitions and tables to"
            + " spread, bigger pods for the hot tables, and coordinator cores (or replicas) for many tables that"
            + " change all the time. This is an estimate from the costs measured here, not a measurement of a"
            + " cluster.%n%n", result.setup().tables(), result.setup().partitions(), pods, rounded(pods * perCore),
        result.setup().tables(), coordinatorShare, pods * perCore * bytesPerChange / 1e6));
    return md.toString();
  }
}
