package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.TableSchema;
import java.util.BitSet;

/**
 * Moves rows of one column layout (a staged segment's, or the Delta table's before this batch
 * evolved it) into another, matching columns by name: a column the source row lacks (added since,
 * or dropped at the source) is null, a widened column's value takes the wider type (see
 * {@link SchemaEvolution#widen}). Columns whose value the source did not send stay marked so.
 */
final class LayoutMapping {
  private final TableSchema from;
  private final TableSchema to;
  /** For each column of {@code to}, its index in {@code from}, or -1. */
  private final int[] sources;
  private final boolean identity;

  private LayoutMapping(TableSchema from, TableSchema to) {
    this.from = requireNonNull(from, "from is null");
    this.to = requireNonNull(to, "to is null");
    this.sources = new int[to.columns().size()];
    boolean same = from.columns().size() == to.columns().size();
    for (int i = 0; i < sources.length; i++) {
      Column column = to.columns().get(i);
      sources[i] = from.indexOf(column.name());
      same &= sources[i] == i && from.columns().get(i).type().equals(column.type());
    }
    this.identity = same;
  }

  /** The mapping of rows laid out as {@code from} into {@code to}. */
  static LayoutMapping between(TableSchema from, TableSchema to) {
    return new LayoutMapping(from, to);
  }

  /** Whether rows need no change. */
  boolean isIdentity() {
    return identity;
  }

  /** The row's values in the target layout; the row itself when nothing changes. */
  Object[] row(Object[] values) {
    if (identity) {
      return values;
    }
    Object[] mapped = new Object[sources.length];
    for (int i = 0; i < sources.length; i++) {
      int source = sources[i];
      if (source >= 0) {
        mapped[i] = SchemaEvolution.widen(values[source], from.columns().get(source).type(), to.columns().get(i).type());
      }
    }
    return mapped;
  }

  /** The event with its values (and unavailable columns) in the target layout. */
  ChangeEvent event(ChangeEvent event) {
    if (identity) {
      return event;
    }
    BitSet unavailable = new BitSet();
    for (int i = 0; i < sources.length; i++) {
      if (sources[i] >= 0 && event.unavailable().get(sources[i])) {
        unavailable.set(i);
      }
    }
    return new ChangeEvent(to.tableId(), event.operation(), event.position(), row(event.values()), unavailable,
        event.sourceTimestampMillis(), event.transactionId(), event.captureTimestampMillis());
  }
}
