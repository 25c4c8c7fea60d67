package io.tributary.loadtests;

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

/** The {@code latency} benchmark's command: options, run, files. */
@Command(name = "latency", mixinStandardHelpOptions = true,
    description = "Continuous mode end to end: source commit to row visible in Delta, at rising rates of changes.")
final class LatencyCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  Benchmarks parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--rates", split = ",", defaultValue = "1000,2500,5000,7500,10000",
      description = "Target rates in changes per second, run in this order (default: ${DEFAULT-VALUE})")
  List<Double> rates;

  @Option(names = "--step-duration", defaultValue = "PT30S", description = "Load time at each rate (default: ${DEFAULT-VALUE})")
  Duration stepDuration;

  @Option(names = "--warmup-rate", defaultValue = "500", description = "Rate of the warm-up, not measured (default: ${DEFAULT-VALUE})")
  double warmupRate;

  @Option(names = "--warmup-duration", defaultValue = "PT10S", description = "Length of the warm-up (default: ${DEFAULT-VALUE})")
  Duration warmupDuration;

  @Option(names = "--drain-timeout", defaultValue = "PT60S",
      description = "How long a rate's changes may take to become visible after its load (default: ${DEFAULT-VALUE})")
  Duration drainTimeout;

  @Option(names = "--explode", defaultValue = "30", description = "A p99 above this many seconds ends the run (default: ${DEFAULT-VALUE})")
  double explodeSeconds;

  @Option(names = "--connections", defaultValue = "2", description = "Source connections of the load (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--poll", defaultValue = "PT0.025S", description = "The watcher's interval (default: ${DEFAULT-VALUE})")
  Duration poll;

  @Option(names = "--heap", defaultValue = "1g", description = "The pipeline's -Xmx (default: ${DEFAULT-VALUE})")
  String heap;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "Bound on the whole run (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(names = "--profile", description = "Record the pipeline's JVM with Java Flight Recorder (pipeline.jfr in its work directory)")
  boolean profile;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LatencyBenchmark.Settings settings = new LatencyBenchmark.Settings(rates, stepDuration, warmupRate, warmupDuration,
        drainTimeout, explodeSeconds, connections, poll, heap, timeout, profile,
        parent.work.resolve("latency").toAbsolutePath(), parent.postgresBinaries());
    LatencyResult result = new LatencyBenchmark(settings, Clock.systemUTC(), out).run();
    Path directory = parent.results.resolve("latency");
    LatencyReport.write(result, directory, Benchmarks.command(spec));
    out.printf("latency: results in %s%n", directory);
    return result.verdict().passed() ? 0 : 1;
  }
}
