package io.tributary.loadtests;

import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.ResultFiles;
import io.tributary.loadtests.internal.SvgChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The apply benchmark's files: the medians of both parts with each repeat marked ({@code plot.svg}),
 * and the figures in words ({@code summary.md}).
 */
final class ApplyReport {
  private static final String TRIBUTARY_COLOR = "#1f77b4";
  private static final String PEER_COLOR = "#7f7f7f";

  private ApplyReport() {}

  static void write(ApplyResult result, Path directory, String command) throws IOException {
    ResultFiles.write(directory, result, plot(result), summary(result, command));
  }

  static String plot(ApplyResult result) {
    ApplyResult.Figures f = result.figures();
    ApplyResult.Workload w = result.workload();
    String upsert = SvgChart.barChart(0, 0, 520, 420, String.format(Locale.ROOT,
            "Upsert, %d × %,d changes: applier / Spark = %.2f (target %.0f)", w.batches(), w.changesPerBatch(),
            f.upsertRatio(), f.upsertTarget()), "changes per second (median; dots: each repeat)",
        List.of(new SvgChart.Bar("Spark + delta-spark MERGE", PEER_COLOR, f.sparkChangesPerSecond(),
                runs(result, "spark", "upsert", ApplyResult.Run::perSecond)),
            new SvgChart.Bar("Tributary applier", TRIBUTARY_COLOR, f.tributaryChangesPerSecond(),
                runs(result, "tributary", "upsert", ApplyResult.Run::perSecond))));
    String insert = SvgChart.barChart(520, 0, 520, 420, String.format(Locale.ROOT,
            "Insert, %,d rows: applier / parquet-java = %.2f (target %.1f)", w.insertRows(), f.insertRatio(),
            f.insertTarget()), "rows per second (median; dots: each repeat)",
        List.of(new SvgChart.Bar("plain parquet-java", PEER_COLOR, f.parquetRowsPerSecond(),
                runs(result, "parquet", "insert", ApplyResult.Run::perSecond)),
            new SvgChart.Bar("Tributary applier", TRIBUTARY_COLOR, f.tributaryRowsPerSecond(),
                runs(result, "tributary", "insert", ApplyResult.Run::perSecond))));
    return SvgChart.document(1040, 420, List.of(upsert, insert));
  }

  private static List<Double> runs(ApplyResult result, String system, String part,
      ToDoubleFunction<ApplyResult.Run> figure) {
    return result.runs().stream().filter(run -> run.system().equals(system) && run.part().equals(part))
        .map(run -> figure.applyAsDouble(run)).toList();
  }

