package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.transaction.UpdateTableTransactionBuilder;
import io.delta.kernel.utils.CloseableIterable;
import io.tributary.applier.AppliedTableStatus;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.Replay;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies batches of manifests of one owned table, one Delta commit per batch, in the table's apply
 * mode ({@link TableMode}: SCD type 1, with or without soft delete, SCD type 2, or append; see
 * {@link PreparedBatch}).
 *
 * <p>Each commit carries the Delta transaction identifier ({@code tributary-applier/<table>},
 * Kafka offset of the batch's last manifest). After a restart or a hand-over the new owner reads
 * again from the committed Kafka offset; the part of a batch at or below the table's latest
 * transaction version is first offered to Kernel as it was, and Kernel refuses it as already
 * committed ({@link ConcurrentTransactionException}, raised when the transaction is built), which
 * is counted and logged; the rest is applied.
 *
 * <p>A batch holding a resync's end deletes the rows the resync did not read or change (see
 * {@link ResyncSweeper}); once it is committed, the resync is reported done to the coordinator.
 *
 * <p>Segments whose staged schema differs from the table's are applied through
 * {@link SchemaEvolution}: added columns, dropped columns and widened types change the table in the
 * batch's commit (see {@link SchemaCommits}); an incompatible change sends the table to a resync:
 * the batch's part before it is committed, the resync is required from the coordinator, the
 * changes until the resync's begin are not applied (the resync's snapshot reads the rows they
 * changed), and at the begin the table is replaced by an empty one with the new schema, which the
 * resync fills.
 *
 * <p>Used by one thread at a time (the polling thread, or an apply thread the polling thread waits for),
 * except the lease, which the renewal thread refreshes.
 */
public final class TableApplier {
  private static final Logger LOG = LoggerFactory.getLogger(TableApplier.class);

  private final ApplierContext context;
  private final TableId tableId;
  private final URI location;
  private final String appId;
  private final TableMode mode;
  private final ApplierMetrics.Table metrics;
  private final ResyncReporter resyncs;
  private final SchemaCommits schemaCommits;
  private final ResyncRequests resyncRequests;
  private final SmallFileCompactor compactor;
  /** The staged schema of the latest segment read; the table's layout is read from the table. */
  private volatile TableSchema schema;
  private volatile Lease lease;
  private volatile boolean fenced;
  private volatile Optional<SourcePosition> appliedPosition;
  private volatile long version;
  private volatile long rows;
  private final Optional<Replay> rollbackReplay;
  private final Deque<URI> replaySegments = new ArrayDeque<>();
  /** The highest segment sequence applied (or refused as applied), -1 when unknown. */
  private long lastSequence;

