package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.loadtests.internal.BenchmarkServers;
import io.tributary.loadtests.internal.ChildJvm;
import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.GatewayJvm;
import io.tributary.loadtests.internal.HeapSize;
import io.tributary.loadtests.internal.ManifestWatcher;
import io.tributary.loadtests.internal.PrometheusText;
import io.tributary.loadtests.internal.ScaleOutConfigs;
import io.tributary.loadtests.internal.ScaleOutTables;
import io.tributary.loadtests.internal.TableDigest;
import io.tributary.loadtests.internal.TributaryProcess;
import io.tributary.loadtests.internal.WorkDirectory;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark {@code scale-out}: how applying grows with the number of applier processes sharing one
 * consumer group on one topic of many tables.
 *
 * <p>Method: PostgreSQL and a Kafka broker on 127.0.0.1; a gateway ({@code tributary gateway}, its own
 * JVM) captures many tables, named so that each one's manifests go to a partition of their own, while
 * a load commits a fixed number of small transactions over them; once every change is staged and
 * announced the gateway stops, and the backlog stays. Then for each number of processes: a fresh
 * coordinator ({@code tributary coordinator}, embedded store), fresh Delta tables and a fresh consumer
 * group, and that many {@code tributary applier} JVMs, which apply the whole backlog from the start of
 * the topic. A step is timed from the first table lease taken until the coordinator's progress API
 * shows every table applied up to the last position announced for it; then the processes are stopped
 * by their pids and every Delta table is compared with its source table.
 */
public final class ScaleOutBenchmark {
  /** Lets every process of a step join the group before the first assignment, as pods starting together do. */
  static final Duration INITIAL_REBALANCE_DELAY = Duration.ofSeconds(3);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

