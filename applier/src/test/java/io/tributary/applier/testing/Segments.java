package io.tributary.applier.testing;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentInfo;
import io.tributary.staging.SegmentWriter;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableSchema;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Writes real segments of one table to a staging store, the way the gateway does. */
public final class Segments {
  private final StagingStore store;
  private final TableSchema schema;
  private final AtomicLong sequence;

  public Segments(StagingStore store, TableSchema schema) {
    this(store, schema, new AtomicLong());
  }

  private Segments(StagingStore store, TableSchema schema, AtomicLong sequence) {
    this.store = requireNonNull(store, "store is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.sequence = requireNonNull(sequence, "sequence is null");
  }

  /**
   * Segments of the same table after its source changed schema: numbered on with these, as the
   * gateway numbers a table's segments whatever their schema.
   */
  public Segments withSchema(TableSchema next) {
    return new Segments(store, next, sequence);
  }

  /** A streamed position: phase 1, then {@code n}. */
  public static SourcePosition position(long n) {
    return SourcePosition.of(SourcePosition.PHASE_STREAM, n);
  }

  public ChangeEvent event(Operation operation, long position, Object... values) {
    return event(operation, position, new BitSet(), values);
  }

  public ChangeEvent event(Operation operation, long position, BitSet unavailable, Object... values) {
    return new ChangeEvent(schema.tableId(), operation, position(position), values, unavailable, 1_000 + position,
        Optional.empty(), 2_000 + position);
  }

  public ChangeEvent truncate(long position) {
    return event(Operation.TRUNCATE, position, new Object[schema.columns().size()]);
  }

  /** The marker a gateway stages where a resync of the table starts. */
  public ChangeEvent resyncBegin(long position) {
    return event(Operation.RESYNC_BEGIN, position, new Object[schema.columns().size()]);
  }

  /** The marker a gateway stages where a resync of the table ends. */
  public ChangeEvent resyncEnd(long position) {
    return event(Operation.RESYNC_END, position, new Object[schema.columns().size()]);
  }

  /** Writes the events as the next segment and returns its manifest. */
  public ManifestRecord segment(List<ChangeEvent> events) {
    return segmentAnnouncedAt(0, events);
  }

  /** Writes the events as the next segment and returns its manifest, created at {@code createdAtMillis}. */
  public ManifestRecord segmentAnnouncedAt(long createdAtMillis, ChangeEvent... events) {
    return segmentAnnouncedAt(createdAtMillis, List.of(events));
  }

  private ManifestRecord segmentAnnouncedAt(long createdAtMillis, List<ChangeEvent> events) {
    try (SegmentWriter writer = store.newSegmentWriter(schema, sequence.getAndIncrement())) {
      events.forEach(writer::append);
      SegmentInfo info = writer.finish();
      return ManifestRecord.forSegment(info, createdAtMillis);
    }
  }

  public ManifestRecord segment(ChangeEvent... events) {
    return segment(List.of(events));
  }
}
