package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.BenchmarkServers;
import io.tributary.loadtests.internal.ChildJvm;
import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.GatewayJvm;
import io.tributary.loadtests.internal.GcLog;
import io.tributary.loadtests.internal.HeapSize;
import io.tributary.loadtests.internal.ManifestWatcher;
import io.tributary.loadtests.internal.MemorySampler;
import io.tributary.loadtests.internal.StagedRows;
import io.tributary.loadtests.internal.WideRows;
import io.tributary.loadtests.internal.WorkDirectory;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Benchmark {@code memory}: one transaction of {@code rows} inserts (and as many updates) on
 * PostgreSQL passes through a gateway whose JVM has a bounded heap ({@code -Xmx256m} by default).
 * The gateway runs as deployed ({@code tributary gateway}, its own JVM); its resident memory, heap
 * and CPU are sampled from outside while it stages the transaction, and its GC log gives the heap
 * held after every collection. It passes when every change is staged (read back from the segments:
 * every key inserted, every row updated, positions increasing) and the JVM never ran out of memory.
 */
public final class MemoryBenchmark {
  private static final String SLOT = "bench_memory";
  private static final String TOPIC = "bench.memory.manifests";
  private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(250);
  /** The exit code of a JVM stopped by SIGTERM: the gateway's clean stop. */
  private static final int STOPPED_BY_SIGTERM = 143;

  /**
   * @param rows rows inserted by the transaction
   * @param updateAll whether the transaction also updates every row it inserted
   * @param gatewayHeap the gateway's {@code -Xmx}, e.g. {@code 256m}
   * @param timeout bound on the whole run
   * @param workDirectory where servers, gateway state and logs go; emptied first
   * @param postgresBinaries where the PostgreSQL distribution is unpacked, kept between runs
   */
  public record Settings(long rows, boolean updateAll, String gatewayHeap, Duration timeout, Path workDirectory,
      Path postgresBinaries) {
    public Settings {
      if (rows < 1) {
        throw new IllegalArgumentException("rows must be >= 1: " + rows);
      }
      HeapSize.parse(gatewayHeap);
      requireNonNull(timeout, "timeout is null");
      requireNonNull(workDirectory, "workDirectory is null");
      requireNonNull(postgresBinaries, "postgresBinaries is null");
    }
  }

  /** What was measured of the load and when, on the way to a result. */
  private record Load(WideRows.Changes changes, long averageRowBytes, long walBytes, long startNanos,
      long committedNanos) {}

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter progress;

