package io.tributary.loadtests.faults;

import io.tributary.loadtests.internal.ResultFiles;
import io.tributary.loadtests.internal.SvgChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fault-injection run's files: the recovery time of every fault, coloured by kind
 * ({@code plot.svg}); the verdict, the reconciliation and the faults in words ({@code summary.md}).
 */
public final class FaultsReport {
  private static final Map<String, String> COLORS = Map.of("KILL", "#d62728", "PAUSE_APPLIER", "#9467bd",
      "RESTART_KAFKA", "#1f77b4", "STOP_COORDINATOR", "#ff7f0e", "STORAGE_FAULTS", "#2ca02c");

  private FaultsReport() {}

  public static void write(FaultsResult result, Path directory, String command) throws IOException {
    ResultFiles.write(directory, result, plot(result), summary(result, command));
  }

  static String plot(FaultsResult result) {
    List<SvgChart.Bar> bars = result.faults().stream()
        .map(cycle -> new SvgChart.Bar(cycle.index() + "", COLORS.getOrDefault(cycle.kind(), "#7f7f7f"),
            cycle.recoverySeconds(), List.of()))
        .toList();
    double width = Math.max(600, 60 + 45.0 * bars.size());
    String chart = SvgChart.barChart(0, 0, width, 420, "Seconds from each fault's end until a change made then was"
        + " visible in Delta at every source", "seconds", bars);
    StringBuilder legend = new StringBuilder();
    int i = 0;
    for (String kind : List.of("KILL", "PAUSE_APPLIER", "RESTART_KAFKA", "STOP_COORDINATOR", "STORAGE_FAULTS")) {
      double x = 70 + 170 * i++;
      legend.append(String.format(Locale.ROOT, "<rect x=\"%.0f\" y=\"432\" width=\"12\" height=\"12\" fill=\"%s\"/>%n"
          + "<text x=\"%.0f\" y=\"443\" font-family=\"sans-serif\" font-size=\"12\">%s</text>%n", x, COLORS.get(kind),
          x + 16, kind));
    }
    return SvgChart.document(Math.max(width, 930), 460, List.of(chart, legend.toString()));
  }

  static String summary(FaultsResult result, String command) {
    FaultsResult.Totals totals = result.totals();
    StringBuilder text = new StringBuilder();
    text.append("# Fault injection: ").append(result.verdict().passed() ? "PASSED" : "FAILED").append("\n\n");
    text.append(String.format(Locale.ROOT, "%d faults in %.0f s over %s under %,.0f changes/s at each source"
            + " (%,d changes in all); after draining, **%d rows lost, %d duplicated**, %d extra, %d different over"
            + " %d tables of %,d rows. Recovery after a fault's end: median %.1f s, longest %.1f s.%n%n",
        result.faults().size(), result.runSeconds(), String.join(" and ", result.setup().databases()),
        result.setup().rate(), result.load().changes(), totals.lost(), totals.duplicated(), totals.extra(),
        totals.different(), result.tables().size(), totals.sourceRows(), totals.recoveryMedianSeconds(),
        totals.recoveryMaxSeconds()));
    if (!result.verdict().passed()) {
      text.append("Problems:\n\n");
      result.verdict().problems().forEach(problem -> text.append("- ").append(problem).append('\n'));
      text.append('\n');
    }
    text.append("## Faults\n\n| kind | made |\n|---|---|\n");
    result.faultsByKind().forEach((kind, count) -> text.append("| ").append(kind).append(" | ").append(count)
        .append(" |\n"));
    text.append(String.format(Locale.ROOT, "%nStorage requests through the proxy: %,d; faults it made (background and"
        + " bursts): %s.%n%n", result.storageRequests(), result.storageFaults()));
    text.append("| # | at (s) | kind | target | fault lasted (s) | recovered in (s) | what |\n|---|---|---|---|---|---|---|\n");
    for (FaultsResult.Cycle cycle : result.faults()) {
      text.append(String.format(Locale.ROOT, "| %d | %.0f | %s | %s | %.1f | %s | %s |%n", cycle.index(),
          cycle.atSeconds(), cycle.kind(), cycle.target(), cycle.faultSeconds(),
          cycle.recovered() ? String.format(Locale.ROOT, "%.1f", cycle.recoverySeconds()) : "not recovered",
          cycle.detail()));
    }
    text.append("\nProcesses that ended by themselves and were started again: ");
    if (result.unplannedExits().isEmpty()) {
      text.append("none.\n");
    } else {
      text.append('\n');
      result.unplannedExits().forEach(exit -> text.append(String.format(Locale.ROOT, "- %s (run %d) exited with %d at"
          + " %.0f s%n", exit.component(), exit.incarnation(), exit.exitCode(), exit.atSeconds())));
    }
    text.append("\n## Reconciliation (tributary verify --json)\n\n")
        .append("| table | source rows | Delta rows | lost | duplicated | extra | different |\n|---|---|---|---|---|---|---|\n");
    for (FaultsResult.Table table : result.tables()) {
      text.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %d | %d | %d | %d |%n", table.table(),
          table.sourceRows(), table.deltaRows(), table.missing(), table.duplicated(), table.extra(), table.different()));
    }
    text.append(String.format(Locale.ROOT, "%nThe pipeline drained and verified in %.1f s after the load stopped.%n",
        totals.drainSeconds()));
    FaultsResult.Metrics metrics = result.metrics();
    text.append(String.format(Locale.ROOT, "%nMetrics: the /metrics of %s, scraped at the end, checked against the"
            + " %d metric names and %d label values (%s) their kinds' dashboards and alert rules query: %s.%n",
        String.join(", ", metrics.processes()), metrics.names(), metrics.labelValues().size(),
        String.join(", ", metrics.labelValues()), metrics.missing().isEmpty() ? "none missing"
            : metrics.missing().size() + " missing (see Problems)"));
    text.append("\n## Method\n\n").append(result.setup().method()).append("\n\n");
    text.append(String.format(Locale.ROOT, "Machine: %d cores, %.1f GB, %s; %s.%n%n",
        result.environment().machine().cores(), result.environment().machine().memoryBytes() / 1e9,
        result.environment().machine().cpu(), result.environment().machine().jvm()));
    text.append("Repeat with:\n\n```bash\n").append(command).append("\n```\n");
    return text.toString();
  }
}
