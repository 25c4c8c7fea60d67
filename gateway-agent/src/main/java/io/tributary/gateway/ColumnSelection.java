package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which columns of one table are captured ({@code source.columns.<schema.table>}): only those
 * included, or all but those excluded. Key columns are always needed. The columns left out are
 * never read into staging, so they never reach Delta.
 *
 * @param include when present, the only columns captured
 * @param exclude columns not captured (when {@code include} is empty)
 */
public record ColumnSelection(Optional<List<String>> include, List<String> exclude) {
  public ColumnSelection {
    requireNonNull(include, "include is null");
    include = include.map(List::copyOf);
    exclude = List.copyOf(requireNonNull(exclude, "exclude is null"));
    if (include.isPresent() && !exclude.isEmpty()) {
      throw new IllegalArgumentException("a table's columns are either included or excluded, not both");
    }
  }

  /** The columns named by the selection, to check against the table. */
  public List<String> named() {
    return include.orElse(exclude);
  }

  /** Whether the selection captures {@code column}. */
  public boolean captures(String column) {
    return include.map(columns -> columns.contains(column)).orElse(!exclude.contains(column));
  }

  /**
   * The Debezium {@code column.exclude.list} entry that leaves out the columns not captured from
   * {@code schema.table}: a regular expression matched against {@code schema.table.column}.
   */
  public String debeziumExclusion(String schema, String table) {
    String prefix = Pattern.quote(schema) + "\\." + Pattern.quote(table) + "\\.";
    if (include.isPresent()) {
      String kept = include.get().stream().map(Pattern::quote).collect(Collectors.joining("|"));
      return prefix + "(?!(?:" + kept + ")$)[^.]+";
    }
    return prefix + "(?:" + exclude.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")";
  }
}
