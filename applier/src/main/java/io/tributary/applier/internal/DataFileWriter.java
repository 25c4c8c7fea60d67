package io.tributary.applier.internal;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.TransactionStateRow;
import io.delta.kernel.internal.util.ColumnMapping.ColumnMappingMode;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * Writes rows as new data files of a Delta transaction, and the actions that add and remove files,
 * for every apply mode's writer.
 *
 * <p>Data files are written by {@link ParquetDataFile}, not through {@link Transaction#transformLogicalData}
 * and Kernel's Parquet handler: that method refuses tables with column mapping in Kernel 4.4
 * ({@code ColumnMapping.blockIfColumnMappingEnabled}), which Tributary turns on at a table's first
 * Delta schema change (see {@link SchemaEvolution}), and for the unpartitioned tables Tributary creates,
 * without Iceberg compatibility or column defaults, it changes no data anyway. Tables with column
 * mapping are written under the physical schema of the transaction state (physical column names; field
 * ids only in mode {@code id}), the same schema Kernel derives the statistics columns and the add
 * actions' statistics from.
 */
final class DataFileWriter {
  private DataFileWriter() {}

  /** The action removing a file a scan returned, at {@code removedAtMillis}. */
  static Row remove(DeltaFiles.ScanFile file, long removedAtMillis) {
    return remove(file, removedAtMillis, true);
  }

  /**
   * The action removing a file a scan returned, at {@code removedAtMillis}; {@code dataChange} false
   * for a rewrite that changes no data, which streaming readers skip.
   */
  static Row remove(DeltaFiles.ScanFile file, long removedAtMillis, boolean dataChange) {
    // Removes must carry the file's size; toRemoveFileRow copies it from the add action.
    return SingleAction.createRemoveFileSingleAction(file.add().toRemoveFileRow(dataChange, Optional.of(removedAtMillis)));
  }

  /**
   * Writes {@code rows} (at least one) as one new data file of the transaction and appends its add
   * action to {@code actions}, marked {@code dataChange}.
   */
  static DataFileStatus writeFile(Engine engine, Transaction transaction, TableId tableId, List<Object[]> rows,
      boolean dataChange, List<Row> actions) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("A data file of " + tableId + " needs at least one row");
    }
    Row txnState = transaction.getTransactionState(engine);
    boolean columnMapping = TransactionStateRow.getColumnMappingMode(txnState) != ColumnMappingMode.NONE;
    if (!TransactionStateRow.getPartitionColumnsList(txnState).isEmpty()) {
      throw new IllegalStateException("The Delta table of " + tableId + " is partitioned; Tributary writes"
          + " only the unpartitioned tables it creates");
    }
    StructType tableSchema = columnMapping ? TransactionStateRow.getPhysicalSchema(txnState) : transaction.getSchema(engine);
    DataWriteContext context = Transaction.getWriteContext(engine, txnState, Map.of());
    DataFileStatus file;
    try {
      file = ParquetDataFile.write(WritingEngine.of(engine), context.getTargetDirectory(), tableSchema,
          context.getStatisticsColumns(), rows);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a data file of " + tableId + ": " + e.getMessage(), e);
    }
    if (!dataChange) {
      // Transaction.generateAppendActions marks every add as a data change; a rewrite builds its own.
      URI root = new Path(TransactionStateRow.getTablePath(txnState)).toUri();
      AddFile add = AddFile.convertDataFileStatus(TransactionStateRow.getPhysicalSchema(txnState), root, file, Map.of(),
          false, Map.of(), Optional.empty(), Optional.empty(), Optional.empty());
      actions.add(SingleAction.createAddFileSingleAction(add.toRow()));
      return file;
    }
    try (CloseableIterator<Row> adds = Transaction.generateAppendActions(
        engine, txnState, Utils.toCloseableIterator(List.of(file).iterator()), context)) {
      while (adds.hasNext()) {
        actions.add(adds.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
