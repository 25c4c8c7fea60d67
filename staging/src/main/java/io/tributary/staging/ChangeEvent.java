package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;

/**
 * One row change of one table, in the source's order. {@code values} follow the columns of the
 * table's {@link TableSchema}: the after-image for inserts, updates and snapshot reads, the
 * before-image (at least the key) for deletes, and all nulls for a truncate.
 *
 * <p>{@code unavailable} marks columns whose value the source did not send (a PostgreSQL TOASTed
 * value unchanged by an update): the applier keeps the column's current value for them.
 *
 * <p>The values array and the unavailable set are owned by the event once constructed; callers must
 * not modify either. Events may share them: events with every value available share
 * {@link #NONE_UNAVAILABLE}.
 */
public record ChangeEvent(
    TableId tableId,
    Operation operation,
    SourcePosition position,
    Object[] values,
    BitSet unavailable,
    long sourceTimestampMillis,
    Optional<String> transactionId,
    long captureTimestampMillis) {

  /** The unavailable set of events with every value available, shared by them; never modified. */
  public static final BitSet NONE_UNAVAILABLE = new BitSet();

  public ChangeEvent {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(operation, "operation is null");
    requireNonNull(position, "position is null");
    requireNonNull(values, "values is null");
    requireNonNull(unavailable, "unavailable is null");
    requireNonNull(transactionId, "transactionId is null");
  }

  /** The value of the column at {@code index}, possibly null. */
  public Object value(int index) {
    return values[index];
  }

  public boolean isUnavailable(int index) {
    return unavailable.get(index);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ChangeEvent that
        && tableId.equals(that.tableId)
        && operation == that.operation
        && position.equals(that.position)
        && Arrays.deepEquals(values, that.values)
        && unavailable.equals(that.unavailable)
        && sourceTimestampMillis == that.sourceTimestampMillis
        && transactionId.equals(that.transactionId)
        && captureTimestampMillis == that.captureTimestampMillis;
  }

  @Override
  public int hashCode() {
    return 31 * position.hashCode() + Arrays.deepHashCode(values);
  }

  @Override
  public String toString() {
    return "ChangeEvent[" + tableId + " " + operation.code() + " @" + position + " " + Arrays.deepToString(values) + "]";
  }
}
