package io.tributary.coordinator.client;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.commit.Committer;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.defaults.internal.data.DefaultColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/** A small Delta table (id BIGINT, name STRING) written and read with Delta Kernel's default engine. */
final class DeltaTestTable {
  static final StructType SCHEMA = new StructType().add("id", LongType.LONG).add("name", StringType.STRING);

  private final String path;
  private final Engine engine = DefaultEngine.create(new Configuration());

  DeltaTestTable(Path directory) {
    this.path = directory.toString();
  }

  Engine engine() {
    return engine;
  }

  /** Creates the table (version 0) through {@code committer}. */
  TransactionCommitResult create(Committer committer) {
    Transaction transaction = TableManager.buildCreateTableTransaction(path, SCHEMA, "test")
        .withCommitter(committer)
        .build(engine);
    return transaction.commit(engine, CloseableIterable.emptyIterable());
  }

  /** Appends rows (id -> name) in one commit through {@code committer}. */
  TransactionCommitResult append(Committer committer, Map<Long, String> rows) {
    Snapshot snapshot = TableManager.loadSnapshot(path).withCommitter(committer).build(engine);
    Transaction transaction = snapshot.buildUpdateTableTransaction("test", Operation.WRITE).build(engine);
    Row state = transaction.getTransactionState(engine);
    ColumnarBatch batch = new DefaultColumnarBatch(rows.size(), SCHEMA, new ColumnVector[] {
        VectorUtils.buildColumnVector(new ArrayList<>(rows.keySet()), LongType.LONG),
        VectorUtils.buildColumnVector(new ArrayList<>(rows.values()), StringType.STRING)});
    CloseableIterator<FilteredColumnarBatch> data =
        Utils.toCloseableIterator(List.of(new FilteredColumnarBatch(batch, Optional.empty())).iterator());
    try {
      CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, state, data, Map.of());
      DataWriteContext context = Transaction.getWriteContext(engine, state, Map.of());
      CloseableIterator<DataFileStatus> files = engine.getParquetHandler()
          .writeParquetFiles(context.getTargetDirectory(), physical, context.getStatisticsColumns());
      CloseableIterator<Row> actions = Transaction.generateAppendActions(engine, state, files, context);
      return transaction.commit(engine, CloseableIterable.inMemoryIterable(actions));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long version() {
    return TableManager.loadSnapshot(path).build(engine).getVersion();
  }

  /** Every row of the latest version, by id, read with a fresh snapshot. */
  Map<Long, String> read() {
    Snapshot snapshot = TableManager.loadSnapshot(path).build(engine);
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(scanState);
    Map<Long, String> rows = new TreeMap<>();
    try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
      while (scanFiles.hasNext()) {
        try (CloseableIterator<Row> scanFileRows = scanFiles.next().getRows()) {
          while (scanFileRows.hasNext()) {
            Row scanFile = scanFileRows.next();
            FileStatus file = InternalScanFileUtils.getAddFileStatus(scanFile);
            CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler()
                .readParquetFiles(Utils.singletonCloseableIterator(file), physicalSchema, Optional.empty())
                .map(FileReadResult::getData);
            try (CloseableIterator<FilteredColumnarBatch> logical =
                Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
              while (logical.hasNext()) {
                try (CloseableIterator<Row> batchRows = logical.next().getRows()) {
                  while (batchRows.hasNext()) {
                    Row row = batchRows.next();
                    rows.put(row.getLong(0), row.getString(1));
                  }
                }
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
