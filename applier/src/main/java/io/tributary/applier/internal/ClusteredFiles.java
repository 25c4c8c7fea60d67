package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.staging.TableId;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Writes rows sorted by key as data files near a target size, so that each file covers a narrow key
 * range that does not overlap the files the commit leaves alone: the rows are cut into runs at the
 * minimum of every file kept (a run never spans one), and each run into files of about the target
 * size (within half of it), of equal row counts. The size of a row is estimated from the files the
 * rows were read from (their bytes over their rows); without any, the first file is cut by the rows'
 * raw size and the rest by what that file turned out to weigh.
 */
final class ClusteredFiles {
  /** Rows looked at for the raw-size estimate. */
  private static final int SAMPLE_ROWS = 1024;

  private final Engine engine;
  private final TableId tableId;
  private final long targetSize;

  ClusteredFiles(Engine engine, TableId tableId, long targetSize) {
    this.engine = requireNonNull(engine, "engine is null");
    this.tableId = requireNonNull(tableId, "tableId is null");
    if (targetSize < 1) {
      throw new IllegalArgumentException("targetSize must be >= 1: " + targetSize);
    }
    this.targetSize = targetSize;
  }

  /** What was written. */
  record Written(List<DataFileStatus> files) {
    Written {
      files = List.copyOf(files);
    }

    long bytes() {
      return files.stream().mapToLong(DataFileStatus::getSize).sum();
    }
  }

  /**
   * Writes {@code rows} (sorted) as files of {@code transaction}, appending their add actions to
   * {@code actions}.
   *
   * @param firstKey the first key component of a row; null for rows not clustered by key (one run)
   * @param keptMinimums the minimum first key component of each file the commit keeps, ascending
   * @param bytesPerRow the estimated size of a row in a file, or 0 when unknown
   * @param dataChange false for a rewrite that changes no data (compaction)
   */
  Written write(Transaction transaction, List<Object[]> rows, Function<Object[], Object> firstKey,
      List<Object> keptMinimums, double bytesPerRow, boolean dataChange, List<Row> actions) {
    List<DataFileStatus> written = new ArrayList<>();
    double estimate = bytesPerRow;
    for (List<Object[]> run : runs(rows, firstKey, keptMinimums)) {
      int from = 0;
      while (from < run.size()) {
        int remaining = run.size() - from;
        int count;
        if (estimate <= 0) {
          // Raw sizes are a rough guess (compression shrinks them, Parquet's pages and footer add to them):
          // this first file aims below the target, and what it weighs sizes the rest.
          count = (int) Math.max(1, Math.min(remaining,
              targetSize * 3 / 4 / rawBytesPerRow(run.subList(from, run.size()))));
        } else {
          // Equal files, each within a half of the target: a run just above it stays one file.
          long files = Math.max(1, Math.round(remaining * estimate / targetSize));
          count = (int) Math.ceil((double) remaining / files);
        }
        DataFileStatus file = DataFileWriter.writeFile(engine, transaction, tableId, run.subList(from, from + count),
            dataChange, actions);
        written.add(file);
        if (estimate <= 0) {
          estimate = Math.max(1.0, (double) file.getSize() / count);
        }
        from += count;
      }
    }
    return new Written(written);
  }

  /** The rows cut at every kept file's minimum: no run spans a kept file's start. */
  static List<List<Object[]>> runs(List<Object[]> rows, Function<Object[], Object> firstKey, List<Object> keptMinimums) {
    List<List<Object[]>> runs = new ArrayList<>();
    if (rows.isEmpty()) {
      return runs;
    }
    if (firstKey == null || keptMinimums.isEmpty()) {
      runs.add(rows);
      return runs;
    }
    int start = 0;
    int slot = slot(firstKey.apply(rows.get(0)), keptMinimums);
    for (int i = 1; i < rows.size(); i++) {
      int next = slot(firstKey.apply(rows.get(i)), keptMinimums);
      if (next != slot) {
        runs.add(rows.subList(start, i));
        start = i;
        slot = next;
      }
    }
    runs.add(rows.subList(start, rows.size()));
    return runs;
  }

  /** How many kept files start at or below {@code value}. */
  private static int slot(Object value, List<Object> keptMinimums) {
    if (value == null) {
      return 0;
    }
    int low = 0;
    int high = keptMinimums.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (RowKey.compareValues(keptMinimums.get(middle), value) <= 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /** The average uncompressed size of the first rows, a rough upper bound of their size in a file. */
  static double rawBytesPerRow(List<Object[]> rows) {
    int sample = Math.min(rows.size(), SAMPLE_ROWS);
    long bytes = 0;
    for (int i = 0; i < sample; i++) {
      for (Object value : rows.get(i)) {
        bytes += 1 + rawSize(value);
      }
    }
    return Math.max(1.0, (double) bytes / Math.max(1, sample));
  }

  private static int rawSize(Object value) {
    if (value == null) {
      return 0;
    } else if (value instanceof String text) {
      return text.length();
    } else if (value instanceof byte[] binary) {
      return binary.length;
    } else if (value instanceof BigDecimal) {
      return 16;
    } else if (value instanceof Integer || value instanceof Float) {
      return 4;
    } else if (value instanceof Boolean) {
      return 1;
    }
    return 8;
  }
}
