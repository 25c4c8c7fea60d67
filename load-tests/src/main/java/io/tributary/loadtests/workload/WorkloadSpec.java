package io.tributary.loadtests.workload;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a workload makes: its tables and their columns, the mix of changes, how keys are chosen,
 * transaction size and rate, and its bounds. A workload stops by itself at {@code duration} or
 * {@code maxChanges}, whichever comes first.
 *
 * @param tables how many tables ({@code <prefix>1} to {@code <prefix>N})
 * @param tablePrefix their names' start
 * @param initialRows rows each table holds before the changes start
 * @param insertPercent percent of changes that insert a new row
 * @param updatePercent percent that update an existing row (all its columns but the key)
 * @param deletePercent percent that delete one; with the other two, 100
 * @param columns the columns beside the {@code id bigint} key, in order
 * @param rowWidth about how many bytes a row has, the key included; the variable columns (text,
 *     bytes, json) share what the fixed ones leave
 * @param keys how updates and deletes choose their row
 * @param transactionSize changes per transaction
 * @param rate target changes per second over all connections; 0 for as fast as the database takes them
 * @param connections connections making changes side by side, each an equal share of the rate
 * @param seed the random generators' seed: the same spec makes the same changes
 */
public record WorkloadSpec(int tables, String tablePrefix, long initialRows, int insertPercent, int updatePercent,
    int deletePercent, List<ColumnKind> columns, int rowWidth, KeyDistribution keys, int transactionSize, double rate,
    Duration duration, long maxChanges, int connections, long seed) {
  /** Bytes of the {@code id bigint} key. */
  static final int KEY_WIDTH = 8;

  public WorkloadSpec {
    requireNonNull(tablePrefix, "tablePrefix is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(keys, "keys is null");
    requireNonNull(duration, "duration is null");
    List<String> problems = new ArrayList<>();
    if (tables < 1) {
      problems.add("tables must be at least 1: " + tables);
    }
    if (!tablePrefix.matches("[a-z_][a-z0-9_]*")) {
      problems.add("the table prefix must be a lower-case SQL name: '" + tablePrefix + "'");
    }
    if (initialRows < 0) {
      problems.add("initial rows must not be negative: " + initialRows);
    }
    if (insertPercent < 0 || updatePercent < 0 || deletePercent < 0
        || insertPercent + updatePercent + deletePercent != 100) {
      problems.add("the mix must be three percentages (insert, update, delete) adding up to 100: " + insertPercent
          + "," + updatePercent + "," + deletePercent);
    }
    if (columns.isEmpty()) {
      problems.add("a table needs at least one column beside its key");
    }
    int fixed = KEY_WIDTH + columns.stream().mapToInt(ColumnKind::width).sum();
    if (rowWidth < fixed) {
      problems.add("a row of these columns has at least " + fixed + " bytes; the row width is " + rowWidth);
    } else if (rowWidth > fixed && columns.stream().noneMatch(ColumnKind::variable)) {
      problems.add("a row width above the " + fixed + " bytes of these columns needs a text, bytes or json column");
    }
    if (rowWidth > 16 * 1024 * 1024) {
      problems.add("the row width must be at most 16 MiB: " + rowWidth);
    }
    if (transactionSize < 1) {
      problems.add("transactions must make at least one change: " + transactionSize);
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      problems.add("the rate must be a number of changes per second, 0 for unpaced: " + rate);
    }
    if (duration.isNegative() || duration.isZero()) {
      problems.add("the duration must be positive: " + duration);
    }
    if (maxChanges < 1) {
      problems.add("the most changes must be at least 1: " + maxChanges);
    }
    if (connections < 1) {
      problems.add("connections must be at least 1: " + connections);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid workload: " + String.join("; ", problems));
    }
  }

  /** The names of the tables, unqualified. */
  public List<String> tableNames() {
    List<String> names = new ArrayList<>(tables);
    for (int i = 1; i <= tables; i++) {
      names.add(tablePrefix + i);
    }
    return names;
  }

  /** The length of each variable column's values, so that a row has about {@link #rowWidth} bytes. */
  int variableLength() {
    long variable = columns.stream().filter(ColumnKind::variable).count();
    if (variable == 0) {
      return 0;
    }
    int fixed = KEY_WIDTH + columns.stream().mapToInt(ColumnKind::width).sum();
    return (int) Math.max(1, (rowWidth - fixed) / variable);
  }

  /** Its parameters by name, as results record them. */
  public Map<String, Object> describe() {
    Map<String, Object> description = new LinkedHashMap<>();
    description.put("tables", tables);
    description.put("initial_rows_per_table", initialRows);
    description.put("mix_percent", Map.of("insert", insertPercent, "update", updatePercent, "delete", deletePercent));
    description.put("columns", columns.stream().map(kind -> kind.name().toLowerCase(Locale.ROOT)).toList());
    description.put("row_width_bytes", rowWidth);
    description.put("keys", keys.toString());
    description.put("transaction_size", transactionSize);
    description.put("target_rate", rate);
    description.put("duration", duration.toString());
    description.put("max_changes", maxChanges);
    description.put("connections", connections);
    description.put("seed", seed);
    return description;
  }
}
