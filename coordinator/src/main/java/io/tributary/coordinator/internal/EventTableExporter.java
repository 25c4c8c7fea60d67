package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.delta.RowColumnarBatch;
import io.tributary.staging.LocalPermissions;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends the event log to a Delta table, so that events can be queried like any other table. Each
 * append records the last event number it covers as the Delta transaction version of application
 * {@value #APP_ID}: an export that is repeated after a crash starts after what the table already
 * holds, and one that races another is refused by Delta instead of doubling the rows.
 */
public final class EventTableExporter {
  static final String APP_ID = "tributary-coordinator-events";
  static final String ENGINE_INFO = "tributary-coordinator/0.1";
  /** The events table describes itself as Tributary tables do, so that the same tools read it. */
  static final Map<String, String> TABLE_PROPERTIES = Map.of(
      "tributary.table-id", "_tributary.coordinator.events",
      "tributary.key-columns", "[\"sequence\"]");
  static final int MAX_EVENTS_PER_COMMIT = 10_000;
  static final StructType SCHEMA = new StructType()
      .add("sequence", LongType.LONG, false)
      .add("at", TimestampType.TIMESTAMP, false)
      .add("type", StringType.STRING, false)
      .add("table_id", StringType.STRING, true)
      .add("severity", StringType.STRING, false)
      .add("message", StringType.STRING, false)
      .add("details", StringType.STRING, false);

  private static final Logger LOG = LoggerFactory.getLogger(EventTableExporter.class);

  private final EventLog events;
  private final URI location;
  private final Engine engine;
  private boolean failing;

  public EventTableExporter(EventLog events, URI location, Map<String, String> hadoopProperties) {
    this.events = requireNonNull(events, "events is null");
    this.location = requireNonNull(location, "location is null");
    Configuration hadoop = LocalPermissions.hadoopConfiguration(hadoopProperties);
    this.engine = DefaultEngine.create(hadoop);
  }

  public URI location() {
    return location;
  }

  /**
   * Appends every event not yet in the table, in commits of at most {@value #MAX_EVENTS_PER_COMMIT}.
   * Failures are logged (once until the next success) and left for the next run.
   *
   * @return the number of events appended
   */
  public synchronized long exportNew() {
    long exported = 0;
    try {
      while (true) {
        Snapshot snapshot = loadOrCreate();
        long done = snapshot.getLatestTransactionVersion(engine, APP_ID).orElse(0L);
        List<CoordinatorEvent> batch = events.after(done, MAX_EVENTS_PER_COMMIT);
        if (batch.isEmpty()) {
          break;
        }
        append(snapshot, batch);
        exported += batch.size();
      }
      if (failing) {
        LOG.info("Exporting events to {} works again", location);
        failing = false;
      }
    } catch (ConcurrentTransactionException e) {
      LOG.info("Another export appended the same events to {} first; continuing after them", location);
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn("Cannot export events to {}; retrying at the next interval: {}", location, e.toString());
        failing = true;
      }
    }
    return exported;
  }

  private Snapshot loadOrCreate() {
    try {
      return TableManager.loadSnapshot(location.toString()).build(engine);
    } catch (TableNotFoundException e) {
      Transaction create = TableManager.buildCreateTableTransaction(location.toString(), SCHEMA, ENGINE_INFO)
          .withTableProperties(TABLE_PROPERTIES)
          .withMaxRetries(0)
          .build(engine);
      runHooks(create.commit(engine, CloseableIterable.emptyIterable()));
      LOG.info("Created the events table at {}", location);
      return TableManager.loadSnapshot(location.toString()).build(engine);
    }
  }

  private void append(Snapshot snapshot, List<CoordinatorEvent> batch) {
    long last = batch.get(batch.size() - 1).sequence();
    Transaction transaction = snapshot.buildUpdateTableTransaction(ENGINE_INFO, Operation.WRITE)
        .withTransactionId(APP_ID, last)
        .build(engine);
    Row state = transaction.getTransactionState(engine);
    DataWriteContext context = Transaction.getWriteContext(engine, state, Map.of());
    List<Object[]> rows = new ArrayList<>(batch.size());
    for (CoordinatorEvent event : batch) {
      rows.add(new Object[] {
          event.sequence(),
          ChronoUnit.MICROS.between(java.time.Instant.EPOCH, event.at()),
          event.type().name(),
          event.tableId().map(TableId::canonical).orElse(null),
          event.severity().name(),
          event.message(),
          ApiCodec.MAPPER.valueToTree(event.details()).toString()});
    }
    List<Row> actions = new ArrayList<>();
    FilteredColumnarBatch data = new FilteredColumnarBatch(new RowColumnarBatch(SCHEMA, rows), Optional.empty());
    try (CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(
            engine, state, Utils.singletonCloseableIterator(data), Map.of());
        CloseableIterator<DataFileStatus> written = engine.getParquetHandler().writeParquetFiles(
            context.getTargetDirectory(), physical, context.getStatisticsColumns());
        CloseableIterator<Row> adds = Transaction.generateAppendActions(engine, state, written, context)) {
      adds.forEachRemaining(actions::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write events to " + location + ": " + e.getMessage(), e);
    }
    TransactionCommitResult result = transaction.commit(engine,
        CloseableIterable.inMemoryIterable(Utils.toCloseableIterator(actions.iterator())));
    runHooks(result);
    LOG.debug("Exported events {} to {} to {} as version {}", batch.get(0).sequence(), last, location, result.getVersion());
  }

  private void runHooks(TransactionCommitResult result) {
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      try {
        hook.threadSafeInvoke(engine);
      } catch (IOException | RuntimeException e) {
        LOG.warn("Post-commit {} of the events table at {} failed: {}", hook.getType(), location, e.toString());
      }
    }
  }
}