  TableApplier(ApplierContext context, TableId tableId, URI location, TableSchema schema, TableMode mode, Lease lease,
      Optional<SourcePosition> appliedPosition, long version, long rows, Optional<Replay> rollbackReplay,
      ManifestPartition manifests, long lastSequence) {
    this.context = requireNonNull(context, "context is null");
    this.tableId = requireNonNull(tableId, "tableId is null");
    this.location = requireNonNull(location, "location is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.mode = requireNonNull(mode, "mode is null");
    this.lease = requireNonNull(lease, "lease is null");
    this.appliedPosition = requireNonNull(appliedPosition, "appliedPosition is null");
    this.version = version;
    this.rows = rows;
    this.appId = requireNonNull(manifests, "manifests is null").transactionAppId(tableId);
    this.lastSequence = lastSequence;
    this.metrics = context.metrics().forTable(tableId);
    this.resyncs = new ResyncReporter(context.coordinator(), tableId, metrics);
    this.schemaCommits = new SchemaCommits(context, tableId, location, metrics);
    this.resyncRequests = new ResyncRequests(context, tableId, metrics, schemaCommits);
    this.compactor = new SmallFileCompactor(context, tableId, location, mode, metrics);
    this.rollbackReplay = requireNonNull(rollbackReplay, "rollbackReplay is null");
    rollbackReplay.ifPresent(replay -> replaySegments.addAll(replay.segments()));
    metrics.version(version);
    metrics.positionKnown(appliedPosition.isPresent());
  }

  public TableId tableId() {
    return tableId;
  }

  /** The staged schema of the latest segment this applier read (the one it was opened with before any). */
  public TableSchema schema() {
    return schema;
  }

  public Lease lease() {
    return lease;
  }

  /** Whether the lease renewal found that another applier took the table. */
  public boolean isFenced() {
    return fenced;
  }

  public Optional<SourcePosition> appliedPosition() {
    return appliedPosition;
  }

  public long version() {
    return version;
  }

  /** The table's status as this applier sees it. */
  public AppliedTableStatus status(AppliedTableStatus.State state, Optional<String> problem) {
    return new AppliedTableStatus(tableId, location, state, version, appliedPosition, rows, lease.epoch(), problem);
  }

  /**
   * Applies a batch of manifests, in offset order, as one Delta commit.
   *
   * @throws TributaryException {@code STALE_EPOCH} if this applier was fenced, {@code COMMIT_CONFLICT}
   *     or {@code COMMIT_OUTCOME_UNKNOWN} (after re-reading the table) when the batch should be tried
   *     again, or another code for the failure
   */
  public BatchResult apply(List<PendingManifest> batch) {
    return apply(batch, Optional.empty());
  }

  /**
   * Applies a batch as {@link #apply(List)} does; with {@code group}, its commit is proposed as a
   * member of that commit group, ratified with the others all or nothing (the caller tells the group
   * when this table leaves without proposing).
   */
  BatchResult apply(List<PendingManifest> batch, Optional<CommitGroupBarrier> group) {
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("empty batch of " + tableId);
    }
    long started = context.clock().millis();
    for (PendingManifest pending : batch) {
      metrics.manifestWaited(Duration.ofMillis(started - pending.manifest().createdAtMillis()));
    }
    try {
      applyUnannounced(batch.get(0).manifest());
      DeferredCommitter committer = new DeferredCommitter();
      Snapshot snapshot = TableManager.loadSnapshot(location.toString()).withCommitter(committer).build(context.engine());
      version = snapshot.getVersion();
      List<PendingManifest> rest = ReplayedManifests.dropCommitted(context, tableId, appId, metrics, snapshot, batch);
      if (rest.size() < batch.size()) {
        refreshAppliedPosition();
      }
      noteSequences(batch.subList(0, batch.size() - rest.size()));
      if (rest.isEmpty()) {
        return new BatchResult(BatchResult.Outcome.REPLAY_REFUSED, version);
      }
      BatchResult result = applyNew(snapshot, committer, rest, group);
      noteSequences(rest);
      if (result.outcome() == BatchResult.Outcome.COMMITTED) {
        metrics.batchApplied(Duration.ofMillis(Math.max(0, context.clock().millis() - started)));
      }
      return result;
    } catch (RuntimeException e) {
      throw ApplierErrors.classify(tableId, location, e);
    }
  }

  /**
   * Rewrites the table's small or key-overlapping files in a commit that changes no data, when
   * compaction is on, its check interval has passed and the table changed since the last look (see
   * {@link SmallFileCompactor}). Called between batches, on the thread that applies them. A failed compaction is logged and counted; the
   * table goes on without it.
   *
   * @throws TributaryException {@code STALE_EPOCH} if this applier was fenced
   */
  public void compactIfDue() {
    try {
      compactor.compactIfDue(lease, version).ifPresent(compaction -> version = compaction.version());
    } catch (RuntimeException e) {
      TributaryException failure = ApplierErrors.classify(tableId, location, e);
      if (failure.code() == ErrorCode.STALE_EPOCH) {
        throw failure;
      }
      metrics.compactionFailed();
      LOG.warn("Compaction of {} failed; its batches go on, and it is tried again later: {}", tableId,
          failure.getMessage());
    }
  }

