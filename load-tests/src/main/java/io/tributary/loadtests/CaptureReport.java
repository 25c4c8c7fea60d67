package io.tributary.loadtests;

import io.tributary.loadtests.internal.Medians;
import io.tributary.loadtests.internal.ResultFiles;
import io.tributary.loadtests.internal.SvgChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The capture and snapshot benchmarks' files: the median changes (rows) per second of the peer, the
 * reader and the gateway, each run marked ({@code plot.svg}), and the figures in words
 * ({@code summary.md}).
 */
final class CaptureReport {
  private static final String GATEWAY_COLOR = "#1f77b4";
  private static final String PEER_COLOR = "#7f7f7f";
  private static final String READER_COLOR = "#bcbd22";
  private static final int THREADS_SHOWN = 8;

  private CaptureReport() {}

  static void write(CaptureResult result, Path directory, String command) throws IOException {
    ResultFiles.write(directory, result, plot(result), summary(result, command));
  }

  static String plot(CaptureResult result) {
    CaptureResult.Figures figures = result.figures();
    String title = snapshot(result)
        ? String.format(Locale.ROOT, "Initial snapshot of %,d rows: gateway / Debezium alone = %.2f",
            result.workload().changes(), figures.ratio())
        : String.format(Locale.ROOT, "Capture of %,d changes: gateway / Debezium alone = %.2f (target %.2f)",
            result.workload().changes(), figures.ratio(), figures.target());
    String unit = snapshot(result) ? "rows" : "changes";
    String throughput = SvgChart.barChart(0, 0, 640, 420, title, unit + " per second (median; dots: each run)",
        List.of(new SvgChart.Bar("Debezium embedded, no-op consumer", PEER_COLOR, figures.peerChangesPerSecond(),
                runs(result, CaptureBenchmark.PEER, CaptureResult.Run::changesPerSecond)),
            new SvgChart.Bar("Debezium, consumer reads every value", READER_COLOR, figures.readerChangesPerSecond(),
                runs(result, CaptureBenchmark.READER, CaptureResult.Run::changesPerSecond)),
            new SvgChart.Bar("Tributary gateway (staged, announced)", GATEWAY_COLOR, figures.gatewayChangesPerSecond(),
                runs(result, CaptureBenchmark.GATEWAY, CaptureResult.Run::changesPerSecond))));
    String cpu = SvgChart.barChart(640, 0, 360, 420, "CPU per million " + unit, "CPU seconds (median)",
        List.of(new SvgChart.Bar("Debezium alone", PEER_COLOR, figures.peerCpuSecondsPerMillionChanges(), List.of()),
            new SvgChart.Bar("reading", READER_COLOR, figures.readerCpuSecondsPerMillionChanges(), List.of()),
            new SvgChart.Bar("gateway", GATEWAY_COLOR, figures.gatewayCpuSecondsPerMillionChanges(), List.of())));
    return SvgChart.document(1000, 420, List.of(throughput, cpu));
  }

  private static List<Double> runs(CaptureResult result, String system,
      java.util.function.ToDoubleFunction<CaptureResult.Run> figure) {
    return result.runs().stream().filter(run -> run.system().equals(system) && run.completed())
        .map(run -> figure.applyAsDouble(run)).toList();
  }

  private static boolean snapshot(CaptureResult result) {
    return result.benchmark().equals(CaptureBenchmark.Mode.SNAPSHOT.benchmark());
  }

