package io.tributary.loadtests;

import io.tributary.loadtests.internal.ResultFiles;
import io.tributary.loadtests.internal.SvgChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The growth benchmark's files: bytes written and time per changed row against the table's size, per
 * key distribution ({@code plot.svg}), and the figures in words ({@code summary.md}).
 */
final class GrowthReport {
  private static final double MIB = 1024 * 1024;
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

  private GrowthReport() {}

  static void write(GrowthResult result, Path directory, String command) throws IOException {
    ResultFiles.write(directory, result, plot(result), summary(result, command));
  }

  static String plot(GrowthResult result) {
    String bytes = SvgChart.lineChart(0, 0, 900, 340,
        String.format(Locale.ROOT, "Bytes written per changed row, batches of %,d changes", result.workload().changes()),
        "table rows (thousands)", "bytes per changed row", series(result, GrowthResult.Batch::bytesWrittenPerChangedRow),
        List.of(), List.of());
    String time = SvgChart.lineChart(0, 340, 900, 340, "Apply time per changed row (read, rewrite, commit)",
        "table rows (thousands)", "µs per changed row", series(result, GrowthResult.Batch::microsPerChangedRow),
        List.of(), List.of());
    return SvgChart.document(900, 680, List.of(bytes, time));
  }

  private static List<SvgChart.Series> series(GrowthResult result, ToDoubleFunction<GrowthResult.Batch> figure) {
    List<SvgChart.Series> series = new ArrayList<>();
    List<String> distributions = result.workload().distributions();
    for (int d = 0; d < distributions.size(); d++) {
      String distribution = distributions.get(d);
      List<double[]> points = new ArrayList<>();
      for (GrowthResult.Step step : result.steps()) {
        step.batches().stream().filter(batch -> batch.distribution().equals(distribution)).findFirst()
            .ifPresent(batch -> points.add(new double[] {step.tableRows() / 1000.0, figure.applyAsDouble(batch)}));
      }
      series.add(new SvgChart.Series(distribution, COLORS[d % COLORS.length], points, false));
    }
    return series;
  }