  /** Compacts now, whatever the check interval; empty when there was nothing to compact. */
  Optional<SmallFileCompactor.Compaction> compactNow() {
    try {
      Optional<SmallFileCompactor.Compaction> compaction = compactor.compact(lease);
      compaction.ifPresent(done -> version = done.version());
      return compaction;
    } catch (RuntimeException e) {
      throw ApplierErrors.classify(tableId, location, e);
    }
  }

  /** Whether segments undone by a rollback remain to be applied again before any new manifest. */
  public boolean hasRollbackReplay() {
    return !replaySegments.isEmpty();
  }

  /**
   * Applies the next segments that a rollback undid, at most {@code batch.max-segments}, as one Delta
   * commit. These commits carry no Kafka transaction id (the segments' manifests lie behind the
   * table's latest one); what makes them safe to repeat is the position: the coordinator's applied
   * position is read first, and changes at or below it are dropped.
   *
   * @throws TributaryException as {@link #apply} does; the segments stay pending and are tried again
   */
  public BatchResult applyRollbackReplay() {
    Replay replay = rollbackReplay.orElseThrow(() -> new IllegalStateException("no rollback replay for " + tableId));
    List<URI> chunk = replaySegments.stream().limit(context.config().batchMaxSegments()).toList();
    try {
      BatchResult outcome = applyStaged(chunk);
      chunk.forEach(segment -> replaySegments.removeFirst());
      metrics.segmentsReapplied(chunk.size());
      if (replaySegments.isEmpty()) {
        LOG.info("{} applied again the {} staged segments undone by its rollback to version {}; applied up to {} (version {})",
            tableId, replay.segments().size(), replay.toVersion(), appliedPosition.map(Object::toString).orElse("nothing"),
            version);
      } else {
        LOG.info("{} applied {} staged segments again after its rollback to version {}; {} to go", tableId, chunk.size(),
            replay.toVersion(), replaySegments.size());
      }
      return outcome;
    } catch (RuntimeException e) {
      throw ApplierErrors.classify(tableId, location, e);
    }
  }

  /**
   * Applies staged segments read by their paths, not announced by the manifests of this batch, as one
   * Delta commit. Such commits carry no Kafka transaction id (the segments' manifests are behind the
   * table's latest one, or gone); what makes them safe to repeat is the position: the coordinator's
   * applied position is read first, and changes at or below it are dropped.
   */
  private BatchResult applyStaged(List<URI> chunk) {
    // The coordinator's position is the truth: a commit of these segments whose answer was lost may have landed.
    appliedPosition = context.coordinator().table(tableId).orElseThrow(() -> ApplierErrors.unknownTable(tableId))
        .appliedPosition();
    DeferredCommitter committer = new DeferredCommitter();
    Snapshot snapshot = TableManager.loadSnapshot(location.toString()).withCommitter(committer).build(context.engine());
    version = snapshot.getVersion();
    List<StagedSegment> segments = new ArrayList<>();
    for (URI segment : chunk) {
      try (SegmentReader reader = context.staging().openSegment(tableId, segment)) {
        // No manifest says when it was staged; now is after that, which is what a resync request needs.
        segments.add(new StagedSegment(segment, Optional.of(reader.schema()), reader.readAll(),
            context.clock().instant(), StagingStore.lastPositionOf(segment), OptionalLong.empty()));
      }
      lastSequence = Math.max(lastSequence, StagingStore.sequenceOf(segment));
    }
    return applySegments(snapshot, committer, segments, Optional.empty());
  }

