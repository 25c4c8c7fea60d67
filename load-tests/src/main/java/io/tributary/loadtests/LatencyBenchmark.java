package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.BenchmarkServers;
import io.tributary.loadtests.internal.ChildJvm;
import io.tributary.loadtests.internal.DeltaWatcher;
import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.GcLog;
import io.tributary.loadtests.internal.HeapSize;
import io.tributary.loadtests.internal.LatencyTables;
import io.tributary.loadtests.internal.PacedLoad;
import io.tributary.loadtests.internal.PrometheusText;
import io.tributary.loadtests.internal.StandaloneJvm;
import io.tributary.loadtests.internal.WorkDirectory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark {@code latency}: continuous mode end to end, from a change's source COMMIT until a reader
 * of its Delta table can see it, at rising rates of changes.
 *
 * <p>Method: the pipeline runs as a single machine runs it, {@code tributary standalone} (gateway,
 * coordinator and applier in one JVM with its embedded Kafka broker) in its own JVM, every key at its
 * default. A paced load commits small transactions (inserts and updates over three tables) at each
 * target rate for a fixed time; each change writes a sequence number unique across the run, and its
 * commit time is the client's clock right after COMMIT returned. A watcher in the benchmark's JVM
 * lists each Delta table's log at a short interval and reads the sequence numbers of the files each
 * new version adds: a change's latency is from its commit to the listing that found its version. After
 * each rate the benchmark waits until every change of it is visible (or a bound passes), then goes to
 * the next; it stops when the load cannot reach a rate or latency explodes.
 */
public final class LatencyBenchmark {
  /** The target: at this rate, p50 and p99 within these bounds. */
  public static final double TARGET_RATE = 5000;
  public static final double TARGET_P50_SECONDS = 1;
  public static final double TARGET_P99_SECONDS = 3;
  /** Below this share of its target rate, a rate counts as not reached. */
  private static final double REACHED_SHARE = 0.9;

