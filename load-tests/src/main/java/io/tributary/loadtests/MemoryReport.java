package io.tributary.loadtests;

import io.tributary.loadtests.internal.ResultFiles;
import io.tributary.loadtests.internal.SvgChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The memory benchmark's files: heap and resident memory over time above the changes staged over
 * time ({@code plot.svg}), and the figures in words ({@code summary.md}).
 */
final class MemoryReport {
  private static final double MIB = 1024 * 1024;

  private MemoryReport() {}

  static void write(MemoryResult result, Path directory, String command) throws IOException {
    ResultFiles.write(directory, result, plot(result), summary(result, command));
  }

  static String plot(MemoryResult result) {
    List<double[]> rss = result.samples().stream().map(s -> new double[] {s.seconds(), s.rssBytes() / MIB}).toList();
    List<double[]> heap = result.samples().stream().filter(s -> s.heapUsedBytes() >= 0)
        .map(s -> new double[] {s.seconds(), s.heapUsedBytes() / MIB}).toList();
    List<double[]> afterGc = result.collections().stream().filter(c -> c.kind().startsWith("Pause Young")
            || c.kind().startsWith("Pause Full")).map(c -> new double[] {c.seconds(), c.afterBytes() / MIB}).toList();
    List<double[]> captured = result.samples().stream().filter(s -> s.changesCaptured() >= 0)
        .map(s -> new double[] {s.seconds(), s.changesCaptured()}).toList();
    List<double[]> announced = result.samples().stream()
        .map(s -> new double[] {s.seconds(), s.rowsAnnounced()}).toList();
    MemoryResult.Figures figures = result.figures();
    String memory = SvgChart.lineChart(0, 0, 900, 380,
        String.format(Locale.ROOT, "Gateway memory: one transaction of %,d changes, -Xmx%s",
            result.workload().changes(), heapText(figures.heapLimitBytes())),
        "seconds since the gateway's JVM started", "MiB",
        List.of(new SvgChart.Series("resident set (VmRSS)", "#d62728", rss, false),
            new SvgChart.Series("heap used (/metrics)", "#1f77b4", heap, false),
            new SvgChart.Series("heap after each collection (GC log)", "#2ca02c", afterGc, true)),
        List.of(new SvgChart.Level("-Xmx", "#555", figures.heapLimitBytes() / MIB)), marks(figures));
    String progress = SvgChart.lineChart(0, 380, 900, 300, "Changes through the gateway",
        "seconds since the gateway's JVM started", "changes",
        List.of(new SvgChart.Series("captured (tributary_gateway_events_captured_total)", "#9467bd", captured, false),
            new SvgChart.Series("staged and announced (manifests)", "#ff7f0e", announced, false)),
        List.of(), marks(figures));
    return SvgChart.document(900, 680, List.of(memory, progress));
  }

  private static List<SvgChart.Mark> marks(MemoryResult.Figures figures) {
    List<SvgChart.Mark> marks = new ArrayList<>();
    marks.add(new SvgChart.Mark("committed", "#444", figures.committedAtSeconds()));
    if (figures.stagedAtSeconds() >= 0) {
      marks.add(new SvgChart.Mark("all staged", "#444", figures.stagedAtSeconds()));
    }
    return marks;
  }

  static String summary(MemoryResult result, String command) {
    MemoryResult.Figures f = result.figures();
    MemoryResult.Workload w = result.workload();
    StringBuilder md = new StringBuilder();
    md.append("# Memory: one large transaction through a gateway with -Xmx").append(heapText(f.heapLimitBytes()))
        .append("\n\n");
    md.append("**").append(result.verdict().passed() ? "Passed" : "Failed").append("**: ");
    md.append(result.verdict().passed()
        ? "every change was staged and the gateway never ran out of memory."
        : String.join("; ", result.verdict().problems()) + ".");
    md.append("\n\n");
    md.append(String.format(Locale.ROOT, "One transaction on `%s` (%d bytes a row as stored) inserted %,d rows%s: "
            + "%,d changes, %.1f MiB of WAL, committed in %.1f s.%n%n", w.table(), w.averageRowBytes(), w.rows(),
        w.updateAll() ? " and updated each of them" : "", w.changes(), w.walBytes() / MIB, w.loadSeconds()));
    md.append("| figure | value |\n|---|---|\n");
    row(md, "heap limit (-Xmx)", mib(f.heapLimitBytes()));
    row(md, "heap held after a collection, most (GC log)", mib(f.heapAfterGcMaxBytes()));
    row(md, "heap held after a collection, least in each tenth of the capture", f.heapAfterGcLowestByTenthBytes()
        .stream().map(bytes -> bytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f", bytes / MIB))
        .collect(Collectors.joining(", ")) + " MiB");
    row(md, "heap in use, most sampled (/metrics, garbage included)", mib(f.heapUsedMaxBytes()));
    row(md, "non-heap in use, most sampled (metaspace, code cache)", mib(f.nonHeapUsedMaxBytes()));
    row(md, "resident set, most (VmHWM)", mib(f.rssMaxBytes()));
    row(md, "resident set before the transaction", mib(f.rssBeforeLoadBytes()));
    row(md, "collection pauses (full collections), paused in all", String.format(Locale.ROOT, "%d (%d), %.1f s",
        f.collectionPauses(), f.fullCollections(), f.collectionPauseSeconds()));
    row(md, "ran out of memory", f.outOfMemory() ? "yes" : "no");
    row(md, "changes announced / read back from staging", String.format(Locale.ROOT, "%,d / %,d of %,d",
        f.rowsAnnounced(), f.rowsStaged(), w.changes()));
    row(md, "inserts / distinct keys / updates staged", String.format(Locale.ROOT, "%,d / %,d / %,d", f.insertsStaged(),
        f.distinctKeysStaged(), f.updatesStaged()));
    row(md, "positions increase throughout", f.positionsIncrease() ? "yes" : "no");
    row(md, "segments (bytes)", String.format(Locale.ROOT, "%d (%.1f MiB)", f.segments(), f.stagedBytes() / MIB));
    row(md, "commit to last change staged", String.format(Locale.ROOT, "%.1f s (%,.0f changes/s)", f.captureSeconds(),
        f.changesPerSecond()));
    row(md, "gateway CPU time", String.format(Locale.ROOT, "%.1f s", f.gatewayCpuSeconds()));
    row(md, "gateway exit code after SIGTERM", Integer.toString(f.exitCode()));
    md.append("\n![heap and resident memory over time](").append(ResultFiles.PLOT).append(")\n\n");
    md.append("Gateway: `").append(result.gateway().command()).append("` with `")
        .append(String.join(" ", result.gateway().jvmOptions()))
        .append("`, collector ").append(result.gateway().collector()).append(".\n\n");
    md.append(result.environment().markdown(result.startedAt(), result.runSeconds(), command));
    return md.toString();
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / MIB);
  }

  private static String heapText(long bytes) {
    return bytes % (1L << 30) == 0 ? (bytes >> 30) + "g" : (bytes >> 20) + "m";
  }
}