  /**
   * Applies the staged segments whose manifests the topic no longer holds (deleted by the topic's
   * retention while no applier ran, or lost with a topic created anew): segment sequence numbers
   * of a table are consecutive, so a first manifest numbered past the last applied segment plus one
   * says that the ones between were announced where this applier cannot read them. Those still in
   * staging are applied first. Numbers not staged were never published (a gateway restarted before
   * publishing them), or were deleted by the gateway's retention once their table's resync was
   * recorded ({@code staging.unapplied-past-retention: resync}); either way nothing is left to apply.
   */
  private void applyUnannounced(ManifestRecord first) {
    if (lastSequence < 0 || first.sequence() <= lastSequence + 1) {
      return;
    }
    long from = lastSequence + 1;
    long to = first.sequence() - 1;
    List<URI> staged = context.staging().listSegments(tableId).stream()
        .filter(segment -> StagingStore.sequenceOf(segment) >= from && StagingStore.sequenceOf(segment) <= to)
        .toList();
    if (staged.isEmpty()) {
      LOG.info("{}: segments {}..{} are neither announced nor staged: never published (the gateway restarted before"
          + " publishing them) or deleted by the retention after the table's resync was requested; nothing to apply",
          tableId, from, to);
      lastSequence = to;
      return;
    }
    LOG.warn("{}: the manifests of staged segments {}..{} are not in the topic (deleted by its retention, or the topic"
        + " was created anew); applying the {} staged ones first", tableId, from, to, staged.size());
    for (int i = 0; i < staged.size(); i += context.config().batchMaxSegments()) {
      List<URI> chunk = staged.subList(i, Math.min(staged.size(), i + context.config().batchMaxSegments()));
      applyStaged(chunk);
      metrics.segmentsUnannounced(chunk.size());
    }
    lastSequence = Math.max(lastSequence, to);
  }

  private void noteSequences(List<PendingManifest> manifests) {
    for (PendingManifest manifest : manifests) {
      lastSequence = Math.max(lastSequence, manifest.manifest().sequence());
    }
  }

  private BatchResult applyNew(Snapshot snapshot, DeferredCommitter committer, List<PendingManifest> batch,
      Optional<CommitGroupBarrier> group) {
    // The segments are decoded at once; one that cannot be read is dealt with afterwards, in order.
    List<StagedSegment> segments = new ArrayList<>();
    for (SegmentRead read : FileWork.map(batch, this::readSegment)) {
      segments.add(read.segment().isPresent() ? read.segment().get() : unreadableSegment(read.pending(),
          read.failure().orElseThrow()));
    }
    return applySegments(snapshot, committer, segments, group);
  }