  static String summary(GrowthResult result, String command) {
    GrowthResult.Workload w = result.workload();
    StringBuilder md = new StringBuilder();
    md.append("# Growth: a fixed-size change batch as the table grows\n\n");
    md.append("**").append(result.verdict().passed() ? "Passed" : "Failed").append("**: ");
    md.append(result.verdict().passed() ? "the table held every row it should at every step."
        : String.join("; ", result.verdict().problems()) + ".");
    md.append("\n\n");
    md.append(String.format(Locale.ROOT, "Table `%s` (id bigint key, name, balance decimal(12,2), a 40-letter note,"
            + " updated_at) grew from %,d to %,d rows in %d steps by inserts of new keys. At each size, one batch of"
            + " %,d changes per key distribution was staged and applied: %.0f %% updates of existing keys, drawn"
            + " uniformly over the table (`uniform`) or by a Zipf law of exponent %.2f over the keys by recency, the"
            + " newest hottest (`zipf`), or uniformly over the %,d newest keys (`recent`), and %.0f %% inserts of new"
            + " keys. Data files are cut at %s. After the batches, compaction ran as the applier runs it between"
            + " batches.%n%n", w.table(), w.startRows(), w.endRows(), w.steps(), w.changes(), 100 * (1 - w.insertShare()),
        w.zipfExponent(), w.hotKeys(), 100 * w.insertShare(), size(w.targetFileSize())));
    md.append("| table rows | files (median size) | batch | rows changed | apply ms | files read | files rewritten"
        + " | files marked | MiB rewritten | bytes written per changed row | µs per changed row |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (GrowthResult.Step step : result.steps()) {
      boolean first = true;
      for (GrowthResult.Batch batch : step.batches()) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %,d | %.0f | %d | %d | %d | %.1f | %,.0f | %.1f |%n",
            first ? String.format(Locale.ROOT, "%,d", step.tableRows()) : "",
            first ? String.format(Locale.ROOT, "%d (%s)", step.files().count(), size(step.files().medianBytes())) : "",
            batch.distribution(), batch.rowsChanged(), batch.applyMillis(), batch.filesRead(), batch.filesRewritten(),
            batch.filesMarked(), batch.bytesRewritten() / MIB, batch.bytesWrittenPerChangedRow(),
            batch.microsPerChangedRow()));
        first = false;
      }
    }
    md.append("\nCompaction after each step's batches: ");
    List<String> compactions = new ArrayList<>();
    for (GrowthResult.Step step : result.steps()) {
      GrowthResult.Compaction c = step.compaction();
      compactions.add(c.ran() ? String.format(Locale.ROOT, "%,d rows: %d files (%.1f MiB) into %d in %.0f ms",
          step.tableRows(), c.filesIn(), c.bytesIn() / MIB, c.filesOut(), c.millis()) : String.format(Locale.ROOT,
          "%,d rows: nothing to do", step.tableRows()));
    }
    md.append(String.join("; ", compactions)).append(".\n\n");
    md.append("## What the figures say\n\n");
    for (String distribution : w.distributions()) {
      List<GrowthResult.Batch> batches = result.steps().stream().flatMap(step -> step.batches().stream())
          .filter(batch -> batch.distribution().equals(distribution)).toList();
      if (batches.size() < 2) {
        continue;
      }
      GrowthResult.Batch firstBatch = batches.get(0);
      GrowthResult.Batch last = batches.get(batches.size() - 1);
      md.append(String.format(Locale.ROOT, "- `%s`: from the smallest table to the largest (%.1f×), bytes written per"
              + " changed row went from %,.0f to %,.0f (%.1f×) and time per changed row from %.1f to %.1f µs (%.1f×);"
              + " files read per batch from %d to %d.%n", distribution,
          (double) result.steps().get(result.steps().size() - 1).tableRows() / result.steps().get(0).tableRows(),
          firstBatch.bytesWrittenPerChangedRow(), last.bytesWrittenPerChangedRow(),
          last.bytesWrittenPerChangedRow() / firstBatch.bytesWrittenPerChangedRow(), firstBatch.microsPerChangedRow(),
          last.microsPerChangedRow(), last.microsPerChangedRow() / firstBatch.microsPerChangedRow(),
          firstBatch.filesRead(), last.filesRead()));
    }
    md.append("""

        Copy-on-write rewrites every file that holds a changed key. Updates spread uniformly over a table touch
        about min(files, changes) files, so once a batch has more changes than the table has files, every file is
        rewritten whatever the layout, and the bytes written per changed row grow with the table (table bytes over
        changes). A Zipf law over the keys has a long tail: a batch of thousands of changes still lands a few in
        most files, so it behaves much like the uniform one. What layout buys is for keys that cluster (`recent`):
        with files sorted by key, near the target size and not overlapping, a batch whose keys fall in a few key
        ranges reads and rewrites only those files, and what it costs per changed row stays level as the table
        grows. Smaller files (a lower target) make spread batches cheaper per changed row at the price of more
        files to list and open.

        """);
    md.append(String.format(Locale.ROOT, """
        ## Where and how

        - Machine: %d cores (%s), %.1f GiB memory, %s; %s; %.1f GiB heap for the benchmark; load average at the end %.1f
        - Method: one JVM; segments staged on the local file system, the applier's `TableApplier` writing the Delta
          table through Delta Kernel, every commit ratified by a coordinator listening on 127.0.0.1. Files read
          come from the applier's `files.read` meter, files marked from `files.marked`, bytes written (data files
          and deletion vectors) from `bytes.written`; files rewritten and added, and the bytes rewritten, from the
          table's live files before and after each batch. Time is the batch's apply call: reading its segment, finding,
          reading and rewriting files, and the commit.
        - Run: started %s, took %.0f s in all
        - Repeat with: `%s`
        """, result.machine().cores(), result.machine().cpu(), result.machine().memoryBytes() / (1024.0 * MIB),
        result.machine().os(), result.machine().jvm(), result.machine().maxHeapBytes() / (1024.0 * MIB),
        result.machine().loadAverage(),
        result.startedAt(), result.runSeconds(), command));
    return md.toString();
  }

  private static String size(long bytes) {
    if (bytes >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
    }
    return String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
  }
}
