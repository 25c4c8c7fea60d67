package io.tributary.applier.internal;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the leading manifests of a batch that the table has already committed: after a restart the
 * consumer group may deliver again offsets whose commit landed but whose Kafka offsets were not
 * committed. Kernel decides, from the table's transaction id (the application id and the batch's
 * last Kafka offset), and the coordinator's applied position must agree, or skipping would lose
 * changes.
 */
final class ReplayedManifests {
  private static final Logger LOG = LoggerFactory.getLogger(ReplayedManifests.class);
  /** How many versions back the version holding a refused offset is looked for, for the log line. */
  private static final int TXN_LOOK_BACK = 32;

  private ReplayedManifests() {}

  /**
   * The manifests of {@code batch} after those at or below the table's latest committed transaction,
   * which Kernel is asked to refuse; the whole batch if it holds none.
   *
   * @throws io.tributary.staging.TributaryException if Kernel does not refuse them, or if the
   *     coordinator's applied position is behind what they hold
   */
  static List<PendingManifest> dropCommitted(ApplierContext context, TableId tableId, String appId,
      ApplierMetrics.Table metrics, Snapshot snapshot, List<PendingManifest> batch) {
    Optional<Long> committed = snapshot.getLatestTransactionVersion(context.engine(), appId);
    if (committed.isEmpty() || batch.get(0).offset() > committed.get()) {
      return batch;
    }
    int split = 0;
    while (split < batch.size() && batch.get(split).offset() <= committed.get()) {
      split++;
    }
    long from = batch.get(0).offset();
    long to = batch.get(split - 1).offset();
    try {
      snapshot.buildUpdateTableTransaction(ApplierContext.ENGINE_INFO, Operation.WRITE)
          .withTransactionId(appId, to)
          .withMaxRetries(0)
          .build(context.engine());
    } catch (ConcurrentTransactionException refused) {
      // Kernel says these offsets were committed; their positions must say so too, or skipping them
      // would lose changes.
      Optional<SourcePosition> applied = context.coordinator().table(tableId)
          .orElseThrow(() -> ApplierErrors.unknownTable(tableId)).appliedPosition();
      for (PendingManifest manifest : batch.subList(0, split)) {
        SourcePosition last = manifest.manifest().lastPosition();
        if (applied.isEmpty() || last.isAfter(applied.get())) {
          throw ApplierErrors.replayAheadOfTable(tableId, from, to, committed.get(), last, applied);
        }
      }
      metrics.replayRefused();
      OptionalLong in = TransactionLocator.versionCovering(context.engine(), snapshot, appId, to, TXN_LOOK_BACK);
      LOG.info("batch of offsets {}..{} of {} already committed in version {}; skipped", from, to, tableId,
          in.isPresent() ? Long.toString(in.getAsLong()) : "<= " + snapshot.getVersion());
      return batch.subList(split, batch.size());
    }
    throw ApplierErrors.replayNotRefused(tableId, from, to, committed.get());
  }
}