  /**
   * Applies segments as one Delta commit over {@code snapshot}, evolving the table's schema in that
   * commit if they call for it; when the segments came with Kafka offsets, the commit carries the
   * last one as its transaction id.
   */
  private BatchResult applySegments(Snapshot snapshot, DeferredCommitter committer, List<StagedSegment> segments,
      Optional<CommitGroupBarrier> group) {
    TableLayout table = TableLayout.of(tableId, location, snapshot);
    SchemaPlan plan = SchemaPlan.of(table, mode, segments, appliedPosition);
    plan.lastStaged().ifPresent(staged -> schema = staged);
    if (plan.incompatibleAt() >= 0) {
      if (plan.incompatibleAt() > 0) {
        // What came before the change is applied as usual; a commit group gets the last commit only.
        applySegments(snapshot, committer, segments.subList(0, plan.incompatibleAt()), Optional.empty());
      }
      return awaitResync(segments.subList(plan.incompatibleAt(), segments.size()), plan.change(), group);
    }
    if (plan.changesDeltaSchema() && !SchemaCommits.hasColumnMapping(snapshot)) {
      version = schemaCommits.enableColumnMapping(lease);
      metrics.version(version);
      committer = new DeferredCommitter();
      snapshot = TableManager.loadSnapshot(location.toString()).withCommitter(committer).build(context.engine());
    }
    List<ChangeEvent> events = new ArrayList<>();
    List<URI> paths = new ArrayList<>();
    SourcePosition watermark = appliedPosition.orElse(null);
    OptionalLong txnVersion = OptionalLong.empty();
    for (StagedSegment segment : segments) {
      paths.add(segment.path());
      txnVersion = segment.offset();
      if (segment.schema().isPresent()) {
        LayoutMapping mapping = LayoutMapping.between(segment.schema().get(), plan.layout().columns());
        for (ChangeEvent event : segment.events()) {
          events.add(mapping.event(event));
        }
      }
      if (watermark == null || segment.lastPosition().isAfter(watermark)) {
        watermark = segment.lastPosition();
      }
    }
    PreparedBatch prepared = PreparedBatch.of(context, mode, snapshot, table.columns(), plan.layout().columns(), events,
        appliedPosition);
    ReducedBatch reduced = prepared.summary();
    metrics.duplicatesDropped(reduced.duplicatesDropped());
    String what = segments.get(0).offset().isPresent()
        ? "Offsets " + segments.get(0).offset().getAsLong() + ".." + txnVersion.orElse(-1)
        : segments.size() + " staged segments";
    if (reduced.eventsKept() == 0) {
      LOG.debug("{} of {} hold only events applied before; nothing to commit", what, tableId);
      return new BatchResult(BatchResult.Outcome.NOTHING_TO_APPLY, version);
    }
    UpdateTableTransactionBuilder builder = snapshot.buildUpdateTableTransaction(ApplierContext.ENGINE_INFO, Operation.WRITE)
        .withMaxRetries(0);
    if (txnVersion.isPresent()) {
      builder = builder.withTransactionId(appId, txnVersion.getAsLong());
    }
    if (plan.evolved()) {
      builder = builder.withTablePropertiesAdded(SchemaCommits.properties(snapshot, plan.layout(), plan.changes()));
      if (plan.changesDeltaSchema()) {
        builder = builder.withUpdatedSchema(SchemaCommits.evolvedSchema(snapshot.getSchema(), plan.layout()));
      }
    }
    Transaction transaction = builder.build(context.engine());
    CopyOnWriteWriter.Result result = prepared.files().write(transaction);
    long rowsChanged = result.upserted() + result.deleted();
    committer.commitWith(group.isPresent()
        ? new CoordinatedCommitter(group.get()::propose, lease, Optional.of(watermark), paths, rowsChanged)
        : context.committers().create(context.coordinator(), lease, Optional.of(watermark), paths, rowsChanged));
    long started = context.clock().millis();
    TransactionCommitResult commit;
    try {
      commit = transaction.commit(context.engine(), CloseableIterable.inMemoryIterable(
          Utils.toCloseableIterator(result.actions().iterator())));
    } catch (RuntimeException e) {
      TributaryException failure = ApplierErrors.classify(tableId, location, e);
      if (txnVersion.isEmpty() || !ApplierErrors.outcomeUnknown(failure, e)) {
        throw failure;
      }
      BatchResult landed = resolveUnknownOutcome(txnVersion.getAsLong(), watermark, result, reduced, failure);
      if (plan.evolved()) {
        schemaCommits.evolved(table.columns(), plan.layout(), plan.changes(), version);
      }
      return landed;
    }
    Duration latency = Duration.ofMillis(Math.max(0, context.clock().millis() - started));
    PostCommitHooks.run(context, tableId, commit);
    committed(commit.getVersion(), watermark, result, reduced, latency);
    if (plan.evolved()) {
      schemaCommits.evolved(table.columns(), plan.layout(), plan.changes(), version);
    }
    LOG.debug("Committed {} of {} as version {}{}: {} upserted, {} deleted, {} files added, {} removed",
        what, tableId, version, group.map(member -> " in commit group " + member.id()).orElse(""),
        result.upserted(), result.deleted(), result.filesAdded(), result.filesRemoved());
    return new BatchResult(BatchResult.Outcome.COMMITTED, version);
  }

