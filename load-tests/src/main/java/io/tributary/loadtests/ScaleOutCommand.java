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

/** The {@code scale-out} benchmark's command: options, run, files. */
@Command(name = "scale-out", mixinStandardHelpOptions = true,
    description = "One backlog over many tables applied by 1, 2, 4 applier processes: throughput in total and per process.")
final class ScaleOutCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  Benchmarks parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--tables", defaultValue = "16", description = "Source tables (default: ${DEFAULT-VALUE})")
  int tables;

  @Option(names = "--partitions", defaultValue = "16", description = "Partitions of the manifest topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--changes", defaultValue = "400000", description = "Changes of the backlog (default: ${DEFAULT-VALUE})")
  long changes;

  @Option(names = "--processes", split = ",", defaultValue = "1,2,4",
      description = "Numbers of applier processes, one step each, in this order (default: ${DEFAULT-VALUE})")
  List<Integer> processes;

  @Option(names = "--batch-segments", split = ",", defaultValue = "64,1",
      description = "Values of applier.batch.max-segments, one round of steps each: 64 is the default, 1 makes each"
          + " segment a commit, as a caught-up table commits (default: ${DEFAULT-VALUE})")
  List<Integer> batchSegments;

  @Option(names = "--applier-heap", defaultValue = "512m", description = "Each applier's -Xmx (default: ${DEFAULT-VALUE})")
  String applierHeap;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "Bound on the whole run (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ScaleOutBenchmark.Settings settings = new ScaleOutBenchmark.Settings(tables, partitions, changes, processes,
        batchSegments, applierHeap, timeout, parent.work.resolve("scale-out").toAbsolutePath(), parent.postgresBinaries());
    ScaleOutResult result = new ScaleOutBenchmark(settings, Clock.systemUTC(), out).run();
    Path directory = parent.results.resolve("scale-out");
    ScaleOutReport.write(result, directory, Benchmarks.command(spec));
    out.printf("scale-out: results in %s%n", directory);
    return result.verdict().passed() ? 0 : 1;
  }
}
