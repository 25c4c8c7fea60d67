package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.BareDebeziumCapture;
import io.tributary.loadtests.internal.BenchmarkServers;
import io.tributary.loadtests.internal.ChildJvm;
import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.GatewayJvm;
import io.tributary.loadtests.internal.GcLog;
import io.tributary.loadtests.internal.HeapSize;
import io.tributary.loadtests.internal.ManifestWatcher;
import io.tributary.loadtests.internal.Medians;
import io.tributary.loadtests.internal.MemorySampler;
import io.tributary.loadtests.internal.PeerProperties;
import io.tributary.loadtests.internal.PostgresCpu;
import io.tributary.loadtests.internal.SampleWindow;
import io.tributary.loadtests.internal.WideRows;
import io.tributary.loadtests.internal.WorkDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.ToDoubleFunction;

/**
 * Benchmarks {@code capture} and {@code snapshot}: how fast the gateway captures compared with
 * Debezium's embedded engine alone (the peer), on the same source, on the same machine, in the same
 * run. A third system, the reader, is the peer with a consumer that reads every value of each change
 * and does nothing else: how much of the peer's throughput any consumer that looks at the data keeps
 * on this machine, the gateway's included.
 *
 * <p>Method of {@code capture} ({@link Mode#STREAMING}): the publication and one logical replication
 * slot per capture are created first, then the load is made with nothing consuming, so every slot
 * holds the same WAL. Method of {@code snapshot} ({@link Mode#SNAPSHOT}): one transaction fills the
 * table, and each capture reads it whole by its initial snapshot (each engine creates its own slot
 * as it starts). Then each repeat runs the three one after the other, each repeat starting one
 * place further along the list, so that each takes each place in turn; each is its own JVM with the
 * same options. A capture is timed from the moment its engine polls the source until its last change
 * is consumed (peer: a consumer that counts and marks records processed; reader: the same after
 * reading every value) or staged durably and announced on Kafka (gateway, as deployed). Figures are
 * medians over the repeats; the ratio is the gateway's changes per second over the peer's.
 */
public final class CaptureBenchmark {
  /** The ratio of the gateway's throughput to the peer's that the gateway aims at. */
  public static final double TARGET_RATIO = 0.9;
  private static final String PUBLICATION = "bench_capture";
  static final String GATEWAY = "gateway";
  static final String PEER = "peer";
  static final String READER = "reader";
  /** The systems in the order the first repeat runs them. */
  private static final List<String> SYSTEMS = List.of(PEER, READER, GATEWAY);
  private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(500);
  /**
   * The share of the changes a capture takes to warm up: its JVM compiles the code the capture runs
   * while it captures them. Throughput after the warm-up is timed from the first progress point past
   * this share.
   */
  static final double WARM_UP_SHARE = 1.0 / 3;
  /** How many progress points the peer prints over the changes; the gateway's are its manifests. */
  private static final long PEER_PROGRESS_POINTS = 100;

  /** Changes captured by a moment ({@link System#nanoTime()}). */
  record Progress(long nanos, long changes) {}

  /** What the captures read. */
  public enum Mode {
    /** Changes made before the captures, streamed from slots that all hold the same WAL. */
    STREAMING("capture", "no_data"),
    /** The rows of one table, read whole by each engine's initial snapshot. */
    SNAPSHOT("snapshot", "initial");

    private final String benchmark;
    private final String snapshotMode;

    Mode(String benchmark, String snapshotMode) {
      this.benchmark = benchmark;
      this.snapshotMode = snapshotMode;
    }

    /** The benchmark's name, as results and commands know it. */
    public String benchmark() {
      return benchmark;
    }
  }

