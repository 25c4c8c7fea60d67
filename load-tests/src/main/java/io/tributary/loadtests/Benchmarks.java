package io.tributary.loadtests;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs one benchmark and writes its {@code result.json}, {@code plot.svg} and {@code summary.md}
 * into {@code <results>/<benchmark>/}. Exit code 0 when the benchmark passed, 1 when it ran but
 * failed its checks, 3 when it could not run. See {@code load-tests/README.md}.
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true,
    description = "Tributary's benchmarks: each writes result.json, plot.svg and summary.md.",
    subcommands = {Benchmarks.Memory.class, Benchmarks.Capture.class, Benchmarks.Snapshot.class, Benchmarks.Apply.class,
        LatencyCommand.class, GrowthCommand.class, ScaleOutCommand.class, WorkloadCommand.class,
        FaultsCommand.class})
public final class Benchmarks {
  /** How the build runs a benchmark; recorded in each summary so that it can be repeated. */
  private static final String COMMAND = "mvn -pl load-tests -am verify -DskipTests -Dbenchmark=%s";

  @Option(names = "--results", defaultValue = "results", description = "Directory of the results (default: ${DEFAULT-VALUE})")
  Path results;

  @Option(names = "--work", defaultValue = "target/benchmarks",
      description = "Work directory: servers, gateway state, logs; emptied per run (default: ${DEFAULT-VALUE})")
  Path work;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Benchmarks()).execute(args));
  }

  /** The build's command that repeats the run of {@code spec}'s benchmark with the options it was given. */
  static String command(CommandLine.Model.CommandSpec spec) {
    List<String> options = new ArrayList<>();
    for (CommandLine.Model.OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
      options.add(option.longestName());
      if (option.arity().max() > 0) {
        Object value = option.getValue();
        // A list option (--rates 1000,2500) is given back as the option reads it, split on its separator.
        options.add(value instanceof Collection<?> values && option.splitRegex().equals(",")
            ? values.stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(value));
      }
    }
    String command = COMMAND.formatted(spec.name());
    return options.isEmpty() ? command : command + " -Dbenchmark.args=\"" + String.join(" ", options) + "\"";
  }

  Path postgresBinaries() {
    return work.resolve("postgres-binaries").toAbsolutePath();
  }

  @Command(name = "memory", mixinStandardHelpOptions = true,
      description = "One large transaction through a gateway with a bounded heap: heap and resident memory over time.")
  static final class Memory implements Callable<Integer> {
    @CommandLine.ParentCommand
    Benchmarks parent;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows the transaction inserts (default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--insert-only", description = "Only insert the rows; by default the transaction also updates each")
    boolean insertOnly;

    @Option(names = "--gateway-heap", defaultValue = "256m", description = "The gateway's -Xmx (default: ${DEFAULT-VALUE})")
    String gatewayHeap;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "Bound on the whole run (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      MemoryBenchmark.Settings settings = new MemoryBenchmark.Settings(rows, !insertOnly, gatewayHeap, timeout,
          parent.work.resolve("memory").toAbsolutePath(), parent.postgresBinaries());
      MemoryResult result = new MemoryBenchmark(settings, Clock.systemUTC(), out).run();
      Path directory = parent.results.resolve("memory");
      MemoryReport.write(result, directory, command(spec));
      out.printf("memory: results in %s%n", directory);
      return result.verdict().passed() ? 0 : 1;
    }
  }

  @Command(name = "capture", mixinStandardHelpOptions = true,
      description = "Capture throughput of the gateway against Debezium's embedded engine on the same changes.")
  static final class Capture implements Callable<Integer> {
    @CommandLine.ParentCommand
    Benchmarks parent;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--changes", defaultValue = "1500000", description = "Row changes of the load (default: ${DEFAULT-VALUE})")
    long changes;

    @Mixin
    CaptureOptions options;

    @Override
    public Integer call() throws Exception {
      return capture(parent, spec, CaptureBenchmark.Mode.STREAMING, changes, options);
    }
  }

  @Command(name = "snapshot", mixinStandardHelpOptions = true,
      description = "Initial snapshot throughput of the gateway against Debezium's embedded engine on the same table.")
  static final class Snapshot implements Callable<Integer> {
    @CommandLine.ParentCommand
    Benchmarks parent;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", defaultValue = "2000000", description = "Rows of the table (default: ${DEFAULT-VALUE})")
    long rows;

    @Mixin
    CaptureOptions options;

    @Override
    public Integer call() throws Exception {
      return capture(parent, spec, CaptureBenchmark.Mode.SNAPSHOT, rows, options);
    }
  }

  /** The options benchmarks {@code capture} and {@code snapshot} share: how often and how each capture runs. */
  static final class CaptureOptions {
    @Option(names = "--repeats", defaultValue = "3", description = "Runs of each system, each repeat starting one place further along (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--heap", defaultValue = "1g", description = "-Xmx of every capture's JVM alike (default: ${DEFAULT-VALUE})")
    String heap;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "Bound on each run (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--profile",
        description = "Record every capture's JVM with Java Flight Recorder (<system>-<repeat>.jfr in each run's directory)")
    boolean profile;
  }

  /** Runs benchmark {@code capture} or {@code snapshot} and writes its results. */
  private static int capture(Benchmarks parent, CommandLine.Model.CommandSpec spec, CaptureBenchmark.Mode mode,
      long changes, CaptureOptions options) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String name = mode.benchmark();
    CaptureBenchmark.Settings settings = new CaptureBenchmark.Settings(mode, changes, options.repeats, options.heap,
        options.timeout, options.profile, parent.work.resolve(name).toAbsolutePath(), parent.postgresBinaries());
    CaptureResult result = new CaptureBenchmark(settings, Clock.systemUTC(), out).run();
    Path directory = parent.results.resolve(name);
    CaptureReport.write(result, directory, command(spec));
    out.printf("%s: results in %s%n", name, directory);
    return result.verdict().passed() ? 0 : 1;
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Apply throughput of the applier against Spark MERGE (upsert) and plain parquet-java (insert).")
  static final class Apply implements Callable<Integer> {
    @CommandLine.ParentCommand
    Benchmarks parent;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows of the upsert part's table (default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--batches", defaultValue = "5", description = "Batches of changes applied to it (default: ${DEFAULT-VALUE})")
    int batches;

    @Option(names = "--batch-changes", defaultValue = "50000", description = "Changes in each batch (default: ${DEFAULT-VALUE})")
    int batchChanges;

    @Option(names = "--insert-rows", defaultValue = "1000000", description = "Rows of the insert part (default: ${DEFAULT-VALUE})")
    long insertRows;

    @Option(names = "--insert-batch", defaultValue = "100000",
        description = "Rows of each insert batch: one segment, one commit (default: ${DEFAULT-VALUE})")
    int insertBatch;

    @Option(names = "--repeats", defaultValue = "3", description = "Runs of each side (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--heap", defaultValue = "2g", description = "-Xmx of the applier's JVM and of Spark's alike (default: ${DEFAULT-VALUE})")
    String heap;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "Bound on each side's JVM (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--profile", description = "Record the applier's JVM with Java Flight Recorder (<part>.jfr in the work directory)")
    boolean profile;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path sparkClasspath = Path.of(System.getProperty(ApplyBenchmark.SPARK_CLASSPATH_PROPERTY,
          "target/spark-peer.classpath"));
      ApplyBenchmark.Settings settings = new ApplyBenchmark.Settings(rows, batches, batchChanges, insertRows, insertBatch,
          repeats, heap, timeout, profile, parent.work.resolve("apply").toAbsolutePath(), sparkClasspath);
      ApplyResult result = new ApplyBenchmark(settings, Clock.systemUTC(), out).run();
      Path directory = parent.results.resolve("apply");
      ApplyReport.write(result, directory, command(spec));
      out.printf("apply: results in %s%n", directory);
      return result.verdict().passed() ? 0 : 1;
    }
  }
}
