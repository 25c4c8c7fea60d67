package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;

/** The net effect of one batch on one key: the row to keep, its removal, or its soft delete. */
public sealed interface RowChange permits RowChange.Upsert, RowChange.Delete, RowChange.SoftDelete {

  /**
   * The key ends with this row.
   *
   * @param values the after-image, following the table's columns; never modified (it may be the
   *     array of the event it came from), and neither are the rows {@link #resolve} returns
   * @param keepOld columns whose value the source did not send and no earlier event of the batch
   *     gave: they take the value of the table's current row, or null if there is none
   */
  record Upsert(Object[] values, BitSet keepOld) implements RowChange {
    public Upsert {
      requireNonNull(values, "values is null");
      requireNonNull(keepOld, "keepOld is null");
    }

    /** The row to write, given the table's current row for the key (null if it has none). */
    public Object[] resolve(Object[] current) {
      if (keepOld.isEmpty()) {
        return values;
      }
      Object[] row = values.clone();
      for (int i = keepOld.nextSetBit(0); i >= 0; i = keepOld.nextSetBit(i + 1)) {
        row[i] = current == null ? null : current[i];
      }
      return row;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Upsert that && Arrays.deepEquals(values, that.values) && keepOld.equals(that.keepOld);
    }

    @Override
    public int hashCode() {
      return Arrays.deepHashCode(values) * 31 + keepOld.hashCode();
    }

    @Override
    public String toString() {
      return "Upsert" + Arrays.deepToString(values) + (keepOld.isEmpty() ? "" : " keeping " + keepOld);
    }
  }

  /** The key ends without a row. */
  record Delete() implements RowChange {}

  /**
   * The key's row stays, marked deleted (soft delete): the table's current row, or {@code pending}
   * resolved over it when the batch upserted the key before deleting it; no row when there is
   * neither.
   *
   * @param deletedAtMillis the source commit time of the delete, for {@link TableMode#DELETED_AT}
   * @param pending the row the batch gave the key before the delete
   */
  record SoftDelete(long deletedAtMillis, Optional<Upsert> pending) implements RowChange {
    public SoftDelete {
      requireNonNull(pending, "pending is null");
    }
  }
}
