package io.tributary.applier.internal;

import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.utils.CloseableIterable;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.Replay;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.TableStatus;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a table the applier met for the first time: registers it with the coordinator (location
 * and key columns), acquires its lease (bumping the fencing epoch, so that any earlier owner can
 * no longer commit), reads how far it is applied, and creates its Delta table on first sight,
 * version 0, through the coordinated committer.
 */
public final class TableOpener {
  private static final Logger LOG = LoggerFactory.getLogger(TableOpener.class);

  private static final int HISTORY_LOOK_BACK = 100;

  private final ApplierContext context;

  public TableOpener(ApplierContext context) {
    this.context = context;
  }

  /**
   * Opens {@code tableId}, whose schema is read from the segment of its first pending manifest, read
   * from {@code manifests}.
   */
  public TableApplier open(TableId tableId, ManifestRecord firstManifest, ManifestPartition manifests) {
    return open(tableId, schemaOf(firstManifest), manifests);
  }

  /**
   * The schema of the manifest's segment; if retention deleted it (its table resynced), the schema
   * of the next segment staged after it.
   */
  private TableSchema schemaOf(ManifestRecord manifest) {
    try (SegmentReader reader = context.staging().openSegment(manifest)) {
      return reader.schema();
    } catch (TributaryException e) {
      if (e.code() != ErrorCode.SEGMENT_MISSING) {
        throw e;
      }
      URI next = context.staging().listSegments(manifest.tableId()).stream()
          .filter(segment -> StagingStore.sequenceOf(segment) > manifest.sequence())
          .min(Comparator.comparingLong(StagingStore::sequenceOf))
          .orElseThrow(() -> ApplierErrors.segmentMissing(manifest.tableId(), manifest.segmentPath(), e));
      LOG.info("Segment {} of {} is no longer staged; reading the table's schema from {}", manifest.segmentPath(),
          manifest.tableId(), next);
      try (SegmentReader reader = context.staging().openSegment(manifest.tableId(), next)) {
        return reader.schema();
      }
    }
  }

  /**
   * Opens {@code tableId} with the schema its segments have. A replay left by a rollback is read
   * here, after the lease, and applied by the applier before any new manifest.
   */
  public TableApplier open(TableId tableId, TableSchema schema, ManifestPartition manifests) {
    TableMode mode = TableMode.resolve(tableId, schema, context.config().tableOptions(tableId));
    TableSchema deltaSchema = mode.deltaSchema(schema);
    URI location = context.config().tableLocation(tableId);
    // A table registered before keeps its registered key: a key change is the table's resync to make.
    List<String> keyColumns = context.coordinator().table(tableId).map(TableStatus::keyColumns)
        .orElse(deltaSchema.keyColumns());
    context.coordinator().register(new TableRegistration(tableId, location, keyColumns));
    Lease lease = context.coordinator().acquireLease(tableId, context.config().writerId(), context.config().leaseTtl());
    try {
      // Read after the lease: the previous owner is fenced now, so this position is final.
      TableStatus status = context.coordinator().table(tableId).orElseThrow(() -> ApplierErrors.unknownTable(tableId));
      Snapshot snapshot = loadOrCreate(tableId, location, deltaSchema, mode, lease, status);
      checkTable(tableId, location, snapshot, mode);
      long rows = countRows(snapshot);
      Optional<Replay> replay = context.coordinator().replay(tableId);
      long lastSequence = lastAppliedSequence(tableId, replay);
      LOG.info("Took {} at epoch {} in apply mode {}: Delta version {}, applied up to {}, {} rows{}", tableId,
          lease.epoch(), mode.property(), snapshot.getVersion(),
          status.appliedPosition().map(Object::toString).orElse("nothing"), rows,
          replay.map(r -> "; " + r.segments().size() + " staged segments to apply again after the rollback to version "
              + r.toVersion()).orElse(""));
      return new TableApplier(context, tableId, location, schema, mode, lease, status.appliedPosition(),
          snapshot.getVersion(), rows, replay, manifests, lastSequence);
    } catch (RuntimeException e) {
      releaseQuietly(lease);
      throw ApplierErrors.classify(tableId, location, e);
    }
  }

