package io.tributary.loadtests;

import io.tributary.loadtests.faults.FaultInjectionRun;
import io.tributary.loadtests.faults.FaultPlan;
import io.tributary.loadtests.faults.FaultsReport;
import io.tributary.loadtests.faults.FaultsResult;
import io.tributary.loadtests.workload.Dialect;
import io.tributary.testing.FaultInjectingProxy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code faults} run's command: options, run, files. */
@Command(name = "faults", mixinStandardHelpOptions = true,
    description = "The whole pipeline as separate processes under load and a seeded series of faults; then every"
        + " table is reconciled with its source: rows lost and duplicated must be 0.")
final class FaultsCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  Benchmarks parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--faults", defaultValue = "18", description = "Faults to make, one after the other (default: ${DEFAULT-VALUE})")
  int faults;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the faults, the load and the storage faults (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--databases", split = ",", defaultValue = "postgresql,mariadb",
      description = "Source databases, a gateway each (default: ${DEFAULT-VALUE})")
  List<String> databases;

  @Option(names = "--rate", defaultValue = "100", description = "Changes per second at each source (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--tables", defaultValue = "3", description = "Tables of the load at each source (default: ${DEFAULT-VALUE})")
  int tables;

  @Option(names = "--initial-rows", defaultValue = "2000", description = "Rows of each table before the load (default: ${DEFAULT-VALUE})")
  long initialRows;

  @Option(names = "--short", description = "Short pauses and quiet times, as the test suite runs it")
  boolean shortPauses;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "Bound on the whole run (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    FaultInjectionRun.Settings settings;
    try {
      settings = new FaultInjectionRun.Settings(databases.stream().map(Dialect::parse).toList(), faults, seed, rate,
          tables, initialRows, shortPauses ? shortTiming() : defaultTiming(), background(), burst(),
          Duration.ofMinutes(3), Duration.ofMinutes(5), timeout, parent.work.resolve("faults").toAbsolutePath(),
          parent.work.resolve("database-binaries").toAbsolutePath());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    FaultsResult result = new FaultInjectionRun(settings, Clock.systemUTC(), out).run();
    Path directory = parent.results.resolve("faults");
    FaultsReport.write(result, directory, Benchmarks.command(spec));
    out.printf("faults: %s; results in %s%n", result.verdict().passed() ? "passed" : "FAILED", directory);
    return result.verdict().passed() ? 0 : 1;
  }

  static FaultPlan.Timing defaultTiming() {
    return new FaultPlan.Timing(seconds(3), seconds(10), seconds(1), seconds(15), seconds(5), seconds(30), seconds(18),
        seconds(30), seconds(10), seconds(20));
  }

  static FaultPlan.Timing shortTiming() {
    return new FaultPlan.Timing(seconds(1), seconds(3), seconds(1), seconds(3), seconds(2), seconds(5), seconds(14),
        seconds(16), seconds(3), seconds(6));
  }

  /** Now and then, throughout: what a healthy but busy object store does. */
  static FaultInjectingProxy.Rates background() {
    return new FaultInjectingProxy.Rates(0.005, 0.01, 0.005, 0.02, Duration.ofMillis(50), Duration.ofMillis(500));
  }

  /** An object store in trouble: a third of the requests fail or crawl. */
  static FaultInjectingProxy.Rates burst() {
    return new FaultInjectingProxy.Rates(0.05, 0.10, 0.05, 0.15, Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  private static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }
}
