package io.tributary.applier.internal;

import io.delta.kernel.Scan;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads a Delta table's data files through Kernel: the scan lists the live files (after data
 * skipping), each file is read with the engine's Parquet handler and turned into logical rows,
 * honouring deletion vectors through the selection vector.
 */
public final class DeltaFiles {
  private DeltaFiles() {}

  /** One live data file of a scan: its scan row (for reading) and its add action (for removing). */
  public record ScanFile(Row scanRow, AddFile add) {}

  /**
   * The rows a file holds for the table: its row count from its statistics less the rows its deletion
   * vector marks deleted; empty when it has no statistics.
   */
  public static Optional<Long> liveRows(AddFile add) {
    long marked = add.getDeletionVector().map(DeletionVectorDescriptor::getCardinality).orElse(0L);
    return add.getNumRecords().map(records -> records - marked);
  }

  /** Hands every file the scan selects to {@code sink}; statistics are included in the add action. */
  public static void forEachFile(Engine engine, Scan scan, Consumer<ScanFile> sink) {
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine, true)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          while (rows.hasNext()) {
            Row row = rows.next();
            sink.accept(new ScanFile(row, new AddFile(row.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL))));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Hands every live row of one file to {@code sink}, as values following the table's logical columns. */
  public static void forEachRow(Engine engine, Row scanState, Row scanFile, Consumer<Object[]> sink) {
    forEachBatch(engine, scanState, scanFile, batch -> KernelValues.forEachRow(batch, sink));
  }

  /**
   * Hands the rows of one file to {@code sink} batch by batch, in the table's logical columns, with
   * the rows a deletion vector marks left out by the selection vector.
   */
  public static void forEachBatch(Engine engine, Row scanState, Row scanFile, Consumer<FilteredColumnarBatch> sink) {
    FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFile);
    StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(scanState);
    try (CloseableIterator<FileReadResult> results = engine.getParquetHandler()
            .readParquetFiles(Utils.singletonCloseableIterator(status), physicalSchema, Optional.empty());
         CloseableIterator<FilteredColumnarBatch> logical = Scan.transformPhysicalData(
             engine, scanState, scanFile, results.map(FileReadResult::getData))) {
      while (logical.hasNext()) {
        sink.accept(logical.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read data file " + status.getPath() + ": " + e.getMessage(), e);
    }
  }
}
