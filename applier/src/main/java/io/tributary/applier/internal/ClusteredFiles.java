package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.staging.TableId;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Writes rows sorted by key as data files near a target size, so that each file covers a narrow key
 * range that does not overlap the files the commit leaves alone: the rows are cut into runs at the
 * minimum of every file kept (a run never spans one) and around the range of every file rewritten
 * ({@link Cuts}), and each run into files of about the target size (within half of it), of equal row
 * counts. The size of a row is estimated from the files the
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
   * Where sorted rows are cut into runs, by their first key component: a run starts at each value of
   * {@code startsAt} (the minimum of every file the commit keeps or rewrites) and after each value of
   * {@code endsAt} (the maximum of every file it rewrites). Rows with new keys beyond a rewritten
   * file's range so go to files of their own instead of into it: a file whose keys are changed
   * again and again while new keys arrive past it (the newest rows of a table with rising keys) keeps
   * its size instead of growing with every commit, each of which would rewrite all of it. Compaction
   * merges the small files this leaves.
   */
  record Cuts(List<Object> startsAt, List<Object> endsAt) {
    /** One run: rows not clustered by key. */
    static final Cuts NONE = new Cuts(List.of(), List.of());

    Cuts {
      startsAt = sorted(startsAt);
      endsAt = sorted(endsAt);
    }

    /** Cuts at the minimum of each of {@code kept} with a known range, and around the range of each of {@code rewritten}. */
    static Cuts around(List<TableFiles.DataFile> kept, List<TableFiles.DataFile> rewritten) {
      List<Object> startsAt = new ArrayList<>();
      List<Object> endsAt = new ArrayList<>();
      for (TableFiles.DataFile file : kept) {
        file.min().filter(min -> file.hasRange()).ifPresent(startsAt::add);
      }
      for (TableFiles.DataFile file : rewritten) {
        if (file.hasRange()) {
          startsAt.add(file.min().orElseThrow());
          endsAt.add(file.max().orElseThrow());
        }
      }
      return new Cuts(startsAt, endsAt);
    }

    /** The run of a row whose first key component is {@code value}: runs are numbered in key order. */
    int run(Object value) {
      if (value == null) {
        return 0;
      }
      return countBelow(startsAt, value, true) + countBelow(endsAt, value, false);
    }

    /** How many of {@code values} are below {@code value}, or equal to it too when {@code orEqual}. */
    private static int countBelow(List<Object> values, Object value, boolean orEqual) {
      int low = 0;
      int high = values.size();
      while (low < high) {
        int middle = (low + high) >>> 1;
        int order = RowKey.compareValues(values.get(middle), value);
        if (order < 0 || (orEqual && order == 0)) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      return low;
    }

    private static List<Object> sorted(List<Object> values) {
      List<Object> sorted = new ArrayList<>(values);
      sorted.sort(RowKey::compareValues);
      return Collections.unmodifiableList(sorted);
    }
  }

  /**
   * Writes {@code rows} (sorted) as files of {@code transaction}, appending their add actions to
   * {@code actions}.
   *
   * @param firstKey the first key component of a row; null for rows not clustered by key (one run)
   * @param cuts where the rows are cut into runs, none of which a file spans
   * @param bytesPerRow the estimated size of a row in a file, or 0 when unknown
   * @param dataChange false for a rewrite that changes no data (compaction)
   */
  Written write(Transaction transaction, List<Object[]> rows, Function<Object[], Object> firstKey,
      Cuts cuts, double bytesPerRow, boolean dataChange, List<Row> actions) {
    List<DataFileStatus> written = new ArrayList<>();
    List<List<Object[]>> runs = runs(rows, firstKey, cuts);
    if (runs.isEmpty()) {
      return new Written(written);
    }
    double estimate = bytesPerRow;
    if (estimate <= 0) {
      // Raw sizes are a rough guess (compression shrinks them, Parquet's pages and footer add to them):
      // the first file, written alone, aims below the target, and what it weighs sizes the rest.
      List<Object[]> run = runs.get(0);
      int count = (int) Math.max(1, Math.min(run.size(), targetSize * 3 / 4 / rawBytesPerRow(run)));
      DataFileStatus first = DataFileWriter.writeFile(engine, transaction, tableId, run.subList(0, count), dataChange,
          actions);
      written.add(first);
      estimate = Math.max(1.0, (double) first.getSize() / count);
      runs.set(0, run.subList(count, run.size()));
    }
    List<List<Object[]>> files = new ArrayList<>();
    for (List<Object[]> run : runs) {
      int from = 0;
      while (from < run.size()) {
        int remaining = run.size() - from;
        // Equal files, each within a half of the target: a run just above it stays one file.
        long count = Math.max(1, Math.round(remaining * estimate / targetSize));
        int rowsInFile = (int) Math.ceil((double) remaining / count);
        files.add(run.subList(from, from + rowsInFile));
        from += rowsInFile;
      }
    }
    // The files are independent: written at once, their actions then appended in key order.
    for (WrittenFile file : FileWork.map(files, fileRows -> {
      List<Row> fileActions = new ArrayList<>();
      return new WrittenFile(DataFileWriter.writeFile(engine, transaction, tableId, fileRows, dataChange, fileActions),
          fileActions);
    })) {
      written.add(file.status());
      actions.addAll(file.actions());
    }
    return new Written(written);
  }

  private record WrittenFile(DataFileStatus status, List<Row> actions) {}

  /** The rows cut into runs at {@code cuts}. */
  static List<List<Object[]>> runs(List<Object[]> rows, Function<Object[], Object> firstKey, Cuts cuts) {
    List<List<Object[]>> runs = new ArrayList<>();
    if (rows.isEmpty()) {
      return runs;
    }
    if (firstKey == null || (cuts.startsAt().isEmpty() && cuts.endsAt().isEmpty())) {
      runs.add(rows);
      return runs;
    }
    int start = 0;
    int run = cuts.run(firstKey.apply(rows.get(0)));
    for (int i = 1; i < rows.size(); i++) {
      int next = cuts.run(firstKey.apply(rows.get(i)));
      if (next != run) {
        runs.add(rows.subList(start, i));
        start = i;
        run = next;
      }
    }
    runs.add(rows.subList(start, rows.size()));
    return runs;
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