  static String summary(ApplyResult result, String command) {
    ApplyResult.Figures f = result.figures();
    ApplyResult.Workload w = result.workload();
    ApplyResult.Setup s = result.setup();
    StringBuilder md = new StringBuilder();
    md.append("# Apply throughput: the applier against Spark MERGE and plain parquet-java\n\n");
    md.append(String.format(Locale.ROOT, "**Upsert: applier / Spark = %.2f** (target %.0f): %,.0f against %,.0f changes"
            + " per second.%n%n", f.upsertRatio(), f.upsertTarget(), f.tributaryChangesPerSecond(),
        f.sparkChangesPerSecond()));
    md.append(String.format(Locale.ROOT, "**Insert: applier / parquet-java = %.2f** (target %.1f): %,.0f against %,.0f"
            + " rows per second, %.1f against %.1f MB of data files per second.%n%n", f.insertRatio(), f.insertTarget(),
        f.tributaryRowsPerSecond(), f.parquetRowsPerSecond(), f.tributaryMegabytesPerSecond(),
        f.parquetMegabytesPerSecond()));
    md.append("Medians of ").append(result.runs().stream().filter(run -> run.system().equals("tributary")
        && run.part().equals("upsert")).count()).append(" repeats each.");
    md.append(result.verdict().passed() ? " Both upsert tables hold the same rows afterwards.\n\n"
        : "\n\n**Failed**: " + String.join("; ", result.verdict().problems()) + ".\n\n");
    md.append(String.format(Locale.ROOT, "Upsert: a table of %,d rows of %d columns (bigint key; %d data files), then"
            + " %d batches of %,d changes each (%d %% updates and %d %% deletes of existing keys spread over the whole key"
            + " range, %d %% inserts of new keys; no key twice in a batch); %,d rows afterwards.%n%n",
        w.tableRows(), w.columns(), w.initialFiles(), w.batches(), w.changesPerBatch(), w.updatePercent(),
        w.deletePercent(), w.insertPercent(), w.expectedRows()));
    md.append(String.format(Locale.ROOT, "Insert: %,d new rows in batches of %,d.%n%n", w.insertRows(),
        w.insertBatchRows()));
    md.append("| part | system | repeat | seconds (timed) | of which GC pauses s | CPU s | per second | MB/s"
        + " | data files MB | slowest batch s |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (ApplyResult.Run run : result.runs()) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %s | %,.0f | %s | %s | %.2f |%n", run.part(),
          run.system(), run.repeat(), run.seconds(), run.gcSeconds(),
          run.cpuSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", run.cpuSeconds()), run.perSecond(),
          run.part().equals("insert") ? String.format(Locale.ROOT, "%.1f", run.megabytesPerSecond()) : "-",
          run.part().equals("insert") ? String.format(Locale.ROOT, "%.1f", run.bytes() / 1e6) : "-",
          run.batchSeconds().stream().mapToDouble(Double::doubleValue).max().orElse(0)));
    }
    md.append("\nGC pauses: the time the JVM spent in garbage-collection pauses during the timed batches, as its"
        + " collectors count it (both sides run the Parallel collector, the one the applier's deployments run; Spark's"
        + " figure is its driver's JVM, which runs the executors too in local mode).\n");
    md.append("\nCPU: the CPU time the JVM used during the timed batches, on all its threads (work, collector and JIT"
        + " compiler). The applier decodes and encodes on every core and parquet-java writes on one, so a core taken by"
        + " another process of the machine slows the applier's side more than parquet-java's.\n");
    md.append("\n![throughput](").append(ResultFiles.PLOT).append(")\n\n");
    md.append("## Method\n\n").append(s.method()).append("\n\n");
    md.append("- Applier: ").append(s.tributary()).append("\n");
    md.append("- Spark: ").append(s.spark()).append("; each batch: `").append(s.merge()).append("`\n");
    md.append("- parquet-java: ").append(s.parquet()).append("\n");
    md.append(String.format(Locale.ROOT, "- Data files: %s, row groups of %,d bytes (Delta Kernel's default Parquet"
            + " writer settings); parquet-java's schema %s the applier's%n", s.codec(), s.rowGroupBytes(),
        s.schemaMatches() ? "is exactly" : "differs from"));
    md.append("- Applier's JVM: `").append(String.join(" ", s.tributaryJvmOptions())).append("`; Spark's JVM: `")
        .append(String.join(" ", s.sparkJvmOptions())).append("`\n\n");
    md.append(environment(result, command));
    return md.toString();
  }

  private static String environment(ApplyResult result, String command) {
    Environment.Machine m = result.machine();
    Map<String, String> v = result.versions();
    double lowest = result.loadAverages().stream().mapToDouble(Double::doubleValue).min().orElse(-1);
    double highest = result.loadAverages().stream().mapToDouble(Double::doubleValue).max().orElse(-1);
    return String.format(Locale.ROOT, """
        ## Where and how

        - Machine: %d cores (%s), %.1f GiB memory, %s; %s
        - Versions: Tributary %s, Delta Kernel %s, parquet-java %s, Spark %s, delta-spark %s
        - Load average (1 minute, sampled every 10 s during the run): %.1f to %.1f
        - Run: started %s, took %.0f s in all (JVM starts, staging, initial loads, copies, checks)
        - Repeat with: `%s`
        """, m.cores(), m.cpu(), m.memoryBytes() / (1024.0 * 1024 * 1024), m.os(), m.jvm(), v.get("tributary"),
        v.get("delta-kernel"), v.get("parquet"), v.get("spark"), v.get("delta-spark"), lowest, highest,
        result.startedAt(), result.runSeconds(), command);
  }
}
