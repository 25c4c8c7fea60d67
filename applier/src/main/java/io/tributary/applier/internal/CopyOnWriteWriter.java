package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.MetadataColumnSpec;
import io.delta.kernel.types.StructType;
import io.tributary.applier.FilesConfig;
import io.tributary.staging.TableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a reduced batch to a Delta table by copy-on-write (SCD type 1): finds the files that may
 * hold the batch's keys from the key ranges of their statistics ({@link TableFiles}), reads them,
 * keeps the rows whose key the batch does not touch, and writes those survivors together with the
 * batch's upserted rows, sorted by key, as new files near the target size that do not span the
 * files left alone, each file's survivors apart from new keys beyond its range
 * ({@link ClusteredFiles}); the files holding a changed key, or whose range a new
 * key falls in, are removed. A truncate removes every file. Returns the add and remove actions for
 * the batch's single commit; nothing is committed here.
 *
 * <p>With soft delete (the table has {@link TableMode#DELETED_AT}), a {@link RowChange.SoftDelete}
 * rewrites the key's row with {@code __deleted_at} set instead of leaving it out, and a truncate
 * rewrites every file, setting {@code __deleted_at} on every row not deleted yet.
 *
 * <p>On a table with deletion vectors ({@link DeletionVectors#writable}), a batch rewrites no file:
 * it reads only the key columns of the files that may hold its keys (all columns when a change needs
 * the current row: a partial upsert or a soft delete), marks the rows of the keys it changes deleted
 * in each file's deletion vector, and writes its rows as new files, cut at the ranges of the files
 * it marked so that each lies within one of them; compaction later merges such files with the one
 * they overlap. A truncate still removes every file (a soft-deleting one rewrites them).
 *
 * <p>When the batch evolves the table's schema, the surviving rows are read in the layout of the
 * snapshot and written in the evolved one (new columns null, widened values widened), since the
 * transaction's schema is the evolved one. Files are written by {@link DataFileWriter}.
 */
public final class CopyOnWriteWriter {
  /** The name a scan reading rows to mark gives each row's position in its file. */
  private static final String ROW_POSITION = "_tributary_row_position";

  private final Engine engine;
  private final TableSchema before;
  private final TableSchema schema;
  private final LayoutMapping read;
  private final int[] keyIndexes;
  private final Comparator<Object[]> rowOrder;
  /** The index of {@link TableMode#DELETED_AT} in {@code schema}, -1 without soft delete. */
  private final int deletedAt;
  private final Clock clock;
  private final long targetSize;

  /** A writer of a table laid out as {@code schema}, whose snapshot is laid out as it is, cutting files at 128 MiB. */
  public CopyOnWriteWriter(Engine engine, TableSchema schema, Clock clock) {
    this(engine, schema, schema, clock, FilesConfig.DEFAULT_TARGET_SIZE);
  }

  /**
   * A writer of a table whose snapshot is laid out as {@code before} and whose transaction writes the
   * layout {@code schema} (the same columns first, in the same order, some of them widened, and maybe
   * more after them), cutting files at {@code targetSize} bytes.
   */
  public CopyOnWriteWriter(Engine engine, TableSchema before, TableSchema schema, Clock clock, long targetSize) {
    this.engine = requireNonNull(engine, "engine is null");
    this.before = requireNonNull(before, "before is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.read = LayoutMapping.between(before, schema);
    this.keyIndexes = schema.keyIndexes();
    this.rowOrder = RowKey.rowOrder(keyIndexes);
    this.deletedAt = schema.indexOf(TableMode.DELETED_AT);
    this.clock = requireNonNull(clock, "clock is null");
    this.targetSize = targetSize;
  }

  /**
   * What writing a batch produced.
   *
   * @param filesMarked files whose rows the batch marked deleted in a deletion vector (not rewritten)
   * @param bytesWritten bytes of the data files and deletion vectors written
   * @param rowsRemoved rows removed from the table, by removing their file or marking them
   */
  public record Result(
      List<Row> actions,
      long filesRead,
      long filesAdded,
      long filesRemoved,
      long filesMarked,
      long bytesWritten,
      long bytesRemoved,
      long rowsWritten,
      long rowsRemoved,
      long upserted,
      long deleted) {
    public Result {
      actions = List.copyOf(actions);
    }

    /** Rows upserted plus rows deleted. */
    public long rowsChanged() {
      return upserted + deleted;
    }

    /** The change in the table's row count. */
    public long rowDelta() {
      return rowsWritten - rowsRemoved;
    }
  }

  /** Writes the new data files of {@code batch} over {@code snapshot} for {@code transaction}. */
  public Result write(Snapshot snapshot, Transaction transaction, ReducedBatch batch) {
    if (!batch.truncate() && DeletionVectors.writable(snapshot)) {
      return mark(snapshot, transaction, batch);
    }
    // A soft-deleting truncate reads every row to mark it; a plain one reads none.
    boolean markAll = batch.truncate() && deletedAt >= 0;
    boolean readRows = !batch.truncate() || markAll;
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    // Statistics of the files are in the snapshot's types: a widened key column has no usable ranges.
    List<TableFiles.DataFile> files = TableFiles.list(engine, snapshot, scan, before, sameKeyTypes());
    List<Object> batchKeys = TableFiles.firstComponents(batch.changes().keySet());
    boolean nullKeys = TableFiles.anyNullFirst(batch.changes().keySet());
    List<RowKey> rowsKept = new ArrayList<>();
    batch.changes().forEach((key, change) -> {
      if (!(change instanceof RowChange.Delete)) {
        rowsKept.add(key);
      }
    });
    List<Object> upsertKeys = TableFiles.firstComponents(rowsKept);

    long removedAt = clock.millis();
    List<Row> removes = new ArrayList<>();
    List<TableFiles.DataFile> kept = new ArrayList<>();
    List<TableFiles.DataFile> rewritten = new ArrayList<>();
    // The rows to write: those of the removed files the batch does not touch, then the batch's own.
    List<Object[]> rows = new ArrayList<>();
    Map<RowKey, Object[]> current = new HashMap<>();
    long rowsRemoved = 0;
    long bytesRemoved = 0;
    long rowsOfRemoved = 0;
    long filesRead = 0;
    long marked = 0;
    List<TableFiles.DataFile> candidates = new ArrayList<>();
    for (TableFiles.DataFile file : files) {
      if (!batch.truncate() && !nullKeys && !file.mayHoldAny(batchKeys)) {
        kept.add(file);
      } else {
        candidates.add(file);
      }
    }
    // The files that may hold the batch's keys are read at once; what each holds is then taken in order.
    List<FileRows> contents = FileWork.map(candidates, file -> readRows ? read(scanState, file, batch, markAll)
        : new FileRows(List.of(), Map.of(), Math.max(0, file.rows()), true, 0));
    for (int i = 0; i < candidates.size(); i++) {
      TableFiles.DataFile file = candidates.get(i);
      FileRows fileRows = contents.get(i);
      if (readRows) {
        filesRead++;
      }
      // A new key inside the file's range is written into it, so that files do not come to overlap.
      if (fileRows.touched() || file.spansAny(upsertKeys)) {
        removes.add(DataFileWriter.remove(file.scanFile(), removedAt));
        rewritten.add(file);
        rows.addAll(fileRows.rest());
        current.putAll(fileRows.changed());
        marked += fileRows.marked();
        rowsRemoved += fileRows.rows();
        bytesRemoved += file.size();
        rowsOfRemoved += Math.max(0, file.rows());
      } else {
        kept.add(file);
      }
    }

    // Upserted and deleted rows: a truncate deletes the rows it removes or marks, then the batch's changes count.
    long[] counts = {0, markAll ? marked : batch.truncate() ? rowsRemoved : 0};
    resolve(batch, current, rows, counts);
    // Written in key order, between the files kept, so that files stay clustered by key and data skipping selective.
    inKeyOrder(rows, rowOrder);
    List<Row> actions = new ArrayList<>(removes);
    ClusteredFiles.Written written = new ClusteredFiles.Written(List.of());
    if (!rows.isEmpty()) {
      written = new ClusteredFiles(engine, schema.tableId(), targetSize).write(transaction, rows,
          row -> RowKey.first(row, keyIndexes), ClusteredFiles.Cuts.around(kept, rewritten),
          bytesPerRow(rowsOfRemoved, bytesRemoved, kept),
          true, actions);
    }
    return new Result(actions, filesRead, written.files().size(), removes.size(), 0, written.bytes(), bytesRemoved,
        rows.size(), rowsRemoved, counts[0], counts[1]);
  }

  /** Applies {@code batch} by marking the rows it changes in deletion vectors and writing its rows as new files. */
  private Result mark(Snapshot snapshot, Transaction transaction, ReducedBatch batch) {
    boolean currentRows = needsCurrentRows(batch);
    Scan scan = snapshot.getScanBuilder().withReadSchema(readSchema(snapshot, currentRows)).build();
    Row scanState = scan.getScanState(engine);
    List<TableFiles.DataFile> files = TableFiles.list(engine, snapshot, scan, before, sameKeyTypes());
    List<Object> batchKeys = TableFiles.firstComponents(batch.changes().keySet());
    boolean nullKeys = TableFiles.anyNullFirst(batch.changes().keySet());
    List<TableFiles.DataFile> candidates = files.stream()
        .filter(file -> nullKeys || file.mayHoldAny(batchKeys))
        .toList();
    // Values read in the key's own type hash as the batch's do: rows not in the batch are passed over by hash.
    Optional<FirstKeyFilter> filter = !candidates.isEmpty() && sameKeyTypes()
        ? Optional.of(FirstKeyFilter.of(batch.changes().keySet(), batch.changes().size())) : Optional.empty();
    List<FilePositions> found = FileWork.map(candidates,
        file -> positions(scanState, file, batch, currentRows, filter));
    List<DeletionVectors.Marks> marks = new ArrayList<>();
    List<TableFiles.DataFile> marked = new ArrayList<>();
    Map<RowKey, Object[]> current = new HashMap<>();
    long rowsRemoved = 0;
    for (int i = 0; i < candidates.size(); i++) {
      FilePositions positions = found.get(i);
      if (positions.positions().length > 0) {
        marks.add(new DeletionVectors.Marks(candidates.get(i).scanFile(), positions.positions()));
        marked.add(candidates.get(i));
        current.putAll(positions.changed());
        rowsRemoved += positions.positions().length;
      }
    }
    List<Object[]> rows = new ArrayList<>();
    long[] counts = {0, 0};
    resolve(batch, current, rows, counts);
    inKeyOrder(rows, rowOrder);
    DeletionVectors.Written vectors = DeletionVectors.mark(engine, snapshot.getPath(), marks, clock.millis());
    List<Row> actions = new ArrayList<>(vectors.actions());
    ClusteredFiles.Written written = new ClusteredFiles.Written(List.of());
    if (!rows.isEmpty()) {
      written = new ClusteredFiles(engine, schema.tableId(), targetSize).write(transaction, rows,
          row -> RowKey.first(row, keyIndexes), ClusteredFiles.Cuts.around(List.of(), marked),
          bytesPerRow(0, 0, files), true, actions);
    }
    return new Result(actions, candidates.size(), written.files().size(), vectors.removed(), vectors.marked(),
        written.bytes() + vectors.bytes(), vectors.bytesRemoved(), rows.size(), rowsRemoved, counts[0], counts[1]);
  }

  /**
   * Adds the rows {@code batch} writes to {@code rows}, given the current row of each key it changes
   * that the table holds, and adds its upserts to {@code counts[0]} and its deletes to {@code counts[1]}.
   */
  private void resolve(ReducedBatch batch, Map<RowKey, Object[]> current, List<Object[]> rows, long[] counts) {
    for (Map.Entry<RowKey, RowChange> change : batch.changes().entrySet()) {
      Object[] old = current.get(change.getKey());
      if (change.getValue() instanceof RowChange.Upsert upsert) {
        rows.add(upsert.resolve(old));
        counts[0]++;
      } else if (change.getValue() instanceof RowChange.SoftDelete softDelete) {
        Object[] row = softDelete.pending().map(pending -> pending.resolve(old)).orElse(old);
        if (row != null) {
          row = row.clone();
          // A row deleted already keeps the time of its first delete (a resync's sweep marks it again).
          if (softDelete.pending().isPresent() || row[deletedAt] == null) {
            row[deletedAt] = Math.multiplyExact(softDelete.deletedAtMillis(), 1000L);
            counts[1]++;
          }
          rows.add(row);
        }
      } else if (old != null) {
        counts[1]++;
      }
    }
  }

  /** Whether a change of {@code batch} needs the key's current row: a partial upsert or a soft delete. */
  private static boolean needsCurrentRows(ReducedBatch batch) {
    for (RowChange change : batch.changes().values()) {
      if (change instanceof RowChange.SoftDelete
          || change instanceof RowChange.Upsert upsert && !upsert.keepOld().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * What a batch reads of the snapshot's files to mark rows: every column with {@code currentRows},
   * else the key columns in key order, and each row's position in its file, last.
   */
  private StructType readSchema(Snapshot snapshot, boolean currentRows) {
    StructType table = snapshot.getSchema();
    StructType read = new StructType();
    if (currentRows) {
      for (int i = 0; i < before.columns().size(); i++) {
        read = read.add(table.get(before.columns().get(i).name()));
      }
    } else {
      for (int index : before.keyIndexes()) {
        read = read.add(table.get(before.columns().get(index).name()));
      }
    }
    return read.addMetadataColumn(ROW_POSITION, MetadataColumnSpec.ROW_INDEX);
  }

  /**
   * The positions in one file of the rows whose key a batch changes, and those rows by key (every
   * column, or only the key columns when the batch needs no current row, laid out as the table).
   */
  private record FilePositions(long[] positions, Map<RowKey, Object[]> changed) {}

  /**
   * Finds the rows of {@code file} whose key {@code batch} changes, looking further only at those
   * {@code filter} passes; safe on several threads at once.
   */
  private FilePositions positions(Row scanState, TableFiles.DataFile file, ReducedBatch batch, boolean currentRows,
      Optional<FirstKeyFilter> filter) {
    int[] beforeKeys = before.keyIndexes();
    int columns = before.columns().size();
    // The first key column is read first when only the key columns are, else where the table has it.
    int firstKey = currentRows ? beforeKeys[0] : 0;
    List<Long> positions = new ArrayList<>();
    Map<RowKey, Object[]> changed = new HashMap<>();
    DeltaFiles.forEachBatch(engine, scanState, file.scanFile().scanRow(), filtered -> {
      ColumnarBatch data = filtered.getData();
      ColumnVector first = data.getColumnVector(firstKey);
      DataType firstType = data.getSchema().at(firstKey).getDataType();
      KernelValues.forEachSelected(filtered, index -> {
        if (filter.isPresent() && !filter.get().mayContain(first, firstType, index)) {
          return;
        }
        Object[] stored = KernelValues.row(data, index);
        Object[] values;
        if (currentRows) {
          values = Arrays.copyOf(stored, columns);
        } else {
          values = new Object[columns];
          for (int k = 0; k < beforeKeys.length; k++) {
            values[beforeKeys[k]] = stored[k];
          }
        }
        Object[] row = read.row(values);
        RowKey key = RowKey.of(row, keyIndexes);
        if (batch.changes().containsKey(key)) {
          positions.add((Long) stored[stored.length - 1]);
          changed.put(key, row);
        }
      });
    });
    return new FilePositions(positions.stream().mapToLong(Long::longValue).toArray(), changed);
  }

  /**
   * What one file holds for a batch: its rows whose key the batch does not change ({@code rest}, with
   * {@code __deleted_at} set by a soft-deleting truncate), its rows whose key it changes, by key, and
   * whether it holds any of those.
   */
  private record FileRows(List<Object[]> rest, Map<RowKey, Object[]> changed, long rows, boolean touched, long marked) {}

  /** Reads {@code file}'s rows for {@code batch}; safe on several threads at once. */
  private FileRows read(Row scanState, TableFiles.DataFile file, ReducedBatch batch, boolean markAll) {
    List<Object[]> rest = new ArrayList<>();
    Map<RowKey, Object[]> changed = new HashMap<>();
    long[] counts = {0, 0};
    DeltaFiles.forEachRow(engine, scanState, file.scanFile().scanRow(), stored -> {
      Object[] row = read.row(stored);
      counts[0]++;
      RowKey key = RowKey.of(row, keyIndexes);
      if (batch.changes().containsKey(key)) {
        changed.put(key, row);
      } else {
        if (markAll && row[deletedAt] == null) {
          row = row.clone();
          row[deletedAt] = Math.multiplyExact(batch.truncatedAtMillis(), 1000L);
          counts[1]++;
        }
        rest.add(row);
      }
    });
    return new FileRows(rest, changed, counts[0], batch.truncate() || !changed.isEmpty(), counts[1]);
  }

  /**
   * Sorts {@code rows} by key in place, keeping of several rows with one key only the last: the
   * batch's row of a key comes after the rows read from files. The sort is stable and merges already
   * ordered runs (each file's rows, a batch of ascending keys) in linear time.
   */
  static void inKeyOrder(List<Object[]> rows, Comparator<Object[]> order) {
    rows.sort(order);
    int unique = 0;
    for (int i = 0; i < rows.size(); i++) {
      Object[] row = rows.get(i);
      if (unique > 0 && order.compare(rows.get(unique - 1), row) == 0) {
        rows.set(unique - 1, row);
      } else {
        rows.set(unique++, row);
      }
    }
    rows.subList(unique, rows.size()).clear();
  }

  /** Bytes per row of the files rewritten, else of the files kept; 0 when no file tells. */
  static double bytesPerRow(long rows, long bytes, List<TableFiles.DataFile> kept) {
    if (rows > 0) {
      return (double) bytes / rows;
    }
    long keptRows = 0;
    long keptBytes = 0;
    for (TableFiles.DataFile file : kept) {
      if (file.rows() > 0) {
        keptRows += file.rows();
        keptBytes += file.size();
      }
    }
    return keptRows > 0 ? (double) keptBytes / keptRows : 0;
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
