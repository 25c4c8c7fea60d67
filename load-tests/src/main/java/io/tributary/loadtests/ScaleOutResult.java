package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.Environment;
import java.util.List;

/**
 * What the scale-out benchmark measured: one backlog of staged changes over many tables applied from
 * the start by 1, 2, 4, … applier processes sharing one consumer group, with the throughput in total
 * and per process, and what the coordinator ratified meanwhile. Written as {@code result.json}; times
 * in seconds, throughput in changes per second.
 */
public record ScaleOutResult(String benchmark, String startedAt, double runSeconds, Environment environment,
    Setup setup, Backlog backlog, List<Step> steps, Verdict verdict) {

  public ScaleOutResult {
    requireNonNull(environment, "environment is null");
    requireNonNull(setup, "setup is null");
    requireNonNull(backlog, "backlog is null");
    steps = List.copyOf(steps);
  }

  /**
   * How the processes ran.
   *
   * @param tableNames the tables, in the order of the partitions their manifests go to
   * @param gatewayConfiguration the gateway's configuration file, places and password left out
   * @param coordinatorConfiguration the coordinator's, the same for every step
   * @param applierConfiguration one applier's, as the first process of a step had it
   */
  public record Setup(String method, int tables, int partitions, List<String> tableNames, List<Integer> processes,
      List<Integer> batchSegments, String gatewayConfiguration, String coordinatorConfiguration, String applierConfiguration,
      List<String> applierJvmOptions, List<String> coordinatorJvmOptions, List<String> gatewayJvmOptions) {
    public Setup {
      tableNames = List.copyOf(tableNames);
      processes = List.copyOf(processes);
      batchSegments = List.copyOf(batchSegments);
      applierJvmOptions = List.copyOf(applierJvmOptions);
      coordinatorJvmOptions = List.copyOf(coordinatorJvmOptions);
      gatewayJvmOptions = List.copyOf(gatewayJvmOptions);
    }
  }

  /**
   * The backlog every step applies: what the load changed at the source and what the gateway staged.
   *
   * @param loadSeconds how long the load's transactions took
   * @param stagingSeconds from the load's start until the last of its changes was staged and announced
   * @param stagedBytes bytes of the segments staged (Parquet, zstd)
   * @param sourceRows rows the tables hold at the source after the load
   */
  public record Backlog(long transactions, long changes, long inserts, long updates, long deletes, long segments,
      long stagedBytes, double bytesPerChange, double loadSeconds, double stagingSeconds, long sourceRows) {}

  /**
   * One number of applier processes applying the whole backlog from the start.
   *
   * @param batchSegments the appliers' {@code applier.batch.max-segments}: most segments of a table in one commit
   * @param applySeconds from the first table lease taken until every table was applied up to the last
   *     position announced for it
   * @param fromLaunchSeconds from the first process's start until the same point: JVM starts and the
   *     group's first assignment included
   * @param changesPerSecond the backlog's changes over {@code applySeconds}
   * @param perProcessChangesPerSecond {@code changesPerSecond} over the number of processes
   * @param commits commits the coordinator ratified (its {@code tributary_coordinator_commits_ratified_total})
   * @param segmentsPerCommit segments per commit that applied any, from the tables' history
   * @param coordinatorCommitsPerSecond {@code commits} over {@code applySeconds}
   * @param coordinatorCommitMillis the coordinator's mean time to answer a commit proposal
   * @param coordinatorCpuSeconds the coordinator's CPU time while the appliers ran
   * @param coordinatorCpuMillisPerCommit {@code coordinatorCpuSeconds} per ratified commit
   * @param applierCpuSeconds CPU time of every applier process from its start of work to the end
   * @param applierCoresBusy {@code applierCpuSeconds} over {@code applySeconds}: cores the appliers kept busy
   * @param cpuSecondsPerMillionChanges applier CPU time per million changes applied
   * @param stagingReadMegabytesPerSecond staged megabytes the appliers read per second (MB = 10^6 bytes)
   * @param loadAverage the machine's 1-minute load average when the backlog was applied
   * @param rowsVerified whether every Delta table then held the rows of its source table (count and key sum)
   */
  public record Step(int processes, int batchSegments, double applySeconds, double fromLaunchSeconds, long changes,
      double changesPerSecond, double perProcessChangesPerSecond, double commits, double segmentsPerCommit,
      double coordinatorCommitsPerSecond, double coordinatorCommitMillis, double coordinatorCpuSeconds,
      double coordinatorCpuMillisPerCommit,
      double applierCpuSeconds, double applierCoresBusy, double cpuSecondsPerMillionChanges, double stagingReadMegabytesPerSecond,
      double loadAverage, boolean rowsVerified, List<Process> perProcess) {
    public Step {
      perProcess = List.copyOf(perProcess);
    }
  }

  /**
   * One applier process of a step.
   *
   * @param tables tables whose lease it held at the end
   * @param changes changes of the segments its ratified commits applied
   * @param commits its ratified commits
   * @param changesPerSecond {@code changes} over the step's {@code applySeconds}
   * @param cpuSeconds its CPU time from the step's start of work to the end
   */
  public record Process(String writer, int tables, long changes, long commits, double changesPerSecond,
      double cpuSeconds) {}

  /** Whether every step applied the whole backlog and every table then equalled its source; each problem in words. */
  public record Verdict(boolean passed, List<String> problems) {
    public Verdict {
      problems = List.copyOf(problems);
    }
  }
}
