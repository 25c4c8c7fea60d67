package io.tributary.loadtests.faults;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.loadtests.internal.GatewayJvm;
import io.tributary.loadtests.internal.Medians;
import io.tributary.loadtests.internal.PrometheusText;
import io.tributary.loadtests.internal.WorkDirectory;
import io.tributary.loadtests.workload.ColumnKind;
import io.tributary.loadtests.workload.Dialect;
import io.tributary.loadtests.workload.KeyDistribution;
import io.tributary.loadtests.workload.WorkloadReport;
import io.tributary.loadtests.workload.WorkloadSpec;
import io.tributary.testing.FaultInjectingProxy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A fault-injection run: the whole pipeline deployed as separate processes ({@link Deployment}) under
 * a steady load at every source, and a seeded series of faults ({@link FaultPlan}): components killed
 * and started again, an applier frozen past its lease, the Kafka broker restarted, the coordinator
 * stopped for a while, bursts of storage faults; storage requests also fail now and then throughout.
 * After each fault a marker row committed at every source times the recovery. Then the load stops, the
 * pipeline drains, and {@code tributary verify} reconciles every table with its source: rows lost,
 * duplicated, extra and different must all be 0.
 */
public final class FaultInjectionRun {
  private static final Duration POLL = Duration.ofMillis(250);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  /** How long a process started again may take to print that it runs. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param databases the sources, a gateway each
   * @param faults how many faults, one after the other
   * @param seed the seed of the plan, the load and the storage faults
   * @param rate changes per second at each source
   * @param tablesPerSource tables of the load at each source (a marker table is added)
   * @param initialRows rows each table holds before the load
   * @param timing pauses and quiet times
   * @param background storage faults throughout the run
   * @param burst storage faults during a {@link FaultKind#STORAGE_FAULTS} fault
   * @param recoveryBound how long a recovery may take before the run records it as not recovered
   * @param drainBound how long the pipeline may take to apply everything once the load has stopped
   * @param timeout bound on the whole run
   */
  public record Settings(List<Dialect> databases, int faults, long seed, double rate, int tablesPerSource,
      long initialRows, FaultPlan.Timing timing, FaultInjectingProxy.Rates background, FaultInjectingProxy.Rates burst,
      Duration recoveryBound, Duration drainBound, Duration timeout, Path workDirectory, Path binaries) {
    public Settings {
      databases = List.copyOf(databases);
      if (databases.isEmpty() || faults < 0 || rate <= 0 || tablesPerSource < 1 || initialRows < 0) {
        throw new IllegalArgumentException("at least one database, faults not negative, rate and tables positive: "
            + databases + ", " + faults + ", " + rate + ", " + tablesPerSource);
      }
      requireNonNull(timing, "timing is null");
      requireNonNull(background, "background is null");
      requireNonNull(burst, "burst is null");
      requireNonNull(workDirectory, "workDirectory is null");
      requireNonNull(binaries, "binaries is null");
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter progress;
  private final List<String> problems = new ArrayList<>();
  private final List<FaultsResult.Exit> exits = new ArrayList<>();
  private long loadStart;

  public FaultInjectionRun(Settings settings, Clock clock, PrintWriter progress) {
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  public FaultsResult run() throws Exception {
    String startedAt = clock.instant().toString();
    long runStart = System.nanoTime();
    long deadline = runStart + settings.timeout().toNanos();
    Path work = WorkDirectory.emptied(settings.workDirectory());
    List<FaultSource> sources = new ArrayList<>();
    try {
      for (Dialect dialect : settings.databases()) {
        say("starting %s with %d tables of %,d rows", dialect.name().toLowerCase(Locale.ROOT),
            settings.tablesPerSource(), settings.initialRows());
        sources.add(FaultSource.start(dialect, work.resolve(dialect.name().toLowerCase(Locale.ROOT)),
            settings.binaries(), workload(settings.databases().indexOf(dialect))));
      }
    } catch (Exception e) {
      sources.forEach(FaultSource::close);
      throw e;
    }
    say("starting Kafka, the S3 API server and its proxy, the coordinator, %d gateway(s) and 2 appliers",
        sources.size());
    try (Deployment deployment = Deployment.start(work, sources, settings.seed(), settings.background())) {
      List<FaultsResult.Cycle> cycles = new ArrayList<>();
      List<WorkloadReport> loads = new ArrayList<>();
      loadStart = System.nanoTime();
      Recovery initial = awaitRecovery(deployment, 0, Duration.ofMinutes(5), deadline);
      if (!initial.recovered()) {
        problems.add("the pipeline did not apply the initial snapshot within 5 minutes (see the logs under "
            + "target/benchmarks/faults)");
      } else {
        say("snapshot applied in %.1f s; load of %.0f changes/s at each source begins", initial.seconds(),
            settings.rate());
        sources.forEach(FaultSource::startLoad);
        loadStart = System.nanoTime();
        List<String> killable = deployment.components().stream().map(Component::name).toList();
        List<String> appliers = List.copyOf(deployment.appliers().keySet());
        for (FaultPlan.Fault fault : FaultPlan.draw(settings.seed(), settings.faults(), killable, appliers,
            settings.timing())) {
          if (System.nanoTime() > deadline) {
            problems.add("the run's time bound passed before fault " + fault.index() + " of " + settings.faults());
            break;
          }
          supervise(deployment, fault.quietBefore());
          if (sources.stream().anyMatch(FaultSource::loadEnded)) {
            problems.add("the load ended by itself before fault " + fault.index());
            break;
          }
          cycles.add(inject(deployment, fault, deadline));
        }
      }
      // The load started only once the snapshot was applied.
      for (FaultSource source : sources) {
        if (initial.recovered()) {
          try {
            loads.add(source.stopLoad());
          } catch (Exception e) {
            problems.add("the load at " + source.name() + " failed: " + e.getMessage());
          }
        }
      }
      say("load stopped; draining and reconciling");
      long drainStart = System.nanoTime();
      Recovery drained = awaitRecovery(deployment, -1, settings.drainBound(), deadline);
      List<FaultsResult.Table> tables = reconcile(deployment, drainStart + settings.drainBound().toNanos());
      double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
      if (!drained.recovered()) {
        problems.add("the pipeline did not apply the last changes within " + settings.drainBound().toSeconds() + " s");
      }
      FaultsResult.Metrics metrics = checkMetrics(deployment);
      Map<String, String> configurations = deployment.configurations();
      List<FaultsResult.Exit> allExits = new ArrayList<>(exits);
      for (Component component : deployment.components()) {
        int code = component.stop(STOP_TIMEOUT);
        if (code != 0 && code != 143) {
          problems.add(component.name() + " exited with " + code + " when stopped at the end");
        }
      }
      return result(startedAt, runStart, deployment, cycles, loads, tables, allExits, drainSeconds, configurations,
          metrics);
    }
  }

  private WorkloadSpec workload(int index) {
    return new WorkloadSpec(settings.tablesPerSource(), "load_", settings.initialRows(), 40, 45, 15,
        List.of(ColumnKind.INT, ColumnKind.DECIMAL, ColumnKind.TEXT, ColumnKind.TIMESTAMP, ColumnKind.BOOLEAN), 200,
        KeyDistribution.parse("uniform"), 10, settings.rate(), settings.timeout(), Long.MAX_VALUE / 4, 2,
        settings.seed() + index);
  }

  /** Makes one fault, ends it after its pause, and times the recovery. */
  private FaultsResult.Cycle inject(Deployment deployment, FaultPlan.Fault fault, long deadline) throws Exception {
    double at = sinceLoad();
    long began = System.nanoTime();
    String detail;
    switch (fault.kind()) {
      case KILL -> {
        Component component = deployment.component(fault.target()).orElseThrow();
        long pid = component.current().process().pid();
        component.kill();
        supervise(deployment, fault.pause());
        component.start();
        detail = String.format(Locale.ROOT, "SIGKILL %s (pid %d), started again after %.1f s", component.name(), pid,
            fault.pause().toMillis() / 1e3);
      }
      case PAUSE_APPLIER -> {
        Component applier = deployment.appliers().get(fault.target());
        double fencedBefore = staleEpochRefusals(deployment);
        applier.signal("STOP");
        supervise(deployment, fault.pause());
        applier.signal("CONT");
        // The resumed applier finds its leases taken over; a commit it had under way is refused as stale.
        supervise(deployment, Duration.ofSeconds(2));
        double fenced = staleEpochRefusals(deployment) - fencedBefore;
        detail = String.format(Locale.ROOT, "SIGSTOP %s for %.1f s (lease %d s, session %d s), then SIGCONT; commits"
                + " refused as from a stale writer meanwhile: %s", applier.name(), fault.pause().toMillis() / 1e3,
            Deployment.LEASE_TTL.toSeconds(), Deployment.SESSION_TIMEOUT.toSeconds(),
            Double.isNaN(fenced) ? "unknown" : String.format(Locale.ROOT, "%.0f", fenced));
      }
      case RESTART_KAFKA -> {
        deployment.kafka().restart();
        detail = "Kafka broker stopped and started again on its port and data";
      }
      case STOP_COORDINATOR -> {
        Component coordinator = deployment.coordinator();
        int code = coordinator.terminate(STOP_TIMEOUT);
        supervise(deployment, fault.pause());
        coordinator.start();
        detail = String.format(Locale.ROOT, "coordinator stopped (SIGTERM, exit %d) for %.1f s", code,
            fault.pause().toMillis() / 1e3);
      }
      case STORAGE_FAULTS -> {
        FaultInjectingProxy proxy = deployment.proxy();
        Map<FaultInjectingProxy.Fault, Long> before = proxy.injected();
        proxy.rates(settings.burst());
        supervise(deployment, fault.pause());
        proxy.rates(settings.background());
        Map<FaultInjectingProxy.Fault, Long> after = proxy.injected();
        Map<String, Long> made = new LinkedHashMap<>();
        after.forEach((kind, count) -> made.put(kind.name(), count - before.getOrDefault(kind, 0L)));
        detail = String.format(Locale.ROOT, "storage faults for %.1f s: %s", fault.pause().toMillis() / 1e3, made);
      }
      default -> throw new IllegalStateException("unknown fault " + fault.kind());
    }
    double faultSeconds = (System.nanoTime() - began) / 1e9;
    Recovery recovery = awaitRecovery(deployment, fault.index(), settings.recoveryBound(), deadline);
    if (!recovery.recovered()) {
      problems.add(String.format(Locale.ROOT, "fault %d (%s %s) was not recovered from within %d s", fault.index(),
          fault.kind(), fault.target(), settings.recoveryBound().toSeconds()));
    }
    say("fault %d/%d at %.0f s: %s; recovered in %s", fault.index(), settings.faults(), at, detail,
        recovery.recovered() ? String.format(Locale.ROOT, "%.1f s", recovery.seconds()) : "NOT RECOVERED");
    return new FaultsResult.Cycle(fault.index(), fault.kind().name(), fault.target(), at, faultSeconds,
        recovery.seconds(), recovery.recovered(), detail);
  }

  /**
   * Scrapes the {@code /metrics} of every process, each running again by now, and checks them against
   * what the dashboard and the alert group of its kind query ({@link ServiceMetrics}): what no process
   * of the kind serves is a problem of the run.
   */
  private FaultsResult.Metrics checkMetrics(Deployment deployment) throws IOException, InterruptedException {
    ServiceMetrics queried = ServiceMetrics.read(ServiceMetrics.DIRECTORY);
    Map<ServiceMetrics.Kind, List<ServiceMetrics.Scrape>> scrapes = new EnumMap<>(ServiceMetrics.Kind.class);
    List<String> scraped = new ArrayList<>();
    for (Component component : deployment.components()) {
      Optional<PrometheusText> metrics;
      try {
        metrics = PrometheusText.scrape(component.address(START_TIMEOUT), Duration.ofSeconds(10));
      } catch (IllegalStateException e) {
        problems.add("the /metrics of " + component.name() + " could not be scraped at the end: " + e.getMessage());
        continue;
      }
      if (metrics.isEmpty()) {
        problems.add("the /metrics of " + component.name() + " could not be scraped at the end");
        continue;
      }
      scrapes.computeIfAbsent(ServiceMetrics.Kind.of(component.command()), kind -> new ArrayList<>())
          .add(new ServiceMetrics.Scrape(component.name(), metrics.get().text()));
      scraped.add(component.name());
    }
    List<String> missing = queried.missing(scrapes, Files.readString(ServiceMetrics.REFERENCE));
    problems.addAll(missing);
    List<String> labelValues = queried.labelValuesChecked().stream().map(ServiceMetrics.LabelValue::selector)
        .distinct().sorted().toList();
    int names = (int) queried.queries().stream().map(query -> query.kind() + " " + query.name()).distinct().count();
    say("metrics: %d processes scraped; %d metric names and %d label values the dashboards and alert rules query"
        + " checked against the processes of their kind; %d missing", scraped.size(), names, labelValues.size(),
        missing.size());
    return new FaultsResult.Metrics(scraped, names, labelValues, missing);
  }

  /** The coordinator's count of commits refused from fenced (stale-epoch) writers; NaN when it cannot be read. */
  private static double staleEpochRefusals(Deployment deployment) {
    return PrometheusText.scrape(deployment.coordinatorUri(), Duration.ofSeconds(10))
        .map(metrics -> metrics.sum("tributary_coordinator_commits_refused_total", "reason=\"stale_epoch\""))
        .orElse(Double.NaN);
  }

  /** How long after a fault's end its marker rows were visible in Delta at every source. */
  private record Recovery(boolean recovered, double seconds) {}

  /** Commits a marker at every source and waits, supervising, until every one is visible in Delta. */
  private Recovery awaitRecovery(Deployment deployment, int fault, Duration bound, long deadline) throws Exception {
    long start = System.nanoTime();
    long until = Math.min(deadline, start + bound.toNanos());
    Map<FaultSource, Long> marks = new LinkedHashMap<>();
    for (FaultSource source : deployment.sources()) {
      marks.put(source, source.mark(fault));
    }
    while (true) {
      marks.entrySet().removeIf(mark -> mark.getKey().markVisible(deployment.tablesRoot(), mark.getValue()));
      if (marks.isEmpty()) {
        return new Recovery(true, (System.nanoTime() - start) / 1e9);
      }
      if (System.nanoTime() > until) {
        return new Recovery(false, (System.nanoTime() - start) / 1e9);
      }
      supervise(deployment, POLL);
    }
  }

  /**
   * Waits {@code duration}, starting again any process that ended while it was meant to run (as
   * Kubernetes or systemd would), and recording that exit.
   */
  private void supervise(Deployment deployment, Duration duration) throws IOException {
    long until = System.nanoTime() + duration.toNanos();
    do {
      for (Component component : deployment.components()) {
        Optional<Component.Exit> exit = component.restartIfEnded(sinceLoad());
        exit.ifPresent(ended -> {
          exits.add(new FaultsResult.Exit(ended.component(), ended.incarnation(), ended.exitCode(), ended.atSeconds()));
          say("%s (run %d) exited with %d by itself; started again", ended.component(), ended.incarnation(),
              ended.exitCode());
        });
      }
      LockSupport.parkNanos(Math.max(0, Math.min(POLL.toNanos(), until - System.nanoTime())));
    } while (System.nanoTime() < until);
  }

  /**
   * Runs {@code tributary verify --json} for every source until every table is equal or
   * {@code until} passes, and returns the last comparison of each table.
   */
  private List<FaultsResult.Table> reconcile(Deployment deployment, long until) throws Exception {
    while (true) {
      List<FaultsResult.Table> tables = new ArrayList<>();
      for (FaultSource source : deployment.sources()) {
        tables.addAll(verify(deployment, source));
      }
      boolean equal = !tables.isEmpty() && tables.stream().allMatch(FaultsResult.Table::equal);
      if (equal || System.nanoTime() > until) {
        if (!equal) {
          tables.stream().filter(table -> !table.equal()).forEach(table -> problems.add(String.format(Locale.ROOT,
              "%s differs from its source: %d lost, %d duplicated, %d extra, %d different (source %d rows, Delta %d)",
              table.table(), table.missing(), table.duplicated(), table.extra(), table.different(), table.sourceRows(),
              table.deltaRows())));
        }
        return tables;
      }
      supervise(deployment, Duration.ofSeconds(5));
    }
  }

  /** One {@code tributary verify --json} of every table of {@code source}, in a JVM of its own. */
  private List<FaultsResult.Table> verify(Deployment deployment, FaultSource source) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", GatewayJvm.launcherJar().toString(), "verify", "--source", source.jdbcUrl(), "--user", source.user(),
        "--password-env", "VERIFY_PASSWORD", "--source-name", source.name(), "--tables-location",
        deployment.tablesRoot().toString(), "--json"));
    for (String table : source.tables()) {
      command.add("--table");
      command.add(table);
    }
    Path output = settings.workDirectory().resolve("verify-" + source.name() + ".out");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("VERIFY_PASSWORD", source.password());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("tributary verify of " + source.name() + " did not end within 5 minutes");
    }
    Optional<String> document = Files.readAllLines(output, StandardCharsets.UTF_8).stream()
        .filter(line -> line.startsWith("{\"equal\"")).findFirst();
    if (document.isEmpty()) {
      // A table not created yet, or the source unreadable: reported as not equal, with what verify said.
      return source.tables().stream().map(table -> new FaultsResult.Table(source.name() + "." + table, -1, -1, 0, 0, 0,
          0, false)).toList();
    }
    List<FaultsResult.Table> tables = new ArrayList<>();
    for (JsonNode table : JSON.readTree(document.get()).get("tables")) {
      tables.add(new FaultsResult.Table(table.get("table").asText(), table.get("sourceRows").asLong(),
          table.get("deltaRows").asLong(), table.get("missing").asLong(), table.get("extra").asLong(),
          table.get("duplicated").asLong(), table.get("different").asLong(), table.get("equal").asBoolean()));
    }
    return tables;
  }

  private FaultsResult result(String startedAt, long runStart, Deployment deployment, List<FaultsResult.Cycle> cycles,
      List<WorkloadReport> loads, List<FaultsResult.Table> tables, List<FaultsResult.Exit> allExits,
      double drainSeconds, Map<String, String> configurations, FaultsResult.Metrics metrics) throws Exception {
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (FaultKind kind : FaultKind.values()) {
      byKind.put(kind.name(), cycles.stream().filter(cycle -> cycle.kind().equals(kind.name())).count());
    }
    Map<String, Long> storage = new LinkedHashMap<>();
    deployment.proxy().injected().forEach((kind, count) -> storage.put(kind.name(), count));
    FaultsResult.Load load = new FaultsResult.Load(loads.stream().mapToLong(WorkloadReport::changes).sum(),
        loads.stream().mapToLong(WorkloadReport::inserts).sum(), loads.stream().mapToLong(WorkloadReport::updates).sum(),
        loads.stream().mapToLong(WorkloadReport::deletes).sum(),
        loads.stream().mapToLong(WorkloadReport::transactions).sum(),
        loads.stream().mapToDouble(WorkloadReport::seconds).max().orElse(0),
        loads.stream().mapToDouble(WorkloadReport::achievedRate).sum());
    long lost = tables.stream().mapToLong(FaultsResult.Table::missing).sum();
    long duplicated = tables.stream().mapToLong(FaultsResult.Table::duplicated).sum();
    FaultsResult.Totals totals = new FaultsResult.Totals(tables.stream().mapToLong(FaultsResult.Table::sourceRows).sum(),
        lost, duplicated, tables.stream().mapToLong(FaultsResult.Table::extra).sum(),
        tables.stream().mapToLong(FaultsResult.Table::different).sum(), drainSeconds,
        Medians.of(cycles.stream().filter(FaultsResult.Cycle::recovered).mapToDouble(FaultsResult.Cycle::recoverySeconds)),
        cycles.stream().mapToDouble(FaultsResult.Cycle::recoverySeconds).max().orElse(Double.NaN));
    FaultsResult.Setup setup = new FaultsResult.Setup(settings.seed(), settings.faults(),
        settings.databases().stream().map(dialect -> dialect.name().toLowerCase(Locale.ROOT)).toList(), settings.rate(),
        settings.tablesPerSource(), settings.initialRows(), describe(settings.background()),
        describe(settings.burst()), method(), configurations, Deployment.jvmOptions());
    return new FaultsResult("faults", startedAt, (System.nanoTime() - runStart) / 1e9, deployment.environment(), setup,
        cycles, byKind, storage, deployment.proxy().requests(), allExits, load, tables, totals, metrics,
        new FaultsResult.Verdict(problems.isEmpty(), problems));
  }

  static String describe(FaultInjectingProxy.Rates rates) {
    return String.format(Locale.ROOT, "%.1f%% HTTP 500, %.1f%% HTTP 503, %.1f%% dropped, %.1f%% slowed by %d to %d ms",
        100 * rates.error500(), 100 * rates.error503(), 100 * rates.drop(), 100 * rates.slow(),
        rates.slowMin().toMillis(), rates.slowMax().toMillis());
  }

  private String method() {
    FaultPlan.Timing timing = settings.timing();
    return String.format(Locale.ROOT, "Every process on 127.0.0.1, each Tributary component in its own JVM as it is"
            + " deployed (java -jar tributary.jar <command>): %s, each with %d tables of %,d rows under a load of %.0f"
            + " changes/s (40%% inserts, 45%% updates, 15%% deletes, transactions of 10, two connections); a gateway per"
            + " source staging to an S3 API server (S3Mock) through a fault-injecting proxy and announcing on a Kafka"
            + " broker (KRaft, in the run's JVM) topic of %d partitions; a coordinator (embedded store, lease %d s); two"
            + " appliers in one consumer group (session %d s) writing Delta tables on local disk. Throughout, the proxy"
            + " fails storage requests: %s. Then %d faults drawn from seed %d, in rounds of every kind in a shuffled"
            + " order (KILL twice per round, its targets dealt so that every component is killed once before any"
            + " twice), each after %d to %d s of quiet load: KILL (SIGKILL a gateway, an applier or the coordinator,"
            + " started again after %d to %d s), PAUSE_APPLIER (SIGSTOP for %d to %d s, past lease and session, then"
            + " SIGCONT), RESTART_KAFKA, STOP_COORDINATOR (SIGTERM, started again after %d to %d s), STORAGE_FAULTS (%s"
            + " for %d to %d s). A process that ends by itself is started again at once and counted. When a fault ends,"
            + " a marker row is committed at every source; its recovery time is how long until every marker is visible"
            + " in its Delta table. At the end the load stops, the pipeline drains, and tributary verify --json compares"
            + " every table with its source, row count and a SHA-256 of every column of every row; and the /metrics of"
            + " every process must serve each metric name and fixed label value its kind's Grafana dashboard and alert"
            + " group under deploy/observability query.",
        String.join(" and ", settings.databases().stream().map(d -> d.name().toLowerCase(Locale.ROOT)).toList()),
        settings.tablesPerSource(), settings.initialRows(), settings.rate(), Deployment.PARTITIONS,
        Deployment.LEASE_TTL.toSeconds(), Deployment.SESSION_TIMEOUT.toSeconds(), describe(settings.background()),
        settings.faults(), settings.seed(), timing.quietMin().toSeconds(), timing.quietMax().toSeconds(),
        timing.killMin().toSeconds(), timing.killMax().toSeconds(), timing.appliersPauseMin().toSeconds(),
        timing.appliersPauseMax().toSeconds(), timing.coordinatorMin().toSeconds(), timing.coordinatorMax().toSeconds(),
        describe(settings.burst()), timing.storageMin().toSeconds(), timing.storageMax().toSeconds());
  }

  private double sinceLoad() {
    return (System.nanoTime() - loadStart) / 1e9;
  }

  private void say(String format, Object... arguments) {
    progress.printf(Locale.ROOT, "faults: " + format + "%n", arguments);
    progress.flush();
  }
}
