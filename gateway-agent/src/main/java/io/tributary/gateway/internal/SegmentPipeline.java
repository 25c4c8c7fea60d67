package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.gateway.SegmentPolicy;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SegmentInfo;
import io.tributary.staging.SegmentWriter;
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
 * <p>Fail-stop: the first failure anywhere aborts every open segment and makes every later call
 * throw, so nothing after a lost change can ever be acknowledged. Thread-safe: the engine thread
 * appends, the roller thread rolls by age, all under this object's lock.
 *
 * @param <R> the delivered record type, whose offsets the frontier returns
 */
final class SegmentPipeline<R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentPipeline.class);

  private record OpenSegment(SegmentWriter writer, Instant openedAt) {}

  private final StagingStore store;
  private final ManifestSink sink;
  private final SegmentPolicy policy;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final Map<TableId, OpenSegment> open = new LinkedHashMap<>();
  private final Map<TableId, Long> nextSequence = new HashMap<>();
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
        if (change.snapshotReset().isPresent()) {
          append(change.schema(), change.snapshotReset().get());
          metrics.captured(change.snapshotReset().get(), false);
        }
        append(change.schema(), change.event());
        metrics.captured(change.event(), change.snapshot());
      }
    } catch (RuntimeException e) {
      throw failed(e);
    }
  }

  /** Rolls every segment older than the age bound. */
  synchronized void rollExpired() {
    if (closed || failure != null) {
      return;
    }
    try {
      Instant now = clock.instant();
      for (Map.Entry<TableId, OpenSegment> entry : new ArrayList<>(open.entrySet())) {
        if (!now.isBefore(entry.getValue().openedAt().plus(policy.maxAge()))) {
          roll(entry.getKey());
        }
      }
    } catch (RuntimeException e) {
      throw failed(e);
    }
  }

  /** Rolls every open segment: afterwards every delivered change is durable. */
  synchronized void flushAll() {
    usable();
    try {
      for (TableId table : new ArrayList<>(open.keySet())) {
        roll(table);
      }
    } catch (RuntimeException e) {
      throw failed(e);
    }
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
    OpenSegment segment = open.get(table);
    if (segment != null) {
      SegmentWriter writer = segment.writer();
      if (!writer.schema().equals(schema)) {
        LOG.info("Schema of {} changed from {} key {} (fingerprint {}) to {} key {} (fingerprint {}):"
                + " finishing segment {} and starting a new one", table, writer.schema().columns(),
            writer.schema().keyColumns(), writer.schema().fingerprint(), schema.columns(), schema.keyColumns(),
            schema.fingerprint(), writer.sequence());
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
    if (segment.writer().rowCount() >= policy.maxRows() || segment.writer().estimatedBytes() >= policy.maxBytes()) {
      roll(table);
    }
  }

  private void roll(TableId table) {
    OpenSegment segment = open.remove(table);
    if (segment == null) {
      return;
    }
    SegmentWriter writer = segment.writer();
    SegmentInfo info;
    try {
      info = writer.finish();
    } catch (RuntimeException e) {
      writer.abort();
      throw GatewayErrors.stagingFailed(table, writer.sequence(), e);
    }
    metrics.staged(info);
    sink.publish(ManifestRecord.forSegment(info, clock.millis()));
    frontier.release(table);
    metrics.published(info);
    LOG.debug("Announced segment {} of {}: {} rows, positions {} to {}", info.sequence(), table, info.rowCount(),
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
