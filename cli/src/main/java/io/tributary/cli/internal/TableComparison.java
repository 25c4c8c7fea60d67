package io.tributary.cli.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.staging.TableId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of comparing a source table with its Delta table: row counts, how many keys are
 * missing from Delta, extra in Delta (a key the source no longer holds), duplicated in Delta (a key
 * held by more than one row) or different (some column's value differs), and the first few keys of
 * each kind.
 *
 * @param missing keys of the source that Delta lacks
 * @param extra keys of Delta that the source lacks
 * @param duplicated Delta rows beyond the first of their key
 * @param different keys whose rows differ in some column
 * @param examples up to {@value #MAX_LISTED} keys of each kind, by kind ({@code missing}, {@code extra},
 *     {@code duplicated}, {@code different}), only the kinds that occur
 */
public record TableComparison(
    TableId tableId,
    long sourceRows,
    long deltaRows,
    long missing,
    long extra,
    long duplicated,
    long different,
    Map<String, List<String>> examples) {

  /** How many differing keys of each kind a comparison lists in full. */
  public static final int MAX_LISTED = 20;

  public TableComparison {
    requireNonNull(tableId, "tableId is null");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    examples.forEach((kind, keys) -> copy.put(kind, List.copyOf(keys)));
    examples = Collections.unmodifiableMap(copy);
  }

  public boolean equal() {
    return sourceRows == deltaRows && missing == 0 && extra == 0 && duplicated == 0 && different == 0;
  }

  /** A one-paragraph report for people. */
  public String describe() {
    if (equal()) {
      return tableId + ": EQUAL (" + sourceRows + " rows, every column of every row hashed and compared)";
    }
    StringBuilder text = new StringBuilder(tableId + ": DIFFERENT (source " + sourceRows + " rows, Delta " + deltaRows + " rows)");
    append(text, "missing in Delta", missing, "keys", "missing");
    append(text, "extra in Delta", extra, "keys", "extra");
    append(text, "duplicated in Delta", duplicated, "rows beyond one per key", "duplicated");
    append(text, "different values", different, "keys", "different");
    return text.toString();
  }

  /**
   * The comparisons as one JSON document, what {@code tributary verify --json} prints:
   * {@code {"equal": ..., "tables": [{"table", "equal", "sourceRows", "deltaRows", "missing", "extra",
   * "duplicated", "different", "examples": {kind: [keys]}}]}}.
   */
  public static String json(List<TableComparison> comparisons) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode document = mapper.createObjectNode().put("equal", comparisons.stream().allMatch(TableComparison::equal));
    ArrayNode tables = document.putArray("tables");
    for (TableComparison comparison : comparisons) {
      ObjectNode table = tables.addObject()
          .put("table", comparison.tableId().toString())
          .put("equal", comparison.equal())
          .put("sourceRows", comparison.sourceRows())
          .put("deltaRows", comparison.deltaRows())
          .put("missing", comparison.missing())
          .put("extra", comparison.extra())
          .put("duplicated", comparison.duplicated())
          .put("different", comparison.different());
      table.set("examples", mapper.valueToTree(comparison.examples()));
    }
    return document.toString();
  }

  private void append(StringBuilder text, String label, long count, String unit, String kind) {
    if (count > 0) {
      List<String> keys = examples.getOrDefault(kind, List.of());
      text.append("\n    ").append(label).append(": ").append(count).append(' ').append(unit)
          .append(", e.g. ").append(keys.subList(0, Math.min(5, keys.size())));
    }
  }
}
