package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Transaction;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableSchema;
import java.util.List;
import java.util.Optional;

/**
 * A batch made ready for its table's apply mode: what it does (the events kept, its last position,
 * the resync ends it applies), known before the commit's transaction is built, and how its data
 * files are then written for that transaction.
 *
 * @param summary what the batch does
 * @param files writes the batch's data files and returns the commit's actions
 */
record PreparedBatch(ReducedBatch summary, Files files) {
  PreparedBatch {
    requireNonNull(summary, "summary is null");
    requireNonNull(files, "files is null");
  }

  /**
   * Prepares {@code events}, in the table's layout {@code layout}, for {@code mode} over
   * {@code snapshot}, laid out as {@code before}: events at or below {@code applied} are dropped.
   *
   * @throws io.tributary.staging.TributaryException {@code MISSING_PRIMARY_KEY} for an update of a
   *     table whose key is all its columns
   */
  static PreparedBatch of(ApplierContext context, TableMode mode, Snapshot snapshot, TableSchema before,
      TableSchema layout, List<ChangeEvent> events, Optional<SourcePosition> applied) {
    ResyncSweeper sweeper = new ResyncSweeper(context.staging(), context.engine(), layout, mode, snapshot);
    if (mode.allColumnsKey()) {
      for (ChangeEvent event : NewEvents.of(events, applied).kept()) {
        if (event.operation() == Operation.UPDATE) {
          throw ApplierErrors.updateWithAllColumnsKey(layout.tableId(), event.position());
        }
      }
    }
    return switch (mode.mode()) {
      case APPEND -> new AppendWriter(context.engine(), layout, context.clock(), context.config().files().targetSize())
          .prepare(snapshot, NewEvents.of(events, applied));
      case SCD2 -> new HistoryWriter(context.engine(), before, layout, context.clock(), sweeper,
          context.config().files().targetSize())
          .prepare(snapshot, NewEvents.of(events, applied));
      case SCD1 -> {
        ChangeReducer reducer = mode.softDelete() ? ChangeReducer.softDeleting(layout) : new ChangeReducer(layout);
        ReducedBatch reduced = reducer.reduce(events, applied, sweeper);
        CopyOnWriteWriter writer = new CopyOnWriteWriter(context.engine(), before, layout, context.clock(),
            context.config().files().targetSize());
        yield new PreparedBatch(reduced, transaction -> writer.write(snapshot, transaction, reduced));
      }
    };
  }

  /** Writes a prepared batch's files for the commit's transaction; nothing is committed. */
  @FunctionalInterface
  interface Files {
    CopyOnWriteWriter.Result write(Transaction transaction);
  }
}
