package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Debezium's batches and commits offsets only up to the durable frontier: the second half
 * of the durability chain.
 *
 * <h2>How the asynchronous engine commits (Debezium 3.5, read from its code)</h2>
 * {@code RecordCommitter.markProcessed(r)} does nothing but record {@code r}'s source offset in the
 * task's {@code OffsetStorageWriter} (and as the task's last offset, which the PostgreSQL task later
 * confirms to the replication slot); {@code markBatchFinished()} asks the commit policy and flushes
 * whatever offset was recorded last to the offset store. The engine does not require every record
 * of a batch to be marked, nor records of the current batch only: it simply polls the next batch.
 * On shutdown, and when it fails, the engine flushes the recorded offset once more. Offsets are
 * cumulative per source partition, so recording {@code r} means "everything up to {@code r}".
 *
 * <h2>Design</h2>
 * Every record goes through the {@link SegmentPipeline} in delivery order. After each batch, the
 * handler marks the {@linkplain DurableFrontier frontier} record (possibly one from an earlier
 * batch) when it moved, then {@code markBatchFinished()} with an always-commit policy. Nothing else
 * is ever marked, so whatever the engine flushes, whenever it flushes it, covers only changes that
 * are in segments acknowledged by Kafka. A crash anywhere therefore resumes at or before the first
 * change not yet acknowledged: changes may be delivered twice (with the same positions), never lost.
 * A failure anywhere is thrown out of {@link #handleBatch}, which stops the engine; the pipeline
 * refuses all later work, so no later change can be acknowledged after a lost one.
 *
 * <h2>The snapshot barrier</h2>
 * Snapshot reads sort before every streamed change. If streamed changes were staged while the
 * snapshot's completion was not yet committed, a crash would make Debezium redo the snapshot, whose
 * reads would sort before changes already staged and be dropped downstream. So in a run that starts
 * without a committed post-snapshot offset, the first streamed record first flushes every open
 * segment, commits an offset past the snapshot (the heartbeat Debezium always emits when a snapshot
 * ends, or the last snapshot read) and checks by reading the offset file back that it is durable.
 */
final class ChangeBatchHandler implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeBatchHandler.class);

  private final SegmentPipeline<ChangeEvent<SourceRecord, SourceRecord>> pipeline;
  private final RecordMapper mapper;
  private final GatewayMetrics metrics;
  private final Supplier<Optional<Map<String, Object>>> committedOffset;
  private final Path offsetFile;
  private final ReentrantLock lock = new ReentrantLock();
  private final Clock clock;
  private final long commitIntervalMillis;
  private final Consumer<Captured.ResyncStep> resyncSteps;
  private long lastCommitMillis = Long.MIN_VALUE;
  private volatile boolean snapshotBarrier;
  private volatile boolean closing;
  private DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer;

  /**
   * @param committedOffset reads the committed offset back from the durable offset store
   * @param snapshotBarrier whether the run starts without a committed offset past the snapshot
   * @param commitInterval least time between two commits after a batch; zero commits after every
   *     batch. The snapshot's end and the final commit of a drain are never delayed.
   */
  ChangeBatchHandler(SegmentPipeline<ChangeEvent<SourceRecord, SourceRecord>> pipeline, RecordMapper mapper,
      GatewayMetrics metrics, Supplier<Optional<Map<String, Object>>> committedOffset, Path offsetFile,
      boolean snapshotBarrier, Clock clock, Duration commitInterval) {
    this(pipeline, mapper, metrics, committedOffset, offsetFile, snapshotBarrier, clock, commitInterval, step -> { });
  }

  /** @param resyncSteps told of each resync step once its markers are staged (on the engine's thread) */
  ChangeBatchHandler(SegmentPipeline<ChangeEvent<SourceRecord, SourceRecord>> pipeline, RecordMapper mapper,
      GatewayMetrics metrics, Supplier<Optional<Map<String, Object>>> committedOffset, Path offsetFile,
      boolean snapshotBarrier, Clock clock, Duration commitInterval, Consumer<Captured.ResyncStep> resyncSteps) {
    this.resyncSteps = requireNonNull(resyncSteps, "resyncSteps is null");
    this.pipeline = requireNonNull(pipeline, "pipeline is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.committedOffset = requireNonNull(committedOffset, "committedOffset is null");
    this.offsetFile = requireNonNull(offsetFile, "offsetFile is null");
    this.snapshotBarrier = snapshotBarrier;
    this.clock = requireNonNull(clock, "clock is null");
    this.commitIntervalMillis = requireNonNull(commitInterval, "commitInterval is null").toMillis();
  }

  @Override
  public boolean supportsTombstoneEvents() {
    return false;
  }

  @Override
  public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
      DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      this.committer = committer;
      for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
        if (closing) {
          // The rest of the batch is not marked: it is delivered again after the restart.
          return;
        }
        SourceRecord source = record.value();
        Captured captured = mapper.map(source);
        if (captured instanceof Captured.Marker && !hasOffset(source)) {
          // Debezium's notifications outside incremental snapshots (the initial snapshot's) carry no
          // offset: nothing to stage, and never a point to commit.
          continue;
        }
        if (snapshotBarrier && isStreamed(captured, source)) {
          crossSnapshotBarrier(record, captured, committer);
          continue;
        }
        pipeline.accept(record, captured);
        if (captured instanceof Captured.ResyncStep step) {
          resyncSteps.accept(step);
        }
      }
      pipeline.rollExpired();
      commitFrontier(committer);
    } finally {
      lock.unlock();
    }
  }

  /** Whether the engine streams: the snapshot (if the run had one) is complete and committed. */
  boolean streaming() {
    return !snapshotBarrier;
  }

  /**
   * Stops taking batches and, within {@code timeout}, makes every staged change durable and marks
   * the final frontier so that the engine's shutdown commit covers it. Returns whether it did.
   */
  boolean drain(Duration timeout) throws InterruptedException {
    closing = true;
    if (!lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("A batch is still being staged after {} ms; open segments are left for replay", timeout.toMillis());
      return false;
    }
    try {
      if (committer == null || pipeline.failure().isPresent()) {
        return false;
      }
      pipeline.flushAll();
      Optional<ChangeEvent<SourceRecord, SourceRecord>> frontier = pipeline.advanceFrontier();
      if (frontier.isPresent()) {
        committer.markProcessed(frontier.get());
        metrics.offsetsCommitted();
      }
      committer.markBatchFinished();
      return true;
    } finally {
      lock.unlock();
    }
  }

  private boolean isStreamed(Captured captured, SourceRecord source) {
    if (captured instanceof Captured.Change change) {
      return !change.snapshot();
    }
    return hasOffset(source) && isPastSnapshot(source.sourceOffset());
  }

  private static boolean hasOffset(SourceRecord source) {
    return source.sourceOffset() != null && !source.sourceOffset().isEmpty();
  }

  private void crossSnapshotBarrier(ChangeEvent<SourceRecord, SourceRecord> record, Captured captured,
      DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
    // The snapshot is a consistent image of the source: its end is a commit group's cut.
    pipeline.flushAtConsistentPoint();
    if (!(captured instanceof Captured.Change)) {
      pipeline.accept(record, captured);
    }
    Optional<ChangeEvent<SourceRecord, SourceRecord>> frontier = pipeline.advanceFrontier();
    ChangeEvent<SourceRecord, SourceRecord> boundary = frontier.orElseGet(() -> pipeline.lastDelivered().orElse(null));
    if (boundary == null || boundary.value().sourceOffset() == null || !isPastSnapshot(boundary.value().sourceOffset())) {
      throw GatewayErrors.unexpectedRecord("a streamed change before any record marking the end of the snapshot");
    }
    if (frontier.isPresent()) {
      committer.markProcessed(boundary);
    }
    committer.markBatchFinished();
    Optional<Map<String, Object>> committed = committedOffset.get();
    if (committed.isEmpty() || !isPastSnapshot(committed.get())) {
      throw GatewayErrors.offsetCommitFailed(offsetFile,
          "the offset marking the end of the snapshot was not stored (stored: " + committed.orElse(Map.of()) + ")");
    }
    metrics.offsetsCommitted();
    snapshotBarrier = false;
    metrics.snapshotCompleted();
    LOG.info("Snapshot complete and committed; streaming changes from {}", committed.get());
    if (captured instanceof Captured.Change) {
      pipeline.accept(record, captured);
    }
  }

  private void commitFrontier(DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
      throws InterruptedException {
    long now = clock.millis();
    if (lastCommitMillis != Long.MIN_VALUE && now - lastCommitMillis < commitIntervalMillis) {
      // The frontier is not taken: the next commit takes it wherever it has moved by then.
      return;
    }
    Optional<ChangeEvent<SourceRecord, SourceRecord>> frontier = pipeline.advanceFrontier();
    if (frontier.isPresent()) {
      committer.markProcessed(frontier.get());
      metrics.offsetsCommitted();
      lastCommitMillis = now;
    }
    committer.markBatchFinished();
  }

  /**
   * Whether a run starts behind the snapshot barrier: it has no committed offset past the snapshot,
   * and its snapshot reads rows. With {@code snapshot.mode=no_data} there are no reads that a later
   * attempt could sort before what is streamed, and no record ever marks a snapshot's end: such a
   * run streams from its first record.
   */
  static boolean startsBehindSnapshot(Optional<Map<String, Object>> committed, String snapshotMode) {
    return !"no_data".equals(snapshotMode) && committed.map(offset -> !isPastSnapshot(offset)).orElse(true);
  }

  /**
   * Whether a Debezium offset lies after the snapshot: it records no snapshot in progress, or the
   * snapshot's completion ({@code snapshot_completed}, {@code last_snapshot_record}), which Debezium
   * reads as "snapshot done" on restart.
   */
  static boolean isPastSnapshot(Map<String, ?> offset) {
    return !offset.containsKey("snapshot")
        || Boolean.TRUE.equals(offset.get("snapshot_completed"))
        || Boolean.TRUE.equals(offset.get("last_snapshot_record"));
  }
}
