package io.tributary.deltacompat;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.applier.internal.ApplierContext;
import io.tributary.applier.internal.BatchResult;
import io.tributary.applier.internal.ManifestPartition;
import io.tributary.applier.internal.PendingManifest;
import io.tributary.applier.internal.TableApplier;
import io.tributary.applier.internal.TableOpener;
import io.tributary.applier.testing.Segments;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * Writes one Delta table through the applier, as the applier service does: each call to
 * {@link #commit} stages the events as real segments and applies them as one batch, one Delta
 * commit. Event {@code n} is at stream position {@code n} (snapshot reads at snapshot position
 * {@code n}), committed at the source at {@link #millis(long)}, in transaction {@code txn-<n>}.
 */
final class TableWriter {
  private static final long BASE_MILLIS = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();

  private final ApplierContext context;
  private final TableId tableId;
  private final TableApplier applier;
  private final int partition;
  private Segments segments;
  private TableSchema schema;
  private long nextOffset;

  TableWriter(ApplierContext context, TableSchema schema, ManifestPartition manifests) {
    this.context = context;
    this.tableId = schema.tableId();
    this.schema = schema;
    this.segments = new Segments(context.staging(), schema);
    this.partition = manifests.partition();
    this.applier = new TableOpener(context).open(tableId, schema, manifests);
  }

  /** Where the table is. */
  URI location() {
    return context.config().tableLocation(tableId);
  }

  /** The table's latest Delta version, as the applier knows it. */
  long version() {
    return applier.version();
  }

  /** The source changed the table's schema: the events built from now on are staged with {@code next}. */
  void changeSchema(TableSchema next) {
    schema = next;
    segments = segments.withSchema(next);
  }

  /** The source commit time of event {@code n}, in milliseconds since the epoch. */
  static long millis(long n) {
    return BASE_MILLIS + n * 1_000 + n;
  }

  /** The source commit time of event {@code n} as a Delta timestamp (microseconds). */
  static long micros(long n) {
    return millis(n) * 1_000;
  }

  /** The position of streamed event {@code n}, as the metadata columns hold it. */
  static String position(long n) {
    return SourcePosition.of(SourcePosition.PHASE_STREAM, n).value();
  }

  /** The transaction id of event {@code n}. */
  static String txid(long n) {
    return "txn-" + n;
  }

  ChangeEvent read(long n, Object... values) {
    return event(Operation.SNAPSHOT_READ, SourcePosition.of(SourcePosition.PHASE_SNAPSHOT, n), n, values);
  }

  ChangeEvent insert(long n, Object... values) {
    return event(Operation.INSERT, n, values);
  }

  ChangeEvent update(long n, Object... values) {
    return event(Operation.UPDATE, n, values);
  }

  ChangeEvent delete(long n, Object... values) {
    return event(Operation.DELETE, n, values);
  }

  ChangeEvent truncate(long n) {
    return event(Operation.TRUNCATE, n, new Object[schema.columns().size()]);
  }

  /** The marker the gateway stages where a resync's snapshot of the table begins. */
  ChangeEvent resyncBegin(long n) {
    return event(Operation.RESYNC_BEGIN, n, new Object[schema.columns().size()]);
  }

  /** The marker the gateway stages where a resync's snapshot of the table ends. */
  ChangeEvent resyncEnd(long n) {
    return event(Operation.RESYNC_END, n, new Object[schema.columns().size()]);
  }

  /** A snapshot read of a resync, at stream position {@code n} (after the resync's begin). */
  ChangeEvent resyncRead(long n, Object... values) {
    return event(Operation.SNAPSHOT_READ, n, values);
  }

  /**
   * An update whose {@code unchanged} columns the source did not send (PostgreSQL's unchanged
   * TOASTed values): their values are ignored, the row keeps the ones it has.
   */
  ChangeEvent updateWithout(long n, List<String> unchanged, Object... values) {
    BitSet unavailable = new BitSet();
    Object[] sent = values.clone();
    for (String column : unchanged) {
      int index = schema.indexOf(column);
      assertThat(index).as("column %s of %s", column, tableId).isNotNegative();
      unavailable.set(index);
      sent[index] = null;
    }
    return new ChangeEvent(tableId, Operation.UPDATE, SourcePosition.of(SourcePosition.PHASE_STREAM, n), sent,
        unavailable, millis(n), Optional.of(txid(n)), millis(n) + 250);
  }

  private ChangeEvent event(Operation operation, long n, Object... values) {
    return event(operation, SourcePosition.of(SourcePosition.PHASE_STREAM, n), n, values);
  }

  private ChangeEvent event(Operation operation, SourcePosition position, long n, Object... values) {
    assertThat(values).as("values of %s", tableId).hasSize(schema.columns().size());
    return new ChangeEvent(tableId, operation, position, values, new BitSet(), millis(n), Optional.of(txid(n)),
        millis(n) + 250);
  }

  /** Stages the events as one segment and applies it as one batch; returns the new table version. */
  long commit(ChangeEvent... events) {
    return commitSegments(List.of(List.of(events)));
  }

  /** Stages the events as one segment and applies it as one batch, whatever comes of it. */
  BatchResult apply(ChangeEvent... events) {
    return applier.apply(List.of(new PendingManifest(partition, nextOffset++, segments.segment(List.of(events)),
        context.clock().millis())));
  }

  /** Stages each list of events as one segment and applies them all as one batch; returns the new version. */
  long commitSegments(List<List<ChangeEvent>> staged) {
    List<PendingManifest> batch = new ArrayList<>();
    for (List<ChangeEvent> events : staged) {
      ManifestRecord manifest = segments.segment(events);
      batch.add(new PendingManifest(partition, nextOffset++, manifest, context.clock().millis()));
    }
    BatchResult result = applier.apply(batch);
    assertThat(result.outcome()).as("batch of %s", tableId).isEqualTo(BatchResult.Outcome.COMMITTED);
    return result.version();
  }
}
