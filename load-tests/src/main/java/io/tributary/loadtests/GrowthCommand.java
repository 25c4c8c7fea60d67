package io.tributary.loadtests;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code growth} subcommand of {@link Benchmarks}: see {@link GrowthBenchmark}. */
@Command(name = "growth", mixinStandardHelpOptions = true,
    description = "A fixed-size change batch applied to a table as it grows: bytes rewritten and time per changed row.")
final class GrowthCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  Benchmarks parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--start-rows", defaultValue = "100000", description = "Rows of the table at the first step (default: ${DEFAULT-VALUE})")
  long startRows;

  @Option(names = "--end-rows", defaultValue = "1000000", description = "Rows of the table at the last step (default: ${DEFAULT-VALUE})")
  long endRows;

  @Option(names = "--steps", defaultValue = "9", description = "Steps of growth between them (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--changes", defaultValue = "10000", description = "Changes of each batch (default: ${DEFAULT-VALUE})")
  int changes;

  @Option(names = "--insert-share", defaultValue = "0.1", description = "Share of a batch's changes that insert new keys (default: ${DEFAULT-VALUE})")
  double insertShare;

  @Option(names = "--zipf-exponent", defaultValue = "1.1", description = "Exponent of the zipf batch's key distribution (default: ${DEFAULT-VALUE})")
  double zipfExponent;

  @Option(names = "--hot-keys", defaultValue = "20000", description = "Newest keys the recent batch updates (default: ${DEFAULT-VALUE})")
  long hotKeys;

  @Option(names = "--target-file-size", defaultValue = "1048576",
      description = "Size in bytes data files are cut at, applier.files.target-size (default: ${DEFAULT-VALUE})")
  long targetFileSize;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    GrowthBenchmark.Settings settings = new GrowthBenchmark.Settings(startRows, endRows, steps, changes, insertShare,
        zipfExponent, hotKeys, targetFileSize, parent.work.resolve("growth").toAbsolutePath());
    GrowthResult result = new GrowthBenchmark(settings, Clock.systemUTC(), out).run();
    Path directory = parent.results.resolve("growth");
    GrowthReport.write(result, directory, Benchmarks.command(spec));
    out.printf("growth: results in %s%n", directory);
    return result.verdict().passed() ? 0 : 1;
  }
}
