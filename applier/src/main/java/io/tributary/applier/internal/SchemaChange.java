package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ColumnType;
import java.util.Locale;
import java.util.Optional;

/**
 * One change a staged schema makes to a Delta table's columns, as {@link SchemaEvolution} found it.
 *
 * @param kind what happened to the column
 * @param column the column's name
 * @param from the column's Delta type before, empty for a column new to the table
 * @param to the column's Delta type after (for a dropped column, the type it keeps)
 * @param position the column's position in the Delta schema, from 0
 */
public record SchemaChange(Kind kind, String column, Optional<ColumnType> from, ColumnType to, int position) {
  /** What a staged schema did to a column. */
  public enum Kind {
    /** The column is new to the source table (or back after a drop): the Delta table has it now. */
    ADDED,
    /** The source table no longer has the column: the Delta column stays, inactive, and later rows have null. */
    DROPPED,
    /** The column's type widened without changing any value: the Delta column takes the wider type. */
    WIDENED;

    /** The value of the {@code kind} tag of the schema change counter. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public SchemaChange {
    requireNonNull(kind, "kind is null");
    requireNonNull(column, "column is null");
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    if (position < 0) {
      throw new IllegalArgumentException("position must be >= 0: " + position);
    }
  }

  /** Whether the Delta schema itself changes (a new column or a wider type), not only Tributary's properties. */
  public boolean changesDeltaSchema() {
    return kind == Kind.WIDENED || (kind == Kind.ADDED && from.isEmpty());
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ADDED -> "added column '" + column + "' " + to + " at position " + position
          + (from.isPresent() ? " (back after a drop)" : "");
      case DROPPED -> "dropped column '" + column + "' " + to + " at position " + position
          + " (kept, nullable, no longer filled)";
      case WIDENED -> "widened column '" + column + "' at position " + position + " from " + from.orElseThrow() + " to " + to;
    };
  }
}