  /** @param progress where the run says what it is doing */
  public MemoryBenchmark(Settings settings, Clock clock, PrintWriter progress) {
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  /** Runs the benchmark; a gateway that fails is a result (its verdict says so), not an exception. */
  public MemoryResult run() throws Exception {
    String startedAt = clock.instant().toString();
    long runStart = System.nanoTime();
    long deadline = runStart + settings.timeout().toNanos();
    Path work = WorkDirectory.emptied(settings.workDirectory());
    progress.printf("memory: starting PostgreSQL and Kafka under %s%n", work);
    try (BenchmarkServers servers = BenchmarkServers.start(work.resolve("servers"), settings.postgresBinaries());
        Connection connection = servers.connect()) {
      WideRows.create(connection);
      servers.createTopic(TOPIC);
      Environment environment = Environment.describe(connection);
      Path directory = work.resolve("gateway");
      List<String> jvmOptions = GatewayJvm.jvmOptions(settings.gatewayHeap(), directory);
      try (ManifestWatcher manifests = ManifestWatcher.start(servers.bootstrapServers(), TOPIC);
          GatewayJvm gateway = GatewayJvm.start(servers, new GatewayJvm.Target(SLOT, SLOT, TOPIC), directory, jvmOptions);
          MemorySampler sampler = MemorySampler.start(gateway.process().pid(), gateway::opsUri, SAMPLE_INTERVAL)) {
        gateway.awaitRunning(Duration.ofMinutes(2));
        progress.printf("memory: gateway running (pid %d, -Xmx%s); one transaction of %,d rows%s%n",
            gateway.process().pid(), settings.gatewayHeap(), settings.rows(),
            settings.updateAll() ? ", each inserted and updated" : "");
        Load load = load(connection);
        progress.printf("memory: committed %,d changes in %.1f s; waiting until the gateway has staged them%n",
            load.changes().total(), seconds(load.committedNanos() - load.startNanos()));

        OptionalLong staged = manifests.awaitRows(load.changes().total(), deadline, gateway.process()::isAlive);
        int exitCode = gateway.process().stop(Duration.ofSeconds(60));
        sampler.close();
        progress.printf("memory: gateway stopped (exit code %d); reading back what it staged%n", exitCode);
        StagedRows rows;
        try (StagingStore store = StagingStore.open(StagingConfig.local(gateway.stagingDirectory()), clock)) {
          rows = StagedRows.read(store, manifests.manifests(), "id");
        }
        GcLog gcLog = GcLog.read(directory.resolve("gc.log"));
        boolean outOfMemory = gateway.ranOutOfMemory();
        long launched = gateway.process().startNanos();
        MemoryResult.Figures figures = figures(load, staged, manifests, sampler, gcLog, rows, exitCode, outOfMemory,
            launched);
        MemoryResult result = new MemoryResult("memory", startedAt, seconds(System.nanoTime() - runStart), environment,
            new MemoryResult.Workload(WideRows.TABLE, settings.rows(), settings.updateAll(), load.changes().total(),
                load.averageRowBytes(), load.walBytes(), seconds(load.committedNanos() - load.startNanos())),
            new MemoryResult.Gateway("tributary gateway --config gateway.yaml", ChildJvm.withoutDirectories(jvmOptions),
                gcLog.collector().orElse("unknown")),
            figures, verdict(load, figures), samples(sampler, manifests, launched), collections(gcLog));
        progress.printf("memory: %s%n", result.verdict().passed() ? "passed" : "FAILED: " + result.verdict().problems());
        return result;
      }
    }
  }

  private Load load(Connection connection) throws Exception {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET statement_timeout = " + settings.timeout().toMillis());
    }
    long walBefore = WideRows.walPosition(connection);
    long start = System.nanoTime();
    WideRows.Changes changes = WideRows.oneTransaction(connection, settings.rows(), settings.updateAll());
    long committed = System.nanoTime();
    long walBytes = WideRows.walPosition(connection) - walBefore;
    return new Load(changes, WideRows.averageRowBytes(connection), walBytes, start, committed);
  }

