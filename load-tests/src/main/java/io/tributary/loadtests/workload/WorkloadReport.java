package io.tributary.loadtests.workload;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a workload made.
 *
 * @param database the kind of database it ran against
 * @param spec the workload's parameters ({@link WorkloadSpec#describe()})
 * @param changes row changes committed: {@code inserts + updates + deletes}
 * @param seconds from the start until the last commit returned
 * @param achievedRate changes per second over {@code seconds}
 * @param stoppedBy {@code count} when it made the most changes it was allowed, {@code duration} when its time was up,
 *     {@code stopped} when {@link Workload#stop} ended it
 * @param rows for each table (qualified, in name order), the rows it holds at the end: what a copy of it must hold
 * @param tableChanges for each table (qualified), the changes made to it
 */
public record WorkloadReport(String database, Map<String, Object> spec, long changes, long inserts, long updates,
    long deletes, long transactions, double seconds, double achievedRate, double targetRate, String stoppedBy,
    Map<String, Long> rows, Map<String, Long> tableChanges) {
  public WorkloadReport {
    spec = Collections.unmodifiableMap(new LinkedHashMap<>(spec));
    rows = Collections.unmodifiableMap(new TreeMap<>(rows));
    tableChanges = Collections.unmodifiableMap(new TreeMap<>(tableChanges));
  }

  /** One line for a log or a terminal. */
  public String summary() {
    String target = targetRate > 0 ? "target %,.0f".formatted(targetRate) : "unpaced";
    return "%,d changes (%,d inserts, %,d updates, %,d deletes) in %,d transactions over %.1f s: %,.0f changes/s (%s);"
        .formatted(changes, inserts, updates, deletes, transactions, seconds, achievedRate, target)
        + " stopped by " + stoppedBy;
  }
}