  /**
   * The segments from one whose schema the table cannot take: the table's resync is required (once),
   * and nothing is applied until the resync's begin. At the begin, the table is replaced by an empty
   * one with the schema of the begin's segment, and the rest is applied to it as usual: the changes
   * at or before the begin count as applied, since the resync's snapshot reads the rows after them.
   */
  private BatchResult awaitResync(List<StagedSegment> rest, String change, Optional<CommitGroupBarrier> group) {
    StagedSegment first = rest.get(0);
    resyncRequests.require(first.path(), first.stagedAt(), change);
    Optional<StagedSegment.ResyncBegin> found = StagedSegment.firstResyncBegin(rest, appliedPosition);
    if (found.isEmpty()) {
      long changes = rest.stream().mapToLong(segment -> segment.events().size()).sum();
      metrics.segmentsAwaitingResync(rest.size());
      LOG.warn("{} waits for its resync after an incompatible schema change ({}): {} segments ({} changes, up to {}) are"
          + " not applied; the resync's snapshot reads the rows they changed", tableId, change, rest.size(), changes,
          rest.get(rest.size() - 1).lastPosition());
      return new BatchResult(BatchResult.Outcome.NOTHING_TO_APPLY, version);
    }
    int beginAt = found.get().segment();
    SourcePosition begin = found.get().position();
    StagedSegment beginSegment = rest.get(beginAt);
    metrics.segmentsAwaitingResync(beginAt);
    List<URI> skipped = rest.subList(0, beginAt).stream().map(StagedSegment::path).toList();
    version = schemaCommits.replaceForResync(lease, beginSegment.schema().orElseThrow(), mode, begin, skipped, rows);
    appliedPosition = Optional.of(begin);
    rows = 0;
    schema = beginSegment.schema().get();
    metrics.version(version);
    metrics.positionKnown(true);
    DeferredCommitter committer = new DeferredCommitter();
    Snapshot replaced = TableManager.loadSnapshot(location.toString()).withCommitter(committer).build(context.engine());
    return applySegments(replaced, committer, rest.subList(beginAt, rest.size()), group);
  }

  /** A staged segment read, or why it could not be: corrupt or missing. */
  private record SegmentRead(PendingManifest pending, Optional<StagedSegment> segment,
      Optional<TributaryException> failure) {}

  /** Reads a manifest's segment; safe on several threads at once, since it changes nothing. */
  private SegmentRead readSegment(PendingManifest pending) {
    ManifestRecord manifest = pending.manifest();
    try (SegmentReader reader = context.staging().openSegment(manifest)) {
      return new SegmentRead(pending, Optional.of(new StagedSegment(manifest.segmentPath(), Optional.of(reader.schema()),
          events(reader), Instant.ofEpochMilli(manifest.createdAtMillis()), manifest.lastPosition(),
          OptionalLong.of(pending.offset()))), Optional.empty());
    } catch (TributaryException e) {
      if (e.code() == ErrorCode.SEGMENT_CORRUPT || e.code() == ErrorCode.SEGMENT_MISSING) {
        return new SegmentRead(pending, Optional.empty(), Optional.of(e));
      }
      throw e;
    }
  }

  /**
   * The events of a segment, its row groups decoded side by side on the file threads: a large segment
   * alone in its batch (a table catching up, a bulk load) does not leave them idle.
   */
  private static List<ChangeEvent> events(SegmentReader reader) {
    int groups = reader.rowGroups();
    if (groups <= 1) {
      return reader.readAll();
    }
    List<ChangeEvent> events = new ArrayList<>();
    FileWork.map(IntStream.range(0, groups).boxed().toList(), reader::readRowGroup).forEach(events::addAll);
    return events;
  }

  /**
   * A corrupt segment is quarantined and its table sent to a resync (or the batch stops, as
   * configured); a missing one is skipped if a resync replaces its changes, and fails the batch
   * otherwise.
   */
  private StagedSegment unreadableSegment(PendingManifest pending, TributaryException e) {
    ManifestRecord manifest = pending.manifest();
    OptionalLong offset = OptionalLong.of(pending.offset());
    if (e.code() == ErrorCode.SEGMENT_CORRUPT) {
      return corruptSegment(manifest, offset, e);
    }
    Instant stagedAt = Instant.ofEpochMilli(manifest.createdAtMillis());
    Resync resync = MissingSegments.supersedingResync(context.coordinator(), manifest)
        .orElseThrow(() -> ApplierErrors.segmentMissing(tableId, manifest.segmentPath(), e));
    LOG.warn("Segment {} of {} (positions {} to {}) is no longer staged; skipped, because resync {} ({}, requested {}:"
        + " {}) replaces its changes", manifest.segmentPath(), tableId, manifest.firstPosition(),
        manifest.lastPosition(), resync.id(), resync.state(), resync.requestedAt(), resync.reason());
    metrics.segmentSuperseded();
    return new StagedSegment(manifest.segmentPath(), Optional.empty(), List.of(), stagedAt, manifest.lastPosition(),
        offset);
  }