  /**
   * @param mode what the captures read
   * @param changes row changes the load makes (at least); in {@link Mode#SNAPSHOT}, the table's rows
   * @param repeats captures of each system
   * @param heap {@code -Xmx} of the gateway and of the peer
   * @param runTimeout bound on each capture, and on the load
   * @param profile whether each capture's JVM records a flight recording ({@code <system>-<repeat>.jfr} in its directory)
   * @param workDirectory where servers, state and logs go; emptied first
   * @param postgresBinaries where the PostgreSQL distribution is unpacked, kept between runs
   */
  public record Settings(Mode mode, long changes, int repeats, String heap, Duration runTimeout, boolean profile,
      Path workDirectory, Path postgresBinaries) {
    public Settings {
      requireNonNull(mode, "mode is null");
      if (changes < 1) {
        throw new IllegalArgumentException("changes must be >= 1: " + changes);
      }
      if (repeats < 1) {
        throw new IllegalArgumentException("repeats must be >= 1: " + repeats);
      }
      if (repeats * SYSTEMS.size() > BenchmarkServers.REPLICATION_SLOTS) {
        throw new IllegalArgumentException("repeats must be <= " + BenchmarkServers.REPLICATION_SLOTS / SYSTEMS.size()
            + ", one replication slot for each of " + SYSTEMS.size() + " captures a repeat: " + repeats);
      }
      HeapSize.parse(heap);
      requireNonNull(runTimeout, "runTimeout is null");
      requireNonNull(workDirectory, "workDirectory is null");
      requireNonNull(postgresBinaries, "postgresBinaries is null");
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter progress;
  private Map<String, String> peerProperties = Map.of();
  /** The CPU time of PostgreSQL, whose processes serve the captures; read once the server runs. */
  private PostgresCpu postgresCpu;

  /** @param progress where the run says what it is doing */
  public CaptureBenchmark(Settings settings, Clock clock, PrintWriter progress) {
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  public CaptureResult run() throws Exception {
    String startedAt = clock.instant().toString();
    long runStart = System.nanoTime();
    Path work = WorkDirectory.emptied(settings.workDirectory());
    String name = settings.mode().benchmark();
    String unit = settings.mode() == Mode.SNAPSHOT ? "rows" : "changes";
    progress.printf("%s: starting PostgreSQL and Kafka under %s%n", name, work);
    try (BenchmarkServers servers = BenchmarkServers.start(work.resolve("servers"), settings.postgresBinaries());
        Connection connection = servers.connect()) {
      WideRows.create(connection);
      postgresCpu = PostgresCpu.of(connection);
      Environment environment = Environment.describe(connection);
      CaptureResult.Workload workload = settings.mode() == Mode.STREAMING ? changes(connection) : table(connection);

      List<CaptureResult.Run> runs = new ArrayList<>();
      for (int repeat = 1; repeat <= settings.repeats(); repeat++) {
        List<String> order = order(repeat);
        for (int position = 0; position < order.size(); position++) {
          String system = order.get(position);
          Path directory = work.resolve(system + "-" + repeat);
          CaptureResult.Run run = system.equals(GATEWAY)
              ? gateway(servers, workload, repeat, position + 1, directory)
              : debezium(system, servers, workload, repeat, position + 1, directory);
          runs.add(run);
          progress.printf("%s: %s run %d: %s%n", name, run.system(), repeat, run.completed()
              ? String.format("%,.0f %s/s (%.1f s, started in %.1f s)", run.changesPerSecond(), unit, run.captureSeconds(),
                  run.startupSeconds())
              : "did not capture every change (see " + directory.getFileName() + "/)");
        }
      }
      CaptureResult.Figures figures = figures(runs, workload);
      CaptureResult.Setup setup = new CaptureResult.Setup(method(),
          ChildJvm.withoutDirectories(jvmOptions(work.resolve("gateway-1"))),
          "tributary gateway --config gateway.yaml (snapshot-mode " + settings.mode().snapshotMode
              + ", every other key at its default)",
          "Debezium embedded engine (" + environment.versions().debezium()
              + "), Connect records, a ChangeConsumer that counts and marks each record processed",
          "the peer, its consumer reading every value of each change's key and value (before and after"
              + " images, source block) before it counts it",
          peerProperties);
      List<String> problems = new ArrayList<>();
      runs.stream().filter(run -> !run.completed()).forEach(run -> problems.add(
          run.system() + " run " + run.repeat() + " captured " + run.changes() + " of " + workload.changes() + " changes"));
      CaptureResult result = new CaptureResult(name, startedAt, seconds(System.nanoTime() - runStart), environment,
          workload, setup, figures, new CaptureResult.Verdict(problems.isEmpty(), problems), runs);
      progress.printf("%s: gateway %,.0f %s/s, peer %,.0f %s/s: ratio %.2f, once warmed up %.2f (target %.2f);"
              + " reader %,.0f %s/s, %.2f of the peer%n",
          name, figures.gatewayChangesPerSecond(), unit, figures.peerChangesPerSecond(), unit, figures.ratio(),
          figures.warmRatio(), TARGET_RATIO, figures.readerChangesPerSecond(), unit, figures.readerRatio());
      return result;
    }
  }

  /**
   * The publication and a slot for each capture, then the mixed load: the slots are created before
   * it, so all hold the same WAL.
   */
  private CaptureResult.Workload changes(Connection connection) throws Exception {
    createPublication(connection);
    createSlots(connection);
    long walBefore = WideRows.walPosition(connection);
    long loadStart = System.nanoTime();
    WideRows.Changes changes = WideRows.mixedLoad(connection, settings.changes(), settings.runTimeout());
    double loadSeconds = seconds(System.nanoTime() - loadStart);
    long walBytes = WideRows.walPosition(connection) - walBefore;
    progress.printf("capture: load of %,d changes in %,d transactions (%.0f MB of WAL) made in %.1f s%n",
        changes.total(), changes.transactions(), walBytes / 1e6, loadSeconds);
    return new CaptureResult.Workload(WideRows.TABLE, changes.total(), changes.inserts(), changes.updates(),
        changes.deletes(), changes.transactions(), WideRows.averageRowBytes(connection), walBytes, loadSeconds);
  }

  /** The table filled by one transaction, and the publication; each engine makes its own slot as its snapshot starts. */
  private CaptureResult.Workload table(Connection connection) throws Exception {
    long loadStart = System.nanoTime();
    WideRows.Changes rows = WideRows.oneTransaction(connection, settings.changes(), false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("VACUUM ANALYZE " + WideRows.TABLE);
    }
    double loadSeconds = seconds(System.nanoTime() - loadStart);
    createPublication(connection);
    long tableBytes = WideRows.tableBytes(connection);
    progress.printf("snapshot: table of %,d rows (%.0f MB) filled in %.1f s%n", rows.total(), tableBytes / 1e6,
        loadSeconds);
    return new CaptureResult.Workload(WideRows.TABLE, rows.total(), rows.inserts(), 0, 0, rows.transactions(),
        WideRows.averageRowBytes(connection), tableBytes, loadSeconds);
  }

  private static void createPublication(Connection connection) throws Exception {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + WideRows.TABLE);
    }
  }

  /**
   * The systems in the order a repeat runs them: each repeat starts one place further along
   * {@link #SYSTEMS} than the one before.
   */
  static List<String> order(int repeat) {
    List<String> order = new ArrayList<>(SYSTEMS);
    Collections.rotate(order, -((repeat - 1) % SYSTEMS.size()));
    return List.copyOf(order);
  }

  /** A slot for each capture. */
  private void createSlots(Connection connection) throws Exception {
    try (PreparedStatement slot = connection.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
      for (int repeat = 1; repeat <= settings.repeats(); repeat++) {
        for (String system : SYSTEMS) {
          slot.setString(1, slotName(system, repeat));
          slot.execute();
        }
      }
    }
  }

  private CaptureResult.Run gateway(BenchmarkServers servers, CaptureResult.Workload workload, int repeat, int order,
      Path directory) throws Exception {
    String topic = "bench." + settings.mode().benchmark() + ".manifests." + repeat;
    servers.createTopic(topic);
    GatewayJvm.Target target = new GatewayJvm.Target(slotName(GATEWAY, repeat), PUBLICATION, topic,
        settings.mode().snapshotMode);
    try (ManifestWatcher manifests = ManifestWatcher.start(servers.bootstrapServers(), topic);
        GatewayJvm gateway = GatewayJvm.start(servers, target, directory, jvmOptions(directory));
        MemorySampler sampler = MemorySampler.start(gateway.process().pid(), Optional::empty, SAMPLE_INTERVAL)) {
      ChildJvm.TimedLine running = gateway.awaitRunning(Duration.ofMinutes(2));
      PostgresCpu.Interval source = postgresCpu.start();
      // An initial snapshot opens with a truncate of the table, so that a copy holds only what it reads.
      long markers = settings.mode() == Mode.SNAPSHOT ? 1 : 0;
      OptionalLong done = manifests.awaitRows(workload.changes() + markers,
          running.nanos() + settings.runTimeout().toNanos(), gateway.process()::isAlive);
      double sourceCpu = source.seconds();
      int exitCode = gateway.process().stop(Duration.ofSeconds(60));
      sampler.close();
      List<Progress> progress = manifests.progress().stream()
          .map(step -> new Progress(step.nanos(), step.rows() - markers)).toList();
      return run(GATEWAY, repeat, order, gateway.process(), running, done, manifests.rows() - markers, progress,
          workload, sampler, sourceCpu, manifests.bytes(), manifests.segments(), exitCode);
    }
  }

  /** A capture by Debezium's embedded engine alone: the peer, or the reader. */
  private CaptureResult.Run debezium(String system, BenchmarkServers servers, CaptureResult.Workload workload,
      int repeat, int order, Path directory) throws Exception {
    // The properties are the gateway's for the same configuration, on the system's own slot.
    GatewayJvm.Target target = new GatewayJvm.Target(slotName(system, repeat), PUBLICATION, "unused",
        settings.mode().snapshotMode);
    Path yaml = GatewayJvm.writeConfiguration(servers, target, directory);
    Map<String, String> environment = Map.of(GatewayJvm.PASSWORD_VARIABLE, servers.postgres().superuserPassword());
    Path properties = directory.resolve(system + ".properties");
    Map<String, String> written = PeerProperties.write(yaml, environment, directory.resolve("offsets.dat"), properties);
    if (system.equals(PEER)) {
      peerProperties = printable(written);
    }
    BareDebeziumCapture.Consumer consumer = system.equals(READER) ? BareDebeziumCapture.Consumer.READ
        : BareDebeziumCapture.Consumer.COUNT;
    String changesTopic = GatewayJvm.SOURCE + "." + WideRows.TABLE;
    List<String> arguments = List.of(properties.toString(), Long.toString(workload.changes()), changesTopic,
        Long.toString(settings.runTimeout().toSeconds()),
        Long.toString(Math.max(1, workload.changes() / PEER_PROGRESS_POINTS)), consumer.argument());
    try (ChildJvm engine = ChildJvm.start(system, ChildJvm.onThisClassPath(jvmOptions(directory),
            BareDebeziumCapture.class.getName(), arguments), environment, directory.resolve(system + ".log"));
        MemorySampler sampler = MemorySampler.start(engine.pid(), Optional::empty, SAMPLE_INTERVAL)) {
      ChildJvm.TimedLine streaming = engine.awaitLine(line -> line.equals("STREAMING"), Duration.ofMinutes(2));
      PostgresCpu.Interval source = postgresCpu.start();
      OptionalLong done;
      long consumed;
      double sourceCpu = -1;
      try {
        ChildJvm.TimedLine line = engine.awaitLine(text -> text.startsWith("CONSUMED "), settings.runTimeout());
        sourceCpu = source.seconds();
        done = OptionalLong.of(line.nanos());
        consumed = Long.parseLong(line.text().substring("CONSUMED ".length()).trim());
      } catch (IllegalStateException e) {
        done = OptionalLong.empty();
        consumed = 0;
      }
      int exitCode = engine.awaitExit(Duration.ofSeconds(60)) ? engine.exitCode().orElse(-1) : engine.stop(Duration.ofSeconds(10));
      sampler.close();
      List<Progress> progress = engine.lines(line -> line.startsWith("PROGRESS ")).stream()
          .map(line -> new Progress(line.nanos(), Long.parseLong(line.text().substring("PROGRESS ".length()).trim())))
          .toList();
      return run(system, repeat, order, engine, streaming, done, consumed, progress, workload, sampler, sourceCpu, 0, 0,
          exitCode);
    }
  }

  private CaptureResult.Run run(String system, int repeat, int order, ChildJvm process, ChildJvm.TimedLine streaming,
      OptionalLong done, long changes, List<Progress> progress, CaptureResult.Workload workload,
      MemorySampler sampler, double sourceCpu, long stagedBytes, long segments, int exitCode) {
    double startup = seconds(streaming.nanos() - process.startNanos());
    double capture = done.isPresent() ? seconds(done.getAsLong() - streaming.nanos()) : -1;
    boolean completed = done.isPresent() && changes >= workload.changes();
    double rate = completed ? workload.changes() / capture : 0;
    double warmRate = completed ? warmRate(progress, workload.changes(), done.getAsLong()) : 0;
    double walRate = completed ? workload.sourceBytes() / 1e6 / capture : 0;
    List<MemorySampler.Sample> samples = sampler.samples();
    double cpu = samples.stream().mapToDouble(MemorySampler.Sample::cpuSeconds).max().orElse(0);
    Optional<MemorySampler.Sample> before = completed ? SampleWindow.atOrBefore(samples, streaming.nanos()) : Optional.empty();
    Optional<MemorySampler.Sample> after = completed ? SampleWindow.atOrAfter(samples, done.getAsLong()) : Optional.empty();
    double captureCpu = after.map(MemorySampler.Sample::cpuSeconds).orElse(0.0)
        - before.map(MemorySampler.Sample::cpuSeconds).orElse(0.0);
    Map<String, Double> threadCpu = after.map(end -> SampleWindow.threadCpu(samples, before, end)).orElse(Map.of());
    return new CaptureResult.Run(system, repeat, order, completed, startup, capture, changes, rate, warmRate, walRate,
        captureCpu, completed && sourceCpu >= 0 ? sourceCpu : -1, threadCpu, cpu, sampler.peakRssBytes(), stagedBytes,
        segments, exitCode, Environment.loadAverage());
  }

  /**
   * Changes per second once warmed up: from the first progress point at or past the {@linkplain
   * #WARM_UP_SHARE warm-up share} of {@code changes} until the last change ({@code doneNanos}); 0 when
   * no point lies between.
   */
  static double warmRate(List<Progress> progress, long changes, long doneNanos) {
    long warmedUp = (long) Math.ceil(changes * WARM_UP_SHARE);
    for (Progress point : progress) {
      if (point.changes() >= warmedUp) {
        return point.changes() < changes && point.nanos() < doneNanos
            ? (changes - point.changes()) / seconds(doneNanos - point.nanos()) : 0;
      }
    }
    return 0;
  }

  private static CaptureResult.Figures figures(List<CaptureResult.Run> runs, CaptureResult.Workload workload) {
    double gateway = median(runs, GATEWAY, CaptureResult.Run::changesPerSecond);
    double peer = median(runs, PEER, CaptureResult.Run::changesPerSecond);
    double reader = median(runs, READER, CaptureResult.Run::changesPerSecond);
    double gatewayWarm = median(runs, GATEWAY, CaptureResult.Run::warmChangesPerSecond);
    double peerWarm = median(runs, PEER, CaptureResult.Run::warmChangesPerSecond);
    double million = workload.changes() / 1e6;
    return new CaptureResult.Figures(gateway, peer, peer > 0 ? gateway / peer : 0, gatewayWarm, peerWarm,
        peerWarm > 0 ? gatewayWarm / peerWarm : 0, TARGET_RATIO,
        median(runs, GATEWAY, CaptureResult.Run::sourceMegabytesPerSecond), median(runs, PEER, CaptureResult.Run::sourceMegabytesPerSecond),
        median(runs, GATEWAY, CaptureResult.Run::captureSeconds), median(runs, PEER, CaptureResult.Run::captureSeconds),
        median(runs, GATEWAY, CaptureResult.Run::captureCpuSeconds) / million,
        median(runs, PEER, CaptureResult.Run::captureCpuSeconds) / million,
        sourceMedian(runs, GATEWAY, CaptureResult.Run::sourceCpuSeconds) / million,
        sourceMedian(runs, PEER, CaptureResult.Run::sourceCpuSeconds) / million,
        sourceMedian(runs, GATEWAY, CaptureBenchmark::busyCores), sourceMedian(runs, PEER, CaptureBenchmark::busyCores),
        pairRatios(runs), reader, peer > 0 ? reader / peer : 0,
        median(runs, READER, CaptureResult.Run::captureCpuSeconds) / million,
        pairRatios(runs, READER, PEER));
  }

  /** How many cores the JVM and PostgreSQL kept busy together during a capture; -1 if unknown. */
  static double busyCores(CaptureResult.Run run) {
    if (run.sourceCpuSeconds() < 0 || run.captureSeconds() <= 0) {
      return -1;
    }
    return (run.captureCpuSeconds() + run.sourceCpuSeconds()) / run.captureSeconds();
  }

  /** {@link #median} over the runs where PostgreSQL's CPU time could be read; 0 without any. */
  private static double sourceMedian(List<CaptureResult.Run> runs, String system,
      ToDoubleFunction<CaptureResult.Run> figure) {
    return median(runs.stream().filter(run -> run.sourceCpuSeconds() >= 0).toList(), system, figure);
  }

  /**
   * Each repeat's gateway throughput over its peer's, in repeat order: the two ran one right after the
   * other, so a machine whose speed drifts during a run changes both alike. Repeats where either did
   * not complete are left out.
   */
  static List<Double> pairRatios(List<CaptureResult.Run> runs) {
    return pairRatios(runs, GATEWAY, PEER);
  }

  /** Each repeat's throughput of {@code system} over that of {@code other}, as {@link #pairRatios(List)}. */
  static List<Double> pairRatios(List<CaptureResult.Run> runs, String system, String other) {
    List<Double> ratios = new ArrayList<>();
    for (CaptureResult.Run run : runs) {
      if (!run.system().equals(system) || !run.completed()) {
        continue;
      }
      runs.stream().filter(next -> next.system().equals(other) && next.repeat() == run.repeat() && next.completed())
          .findFirst().ifPresent(next -> ratios.add(run.changesPerSecond() / next.changesPerSecond()));
    }
    return ratios;
  }

  /** The median of a figure over one system's completed runs, 0 without any. */
  static double median(List<CaptureResult.Run> runs, String system,
      ToDoubleFunction<CaptureResult.Run> figure) {
    return Medians.of(runs.stream().filter(run -> run.system().equals(system) && run.completed()).mapToDouble(figure));
  }

  private List<String> jvmOptions(Path directory) {
    List<String> options = new ArrayList<>(List.of("-Xmx" + settings.heap(), GcLog.option(directory.resolve("gc.log"))));
    if (settings.profile()) {
      // Every system alike, so that the recording's cost leaves the ratios as they are.
      options.add("-XX:StartFlightRecording=filename=" + directory.resolve(directory.getFileName() + ".jfr")
          + ",settings=profile");
    }
    return List.copyOf(options);
  }

  private static String slotName(String system, int repeat) {
    return "bench_" + system + "_" + repeat;
  }

  /** The peer's properties as a result may show them: file locations reduced to file names. */
  private static Map<String, String> printable(Map<String, String> properties) {
    Map<String, String> printable = new LinkedHashMap<>();
    properties.forEach((key, value) -> printable.put(key, key.endsWith(".filename") ? Path.of(value).getFileName().toString() : value));
    return printable;
  }

  private String method() {
    String source = settings.mode() == Mode.STREAMING
        ? "The publication and one replication slot per capture are created, then the load is made with nothing"
            + " consuming"
        : "One transaction fills the table and the publication is created; each capture reads the table whole by its"
            + " initial snapshot, on a slot its engine creates as it starts";
    return source + "; each of " + settings.repeats() + " repeats runs the peer, the reader and the gateway one"
        + " after the other from their own slots, each repeat starting one place further along that list, each in"
        + " its own JVM with the same options. A capture is timed from its engine's first poll of the source to its"
        + " last change consumed (peer, reader) or staged and announced (gateway); figures are medians.";
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