  /**
   * @param tables source tables, each on a partition of its own while there are enough
   * @param partitions partitions of the manifest topic
   * @param changes changes of the backlog, in transactions of {@value ScaleOutTables#CHANGES_PER_TRANSACTION}
   * @param processes numbers of applier processes, one step each, in this order
   * @param batchSegments values of {@code applier.batch.max-segments}, one round of steps each, in this order
   * @param applierHeap each applier's {@code -Xmx}
   * @param timeout bound on the whole run
   * @param workDirectory where servers, data and logs go; emptied first
   * @param postgresBinaries where the PostgreSQL distribution is unpacked, kept between runs
   */
  public record Settings(int tables, int partitions, long changes, List<Integer> processes, List<Integer> batchSegments,
      String applierHeap, Duration timeout, Path workDirectory, Path postgresBinaries) {
    public Settings {
      processes = List.copyOf(processes);
      batchSegments = List.copyOf(batchSegments);
      if (tables < 1 || partitions < 1 || changes < ScaleOutTables.CHANGES_PER_TRANSACTION) {
        throw new IllegalArgumentException("tables and partitions must be positive, changes at least "
            + ScaleOutTables.CHANGES_PER_TRANSACTION + ": " + tables + ", " + partitions + ", " + changes);
      }
      if (processes.isEmpty() || processes.stream().anyMatch(count -> count < 1)) {
        throw new IllegalArgumentException("processes must be positive, at least one: " + processes);
      }
      if (batchSegments.isEmpty() || batchSegments.stream().anyMatch(count -> count < 1)) {
        throw new IllegalArgumentException("batch segments must be positive, at least one: " + batchSegments);
      }
      HeapSize.parse(applierHeap);
      requireNonNull(timeout, "timeout is null");
      requireNonNull(workDirectory, "workDirectory is null");
      requireNonNull(postgresBinaries, "postgresBinaries is null");
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter progress;

  /** @param progress where the run says what it is doing */
  public ScaleOutBenchmark(Settings settings, Clock clock, PrintWriter progress) {
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  public ScaleOutResult run() throws Exception {
    String startedAt = clock.instant().toString();
    long runStart = System.nanoTime();
    long deadline = runStart + settings.timeout().toNanos();
    Path work = WorkDirectory.emptied(settings.workDirectory());
    progress.printf("scale-out: starting PostgreSQL and Kafka under %s%n", work);
    List<String> problems = new ArrayList<>();
    List<ScaleOutResult.Step> steps = new ArrayList<>();
    List<String> tables = ScaleOutTables.names(GatewayJvm.SOURCE, settings.tables(), settings.partitions());
    URI staging = work.resolve("staging").toUri();
    Map<String, String> brokerConfig = Map.of("group.initial.rebalance.delay.ms",
        Long.toString(INITIAL_REBALANCE_DELAY.toMillis()));
    try (BenchmarkServers servers = BenchmarkServers.start(work.resolve("servers"), settings.postgresBinaries(),
        brokerConfig); Connection connection = servers.connect()) {
      ScaleOutTables.create(connection, tables);
      Environment environment = Environment.describe(connection);
      Path gatewayConfig = ScaleOutConfigs.gateway(servers, tables, settings.partitions(), staging, work.resolve("gateway"));
      Staged staged = stage(servers, connection, tables, gatewayConfig, deadline, problems);
      Map<String, ScaleOutTables.Counts> source = new LinkedHashMap<>();
      for (String table : tables) {
        source.put(table, ScaleOutTables.counts(connection, table));
      }
      long sourceRows = source.values().stream().mapToLong(ScaleOutTables.Counts::rows).sum();
      ScaleOutResult.Backlog backlog = new ScaleOutResult.Backlog(staged.load().transactions(), staged.load().changes(),
          staged.load().inserts(), staged.load().updates(), staged.load().deletes(), staged.manifests().size(),
          staged.bytes(), staged.bytes() / (double) Math.max(1, staged.load().changes()), staged.load().seconds(),
          staged.seconds(), sourceRows);
      progress.printf(Locale.ROOT, "scale-out: backlog of %,d changes in %,d segments (%.1f MB) over %d tables%n",
          backlog.changes(), backlog.segments(), backlog.stagedBytes() / 1e6, tables.size());
      String coordinatorConfiguration = "";
      String applierConfiguration = "";
      if (problems.isEmpty()) {
        rounds:
        for (int batchSegments : settings.batchSegments()) {
          for (int processes : settings.processes()) {
            if (System.nanoTime() > deadline) {
              problems.add("the run's time bound passed before the step of " + processes + " processes, "
                  + batchSegments + " segments per commit");
              break rounds;
            }
            Path directory = work.resolve("batch-" + batchSegments).resolve("processes-" + processes);
            steps.add(new StepRun(servers, staged, source, staging, directory, processes, batchSegments, deadline,
                problems).run());
            coordinatorConfiguration = ScaleOutConfigs.shown(directory.resolve("coordinator.yaml"), work);
            applierConfiguration = ScaleOutConfigs.shown(directory.resolve(writer(1) + ".yaml"), work);
          }
        }
      }
      ScaleOutResult.Setup setup = new ScaleOutResult.Setup(method(), tables.size(), settings.partitions(), tables,
          settings.processes(), settings.batchSegments(), ScaleOutConfigs.shown(gatewayConfig, work),
          coordinatorConfiguration, applierConfiguration,
          ChildJvm.withoutDirectories(applierJvmOptions()), ChildJvm.withoutDirectories(coordinatorJvmOptions()),
          ChildJvm.withoutDirectories(gatewayJvmOptions()));
      return new ScaleOutResult("scale-out", startedAt, (System.nanoTime() - runStart) / 1e9, environment, setup,
          backlog, steps, new ScaleOutResult.Verdict(problems.isEmpty(), problems));
    }
  }

  /** The backlog as staged: what the load made, the manifests announcing it, and how long staging took. */
  record Staged(ScaleOutTables.Load load, List<ManifestRecord> manifests, long bytes, double seconds) {
    /** The last position announced for each table. */
    Map<TableId, SourcePosition> lastPositions() {
      Map<TableId, SourcePosition> last = new HashMap<>();
      for (ManifestRecord manifest : manifests) {
        last.merge(manifest.tableId(), manifest.lastPosition(), (a, b) -> a.isAfter(b) ? a : b);
      }
      return last;
    }

    /** The changes of each staged segment, by its path. */
    Map<URI, Long> rowsBySegment() {
      Map<URI, Long> rows = new HashMap<>();
      for (ManifestRecord manifest : manifests) {
        rows.put(manifest.segmentPath(), manifest.rowCount());
      }
      return rows;
    }
  }

  /** Runs the gateway while the load commits the backlog, until all of it is announced; then stops the gateway. */
  private Staged stage(BenchmarkServers servers, Connection connection, List<String> tables, Path config, long deadline,
      List<String> problems) throws Exception {
    progress.println("scale-out: starting the gateway (tributary gateway)");
    try (TributaryProcess gateway = TributaryProcess.start("gateway", "gateway", config,
        config.resolveSibling("data"), gatewayJvmOptions(),
        Map.of(GatewayJvm.PASSWORD_VARIABLE, servers.postgres().superuserPassword()))) {
      gateway.awaitRunning("Gateway for source", START_TIMEOUT);
      awaitStreaming(gateway, deadline);
      try (ManifestWatcher watcher = ManifestWatcher.start(servers.bootstrapServers(), ScaleOutConfigs.TOPIC)) {
        long transactions = Math.max(1, settings.changes() / ScaleOutTables.CHANGES_PER_TRANSACTION);
        progress.printf(Locale.ROOT, "scale-out: loading %,d transactions of %d changes over %d tables%n", transactions,
            ScaleOutTables.CHANGES_PER_TRANSACTION, tables.size());
        long loadStart = System.nanoTime();
        ScaleOutTables.Load load = ScaleOutTables.load(connection, tables, transactions, deadline);
        if (load.transactions() < transactions) {
          problems.add("the run's time bound passed during the load (" + load.transactions() + " of " + transactions
              + " transactions)");
        }
        long staged = watcher.awaitRows(load.changes(), deadline, gateway.process()::isAlive)
            .orElse(System.nanoTime());
        if (watcher.rows() < load.changes()) {
          problems.add("the gateway announced " + watcher.rows() + " of " + load.changes() + " changes (see gateway/gateway.log)");
        }
        int exitCode = gateway.process().stop(STOP_TIMEOUT);
        if (exitCode != 0 && exitCode != 143) {
          problems.add("the gateway exited with " + exitCode + " (see gateway/gateway.log)");
        }
        return new Staged(load, watcher.manifests(), watcher.bytes(), (staged - loadStart) / 1e9);
      }
    }
  }

  private static void awaitStreaming(TributaryProcess gateway, long deadline) {
    long bound = Math.min(deadline, System.nanoTime() + START_TIMEOUT.toNanos());
    while (gateway.metrics().map(metrics -> metrics.sum("tributary_gateway_streaming")).orElse(0.0) < 1) {
      if (System.nanoTime() > bound || !gateway.process().isAlive()) {
        throw new IllegalStateException("The gateway did not start streaming (see gateway/gateway.log)");
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** One step: a fresh coordinator, fresh tables and group, {@code processes} appliers applying the backlog. */
  private final class StepRun {
    private final BenchmarkServers servers;
    private final Staged staged;
    private final Map<String, ScaleOutTables.Counts> source;
    private final URI staging;
    private final Path directory;
    private final int processes;
    private final int batchSegments;
    private final String name;
    private final long deadline;
    private final List<String> problems;

    StepRun(BenchmarkServers servers, Staged staged, Map<String, ScaleOutTables.Counts> source, URI staging,
        Path directory, int processes, int batchSegments, long deadline, List<String> problems) {
      this.servers = servers;
      this.staged = staged;
      this.source = source;
      this.staging = staging;
      this.directory = directory;
      this.processes = processes;
      this.batchSegments = batchSegments;
      this.name = String.format(Locale.ROOT, "%d process%s, at most %d segment%s per commit", processes,
          processes == 1 ? "" : "es", batchSegments, batchSegments == 1 ? "" : "s");
      this.deadline = deadline;
      this.problems = problems;
    }

    ScaleOutResult.Step run() throws Exception {
      progress.printf("scale-out: %s%n", name);
      List<TributaryProcess> appliers = new ArrayList<>();
      Path coordinatorConfig = ScaleOutConfigs.coordinator(directory);
      try (TributaryProcess coordinator = TributaryProcess.start("coordinator", "coordinator", coordinatorConfig,
          directory.resolve("coordinator-data"), coordinatorJvmOptions(), Map.of())) {
        coordinator.awaitRunning("Coordinator running at", START_TIMEOUT);
        try (HttpCoordinatorClient client = HttpCoordinatorClient.create(coordinator.uri(), Optional.empty())) {
          URI tables = directory.resolve("delta").toUri();
          long launched = System.nanoTime();
          for (int i = 1; i <= processes; i++) {
            Path config = ScaleOutConfigs.applier(servers, writer(i), "scale-out-" + batchSegments + "-" + processes,
                batchSegments, staging, tables, coordinator.uri(), directory);
            appliers.add(TributaryProcess.start(writer(i), "applier", config, directory.resolve("data-" + i),
                applierJvmOptions(), Map.of()));
          }
          for (TributaryProcess applier : appliers) {
            applier.awaitRunning("Applier ", START_TIMEOUT);
          }
          double[] cpuAtStart = appliers.stream().mapToDouble(TributaryProcess::cpuSeconds).toArray();
          double coordinatorCpuAtStart = coordinator.cpuSeconds();
          boolean applied = awaitApplied(client, appliers);
          long done = System.nanoTime();
          double coordinatorCpu = coordinator.cpuSeconds() - coordinatorCpuAtStart;
          double[] cpu = new double[appliers.size()];
          for (int i = 0; i < cpu.length; i++) {
            cpu[i] = appliers.get(i).cpuSeconds() - cpuAtStart[i];
          }
          Optional<PrometheusText> metrics = coordinator.metrics();
          long firstLease = firstLease(appliers).orElse(launched);
          double seconds = (done - firstLease) / 1e9;
          List<TableStatus> statuses = client.tables();
          List<CommitRecord> history = new ArrayList<>();
          statuses.forEach(status -> history.addAll(client.history(status.tableId())));
          List<ScaleOutResult.Process> perProcess = perProcess(history, statuses, appliers, cpu, seconds);
          long batches = history.stream().filter(commit -> !commit.segments().isEmpty()).count();
          double segmentsPerCommit = batches == 0 ? Double.NaN
              : history.stream().mapToLong(commit -> commit.segments().size()).sum() / (double) batches;
          for (TributaryProcess applier : appliers) {
            int exitCode = applier.process().stop(STOP_TIMEOUT);
            if (exitCode != 0 && exitCode != 143) {
              problems.add("with " + name + ", " + applier.name() + " exited with " + exitCode + " (see "
                  + applier.name() + ".log of the step)");
            }
          }
          boolean verified = applied && verify(statuses);
          double commits = metrics.map(text -> text.sum("tributary_coordinator_commits_ratified_total")).orElse(Double.NaN);
          double proposals = metrics.map(text -> text.sum("tributary_coordinator_commit_latency_seconds_count")).orElse(0.0);
          double commitMillis = proposals > 0
              ? 1000 * metrics.get().sum("tributary_coordinator_commit_latency_seconds_sum") / proposals : Double.NaN;
          double applierCpu = Arrays.stream(cpu).sum();
          long changes = staged.load().changes();
          ScaleOutResult.Step step = new ScaleOutResult.Step(processes, batchSegments, seconds, (done - launched) / 1e9, changes,
              changes / seconds, changes / seconds / processes, commits, segmentsPerCommit, commits / seconds, commitMillis,
              coordinatorCpu, 1000 * coordinatorCpu / commits, applierCpu, applierCpu / seconds, applierCpu / (changes / 1e6),
              staged.bytes() / 1e6 / seconds, Environment.loadAverage(), verified, perProcess);
          progress.printf(Locale.ROOT, "scale-out: %s: %,.0f changes/s in all, %,.0f per process, %.1f s;"
                  + " %.0f commits, %.1f commits/s at the coordinator; load average %.1f%n", name, step.changesPerSecond(), step.perProcessChangesPerSecond(), seconds, commits,
              step.coordinatorCommitsPerSecond(), step.loadAverage());
          return step;
        }
      } finally {
        appliers.forEach(TributaryProcess::close);
      }
    }

    /** Waits until every table is applied up to the last position announced for it; false if that did not happen. */
    private boolean awaitApplied(HttpCoordinatorClient client, List<TributaryProcess> appliers) {
      Map<TableId, SourcePosition> last = staged.lastPositions();
      while (true) {
        List<TableStatus> statuses = client.tables();
        long behind = last.entrySet().stream().filter(entry -> statuses.stream()
            .noneMatch(status -> status.tableId().equals(entry.getKey()) && status.appliedPosition()
                .filter(applied -> !entry.getValue().isAfter(applied)).isPresent())).count();
        if (behind == 0) {
          return true;
        }
        Optional<TributaryProcess> ended = appliers.stream().filter(applier -> !applier.process().isAlive()).findFirst();
        if (ended.isPresent() || System.nanoTime() > deadline) {
          problems.add(String.format(Locale.ROOT, "with %s, %d of %d tables were not applied to their end: %s",
              name, behind, last.size(), ended.map(applier -> applier.name() + " ended (see its log)")
                  .orElse("the run's time bound passed")));
          return false;
        }
        LockSupport.parkNanos(POLL.toNanos());
      }
    }

    /** When the first table lease of the step was taken: the first "Took <table>" line of any applier. */
    private Optional<Long> firstLease(List<TributaryProcess> appliers) {
      Optional<Long> first = Optional.empty();
      for (TributaryProcess applier : appliers) {
        try {
          long took = applier.process().awaitLine(line -> line.contains("Took " + GatewayJvm.SOURCE + "."),
              Duration.ZERO).nanos();
          first = Optional.of(first.map(earlier -> Math.min(earlier, took)).orElse(took));
        } catch (IllegalStateException e) {
          // This process took no table: more processes than partitions, or the others were quicker.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return first;
    }

    /** Each process's tables, commits and the changes of the segments those commits applied, from the tables' history. */
    private List<ScaleOutResult.Process> perProcess(List<CommitRecord> history, List<TableStatus> statuses,
        List<TributaryProcess> appliers, double[] cpu, double seconds) {
      Map<URI, Long> rows = staged.rowsBySegment();
      Map<String, long[]> byWriter = new HashMap<>();
      for (CommitRecord commit : history) {
        long[] figures = byWriter.computeIfAbsent(commit.writer().value(), writer -> new long[2]);
        figures[0] += commit.segments().stream().mapToLong(segment -> rows.getOrDefault(segment, 0L)).sum();
        figures[1]++;
      }
      List<ScaleOutResult.Process> result = new ArrayList<>();
      for (int i = 0; i < appliers.size(); i++) {
        String writer = appliers.get(i).name();
        long[] figures = byWriter.getOrDefault(writer, new long[2]);
        int held = (int) statuses.stream()
            .filter(status -> status.leaseHolder().equals(Optional.of(new WriterId(writer)))).count();
        result.add(new ScaleOutResult.Process(writer, held, figures[0], figures[1], figures[0] / seconds, cpu[i]));
      }
      return result;
    }

    /** Whether every Delta table holds the rows of its source table (count and key sum); each difference a problem. */
    private boolean verify(List<TableStatus> statuses) {
      boolean equal = true;
      for (TableStatus status : statuses) {
        String table = status.tableId().schema() + "." + status.tableId().table();
        ScaleOutTables.Counts expected = source.get(table);
        TableDigest digest = TableDigest.of(status.location());
        long keySum = Arrays.stream(digest.keys()).sum();
        if (expected == null || digest.rows() != expected.rows() || keySum != expected.keySum()) {
          problems.add(String.format(Locale.ROOT, "with %s, %s holds %,d rows (key sum %d), its source %s",
              name, status.tableId(), digest.rows(), keySum,
              expected == null ? "is not a captured table" : expected.rows() + " rows (key sum " + expected.keySum() + ")"));
          equal = false;
        }
      }
      if (statuses.size() != source.size()) {
        problems.add("with " + name + ", the coordinator knows " + statuses.size() + " tables of "
            + source.size());
        equal = false;
      }
      return equal;
    }
  }

  static String writer(int index) {
    return "applier-" + index;
  }

  private List<String> applierJvmOptions() {
    return List.of("-Xmx" + settings.applierHeap(), "-XX:+ExitOnOutOfMemoryError");
  }

  private static List<String> coordinatorJvmOptions() {
    return List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError");
  }

  private static List<String> gatewayJvmOptions() {
    return List.of("-Xmx1g", "-XX:+ExitOnOutOfMemoryError");
  }

  private String method() {
    return String.format(Locale.ROOT, "A gateway (tributary gateway, its own JVM, every key at its default but the"
            + " topic's %d partitions) captures %d tables while one connection commits %,d changes as fast as it can:"
            + " transactions of %d changes on one table each, the tables in turn (%d inserts of new keys, %d delete of"
            + " the oldest row, %d updates). The tables are named so that the manifests of each go to a partition of"
            + " their own (Kafka's default partitioner hashes the table id). Once every change is staged and announced"
            + " the gateway stops and the backlog stays on the topic. Then, in rounds of applier.batch.max-segments"
            + " (%s), for each number of applier processes (%s): a fresh coordinator (tributary coordinator, embedded"
            + " store), fresh Delta tables and a fresh consumer group, and that many tributary applier JVMs started"
            + " together (-Xmx%s each; the broker waits %d s after the first member joins before the group's first"
            + " assignment, so that all of them are given partitions at once), applying the backlog from the start of"
            + " the topic with every other applier key at its default. A step is timed from the first table lease taken"
            + " (an applier's log line) until the coordinator's progress API (polled every %d ms) shows every table"
            + " applied up to the last position announced for it; its processes are then stopped by their pids and"
            + " every Delta table is compared with its source table (row count and key sum). CPU times are each"
            + " process's utime + stime over the step.",
        settings.partitions(), settings.tables(), settings.changes(), ScaleOutTables.CHANGES_PER_TRANSACTION,
        ScaleOutTables.INSERTS, ScaleOutTables.DELETES, ScaleOutTables.UPDATES, join(settings.batchSegments()),
        join(settings.processes()), settings.applierHeap(), INITIAL_REBALANCE_DELAY.toSeconds(), POLL.toMillis());
  }

  private static String join(List<Integer> values) {
    return String.join(", ", values.stream().map(String::valueOf).toList());
  }
}