  /**
   * @param rates target rates in changes per second, in the order run
   * @param stepDuration how long the load runs at each rate
   * @param warmupRate the rate of the warm-up, not measured
   * @param warmupDuration how long the warm-up runs
   * @param drainTimeout how long the changes of a rate may take to become visible before it counts as failed
   * @param explodeSeconds a p99 above this ends the run after that rate
   * @param connections source connections the load spreads over
   * @param poll the watcher's interval
   * @param heap the pipeline's {@code -Xmx}
   * @param timeout bound on the whole run
   * @param profile whether the pipeline's JVM records a flight recording ({@code pipeline.jfr} in its directory)
   * @param workDirectory where servers, data and logs go; emptied first
   * @param postgresBinaries where the PostgreSQL distribution is unpacked, kept between runs
   */
  public record Settings(List<Double> rates, Duration stepDuration, double warmupRate, Duration warmupDuration,
      Duration drainTimeout, double explodeSeconds, int connections, Duration poll, String heap, Duration timeout,
      boolean profile, Path workDirectory, Path postgresBinaries) {
    public Settings {
      rates = List.copyOf(rates);
      if (rates.isEmpty() || rates.stream().anyMatch(rate -> rate <= 0)) {
        throw new IllegalArgumentException("rates must be positive, at least one: " + rates);
      }
      if (stepDuration.isNegative() || stepDuration.isZero() || warmupRate <= 0 || connections < 1) {
        throw new IllegalArgumentException("step duration, warm-up rate and connections must be positive");
      }
      HeapSize.parse(heap);
      requireNonNull(drainTimeout, "drainTimeout is null");
      requireNonNull(warmupDuration, "warmupDuration is null");
      requireNonNull(poll, "poll is null");
      requireNonNull(timeout, "timeout is null");
      requireNonNull(workDirectory, "workDirectory is null");
      requireNonNull(postgresBinaries, "postgresBinaries is null");
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter progress;

  /** @param progress where the run says what it is doing */
  public LatencyBenchmark(Settings settings, Clock clock, PrintWriter progress) {
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  public LatencyResult run() throws Exception {
    String startedAt = clock.instant().toString();
    long runStart = System.nanoTime();
    long deadline = runStart + settings.timeout().toNanos();
    Path work = WorkDirectory.emptied(settings.workDirectory());
    progress.printf("latency: starting PostgreSQL under %s%n", work);
    List<String> problems = new ArrayList<>();
    List<LatencyResult.Step> steps = new ArrayList<>();
    Path pipelineDirectory = work.resolve("standalone");
    List<String> jvmOptions = jvmOptions(pipelineDirectory);
    String configuration;
    Environment environment;
    try (BenchmarkServers servers = BenchmarkServers.start(work.resolve("servers"), settings.postgresBinaries());
        Connection connection = servers.connect()) {
      LatencyTables.create(connection);
      environment = Environment.describe(connection);
      progress.println("latency: starting the pipeline (tributary standalone)");
      try (StandaloneJvm pipeline = StandaloneJvm.start(servers, LatencyTables.TABLES, pipelineDirectory, jvmOptions);
          DeltaWatcher watcher = DeltaWatcher.start(
              LatencyTables.TABLES.stream().map(pipeline::tableDirectory).toList(), LatencyTables.SEQUENCE_COLUMN,
              maxSequence(), settings.poll())) {
        // As a result may show it: the work directory's place on this machine left out.
        configuration = Files.readString(pipelineDirectory.resolve("standalone.yaml"))
            .replace(pipelineDirectory.toUri().toString(), "").replace(pipelineDirectory.toString() + "/", "");
        pipeline.awaitRunning(Duration.ofMinutes(3));
        PacedLoad load = new PacedLoad(servers::connect, settings.connections());
        progress.printf("latency: warm-up at %,.0f changes/s for %d s%n", settings.warmupRate(),
            settings.warmupDuration().toSeconds());
        PacedLoad.Run warmup = load.run(settings.warmupRate(), settings.warmupDuration(), Long.MAX_VALUE);
        // The first changes also wait for the gateway's snapshot of the empty tables and the tables' creation.
        if (!awaitVisible(watcher, warmup, Duration.ofMinutes(3).plus(settings.drainTimeout()), pipeline)) {
          problems.add("the warm-up's changes did not all become visible (" + visibleCount(watcher, warmup) + " of "
              + warmup.changes() + ")");
        } else {
          steps(load, watcher, pipeline, deadline, steps, problems);
        }
        int exitCode = pipeline.process().stop(Duration.ofSeconds(90));
        if (exitCode != 0 && exitCode != 143) {
          problems.add("the pipeline exited with " + exitCode + " (see standalone/standalone.log)");
        }
        if (watcher.failure() != null) {
          problems.add("the watcher failed: " + watcher.failure().getMessage());
        }
      }
    }
    double crossing = crossing(steps);
    LatencyResult.Target target = target(steps);
    LatencyResult.Setup setup = new LatencyResult.Setup(method(), "tributary standalone --config standalone.yaml"
        + " (gateway, coordinator and applier in one JVM with its embedded Kafka broker; every key at its default)",
        configuration, ChildJvm.withoutDirectories(jvmOptions), settings.connections(),
        PacedLoad.CHANGES_PER_TRANSACTION, PacedLoad.HOT_ROWS, settings.stepDuration().toMillis() / 1000.0,
        settings.poll().toMillis());
    LatencyResult result = new LatencyResult("latency", startedAt, (System.nanoTime() - runStart) / 1e9, environment,
        setup, target, steps, crossing, new LatencyResult.Verdict(problems.isEmpty(), problems));
    progress.printf("latency: %s%n", Double.isNaN(crossing)
        ? "p99 did not cross " + (int) TARGET_P99_SECONDS + " s at any rate run"
        : String.format(Locale.ROOT, "p99 crosses %.0f s at about %,.0f changes/s", TARGET_P99_SECONDS, crossing));
    return result;
  }

  private void steps(PacedLoad load, DeltaWatcher watcher, StandaloneJvm pipeline, long deadline,
      List<LatencyResult.Step> steps, List<String> problems) throws Exception {
    for (double rate : settings.rates()) {
      if (System.nanoTime() > deadline) {
        problems.add("the run's time bound passed before the rate of " + (long) rate + " changes/s");
        return;
      }
      Optional<PrometheusText> before = pipeline.metrics();
      progress.printf("latency: %,.0f changes/s for %d s%n", rate, settings.stepDuration().toSeconds());
      PacedLoad.Run run = load.run(rate, settings.stepDuration(), (long) (rate * settings.stepDuration().toSeconds()));
      boolean drained = awaitVisible(watcher, run, settings.drainTimeout(), pipeline);
      Optional<PrometheusText> after = pipeline.metrics();
      double commits = increase(before, after, "tributary_applier_batch_segments_count");
      double segments = increase(before, after, "tributary_applier_batch_segments_sum");
      double[] latencies = latencies(watcher, run);
      Arrays.sort(latencies);
      String stop = "";
      if (!drained) {
        problems.add(String.format(Locale.ROOT, "at %,.0f changes/s, %,d of %,d changes were not visible %d s after"
            + " the load ended", rate, run.changes() - latencies.length, run.changes(), settings.drainTimeout().toSeconds()));
        stop = "not every change became visible within the drain bound";
      } else if (run.achievedRate() < REACHED_SHARE * rate) {
        stop = String.format(Locale.ROOT, "the load reached only %,.0f changes/s", run.achievedRate());
      } else if (percentile(latencies, 0.99) > settings.explodeSeconds()) {
        stop = String.format(Locale.ROOT, "p99 above %.0f s", settings.explodeSeconds());
      }
      LatencyResult.Step step = new LatencyResult.Step(rate, run.achievedRate(), run.changes(), run.inserts(),
          run.updates(), latencies.length, percentile(latencies, 0.50), percentile(latencies, 0.95),
          percentile(latencies, 0.99), latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1],
          Arrays.stream(latencies).average().orElse(Double.NaN), commits > 0 ? segments / commits : Double.NaN, commits,
          meanSince(before, after, "tributary_gateway_durable_lag_seconds"),
          meanSince(before, after, "tributary_gateway_segment_finish_seconds"),
          meanSince(before, after, "tributary_gateway_manifest_publish_seconds"),
          meanSince(before, after, "tributary_applier_manifest_wait_seconds"),
          meanSince(before, after, "tributary_applier_batch_duration_seconds"),
          meanSince(before, after, "tributary_applier_commit_latency_seconds"), Environment.loadAverage(), stop);
      steps.add(step);
      progress.printf(Locale.ROOT, "latency: %,.0f changes/s (achieved %,.0f): p50 %.2f s, p95 %.2f s, p99 %.2f s,"
              + " max %.2f s; %.1f segments per commit; load average %.1f%n", rate, step.achievedRate(),
          step.p50Seconds(), step.p95Seconds(), step.p99Seconds(), step.maxSeconds(), step.segmentsPerCommit(),
          step.loadAverage());
      if (!stop.isEmpty()) {
        progress.printf("latency: stopping: %s%n", stop);
        return;
      }
    }
  }

  /** How much {@code metric} rose from {@code before} to {@code after}; NaN if either could not be read. */
  private static double increase(Optional<PrometheusText> before, Optional<PrometheusText> after, String metric) {
    return before.isPresent() && after.isPresent() ? after.get().sum(metric) - before.get().sum(metric) : Double.NaN;
  }

  /** The mean of what {@code timer} recorded from {@code before} to {@code after} ({@code _sum} over {@code _count}). */
  private static double meanSince(Optional<PrometheusText> before, Optional<PrometheusText> after, String timer) {
    double recorded = increase(before, after, timer + "_count");
    return recorded > 0 ? increase(before, after, timer + "_sum") / recorded : Double.NaN;
  }

  /** Waits until every change of {@code run} is visible; false if {@code timeout} passes or the pipeline ends. */
  private static boolean awaitVisible(DeltaWatcher watcher, PacedLoad.Run run, Duration timeout, StandaloneJvm pipeline) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (visibleCount(watcher, run) < run.changes()) {
      if (System.nanoTime() > deadline || !pipeline.process().isAlive() || watcher.failure() != null) {
        return false;
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    return true;
  }

  private static long visibleCount(DeltaWatcher watcher, PacedLoad.Run run) {
    long[] visible = run.visibleNanos(watcher::visibleNanos);
    long count = 0;
    for (int i = 0; i < visible.length; i++) {
      if (run.made(i) && visible[i] != 0) {
        count++;
      }
    }
    return count;
  }

  /** The latencies in seconds of the changes of {@code run} that became visible. */
  private static double[] latencies(DeltaWatcher watcher, PacedLoad.Run run) {
    long[] visible = run.visibleNanos(watcher::visibleNanos);
    double[] latencies = new double[visible.length];
    int count = 0;
    for (int i = 0; i < visible.length; i++) {
      if (run.made(i) && visible[i] != 0) {
        latencies[count++] = Math.max(0, visible[i] - run.commitNanos()[i]) / 1e9;
      }
    }
    return Arrays.copyOf(latencies, count);
  }

  /** The nearest-rank percentile of sorted {@code values}; NaN when there are none. */
  static double percentile(double[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(quantile * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /**
   * The rate at which p99 first goes over the target: between the last step within it and the first
   * over it, interpolated linearly on the achieved rates; NaN when no step went over it.
   */
  static double crossing(List<LatencyResult.Step> steps) {
    for (int i = 0; i < steps.size(); i++) {
      LatencyResult.Step step = steps.get(i);
      if (!(step.p99Seconds() > TARGET_P99_SECONDS)) {
        continue;
      }
      if (i == 0) {
        return step.achievedRate();
      }
      LatencyResult.Step below = steps.get(i - 1);
      double share = (TARGET_P99_SECONDS - below.p99Seconds()) / (step.p99Seconds() - below.p99Seconds());
      return below.achievedRate() + share * (step.achievedRate() - below.achievedRate());
    }
    return Double.NaN;
  }

  private static LatencyResult.Target target(List<LatencyResult.Step> steps) {
    String outcome = steps.stream().filter(step -> step.targetRate() == TARGET_RATE).findFirst()
        .map(step -> step.achievedRate() >= REACHED_SHARE * TARGET_RATE && step.p50Seconds() <= TARGET_P50_SECONDS
            && step.p99Seconds() <= TARGET_P99_SECONDS && step.visible() == step.changes() ? "met" : "not met")
        .orElse("not run");
    return new LatencyResult.Target(TARGET_RATE, TARGET_P50_SECONDS, TARGET_P99_SECONDS, outcome);
  }

  private int maxSequence() {
    double changes = settings.warmupRate() * settings.warmupDuration().toSeconds();
    for (double rate : settings.rates()) {
      changes += rate * settings.stepDuration().toSeconds();
    }
    return Math.toIntExact((long) (changes + PacedLoad.CHANGES_PER_TRANSACTION * (settings.rates().size() + 2) + 1000));
  }

  private List<String> jvmOptions(Path directory) {
    List<String> options = new ArrayList<>(List.of("-Xmx" + settings.heap(), GcLog.option(directory.resolve("gc.log")),
        "-XX:+ExitOnOutOfMemoryError"));
    if (settings.profile()) {
      options.add("-XX:StartFlightRecording=filename=" + directory.resolve("pipeline.jfr") + ",settings=profile");
    }
    return options;
  }

  private String method() {
    return String.format(Locale.ROOT, "The load commits transactions of %d changes (6 inserts, 4 updates of rows among"
            + " each connection's %,d newest of the table) over %d tables from %d connections, each paced to its share of"
            + " the target rate for %d s; a change's time starts when its COMMIT returned to the client. A watcher in"
            + " the benchmark's JVM lists each Delta table's _delta_log every %d ms and reads the sequence column of"
            + " the files each new version adds; a change is visible from the listing that found its version, so"
            + " latencies are late by at most the interval plus a listing. Each rate runs after every change of the"
            + " one before is visible; the warm-up (%,.0f changes/s for %d s) is not measured.",
        PacedLoad.CHANGES_PER_TRANSACTION, PacedLoad.HOT_ROWS, LatencyTables.TABLES.size(), settings.connections(),
        settings.stepDuration().toSeconds(), settings.poll().toMillis(), settings.warmupRate(),
        settings.warmupDuration().toSeconds());
  }
}
