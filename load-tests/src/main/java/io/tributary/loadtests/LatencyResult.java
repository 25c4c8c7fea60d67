package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.Environment;
import java.util.List;

/**
 * What the latency benchmark measured: for each target rate, how long changes took from their source
 * COMMIT until a reader of the Delta table could see them. Written as {@code result.json}; times in
 * seconds, rates in changes per second.
 *
 * @param startedAt when the run started (ISO-8601, UTC)
 * @param runSeconds how long the whole run took, servers included
 * @param p99CrossingRate the rate at which p99 crosses the p99 target, interpolated between the steps
 *     around it; NaN when no step crossed it
 */
public record LatencyResult(String benchmark, String startedAt, double runSeconds, Environment environment,
    Setup setup, Target target, List<Step> steps, double p99CrossingRate, Verdict verdict) {

  public LatencyResult {
    requireNonNull(environment, "environment is null");
    steps = List.copyOf(steps);
  }

  /**
   * How the pipeline ran and how it was measured.
   *
   * @param deployment what ran, as a user would start it
   * @param configuration the pipeline's configuration file, with the password a reference
   * @param pollMillis the watcher's interval: latencies are late by at most this much (plus a listing)
   */
  public record Setup(String method, String deployment, String configuration, List<String> jvmOptions,
      int connections, int changesPerTransaction, int hotRows, double stepSeconds, double pollMillis) {
    public Setup {
      jvmOptions = List.copyOf(jvmOptions);
    }
  }

  /** The target at one rate; {@code outcome} is {@code met}, {@code not met} or {@code not run}. */
  public record Target(double rate, double p50Seconds, double p99Seconds, String outcome) {}

  /**
   * One rate.
   *
   * @param achievedRate changes per second the load made, from its start to its last commit
   * @param visible changes seen in Delta; the latencies are over them
   * @param segmentsPerCommit the applier's mean segments per Delta commit during the step (its metric)
   * @param commits Delta commits of the step, over all tables (its metric)
   * @param gatewayMeanSeconds the gateway's mean durable lag: a segment's last change committed to the segment announced
   * @param finishMeanSeconds the gateway's mean time to make a rolled segment durable in staging
   * @param publishMeanSeconds the gateway's mean time for Kafka to acknowledge a manifest
   * @param waitMeanSeconds the applier's mean manifest wait: announced to the start of the batch applying it
   * @param batchMeanSeconds the applier's mean batch duration: start to commit
   * @param commitMeanSeconds the applier's mean commit latency: the commit ratified by the coordinator
   * @param loadAverage the machine's 1-minute load average at the step's end
   * @param stopReason why no higher rate was run after this one; empty if that is not why
   */
  public record Step(double targetRate, double achievedRate, long changes, long inserts, long updates,
      long visible, double p50Seconds, double p95Seconds, double p99Seconds, double maxSeconds,
      double meanSeconds, double segmentsPerCommit, double commits, double gatewayMeanSeconds, double finishMeanSeconds,
      double publishMeanSeconds, double waitMeanSeconds,
      double batchMeanSeconds, double commitMeanSeconds, double loadAverage, String stopReason) {}

  /** Whether every change of every step became visible; each problem in words. Latency has no threshold here. */
  public record Verdict(boolean passed, List<String> problems) {
    public Verdict {
      problems = List.copyOf(problems);
    }
  }
}
