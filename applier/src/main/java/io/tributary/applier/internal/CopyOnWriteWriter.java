package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Scan;
import io.delta.kernel.ScanBuilder;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.staging.TableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Applies a reduced batch to a Delta table by copy-on-write (SCD type 1): finds the files that may
 * hold the batch's keys by data skipping, reads them, keeps the rows whose key the batch does not
 * touch, and writes those survivors together with the batch's upserted rows, sorted by key, as new
 * files; the files read are removed. A truncate removes every file. Returns the add and remove
 * actions for the batch's single commit; nothing is committed here.
 *
 * <p>With soft delete (the table has {@link TableMode#DELETED_AT}), a {@link RowChange.SoftDelete}
 * rewrites the key's row with {@code __deleted_at} set instead of leaving it out, and a truncate
 * rewrites every file, setting {@code __deleted_at} on every row not deleted yet.
 *
 * <p>When the batch evolves the table's schema, the surviving rows are read in the layout of the
 * snapshot and written in the evolved one (new columns null, widened values widened), since the
 * transaction's schema is the evolved one. Files are written by {@link DataFileWriter}.
 */
public final class CopyOnWriteWriter {

  private final Engine engine;
  private final TableSchema before;
  private final TableSchema schema;
  private final LayoutMapping read;
  private final int[] keyIndexes;
  /** The index of {@link TableMode#DELETED_AT} in {@code schema}, -1 without soft delete. */
  private final int deletedAt;
  private final Clock clock;

  /** A writer of a table laid out as {@code schema}, whose snapshot is laid out as it is. */
  public CopyOnWriteWriter(Engine engine, TableSchema schema, Clock clock) {
    this(engine, schema, schema, clock);
  }

  /**
   * A writer of a table whose snapshot is laid out as {@code before} and whose transaction writes the
   * layout {@code schema} (the same columns first, in the same order, some of them widened, and maybe
   * more after them).
   */
  public CopyOnWriteWriter(Engine engine, TableSchema before, TableSchema schema, Clock clock) {
    this.engine = requireNonNull(engine, "engine is null");
    this.before = requireNonNull(before, "before is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.read = LayoutMapping.between(before, schema);
    this.keyIndexes = schema.keyIndexes();
    this.deletedAt = schema.indexOf(TableMode.DELETED_AT);
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** What writing a batch produced. */
  public record Result(
      List<Row> actions,
      long filesRead,
      long filesAdded,
      long filesRemoved,
      long bytesWritten,
      long rowsWritten,
      long rowsRemoved,
      long upserted,
      long deleted) {
    public Result {
      actions = List.copyOf(actions);
    }

    /** The change in the table's row count. */
    public long rowDelta() {
      return rowsWritten - rowsRemoved;
    }
  }

  /** Writes the new data files of {@code batch} over {@code snapshot} for {@code transaction}. */
  public Result write(Snapshot snapshot, Transaction transaction, ReducedBatch batch) {
    ScanBuilder scanBuilder = snapshot.getScanBuilder();
    // A soft-deleting truncate reads every row to mark it; a plain one reads none.
    boolean markAll = batch.truncate() && deletedAt >= 0;
    boolean readRows = !batch.truncate() || markAll;
    if (!batch.truncate()) {
      // Statistics of the files are in the snapshot's types: a widened key column is not skipped on.
      Optional<Predicate> filter = sameKeyTypes()
          ? KeyPredicates.forKeys(before, batch.changes().keySet()) : Optional.empty();
      if (filter.isPresent()) {
        scanBuilder = scanBuilder.withFilter(filter.get());
      }
    }
    Scan scan = scanBuilder.build();
    Row scanState = scan.getScanState(engine);

    long removedAt = clock.millis();
    List<Row> removes = new ArrayList<>();
    List<Object[]> survivors = new ArrayList<>();
    Map<RowKey, Object[]> current = new HashMap<>();
    long[] rowsRemoved = {0};
    long[] filesRead = {0};
    long[] marked = {0};
    DeltaFiles.forEachFile(engine, scan, file -> {
      List<Object[]> kept = new ArrayList<>();
      boolean[] touched = {batch.truncate()};
      long[] rows = {0};
      if (readRows) {
        filesRead[0]++;
        DeltaFiles.forEachRow(engine, scanState, file.scanRow(), stored -> {
          Object[] row = read.row(stored);
          rows[0]++;
          RowKey key = RowKey.of(row, keyIndexes);
          if (batch.changes().containsKey(key)) {
            touched[0] = true;
            current.put(key, row);
          } else {
            if (markAll && row[deletedAt] == null) {
              row = row.clone();
              row[deletedAt] = Math.multiplyExact(batch.truncatedAtMillis(), 1000L);
              marked[0]++;
            }
            kept.add(row);
          }
        });
      }
      if (touched[0]) {
        removes.add(DataFileWriter.remove(file, removedAt));
        survivors.addAll(kept);
        rowsRemoved[0] += readRows ? rows[0] : file.add().getNumRecords().orElse(0L);
      }
    });

    TreeMap<RowKey, Object[]> sorted = new TreeMap<>();
    for (Object[] row : survivors) {
      sorted.put(RowKey.of(row, keyIndexes), row);
    }
    long upserted = 0;
    long deleted = markAll ? marked[0] : batch.truncate() ? rowsRemoved[0] : 0;
    for (Map.Entry<RowKey, RowChange> change : batch.changes().entrySet()) {
      Object[] old = current.get(change.getKey());
      if (change.getValue() instanceof RowChange.Upsert upsert) {
        sorted.put(change.getKey(), upsert.resolve(old));
        upserted++;
      } else if (change.getValue() instanceof RowChange.SoftDelete softDelete) {
        Object[] row = softDelete.pending().map(pending -> pending.resolve(old)).orElse(old);
        if (row != null) {
          row = row.clone();
          // A row deleted already keeps the time of its first delete (a resync's sweep marks it again).
          if (softDelete.pending().isPresent() || row[deletedAt] == null) {
            row[deletedAt] = Math.multiplyExact(softDelete.deletedAtMillis(), 1000L);
            deleted++;
          }
          sorted.put(change.getKey(), row);
        }
      } else if (old != null) {
        deleted++;
      }
    }
    // Written in key order, so that files stay clustered by key and data skipping stays selective.
    List<Object[]> rows = new ArrayList<>(sorted.values());

    List<Row> actions = new ArrayList<>(removes);
    long filesAdded = 0;
    long bytesWritten = 0;
    if (!rows.isEmpty()) {
      List<DataFileStatus> files = DataFileWriter.write(engine, transaction, schema.tableId(), rows, actions);
      filesAdded = files.size();
      bytesWritten = files.stream().mapToLong(DataFileStatus::getSize).sum();
    }
    return new Result(actions, filesRead[0], filesAdded, removes.size(), bytesWritten, rows.size(), rowsRemoved[0], upserted, deleted);
  }

  private boolean sameKeyTypes() {
    for (String key : schema.keyColumns()) {
      if (!before.column(key).orElseThrow().type().equals(schema.column(key).orElseThrow().type())) {
        return false;
      }
    }
    return true;
  }
}