  private StagedSegment corruptSegment(ManifestRecord manifest, OptionalLong offset, TributaryException corrupt) {
    URI segment = manifest.segmentPath();
    if (context.staging().config().corruptSegments() == StagingConfig.CorruptSegments.STOP) {
      URI movedTo = context.staging().quarantine(segment);
      metrics.segmentCorrupt();
      throw ApplierErrors.segmentCorrupt(tableId, segment, movedTo, "staging.corrupt-segments is stop", corrupt);
    }
    // The resync is recorded before the segment moves: should the coordinator not answer, the
    // segment stays in place and is found corrupt again at the next attempt, not merely missing.
    Instant stagedAt = Instant.ofEpochMilli(manifest.createdAtMillis());
    resyncRequests.requireForCorrupt(segment, context.staging().quarantinePath(segment), stagedAt, corrupt);
    context.staging().quarantine(segment);
    metrics.segmentCorrupt();
    return new StagedSegment(manifest.segmentPath(), Optional.empty(), List.of(), stagedAt, manifest.lastPosition(),
        offset);
  }

  /**
   * The commit was sent but no answer came: re-read the coordinator's status and the table's
   * transaction version before anything else. Visible means committed; otherwise the batch is
   * retried later, and refused then if it landed meanwhile.
   */
  private BatchResult resolveUnknownOutcome(long txnVersion, SourcePosition watermark, CopyOnWriteWriter.Result result,
      ReducedBatch reduced, TributaryException failure) {
    LOG.warn("Outcome of the commit of {} for offset {} is unknown; re-reading its status", tableId, txnVersion);
    TableStatus status = context.coordinator().table(tableId).orElseThrow(() -> ApplierErrors.unknownTable(tableId));
    Snapshot latest = TableManager.loadSnapshot(location.toString()).build(context.engine());
    Optional<Long> committed = latest.getLatestTransactionVersion(context.engine(), appId);
    if (committed.isEmpty() || committed.get() < txnVersion) {
      throw ApplierErrors.outcomeStillUnknown(tableId, txnVersion, failure);
    }
    LOG.info("Commit of {} for offset {} did land (table at version {}, coordinator at {})",
        tableId, txnVersion, latest.getVersion(), status.version());
    committed(latest.getVersion(), watermark, result, reduced, Duration.ZERO);
    return new BatchResult(BatchResult.Outcome.COMMITTED, version);
  }

  private void committed(long newVersion, SourcePosition watermark, CopyOnWriteWriter.Result result,
      ReducedBatch reduced, Duration latency) {
    version = newVersion;
    appliedPosition = Optional.of(watermark);
    if (rows >= 0) {
      rows += result.rowDelta();
    }
    metrics.committed(newVersion, result, reduced.lastCaptureMillis(), latency);
    metrics.positionKnown(true);
    resyncs.committed(reduced, newVersion);
  }

  private void refreshAppliedPosition() {
    Optional<SourcePosition> known = context.coordinator().table(tableId).flatMap(TableStatus::appliedPosition);
    if (known.isPresent() && (appliedPosition.isEmpty() || known.get().isAfter(appliedPosition.get()))) {
      appliedPosition = known;
      metrics.positionKnown(true);
    }
  }

  /** Extends the lease; marks the table fenced if the coordinator says another applier took it. */
  public void renewLease(Duration ttl) {
    try {
      lease = context.coordinator().renewLease(lease, ttl);
    } catch (TributaryException e) {
      if (e.code() == ErrorCode.STALE_EPOCH) {
        fenced = true;
      }
      throw e;
    }
  }

  /** Gives the lease up so that the next owner need not wait for it to expire. */
  public void releaseLease() {
    context.coordinator().releaseLease(lease);
  }
}
