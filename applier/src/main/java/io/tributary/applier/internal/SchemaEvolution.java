package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ColumnType.Kind;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a staged schema does to a Delta table's {@link TableLayout}: nothing, changes the
 * table can take without losing or changing any value (added columns, dropped columns, widened
 * types), or a change it cannot take, which needs a resync.
 *
 * <ul>
 *   <li>A column new to the source is appended to the Delta schema, nullable: rows written before
 *       read null.
 *   <li>A column the source dropped stays in the Delta schema (nullable, as every Tributary column
 *       is) and becomes inactive: rows written from then on have null there.
 *   <li>A type that widens without changing any value takes the wider type in Delta: INT to LONG,
 *       DOUBLE or a decimal with at least 10 integer digits; LONG to a decimal with at least 20
 *       integer digits; FLOAT to DOUBLE; DECIMAL(p, s) to DECIMAL(p + k1, s + k2) with
 *       {@code k1 >= k2 >= 0}. These are the widenings Delta's {@code typeWidening} table feature
 *       defines (Kernel's {@code TypeWideningChecker.isWideningSupported}), less DATE to
 *       TIMESTAMP_NTZ, which Kernel allows in the log but whose old files its Parquet reader
 *       cannot read ({@code TimestampConverters} accepts only INT64 and INT96 columns).
 *   <li>Anything else (a type narrowed or changed to another kind, a key changed, a dropped column
 *       added back) is incompatible: the source rewrote its rows without emitting their changes
 *       (PostgreSQL's ALTER COLUMN TYPE logs no row changes; a column added back reads null, or its
 *       default, in every existing row, where the Delta rows not changed since the drop still hold the
 *       values from before it), so the table's rows cannot be brought up to date from the changes.
 * </ul>
 *
 * <p>Longer strings ({@code varchar(10)} to {@code varchar(20)}) are no change at all: STRING has
 * no length, so the staged schema stays the same.
 */
public final class SchemaEvolution {
  private SchemaEvolution() {}

  /** What a staged schema does to a table. */
  public sealed interface Outcome permits Unchanged, Evolved, Incompatible {}

  /** The staged schema is the one the table was last written with. */
  public record Unchanged() implements Outcome {}

  /**
   * The table takes the staged schema as {@code layout}; {@code changes} lists what changed, empty
   * when only the fingerprint did (a nullability change, which Delta does not see).
   */
  public record Evolved(TableLayout layout, List<SchemaChange> changes) implements Outcome {
    public Evolved {
      requireNonNull(layout, "layout is null");
      changes = List.copyOf(requireNonNull(changes, "changes is null"));
    }
  }

  /** The table cannot take the staged schema; {@code change} says what the source did. */
  public record Incompatible(String change) implements Outcome {
    public Incompatible {
      requireNonNull(change, "change is null");
    }
  }

  /** What {@code staged} does to a table laid out as {@code table}. */
  public static Outcome evolve(TableLayout table, TableSchema staged) {
    requireNonNull(table, "table is null");
    requireNonNull(staged, "staged is null");
    if (staged.fingerprint().equals(table.fingerprint())) {
      return new Unchanged();
    }
    TableSchema current = table.columns();
    if (!staged.keyColumns().equals(current.keyColumns())) {
      return new Incompatible("the primary key changed from " + current.keyColumns() + " to " + staged.keyColumns());
    }
    List<Column> columns = new ArrayList<>(current.columns());
    Set<String> inactive = new HashSet<>(table.inactive());
    List<SchemaChange> changes = new ArrayList<>();
    for (Column column : staged.columns()) {
      int index = current.indexOf(column.name());
      if (index < 0) {
        columns.add(new Column(column.name(), column.type(), true));
        changes.add(new SchemaChange(SchemaChange.Kind.ADDED, column.name(), Optional.empty(), column.type(),
            columns.size() - 1));
        continue;
      }
      ColumnType before = current.columns().get(index).type();
      if (inactive.contains(column.name())) {
        return new Incompatible("column '" + column.name() + "' was dropped and added back (" + before + " before, "
            + column.type() + " now): the source's existing rows read null or the column's default there without any"
            + " change, while the Delta rows not changed since the drop keep the values from before it");
      }
      if (!before.equals(column.type())) {
        if (!isWidening(before, column.type())) {
          return new Incompatible("column '" + column.name() + "' changed type from " + before + " to " + column.type()
              + (isWidening(column.type(), before) ? ", a narrowing" : "") + ", which is not a widening Delta can take"
              + " without rewriting the table");
        }
        columns.set(index, new Column(column.name(), column.type(), true));
        changes.add(new SchemaChange(SchemaChange.Kind.WIDENED, column.name(), Optional.of(before), column.type(), index));
      }
    }
    for (int i = 0; i < current.columns().size(); i++) {
      Column column = current.columns().get(i);
      if (staged.indexOf(column.name()) < 0 && inactive.add(column.name())) {
        changes.add(new SchemaChange(SchemaChange.Kind.DROPPED, column.name(), Optional.of(column.type()), column.type(),
            i));
      }
    }
    TableSchema evolved = new TableSchema(current.tableId(), columns, current.keyColumns());
    return new Evolved(new TableLayout(evolved, inactive, staged.fingerprint()), changes);
  }

  /** Whether every value of type {@code from} is a value of type {@code to}, which Delta can widen to. */
  public static boolean isWidening(ColumnType from, ColumnType to) {
    Kind source = from.kind();
    return switch (to.kind()) {
      case LONG -> source == Kind.INT;
      case DOUBLE -> source == Kind.INT || source == Kind.FLOAT;
      case DECIMAL -> switch (source) {
        case INT -> to.precision() - to.scale() >= 10;
        case LONG -> to.precision() - to.scale() >= 20;
        case DECIMAL -> to.scale() >= from.scale() && to.precision() - from.precision() >= to.scale() - from.scale()
            && !to.equals(from);
        default -> false;
      };
      default -> false;
    };
  }

  /**
   * The value {@code value} of type {@code from} as a value of type {@code to}, for the types
   * {@link #isWidening} accepts (and equal types); null stays null.
   */
  public static Object widen(Object value, ColumnType from, ColumnType to) {
    if (value == null || from.equals(to)) {
      return value;
    }
    return switch (to.kind()) {
      case LONG -> ((Number) value).longValue();
      case DOUBLE -> value instanceof Float f ? (double) f : ((Number) value).doubleValue();
      case DECIMAL -> (value instanceof BigDecimal decimal ? decimal : BigDecimal.valueOf(((Number) value).longValue()))
          .setScale(to.scale());
      default -> throw new IllegalArgumentException("Cannot widen " + from + " to " + to);
    };
  }
}