  private MemoryResult.Figures figures(Load load, OptionalLong staged, ManifestWatcher manifests, MemorySampler sampler,
      GcLog gcLog, StagedRows rows, int exitCode, boolean outOfMemory, long launched) {
    List<MemorySampler.Sample> samples = sampler.samples();
    long heapUsedMax = samples.stream().mapToLong(MemorySampler.Sample::heapUsedBytes).max().orElse(-1);
    long rssBeforeLoad = samples.stream().filter(sample -> sample.nanos() <= load.startNanos())
        .reduce((first, second) -> second).map(MemorySampler.Sample::rssBytes).orElse(-1L);
    double cpu = samples.stream().mapToDouble(MemorySampler.Sample::cpuSeconds).max().orElse(0);
    long nonHeapUsedMax = samples.stream().mapToLong(MemorySampler.Sample::nonHeapUsedBytes).max().orElse(-1);
    double captureSeconds = staged.isPresent() ? seconds(staged.getAsLong() - load.committedNanos()) : -1;
    double rate = captureSeconds > 0 ? load.changes().total() / captureSeconds : 0;
    double committedAt = seconds(load.committedNanos() - launched);
    double stagedAt = staged.isPresent() ? seconds(staged.getAsLong() - launched) : -1;
    double lastSampleAt = samples.isEmpty() ? committedAt : seconds(samples.get(samples.size() - 1).nanos() - launched);
    double endAt = stagedAt >= 0 ? stagedAt : lastSampleAt;
    // The GC log counts seconds from the JVM's start, a few milliseconds after its launch.
    List<Long> lowestByTenth = new ArrayList<>();
    for (int tenth = 0; tenth < 10; tenth++) {
      double from = committedAt + (endAt - committedAt) * tenth / 10;
      lowestByTenth.add(gcLog.minAfterBytes(from, committedAt + (endAt - committedAt) * (tenth + 1) / 10));
    }
    return new MemoryResult.Figures(HeapSize.parse(settings.gatewayHeap()).bytes(), heapUsedMax, gcLog.maxAfterBytes(),
        gcLog.maxBeforeBytes(), lowestByTenth, nonHeapUsedMax, sampler.peakRssBytes(), rssBeforeLoad,
        gcLog.pauses().size(), gcLog.fullCollections(), gcLog.totalPauseMillis() / 1000, committedAt, stagedAt,
        captureSeconds, rate, cpu, manifests.rows(), rows.rows(), rows.inserts(), rows.updates(),
        rows.distinctInsertedKeys(), rows.positionsIncrease(), manifests.segments(), manifests.bytes(), outOfMemory,
        exitCode);
  }

  private MemoryResult.Verdict verdict(Load load, MemoryResult.Figures figures) {
    List<String> problems = new ArrayList<>();
    long expected = load.changes().total();
    if (figures.outOfMemory()) {
      problems.add("the gateway ran out of memory (-Xmx" + settings.gatewayHeap() + "); see gateway/gateway.log and the heap dump");
    }
    if (figures.exitCode() != STOPPED_BY_SIGTERM && figures.exitCode() != 0) {
      problems.add("the gateway exited with code " + figures.exitCode() + " instead of stopping cleanly");
    }
    if (figures.rowsAnnounced() != expected || figures.rowsStaged() != expected) {
      problems.add(figures.rowsAnnounced() + " changes announced and " + figures.rowsStaged() + " read back from staging, of "
          + expected);
    }
    if (figures.insertsStaged() != load.changes().inserts() || figures.distinctKeysStaged() != settings.rows()
        || figures.updatesStaged() != load.changes().updates()) {
      problems.add("staged " + figures.insertsStaged() + " inserts of " + figures.distinctKeysStaged() + " keys and "
          + figures.updatesStaged() + " updates, for " + load.changes().inserts() + " inserts and "
          + load.changes().updates() + " updates");
    }
    if (!figures.positionsIncrease()) {
      problems.add("staged positions do not increase from one change to the next");
    }
    return new MemoryResult.Verdict(problems.isEmpty(), problems);
  }

  private static List<MemoryResult.Sample> samples(MemorySampler sampler, ManifestWatcher manifests, long launched) {
    List<ManifestWatcher.Progress> announced = manifests.progress();
    List<MemoryResult.Sample> samples = new ArrayList<>();
    int next = 0;
    long rows = 0;
    for (MemorySampler.Sample sample : sampler.samples()) {
      while (next < announced.size() && announced.get(next).nanos() <= sample.nanos()) {
        rows = announced.get(next++).rows();
      }
      samples.add(new MemoryResult.Sample(seconds(sample.nanos() - launched), sample.rssBytes(), sample.heapUsedBytes(),
          sample.heapCommittedBytes(), sample.nonHeapUsedBytes(), sample.cpuSeconds(), sample.eventsCaptured(), rows));
    }
    return samples;
  }

  private static List<MemoryResult.Collection> collections(GcLog gcLog) {
    return gcLog.pauses().stream().map(pause -> new MemoryResult.Collection(pause.uptimeSeconds(), pause.kind(),
        pause.beforeBytes(), pause.afterBytes(), pause.pauseMillis())).toList();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
