package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.gateway.SegmentPolicy;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SegmentInfo;
import io.tributary.staging.SegmentWriter;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-table segment writers and the first half of the durability chain. Changes are appended to
 * their table's open segment; a segment is <em>rolled</em> when it reaches the row or size bound,
 * when it is older than the age bound, when its table's schema changes, or when Debezium replays
 * changes (a position not after the segment's last one). Rolling is: {@link SegmentWriter#finish()}
 * (durable and visible) → manifest to Kafka → acknowledgement → release of the segment's hold on the
 * {@link DurableFrontier}. Only then can the offsets covering its changes be committed.
 *
 * <p>With {@linkplain SegmentPolicy#commitGroups() commit groups}, the age bound rolls nothing by
 * itself: at the end of the next source transaction (or of the snapshot) every open segment is
 * rolled together as one {@link ManifestRecord.Group}, whose cut is the highest position staged so
 * far. Every change up to the cut is then announced, in the group or before it, and none after it.
 * Size, schema and replay rolls still finish single segments, outside any group.
 *
 * <p>Fail-stop: the first failure anywhere aborts every open segment and makes every later call
 * throw, so nothing after a lost change can ever be acknowledged. Thread-safe: the engine thread
 * appends, the roller thread rolls by age, all under this object's lock.
 *
 * @param <R> the delivered record type, whose offsets the frontier returns
 */
final class SegmentPipeline<R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentPipeline.class);

  private record OpenSegment(SegmentWriter writer, Instant openedAt) {}

  /** A segment made durable, with the source commit time of its last change (0 if it has none). */
  private record Finished(SegmentInfo info, long lastSourceMillis) {}

  /**
   * Rows between two checks of a segment's size against the size bound, from its first row on.
   * Parquet adds up every column's buffers to answer, which costs more than writing a row: the
   * bound is approximate.
   */
  static final int SIZE_CHECK_ROWS = 64;

  private final StagingStore store;
  private final ManifestSink sink;
  private final SegmentPolicy policy;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final Map<TableId, OpenSegment> open = new LinkedHashMap<>();
  private final Map<TableId, Long> nextSequence = new HashMap<>();
  /** Each table's schema as of its last staged change in this run. */
  private final Map<TableId, TableSchema> lastSchema = new HashMap<>();
  /** The highest position staged so far: a commit group's cut. */
  private SourcePosition highestStaged;
  /** Whether the last record delivered ended a source transaction (or no transaction began since). */
  private boolean atTransactionEnd = true;
  private final DurableFrontier<R> frontier = new DurableFrontier<>();
  private RuntimeException failure;
  private boolean closed;

  SegmentPipeline(StagingStore store, ManifestSink sink, SegmentPolicy policy, Clock clock, GatewayMetrics metrics) {
    this.store = requireNonNull(store, "store is null");
    this.sink = requireNonNull(sink, "sink is null");
    this.policy = requireNonNull(policy, "policy is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /** Takes one delivered record, in delivery order, and stages its change if it has one. */
  synchronized void accept(R record, Captured captured) {
    usable();
    try {
      frontier.deliver(record);
      if (captured instanceof Captured.Change change) {
        // A snapshot read is no transaction's end; the snapshot's end is marked by flushAtConsistentPoint.
        atTransactionEnd = false;
        if (change.snapshotReset().isPresent()) {
          append(change.schema(), change.snapshotReset().get());
          metrics.captured(change.snapshotReset().get(), false);
        }
        append(change.schema(), change.event());
        metrics.captured(change.event(), change.snapshot());
      } else if (captured instanceof Captured.ResyncStep step) {
        for (Captured.Change marker : step.markers()) {
          append(marker.schema(), marker.event());
        }
        if (step.kind() == Captured.ResyncStep.Kind.CAPTURED) {
          // The end of a resync is announced at once: the table switches over when it is applied.
          for (Captured.Change marker : step.markers()) {
            roll(marker.event().tableId());
          }
        }
      } else if (captured instanceof Captured.TransactionEnd) {
        atTransactionEnd = true;
        if (policy.commitGroups() && anyExpired(clock.instant())) {
          rollGroup();
        }
      }
    } catch (RuntimeException e) {
      throw failed(e);
    }
  }

  /**
   * Rolls every segment older than the age bound; with commit groups, rolls every open segment as a
   * group if one is that old and the source is between transactions, and nothing otherwise.
   */
  synchronized void rollExpired() {
    if (closed || failure != null) {
      return;
    }
    try {
      Instant now = clock.instant();
      if (policy.commitGroups()) {
        if (atTransactionEnd && anyExpired(now)) {
          rollGroup();
        }
        return;
      }
      for (Map.Entry<TableId, OpenSegment> entry : new ArrayList<>(open.entrySet())) {
        if (!now.isBefore(entry.getValue().openedAt().plus(policy.maxAge()))) {
          roll(entry.getKey());
        }
      }
    } catch (RuntimeException e) {
      throw failed(e);
    }
  }

  /**
   * Rolls every open segment: afterwards every delivered change is durable. With commit groups, they
   * form a group if the source is between transactions.
   */
  synchronized void flushAll() {
    usable();
    try {
      if (policy.commitGroups() && atTransactionEnd) {
        rollGroup();
        return;
      }
      for (TableId table : new ArrayList<>(open.keySet())) {
        roll(table);
      }
    } catch (RuntimeException e) {
      throw failed(e);
    }
  }

  /**
   * Rolls every open segment at a point where the source is consistent (the end of its snapshot):
   * with commit groups, as one group.
   */
  synchronized void flushAtConsistentPoint() {
    atTransactionEnd = true;
    flushAll();
  }

  /** The durable frontier, if it moved since the last call. */
  synchronized Optional<R> advanceFrontier() {
    usable();
    return frontier.advance();
  }

  /** The last delivered record. */
  synchronized Optional<R> lastDelivered() {
    return frontier.last();
  }

  /** The tables with an open segment. */
  synchronized List<TableId> openTables() {
    return List.copyOf(open.keySet());
  }

  /** The failure that stopped the pipeline, if one did. */
  synchronized Optional<RuntimeException> failure() {
    return Optional.ofNullable(failure);
  }

  private void append(TableSchema schema, ChangeEvent event) {
    TableId table = event.tableId();
    TableSchema previous = lastSchema.put(table, schema);
    if (previous != null && previous != schema && !previous.equals(schema)) {
      // Compared with the table's last staged event, not only its open segment: a change right after
      // a roll (or after the snapshot) is a change too.
      LOG.info("Schema of {} changed from {} key {} (fingerprint {}) to {} key {} (fingerprint {}) at {}", table,
          previous.columns(), previous.keyColumns(), previous.fingerprint(), schema.columns(), schema.keyColumns(),
          schema.fingerprint(), event.position());
      metrics.schemaChanged(previous, schema, event.position());
    }
    OpenSegment segment = open.get(table);
    if (segment != null) {
      SegmentWriter writer = segment.writer();
      if (writer.schema() != schema && !writer.schema().equals(schema)) {
        roll(table);
      } else if (writer.lastPosition().isPresent() && !event.position().isAfter(writer.lastPosition().get())) {
        // Debezium restarted its task internally and resumes from the last committed offset:
        // replayed changes go to a new segment, where their repeated positions mark them as
        // duplicates for the applier.
        LOG.info("Change of {} at {} does not follow {}: the source replays changes; finishing segment {}",
            table, event.position(), writer.lastPosition().get(), writer.sequence());
        roll(table);
      }
    }
    segment = open.get(table);
    if (segment == null) {
      long sequence = nextSequence.computeIfAbsent(table, t -> store.lastSequence(t) + 1);
      nextSequence.put(table, sequence + 1);
      segment = new OpenSegment(store.newSegmentWriter(schema, sequence), clock.instant());
      open.put(table, segment);
      frontier.hold(table);
    }
    segment.writer().append(event);
    if (highestStaged == null || event.position().isAfter(highestStaged)) {
      highestStaged = event.position();
    }
    long rows = segment.writer().rowCount();
    if (rows >= policy.maxRows() || ((rows - 1) % SIZE_CHECK_ROWS == 0 && segment.writer().estimatedBytes() >= policy.maxBytes())) {
      roll(table);
    }
  }

  private boolean anyExpired(Instant now) {
    for (OpenSegment segment : open.values()) {
      if (!now.isBefore(segment.openedAt().plus(policy.maxAge()))) {
        return true;
      }
    }
    return false;
  }

  private void roll(TableId table) {
    OpenSegment segment = open.remove(table);
    if (segment == null) {
      return;
    }
    Finished finished = finish(table, segment.writer());
    announce(ManifestRecord.forSegment(finished.info(), clock.millis()), finished);
  }

  /**
   * Rolls every open segment as one commit group cut at the highest staged position: all are finished
   * (durable) before the first is announced, and the group's manifests are announced one after the
   * other.
   */
  private void rollGroup() {
    if (open.isEmpty()) {
      return;
    }
    List<Finished> finished = new ArrayList<>(open.size());
    for (TableId table : new ArrayList<>(open.keySet())) {
      finished.add(finish(table, open.remove(table).writer()));
    }
    ManifestRecord.Group group = new ManifestRecord.Group(UUID.randomUUID().toString(), highestStaged, finished.size());
    long now = clock.millis();
    for (Finished segment : finished) {
      announce(ManifestRecord.forSegment(segment.info(), now, group), segment);
    }
    metrics.groupRolled(finished.size());
    LOG.debug("Announced commit group {} of {} segments, cut at {}", group.id(), finished.size(), group.cut());
  }

  private Finished finish(TableId table, SegmentWriter writer) {
    SegmentInfo info;
    long start = System.nanoTime();
    try {
      info = writer.finish();
    } catch (RuntimeException e) {
      writer.abort();
      throw GatewayErrors.stagingFailed(table, writer.sequence(), e);
    }
    metrics.staged(info, System.nanoTime() - start);
    return new Finished(info, writer.lastSourceTimestampMillis());
  }

  private void announce(ManifestRecord manifest, Finished finished) {
    SegmentInfo info = finished.info();
    long start = System.nanoTime();
    sink.publish(manifest);
    long publishNanos = System.nanoTime() - start;
    frontier.release(info.tableId());
    metrics.published(info, finished.lastSourceMillis(), publishNanos);
    LOG.debug("Announced segment {} of {}: {} rows, positions {} to {}", info.sequence(), info.tableId(), info.rowCount(),
        info.firstPosition(), info.lastPosition());
  }

  private void usable() {
    if (failure != null) {
      throw GatewayErrors.pipelineFailed(failure);
    }
    if (closed) {
      throw new IllegalStateException("The staging pipeline is closed");
    }
  }

  private RuntimeException failed(RuntimeException error) {
    if (failure == null) {
      failure = error instanceof TributaryException ? error : GatewayErrors.pipelineFailed(error);
      abortOpen();
    }
    return failure;
  }

  private void abortOpen() {
    for (OpenSegment segment : open.values()) {
      segment.writer().abort();
    }
    open.clear();
  }

  /** Discards the open segments; their changes were not committed and will be captured again. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    abortOpen();
  }
}
