package io.tributary.loadtests.faults;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.Environment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fault-injection run did and found, written as {@code result.json}: the faults made, how
 * long the pipeline took to recover from each, the unplanned process exits, what the load changed,
 * and the reconciliation of every table with its source. Times in seconds.
 */
public record FaultsResult(String benchmark, String startedAt, double runSeconds, Environment environment, Setup setup,
    List<Cycle> faults, Map<String, Long> faultsByKind, Map<String, Long> storageFaults, long storageRequests,
    List<Exit> unplannedExits, Load load, List<Table> tables, Totals totals, Metrics metrics, Verdict verdict) {

  public FaultsResult {
    requireNonNull(environment, "environment is null");
    faults = List.copyOf(faults);
    faultsByKind = Collections.unmodifiableMap(new LinkedHashMap<>(faultsByKind));
    storageFaults = Collections.unmodifiableMap(new LinkedHashMap<>(storageFaults));
    unplannedExits = List.copyOf(unplannedExits);
    tables = List.copyOf(tables);
    requireNonNull(metrics, "metrics is null");
  }

  /** How the run was set up: its options, the method in words, and each process's configuration file. */
  public record Setup(long seed, int faultCount, List<String> databases, double rate, int tablesPerSource,
      long initialRows, String backgroundStorageFaults, String burstStorageFaults, String method,
      Map<String, String> configurations, List<String> jvmOptions) {
    public Setup {
      databases = List.copyOf(databases);
      configurations = Collections.unmodifiableMap(new LinkedHashMap<>(configurations));
      jvmOptions = List.copyOf(jvmOptions);
    }
  }

  /**
   * One fault: when it began (seconds after the load started), what it did to what, how long the
   * fault lasted, and how long after its end a change committed at the sources then was visible in
   * every source's Delta table ({@code recovered} false if that did not happen within the bound).
   */
  public record Cycle(int index, String kind, String target, double atSeconds, double faultSeconds,
      double recoverySeconds, boolean recovered, String detail) {}

  /** A process that ended while it was meant to run, and was started again. */
  public record Exit(String component, int incarnation, int exitCode, double atSeconds) {}

  /** What the load made at each source: changes by kind and the rate achieved. */
  public record Load(long changes, long inserts, long updates, long deletes, long transactions, double seconds,
      double achievedRate) {}

  /** One table's reconciliation by {@code tributary verify}. */
  public record Table(String table, long sourceRows, long deltaRows, long missing, long extra, long duplicated,
      long different, boolean equal) {}

  /**
   * The sums over every table: rows lost (in the source, missing from Delta), rows duplicated (a key
   * held by more than one Delta row), rows extra (in Delta, gone from the source) and rows with a
   * different value.
   */
  public record Totals(long sourceRows, long lost, long duplicated, long extra, long different,
      double drainSeconds, double recoveryMedianSeconds, double recoveryMaxSeconds) {}

  /**
   * The check, at the end, of every process's {@code /metrics} against what its kind's dashboard and
   * alert group query: the processes scraped, how many metric names were checked (each against each
   * kind that must serve it), the fixed label
   * values checked ({@code name{label="value"}}) and what no process of the kind served.
   */
  public record Metrics(List<String> processes, int names, List<String> labelValues, List<String> missing) {
    public Metrics {
      processes = List.copyOf(processes);
      labelValues = List.copyOf(labelValues);
      missing = List.copyOf(missing);
    }
  }

  public record Verdict(boolean passed, List<String> problems) {
    public Verdict {
      problems = List.copyOf(problems);
    }
  }
}
