package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.TableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies a batch as SCD type 2 by copy-on-write: a key has any number of closed versions and at most
 * one current one ({@link TableMode#CURRENT} true, {@link TableMode#END_AT} null). The batch's events
 * apply one by one in position order, so that several changes of one key in one batch each leave a
 * version: an insert, update or snapshot read closes the key's current version (end time and position
 * of the change) and opens a new one (start time and position of the change); a delete closes the
 * current version and opens none; a truncate closes every current version. A snapshot read equal to
 * the current version (a resync reading a row that did not change) leaves it as it is. A value the
 * source did not send keeps the current version's.
 *
 * <p>The files that may hold the current version of a batch's key are found by the key ranges of
 * their statistics ({@link TableFiles}), read, and rewritten with their rows' closed versions, and so
 * is a file whose range a new key falls in; the versions are written between the files left alone,
 * near the target file size ({@link ClusteredFiles}). A batch holding a truncate or a
 * resync's end reads every file, since it may close any key's version. At a resync's end, the
 * current versions of the keys the resync left dead in staging are closed (see {@link ResyncSweeper}).
 *
 * <p>Versions are written sorted by key, then start position. Times are the source's commit times;
 * positions are what orders versions: a replayed event is at or below the applied position and
 * dropped before it gets here ({@link NewEvents}).
 */
final class HistoryWriter {
  private final Engine engine;
  private final TableSchema before;
  private final TableSchema schema;
  private final LayoutMapping read;
  private final int[] keyIndexes;
  private final int[] dataIndexes;
  private final Clock clock;
  private final ResyncSweeper sweeper;
  private final int startAt;
  private final int startPosition;
  private final int endAt;
  private final int endPosition;
  private final int current;
  private final long targetSize;

  /**
   * A writer of a table whose snapshot is laid out as {@code before} and whose transaction writes
   * {@code schema}, which has the SCD type 2 metadata columns, cutting files at {@code targetSize} bytes.
   */
  HistoryWriter(Engine engine, TableSchema before, TableSchema schema, Clock clock, ResyncSweeper sweeper,
      long targetSize) {
    this.engine = requireNonNull(engine, "engine is null");
    this.before = requireNonNull(before, "before is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.read = LayoutMapping.between(before, schema);
    this.keyIndexes = schema.keyIndexes();
    this.clock = requireNonNull(clock, "clock is null");
    this.sweeper = requireNonNull(sweeper, "sweeper is null");
    this.startAt = index(TableMode.START_AT);
    this.startPosition = index(TableMode.START_POSITION);
    this.endAt = index(TableMode.END_AT);
    this.endPosition = index(TableMode.END_POSITION);
    this.current = index(TableMode.CURRENT);
    this.targetSize = targetSize;
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < schema.columns().size(); i++) {
      if (!schema.columns().get(i).name().startsWith("__")) {
        data.add(i);
      }
    }
    this.dataIndexes = data.stream().mapToInt(Integer::intValue).toArray();
  }

  private int index(String column) {
    int index = schema.indexOf(column);
    if (index < 0) {
      throw new IllegalStateException("The Delta table of " + schema.tableId() + " has no column " + column
          + " although its apply mode is scd2");
    }
    return index;
  }

  /** Reads the current versions the batch may close and works out every version it leaves. */
  PreparedBatch prepare(Snapshot snapshot, NewEvents events) {
    boolean readAll = false;
    Set<RowKey> keys = new HashSet<>();
    Set<RowKey> opening = new HashSet<>();
    for (ChangeEvent event : events.kept()) {
      Operation operation = event.operation();
      if (operation == Operation.TRUNCATE || operation == Operation.RESYNC_END) {
        readAll = true;
      } else if (!operation.isResyncMarker()) {
        RowKey key = RowKey.of(event.values(), keyIndexes);
        keys.add(key);
        if (operation != Operation.DELETE) {
          opening.add(key);
        }
      }
    }
    List<Row> removes = new ArrayList<>();
    List<Object[]> rows = new ArrayList<>();
    Map<RowKey, Object[]> open = new LinkedHashMap<>();
    List<TableFiles.DataFile> kept = new ArrayList<>();
    List<TableFiles.DataFile> rewritten = new ArrayList<>();
    long[] counts = new long[4];
    if (readAll || !keys.isEmpty()) {
      readCurrent(snapshot, readAll, keys, opening, removes, rows, open, kept, rewritten, counts);
    }
    long opened = 0;
    long closed = 0;
    List<ReducedBatch.ResyncEnd> resyncEnds = new ArrayList<>();
    for (ChangeEvent event : events.kept()) {
      switch (event.operation()) {
        case RESYNC_BEGIN -> { }
        case TRUNCATE -> {
          for (Object[] version : open.values()) {
            rows.add(close(version, event));
            closed++;
          }
          open.clear();
        }
        case RESYNC_END -> {
          ResyncSweep.Result result = sweeper.staleAmong(event, Set.copyOf(open.keySet()));
          if (result instanceof ResyncSweep.Failed failed) {
            resyncEnds.add(new ReducedBatch.ResyncEnd(event.position(), event.captureTimestampMillis(), 0,
                Optional.of(failed.reason())));
          } else {
            long stale = 0;
            for (RowKey key : ((ResyncSweep.Stale) result).keys()) {
              rows.add(close(open.remove(key), event));
              stale++;
            }
            closed += stale;
            resyncEnds.add(new ReducedBatch.ResyncEnd(event.position(), event.captureTimestampMillis(), stale,
                Optional.empty()));
          }
        }
        case DELETE -> {
          Object[] version = open.remove(RowKey.of(event.values(), keyIndexes));
          if (version != null) {
            rows.add(close(version, event));
            closed++;
          }
        }
        default -> {
          RowKey key = RowKey.of(event.values(), keyIndexes);
          Object[] version = open.get(key);
          Object[] next = open(event, version);
          if (version != null && event.operation() == Operation.SNAPSHOT_READ && sameData(version, next)) {
            continue;
          }
          if (version != null) {
            rows.add(close(version, event));
            closed++;
          }
          open.put(key, next);
          opened++;
        }
      }
    }
    rows.addAll(open.values());
    ReducedBatch summary = new ReducedBatch(false, 0, Map.of(), events.lastPosition(), events.lastCaptureMillis(),
        events.kept().size(), events.duplicates(), resyncEnds);
    long versionsOpened = opened;
    long versionsClosed = closed;
    ClusteredFiles.Cuts cuts = ClusteredFiles.Cuts.around(kept, rewritten);
    return new PreparedBatch(summary, transaction -> write(transaction, removes, rows, cuts, kept, counts, versionsOpened,
        versionsClosed));
  }

  /**
   * Reads the files that may hold a current version of {@code keys} (every file when {@code all}),
   * found by the key ranges of their statistics: a file holding one, or whose range one of
   * {@code opening} falls in (so that the new version lands in the file that covers its key), is
   * removed, its current versions of those keys go to {@code open} and its other rows to
   * {@code rows}, and the file to {@code rewritten}; the others go to {@code kept}. {@code counts} gets the files read, the rows of the
   * files removed, and the bytes and rows (from statistics) of the files removed.
   */
  private void readCurrent(Snapshot snapshot, boolean all, Set<RowKey> keys, Set<RowKey> opening, List<Row> removes,
      List<Object[]> rows, Map<RowKey, Object[]> open, List<TableFiles.DataFile> kept,
      List<TableFiles.DataFile> rewritten, long[] counts) {
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    List<TableFiles.DataFile> files = TableFiles.list(engine, snapshot, scan, before, sameKeyTypes());
    List<Object> sortedKeys = TableFiles.firstComponents(keys);
    List<Object> openingKeys = TableFiles.firstComponents(opening);
    boolean nullKeys = TableFiles.anyNullFirst(keys);
    long removedAt = clock.millis();
    for (TableFiles.DataFile file : files) {
      if (!all && !nullKeys && !file.mayHoldAny(sortedKeys)) {
        kept.add(file);
        continue;
      }
      List<Object[]> rest = new ArrayList<>();
      Map<RowKey, Object[]> found = new HashMap<>();
      counts[0]++;
      DeltaFiles.forEachRow(engine, scanState, file.scanFile().scanRow(), stored -> {
        Object[] row = read.row(stored);
        RowKey key = RowKey.of(row, keyIndexes);
        if (Boolean.TRUE.equals(row[current]) && (all || keys.contains(key))) {
          found.put(key, row);
        } else {
          rest.add(row);
        }
      });
      if (!found.isEmpty() || file.spansAny(openingKeys)) {
        removes.add(DataFileWriter.remove(file.scanFile(), removedAt));
        rewritten.add(file);
        rows.addAll(rest);
        open.putAll(found);
        counts[1] += rest.size() + found.size();
        counts[2] += file.size();
        counts[3] += rest.size() + found.size();
      } else {
        kept.add(file);
      }
    }
  }

  private boolean sameKeyTypes() {
    for (String key : schema.keyColumns()) {
      if (!before.column(key).orElseThrow().type().equals(schema.column(key).orElseThrow().type())) {
        return false;
      }
    }
    return true;
  }

  /** The new current version an upsert opens over {@code version} (null if the key has none). */
  private Object[] open(ChangeEvent event, Object[] version) {
    Object[] row = event.values().clone();
    BitSet unavailable = event.unavailable();
    for (int i = unavailable.nextSetBit(0); i >= 0 && i < row.length; i = unavailable.nextSetBit(i + 1)) {
      row[i] = version == null ? null : version[i];
    }
    row[startAt] = Math.multiplyExact(event.sourceTimestampMillis(), 1000L);
    row[startPosition] = event.position().value();
    row[endAt] = null;
    row[endPosition] = null;
    row[current] = true;
    return row;
  }

  private Object[] close(Object[] version, ChangeEvent event) {
    Object[] row = version.clone();
    row[endAt] = Math.multiplyExact(event.sourceTimestampMillis(), 1000L);
    row[endPosition] = event.position().value();
    row[current] = false;
    return row;
  }

  private boolean sameData(Object[] left, Object[] right) {
    return RowKey.of(left, dataIndexes).equals(RowKey.of(right, dataIndexes));
  }

  private CopyOnWriteWriter.Result write(Transaction transaction, List<Row> removes, List<Object[]> rows,
      ClusteredFiles.Cuts cuts, List<TableFiles.DataFile> kept, long[] counts, long opened, long closed) {
    List<Object[]> sorted = new ArrayList<>(rows);
    sorted.sort(order(keyIndexes, startPosition));
    List<Row> actions = new ArrayList<>(removes);
    ClusteredFiles.Written written = sorted.isEmpty() ? new ClusteredFiles.Written(List.of())
        : new ClusteredFiles(engine, schema.tableId(), targetSize).write(transaction, sorted,
            row -> RowKey.first(row, keyIndexes), cuts,
            CopyOnWriteWriter.bytesPerRow(counts[3], counts[2], kept), true, actions);
    return new CopyOnWriteWriter.Result(actions, counts[0], written.files().size(), removes.size(), 0, written.bytes(),
        counts[2], sorted.size(), counts[1], opened, closed);
  }

  /** Clustered by key, so that data skipping on the key columns stays selective; a key's versions in order. */
  static Comparator<Object[]> order(int[] keyIndexes, int startPosition) {
    return RowKey.rowOrder(keyIndexes)
        .thenComparing(row -> (String) row[startPosition], Comparator.nullsFirst(Comparator.naturalOrder()));
  }
}
