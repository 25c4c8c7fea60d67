package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.StructType;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableSchema;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resync sweep of one batch of one table: at a resync's end, the rows of the Delta snapshot the
 * batch is built on (unless the batch truncated the table first) and the keys the batch upserted,
 * whose key the resync left dead in staging (see {@link ResyncWindow}), are no longer at the source.
 * The table is scanned for its key columns only, and only the stale keys are kept, usually few; the
 * alive keys are held in memory during the sweep, one entry per live row.
 *
 * <p>When staging does not hold the resync's begin, nothing is deleted: the sweep fails.
 */
final class ResyncSweeper implements ResyncSweep {
  private static final Logger LOG = LoggerFactory.getLogger(ResyncSweeper.class);

  private final StagingStore staging;
  private final Engine engine;
  private final TableSchema schema;
  private final TableMode mode;
  private final Snapshot snapshot;

  ResyncSweeper(StagingStore staging, Engine engine, TableSchema schema, TableMode mode, Snapshot snapshot) {
    this.staging = requireNonNull(staging, "staging is null");
    this.engine = requireNonNull(engine, "engine is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.mode = requireNonNull(mode, "mode is null");
    this.snapshot = requireNonNull(snapshot, "snapshot is null");
  }

  /**
   * The keys among {@code keys} that the resync ending at {@code end} left dead; the table is not
   * scanned (SCD type 2 passes the keys of every current version itself).
   */
  Result staleAmong(ChangeEvent end, Set<RowKey> keys) {
    ResyncWindow.Outcome window = ResyncWindow.read(staging, schema, mode, end.position());
    if (window instanceof ResyncWindow.Incomplete incomplete) {
      return failed(end, incomplete);
    }
    AliveKeys alive = ((ResyncWindow.Found) window).alive();
    Set<RowKey> stale = new HashSet<>();
    for (RowKey key : keys) {
      if (!alive.contains(key)) {
        stale.add(key);
      }
    }
    return new Stale(stale);
  }

  private Failed failed(ChangeEvent end, ResyncWindow.Incomplete incomplete) {
    return new Failed("The resync of " + schema.tableId() + " ending at " + end.position() + " cannot be switched"
        + " over: " + incomplete.reason() + ". No rows were removed; request a new resync of the table.");
  }

  @Override
  public Result staleRows(ChangeEvent end, Set<RowKey> upsertedInBatch, boolean truncatedInBatch) {
    ResyncWindow.Outcome window = ResyncWindow.read(staging, schema, mode, end.position());
    if (window instanceof ResyncWindow.Incomplete incomplete) {
      return failed(end, incomplete);
    }
    ResyncWindow.Found found = (ResyncWindow.Found) window;
    AliveKeys alive = found.alive();
    Set<RowKey> stale = new HashSet<>();
    for (RowKey key : upsertedInBatch) {
      if (!alive.contains(key)) {
        stale.add(key);
      }
    }
    long[] tableRows = {0};
    if (!truncatedInBatch) {
      forEachTableKey(key -> {
        tableRows[0]++;
        if (!alive.contains(key)) {
          stale.add(key);
        }
      });
    }
    LOG.debug("Resync of {} from {} to {}: {} keys alive after reading {} segments; {} of {} table rows and {} batch"
        + " rows are stale", schema.tableId(), found.begin(), end.position(), alive.size(), found.segmentsRead(),
        stale.size(), tableRows[0], upsertedInBatch.size());
    return new Stale(stale);
  }

  /** Hands the key of every row of the snapshot to {@code sink}, reading the key columns only. */
  private void forEachTableKey(Consumer<RowKey> sink) {
    StructType columns = snapshot.getSchema();
    StructType keyColumns = new StructType();
    for (String name : schema.keyColumns()) {
      keyColumns = keyColumns.add(columns.get(name));
    }
    int[] keyIndexes = IntStream.range(0, keyColumns.length()).toArray();
    Scan scan = snapshot.getScanBuilder().withReadSchema(keyColumns).build();
    Row scanState = scan.getScanState(engine);
    DeltaFiles.forEachFile(engine, scan, file -> DeltaFiles.forEachRow(engine, scanState, file.scanRow(),
        row -> sink.accept(RowKey.of(row, keyIndexes))));
  }
}