  /** The threads that took most CPU during the captures: medians over each system's runs, per million changes. */
  static String threads(CaptureResult result, String unit) {
    double million = result.workload().changes() / 1e6;
    Map<String, Double> gateway = threadMedians(result, CaptureBenchmark.GATEWAY, million);
    Map<String, Double> peer = threadMedians(result, CaptureBenchmark.PEER, million);
    Map<String, Double> reader = threadMedians(result, CaptureBenchmark.READER, million);
    Set<String> all = new TreeSet<>(gateway.keySet());
    all.addAll(peer.keySet());
    all.addAll(reader.keySet());
    List<String> names = new ArrayList<>(all);
    names.sort(Comparator.comparingDouble((String name) -> Math.max(gateway.getOrDefault(name, 0.0),
        Math.max(peer.getOrDefault(name, 0.0), reader.getOrDefault(name, 0.0)))).reversed());
    if (names.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "CPU seconds per million %s by thread during"
        + " the capture (medians; thread names as the kernel keeps them, digits as #):%n%n", unit));
    md.append("| thread | gateway | Debezium alone | Debezium, reading every value |\n|---|---|---|---|\n");
    for (String name : names.subList(0, Math.min(THREADS_SHOWN, names.size()))) {
      md.append(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f | %.1f |%n", name, gateway.getOrDefault(name, 0.0),
          peer.getOrDefault(name, 0.0), reader.getOrDefault(name, 0.0)));
    }
    return md.append('\n').toString();
  }

  private static Map<String, Double> threadMedians(CaptureResult result, String system, double million) {
    List<CaptureResult.Run> runs = result.runs().stream()
        .filter(run -> run.system().equals(system) && run.completed()).toList();
    Map<String, Double> medians = new TreeMap<>();
    runs.stream().flatMap(run -> run.threadCpuSeconds().keySet().stream()).distinct().forEach(name ->
        medians.put(name, Medians.of(runs.stream()
            .mapToDouble(run -> run.threadCpuSeconds().getOrDefault(name, 0.0) / million))));
    return medians;
  }

  static String summary(CaptureResult result, String command) {
    CaptureResult.Figures f = result.figures();
    CaptureResult.Workload w = result.workload();
    boolean snapshot = snapshot(result);
    String unit = snapshot ? "rows" : "changes";
    String source = snapshot ? "table" : "WAL";
    StringBuilder md = new StringBuilder();
    md.append(snapshot ? "# Initial snapshot: the gateway against Debezium's embedded engine alone\n\n"
        : "# Capture throughput: the gateway against Debezium's embedded engine alone\n\n");
    md.append(String.format(Locale.ROOT, "**Gateway / Debezium alone = %.2f** (%s): %,.0f against %,.0f %s"
            + " per second, %.1f against %.1f MB of %s per second (medians of %d runs each).%n%n",
        f.ratio(), snapshot ? "no target of its own; streaming capture aims at " + f.target() : "target " + f.target(),
        f.gatewayChangesPerSecond(), f.peerChangesPerSecond(), unit, f.gatewaySourceMegabytesPerSecond(),
        f.peerSourceMegabytesPerSecond(), source,
        result.runs().stream().filter(run -> run.system().equals(CaptureBenchmark.GATEWAY)).count()));
    if (!f.pairRatios().isEmpty()) {
      md.append(String.format(Locale.ROOT,
          "Each repeat's gateway over the peer run next to it: median **%.2f** (%s).%n%n", f.medianPairRatio(),
          f.pairRatios().stream().map(ratio -> String.format(Locale.ROOT, "%.2f", ratio))
              .collect(Collectors.joining(", "))));
    }
    md.append(String.format(Locale.ROOT, "Once warmed up, from the first third of the %s on: **%.2f**, %,.0f"
        + " against %,.0f %s per second.%n%n", unit, f.warmRatio(), f.gatewayWarmChangesPerSecond(),
        f.peerWarmChangesPerSecond(), unit));
    if (f.readerChangesPerSecond() > 0) {
      md.append(String.format(Locale.ROOT, "Debezium with a consumer that reads every value of each change (key,"
              + " before and after images, source block) and does nothing else: **%.2f** of Debezium alone, %,.0f %s"
              + " per second (each repeat: %s). Reading the values that the decoding thread built, on another"
              + " thread, is the least any consumer that looks at the data does; the gateway runs at **%.2f** of"
              + " this reader.%n%n",
          f.readerRatio(), f.readerChangesPerSecond(), unit,
          f.readerPairRatios().stream().map(ratio -> String.format(Locale.ROOT, "%.2f", ratio))
              .collect(Collectors.joining(", ")),
          f.gatewayChangesPerSecond() / f.readerChangesPerSecond()));
    }
    if (!result.verdict().passed()) {
      md.append("**Incomplete**: ").append(String.join("; ", result.verdict().problems())).append(".\n\n");
    }
    if (snapshot) {
      md.append(String.format(Locale.ROOT, "Table: `%s`, %,d rows (%d bytes a row as stored), %.0f MB on disk, filled"
          + " by one transaction in %.1f s before any capture ran.%n%n", w.table(), w.changes(), w.averageRowBytes(),
          w.sourceBytes() / 1e6, w.loadSeconds()));
    } else {
      md.append(String.format(Locale.ROOT, "Load: %,d changes (%,d inserts, %,d updates, %,d deletes) in %,d transactions"
              + " on `%s` (%d bytes a row as stored), %.0f MB of WAL, made in %.1f s before any capture ran.%n%n",
          w.changes(), w.inserts(), w.updates(), w.deletes(), w.transactions(), w.table(), w.averageRowBytes(),
          w.sourceBytes() / 1e6, w.loadSeconds()));
    }
    md.append("| run | system | order | start-up s | capture s | " + unit + "/s | warm " + unit + "/s | " + source
        + " MB/s | capture CPU s | PostgreSQL CPU s | peak RSS MiB"
        + " | exit | load avg |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (CaptureResult.Run run : result.runs()) {
      md.append(String.format(Locale.ROOT,
          "| %d | %s | %d | %.1f | %s | %s | %s | %s | %.1f | %s | %.0f | %d | %.1f |%n",
          run.repeat(),
          run.system(), run.order(), run.startupSeconds(),
          run.completed() ? String.format(Locale.ROOT, "%.1f", run.captureSeconds()) : "incomplete",
          run.completed() ? String.format(Locale.ROOT, "%,.0f", run.changesPerSecond()) : "-",
          run.warmChangesPerSecond() > 0 ? String.format(Locale.ROOT, "%,.0f", run.warmChangesPerSecond()) : "-",
          run.completed() ? String.format(Locale.ROOT, "%.1f", run.sourceMegabytesPerSecond()) : "-",
          run.captureCpuSeconds(),
          run.sourceCpuSeconds() >= 0 ? String.format(Locale.ROOT, "%.1f", run.sourceCpuSeconds()) : "-",
          run.peakRssBytes() / (1024.0 * 1024), run.exitCode(), run.loadAverage()));
    }
    md.append(String.format(Locale.ROOT, "%nCPU time per million %s during the capture (medians): gateway %.1f s,"
            + " Debezium alone %.1f s, Debezium reading every value %.1f s.%n%n", unit,
        f.gatewayCpuSecondsPerMillionChanges(), f.peerCpuSecondsPerMillionChanges(),
        f.readerCpuSecondsPerMillionChanges()));
    if (f.gatewayBusyCores() > 0 && f.peerBusyCores() > 0) {
      md.append(String.format(Locale.ROOT, "PostgreSQL's CPU time per million %s during the same captures (medians;"
              + " mostly %s): %.1f s with the gateway, %.1f s with Debezium alone. The JVM and PostgreSQL together"
              + " kept %.2f and %.2f of the machine's %d cores busy: where that is all of them, throughput follows"
              + " the CPU time a change costs in all.%n%n", unit,
          snapshot ? "the server process reading the table for the snapshot" : "its WAL sender, decoding for the capture",
          f.gatewaySourceCpuSecondsPerMillionChanges(), f.peerSourceCpuSecondsPerMillionChanges(),
          f.gatewayBusyCores(), f.peerBusyCores(), result.environment().machine().cores()));
    }
    md.append(threads(result, unit));
    md.append("![" + unit + " per second](").append(ResultFiles.PLOT).append(")\n\n");
    md.append("## Method\n\n").append(result.setup().method()).append("\n\n");
    md.append("- Gateway: `").append(result.setup().gatewayCommand()).append("`\n");
    md.append("- Peer: ").append(result.setup().peer()).append("; its connector properties are the gateway's own"
        + " (`peerProperties` in result.json), offsets in Debezium's file store at its default flush interval\n");
    md.append("- Reader: ").append(result.setup().reader()).append('\n');
    md.append("- Every JVM: `").append(String.join(" ", result.setup().jvmOptions())).append("`\n\n");
    md.append(result.environment().markdown(result.startedAt(), result.runSeconds(), command));
    return md.toString();
  }
}