  /** The table's snapshot; a table seen for the first time is created with {@code schema}, its Delta columns and key. */
  private Snapshot loadOrCreate(TableId tableId, URI location, TableSchema schema, TableMode mode, Lease lease,
      TableStatus status) {
    try {
      return TableManager.loadSnapshot(location.toString()).build(context.engine());
    } catch (TableNotFoundException e) {
      if (status.version() >= 0) {
        throw ApplierErrors.tableMissing(tableId, location, status.version());
      }
    }
    Transaction create = TableManager.buildCreateTableTransaction(location.toString(), DeltaTypes.toStructType(schema),
            ApplierContext.ENGINE_INFO)
        .withTableProperties(TributaryTableProperties.of(schema, mode, context.config().files().deletionVectors()))
        .withCommitter(context.committers().create(context.coordinator(), lease, Optional.empty(), List.of(), 0))
        .withMaxRetries(0)
        .build(context.engine());
    TransactionCommitResult result = create.commit(context.engine(), CloseableIterable.emptyIterable());
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      try {
        hook.threadSafeInvoke(context.engine());
      } catch (IOException | RuntimeException e) {
        LOG.warn("Post-commit {} of new table {} failed: {}", hook.getType(), tableId, e.toString());
      }
    }
    LOG.info("Created Delta table {} at {} in apply mode {} (version {})", tableId, location, mode.property(),
        result.getVersion());
    return TableManager.loadSnapshot(location.toString()).build(context.engine());
  }

  /**
   * Checks that the table is this table's Tributary table. Its columns and key need not be the
   * staged schema's: the applier evolves the table, or sends it to a resync (see {@link SchemaEvolution}).
   * Its apply mode must be the configured one: a mode decides the table's columns and what its rows mean.
   */
  private static void checkTable(TableId tableId, URI location, Snapshot snapshot, TableMode mode) {
    Map<String, String> properties = snapshot.getTableProperties();
    TableId owner = TributaryTableProperties.tableId(properties)
        .orElseThrow(() -> ApplierErrors.notTributaryTable(location, TributaryTableProperties.TABLE_ID));
    if (!owner.equals(tableId)) {
      throw ApplierErrors.foreignTable(tableId, location, owner.canonical());
    }
    TableMode recorded = TributaryTableProperties.applyMode(properties);
    if (!recorded.equals(mode)) {
      throw ApplierErrors.applyModeChanged(tableId, location, recorded, mode);
    }
    TableLayout.of(tableId, location, snapshot);
  }

  /** The table's row count from file statistics, or -1 if a file has none. */
  private long countRows(Snapshot snapshot) {
    long[] rows = {0};
    DeltaFiles.forEachFile(context.engine(), snapshot.getScanBuilder().build(), file -> {
      long live = DeltaFiles.liveRows(file.add()).orElse(-1L);
      rows[0] = rows[0] < 0 || live < 0 ? -1 : rows[0] + live;
    });
    return rows[0];
  }

  /**
   * The highest sequence number of the segments the table's latest commits applied (or a pending
   * replay will apply), or -1 when none of its latest commits applied a segment.
   */
  private long lastAppliedSequence(TableId tableId, Optional<Replay> replay) {
    long last = -1;
    for (URI segment : replay.map(Replay::segments).orElse(List.of())) {
      last = Math.max(last, sequenceOf(segment));
    }
    for (CommitRecord record : context.coordinator().history(tableId, Long.MAX_VALUE, HISTORY_LOOK_BACK)) {
      if (!record.segments().isEmpty()) {
        for (URI segment : record.segments()) {
          last = Math.max(last, sequenceOf(segment));
        }
        break;
      }
    }
    return last;
  }

  private static long sequenceOf(URI segment) {
    try {
      return StagingStore.sequenceOf(segment);
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  private void releaseQuietly(Lease lease) {
    try {
      context.coordinator().releaseLease(lease);
    } catch (RuntimeException e) {
      LOG.warn("Cannot release the lease of {} after failing to open it: {}", lease.tableId(), e.toString());
    }
  }
}
