package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Scan;
import io.delta.kernel.ScanBuilder;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.TransactionStateRow;
import io.delta.kernel.internal.util.ColumnMapping.ColumnMappingMode;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.coordinator.delta.RowColumnarBatch;
import io.tributary.staging.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * <p>When the batch evolves the table's schema, the surviving rows are read in the layout of the
 * snapshot and written in the evolved one (new columns null, widened values widened), since the
 * transaction's schema is the evolved one.
 *
 * <p>Tables with column mapping (which Tributary turns on at a table's first Delta schema change,
 * see {@link SchemaEvolution}) are written without {@link Transaction#transformLogicalData}, which
 * refuses them in Kernel 4.4 ({@code ColumnMapping.blockIfColumnMappingEnabled}); for an unpartitioned
 * table without Iceberg compatibility or column defaults that method changes no data anyway. The
 * rows are handed to the Parquet writer under the physical schema of the transaction state instead
 * (physical column names; field ids only in mode {@code id}), the same schema Kernel derives the
 * statistics columns and the add actions' statistics from.
 */
public final class CopyOnWriteWriter {
  /** Rows per columnar batch handed to the Parquet writer. */
  private static final int ROWS_PER_BATCH = 4096;

  private final Engine engine;
  private final TableSchema before;
  private final TableSchema schema;
  private final LayoutMapping read;
  private final int[] keyIndexes;
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
    DeltaFiles.forEachFile(engine, scan, file -> {
      List<Object[]> kept = new ArrayList<>();
      boolean[] touched = {batch.truncate()};
      long[] rows = {0};
      if (!batch.truncate()) {
        filesRead[0]++;
        DeltaFiles.forEachRow(engine, scanState, file.scanRow(), stored -> {
          Object[] row = read.row(stored);
          rows[0]++;
          RowKey key = RowKey.of(row, keyIndexes);
          if (batch.changes().containsKey(key)) {
            touched[0] = true;
            current.put(key, row);
          } else {
            kept.add(row);
          }
        });
      }
      if (touched[0]) {
        // Removes must carry the file's size; toRemoveFileRow copies it from the add action.
        removes.add(SingleAction.createRemoveFileSingleAction(
            file.add().toRemoveFileRow(true, Optional.of(removedAt))));
        survivors.addAll(kept);
        rowsRemoved[0] += batch.truncate() ? file.add().getNumRecords().orElse(0L) : rows[0];
      }
    });

    TreeMap<RowKey, Object[]> sorted = new TreeMap<>();
    for (Object[] row : survivors) {
      sorted.put(RowKey.of(row, keyIndexes), row);
    }
    long upserted = 0;
    long deleted = batch.truncate() ? rowsRemoved[0] : 0;
    for (Map.Entry<RowKey, RowChange> change : batch.changes().entrySet()) {
      Object[] old = current.get(change.getKey());
      if (change.getValue() instanceof RowChange.Upsert upsert) {
        sorted.put(change.getKey(), upsert.resolve(old));
        upserted++;
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
      List<DataFileStatus> files = writeFiles(transaction, rows, actions);
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

  /** Writes the rows as new data files and appends their add actions to {@code actions}. */
  private List<DataFileStatus> writeFiles(Transaction transaction, List<Object[]> rows, List<Row> actions) {
    Row txnState = transaction.getTransactionState(engine);
    boolean columnMapping = TransactionStateRow.getColumnMappingMode(txnState) != ColumnMappingMode.NONE;
    if (columnMapping && !TransactionStateRow.getPartitionColumnsList(txnState).isEmpty()) {
      throw new IllegalStateException("The Delta table of " + schema.tableId() + " is partitioned; Tributary writes"
          + " only the unpartitioned tables it creates");
    }
    StructType tableSchema = columnMapping ? TransactionStateRow.getPhysicalSchema(txnState) : transaction.getSchema(engine);
    DataWriteContext context = Transaction.getWriteContext(engine, txnState, Map.of());
    List<FilteredColumnarBatch> batches = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += ROWS_PER_BATCH) {
      List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_BATCH));
      batches.add(new FilteredColumnarBatch(new RowColumnarBatch(tableSchema, chunk), Optional.empty()));
    }
    List<DataFileStatus> files = new ArrayList<>();
    CloseableIterator<FilteredColumnarBatch> logical = Utils.toCloseableIterator(batches.iterator());
    try (CloseableIterator<FilteredColumnarBatch> physical = columnMapping
            ? logical : Transaction.transformLogicalData(engine, txnState, logical, Map.of());
         CloseableIterator<DataFileStatus> written = engine.getParquetHandler().writeParquetFiles(
             context.getTargetDirectory(), physical, context.getStatisticsColumns())) {
      while (written.hasNext()) {
        files.add(written.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write data files of " + schema.tableId() + ": " + e.getMessage(), e);
    }
    try (CloseableIterator<Row> adds = Transaction.generateAppendActions(
        engine, txnState, Utils.toCloseableIterator(files.iterator()), context)) {
      while (adds.hasNext()) {
        actions.add(adds.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
