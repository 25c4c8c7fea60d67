package io.tributary.cli.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.util.List;

/**
 * The outcome of comparing a source table with its Delta table: row counts and the keys that are
 * missing from Delta, extra in Delta, or different (some column's value differs).
 */
public record TableComparison(
    TableId tableId,
    long sourceRows,
    long deltaRows,
    List<String> missingInDelta,
    List<String> extraInDelta,
    List<String> different) {

  /** How many differing keys of each kind a comparison lists in full. */
  public static final int MAX_LISTED = 20;

  public TableComparison {
    requireNonNull(tableId, "tableId is null");
    missingInDelta = List.copyOf(missingInDelta);
    extraInDelta = List.copyOf(extraInDelta);
    different = List.copyOf(different);
  }

  public boolean equal() {
    return sourceRows == deltaRows && missingInDelta.isEmpty() && extraInDelta.isEmpty() && different.isEmpty();
  }

  /** A one-paragraph report for people. */
  public String describe() {
    if (equal()) {
      return tableId + ": EQUAL (" + sourceRows + " rows, every column of every row hashed and compared)";
    }
    StringBuilder text = new StringBuilder(tableId + ": DIFFERENT (source " + sourceRows + " rows, Delta " + deltaRows + " rows)");
    append(text, "missing in Delta", missingInDelta);
    append(text, "extra in Delta", extraInDelta);
    append(text, "different values", different);
    return text.toString();
  }

  private static void append(StringBuilder text, String label, List<String> keys) {
    if (!keys.isEmpty()) {
      text.append("\n    ").append(label).append(": ").append(keys.size() >= MAX_LISTED ? "at least " : "")
          .append(keys.size()).append(" keys, e.g. ").append(keys.subList(0, Math.min(5, keys.size())));
    }
  }
}
