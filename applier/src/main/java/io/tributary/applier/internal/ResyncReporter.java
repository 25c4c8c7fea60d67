package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.staging.TableId;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the coordinator that a committed batch switched a table over to its resync: {@code DONE}
 * (after {@code CAPTURED} if the gateway's own report has not landed yet, since the applied end
 * proves the capture ended), or {@code FAILED} when the sweep could not tell which rows are gone.
 * The commit stands whatever the report's fate: a report that fails is logged, not retried.
 */
final class ResyncReporter {
  private static final Logger LOG = LoggerFactory.getLogger(ResyncReporter.class);

  private final CoordinatorClient coordinator;
  private final TableId tableId;
  private final ApplierMetrics.Table metrics;

  ResyncReporter(CoordinatorClient coordinator, TableId tableId, ApplierMetrics.Table metrics) {
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.tableId = requireNonNull(tableId, "tableId is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /** Reports the resync ends of a batch committed as {@code version}. */
  void committed(ReducedBatch batch, long version) {
    for (ReducedBatch.ResyncEnd end : batch.resyncEnds()) {
      if (end.failure().isPresent()) {
        metrics.resyncFailed();
        LOG.error("{}", end.failure().get());
        report(end, Resync.State.FAILED, end.failure().get());
      } else {
        metrics.resyncSwitched(end.rowsRemoved());
        LOG.info("Resync of {} switched over at {}: {} rows no longer at the source removed (version {})", tableId,
            end.position(), end.rowsRemoved(), version);
        report(end, Resync.State.DONE, end.rowsRemoved() + " rows no longer at the source removed; table at version "
            + version);
      }
    }
  }

  private void report(ReducedBatch.ResyncEnd end, Resync.State outcome, String detail) {
    try {
      Optional<Resync> latest = coordinator.table(tableId).flatMap(TableStatus::resync);
      if (latest.isEmpty() || !latest.get().state().inProgress()) {
        LOG.info("No resync of {} is under way at the coordinator ({}); the end applied at {} is not reported", tableId,
            latest.map(resync -> resync.id() + " is " + resync.state()).orElse("none requested"), end.position());
        return;
      }
      Resync resync = latest.get();
      Instant captured = Instant.ofEpochMilli(end.captureMillis());
      if (captured.isBefore(resync.requestedAt())) {
        // Applied again after a rollback, or a cancelled resync's end: it is not the current resync's.
        LOG.warn("The resync end of {} applied at {} was captured at {}, before resync {} was requested at {}; it is"
            + " not reported as that resync's", tableId, end.position(), captured, resync.id(), resync.requestedAt());
        return;
      }
      if (outcome == Resync.State.DONE && resync.state() == Resync.State.REQUESTED) {
        LOG.warn("Resync {} of {} is still {} at the coordinator although its end was applied at {}; not reported as"
            + " {}", resync.id(), tableId, resync.state(), end.position(), outcome);
        return;
      }
      if (outcome == Resync.State.DONE && resync.state() == Resync.State.CAPTURING) {
        coordinator.reportResync(tableId, resync.id(), Resync.State.CAPTURED, "its end was applied at " + end.position());
      }
      coordinator.reportResync(tableId, resync.id(), outcome, detail);
    } catch (RuntimeException e) {
      // The commit is durable; the resync's state is only what the coordinator shows of it.
      LOG.warn("Cannot report the resync end of {} applied at {} as {} to the coordinator: {}", tableId, end.position(),
          outcome, e.toString());
    }
  }
}
