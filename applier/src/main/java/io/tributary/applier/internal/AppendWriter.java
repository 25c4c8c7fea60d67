package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.TableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a batch in append mode: every change of the batch (insert, update, delete, snapshot read)
 * becomes one new row, in position order, holding the change's values (the after-image, or the
 * delete's before-image) and its metadata: {@link TableMode#OP}, {@link TableMode#POSITION},
 * {@link TableMode#SOURCE_TS} and {@link TableMode#TXID}. Rows are only ever added (a blind append),
 * except at a truncate.
 *
 * <p>A truncate empties the table in the batch's commit, as in every mode, and is itself appended as
 * a row with operation {@code t} and null values, so that the log says when it was cut. The truncate
 * the gateway stages before the first read of an initial snapshot attempt (so that the attempt
 * replaces the reads of an interrupted one) empties the table without a row: the source did not
 * truncate anything. Resync
 * markers add no row; the resync's snapshot reads are appended as {@code r} rows, and its end removes
 * nothing (an append log keeps what it was told; rows gone at the source show only through the
 * deletes captured). A value the source did not send (an unchanged TOASTed value) is null: an append
 * row has no earlier row to take it from.
 */
final class AppendWriter {
  private final Engine engine;
  private final TableSchema schema;
  private final Clock clock;
  private final int op;
  private final int position;
  private final int sourceTs;
  private final int txid;
  private final long targetSize;

  /**
   * A writer of a table laid out as {@code schema}, which has the append mode's metadata columns,
   * cutting files at {@code targetSize} bytes.
   */
  AppendWriter(Engine engine, TableSchema schema, Clock clock, long targetSize) {
    this.engine = requireNonNull(engine, "engine is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.op = index(schema, TableMode.OP);
    this.position = index(schema, TableMode.POSITION);
    this.sourceTs = index(schema, TableMode.SOURCE_TS);
    this.txid = index(schema, TableMode.TXID);
    this.targetSize = targetSize;
  }

  private static int index(TableSchema schema, String column) {
    int index = schema.indexOf(column);
    if (index < 0) {
      throw new IllegalStateException("The Delta table of " + schema.tableId() + " has no column " + column
          + " although its apply mode is append");
    }
    return index;
  }

  /** The batch's rows over {@code snapshot}; its events are in the table's layout. */
  PreparedBatch prepare(Snapshot snapshot, NewEvents events) {
    List<Object[]> rows = new ArrayList<>();
    List<ReducedBatch.ResyncEnd> resyncEnds = new ArrayList<>();
    boolean truncate = false;
    long truncatedAt = 0;
    for (ChangeEvent event : events.kept()) {
      switch (event.operation()) {
        case RESYNC_BEGIN -> { }
        case RESYNC_END -> resyncEnds.add(new ReducedBatch.ResyncEnd(event.position(), event.captureTimestampMillis(), 0,
            Optional.empty()));
        case TRUNCATE -> {
          rows.clear();
          truncate = true;
          truncatedAt = event.sourceTimestampMillis();
          // The reset before a snapshot attempt's first read is no change of the source: it empties only.
          if (!event.position().isSnapshotPhase()) {
            rows.add(row(event));
          }
        }
        default -> rows.add(row(event));
      }
    }
    ReducedBatch summary = new ReducedBatch(truncate, truncatedAt, Map.of(), events.lastPosition(),
        events.lastCaptureMillis(), events.kept().size(), events.duplicates(), resyncEnds);
    boolean truncated = truncate;
    return new PreparedBatch(summary, transaction -> write(snapshot, transaction, rows, truncated));
  }

  private Object[] row(ChangeEvent event) {
    // A truncate's values are all null already.
    Object[] row = event.values().clone();
    BitSet unavailable = event.unavailable();
    for (int i = unavailable.nextSetBit(0); i >= 0 && i < row.length; i = unavailable.nextSetBit(i + 1)) {
      row[i] = null;
    }
    row[op] = event.operation().code();
    row[position] = event.position().value();
    row[sourceTs] = Math.multiplyExact(event.sourceTimestampMillis(), 1000L);
    row[txid] = event.transactionId().orElse(null);
    return row;
  }

  private CopyOnWriteWriter.Result write(Snapshot snapshot, Transaction transaction, List<Object[]> rows,
      boolean truncate) {
    List<Row> actions = new ArrayList<>();
    long[] rowsRemoved = {0};
    long[] bytesRemoved = {0};
    if (truncate) {
      long removedAt = clock.millis();
      DeltaFiles.forEachFile(engine, snapshot.getScanBuilder().build(), file -> {
        actions.add(DataFileWriter.remove(file, removedAt));
        rowsRemoved[0] += DeltaFiles.liveRows(file.add()).orElse(0L);
        bytesRemoved[0] += file.add().getSize();
      });
    }
    long filesRemoved = actions.size();
    // A blind append lists no files: rows stay in position order, cut by their estimated size.
    double bytesPerRow = 0;
    ClusteredFiles.Written written = rows.isEmpty() ? new ClusteredFiles.Written(List.of())
        : new ClusteredFiles(engine, schema.tableId(), targetSize).write(transaction, rows, null, ClusteredFiles.Cuts.NONE, bytesPerRow,
            true, actions);
    return new CopyOnWriteWriter.Result(actions, 0, written.files().size(), filesRemoved, 0, written.bytes(),
        bytesRemoved[0], rows.size(), rowsRemoved[0], rows.size(), rowsRemoved[0]);
  }
}
