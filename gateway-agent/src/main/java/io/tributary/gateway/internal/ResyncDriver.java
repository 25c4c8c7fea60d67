package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.DebeziumEngine;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the resyncs the coordinator asks of this gateway's source, one table at a time, and reports
 * their steps.
 *
 * <p>Every {@value #POLL_SECONDS} seconds, once the engine streams, it asks the coordinator for the
 * source's pending resyncs. For a requested one it sends Debezium an {@code execute-snapshot} signal
 * (an incremental snapshot of the table, under the resync's id) and reports {@code CAPTURING}. What
 * follows arrives in the change stream as Debezium's notifications ({@link Captured.ResyncStep}):
 * the snapshot's start puts a {@code RESYNC_BEGIN} marker into the table's changes, the end of the
 * table's scan a {@code RESYNC_END} (the pipeline stages both in stream order), and this driver
 * reports {@code CAPTURED} once the end is announced, or {@code FAILED} when the source could not read
 * the table. The table's applier then switches the table over and reports {@code DONE}.
 *
 * <p>Signals go through Debezium's signalling table when {@code signal.data.collection} is set: the
 * driver inserts the signal row and Debezium acts on it when the insert is streamed, on its streaming
 * thread. Without a table they are sent in process; Debezium 3.5 then starts the snapshot on its
 * signal thread, which races with the streaming thread when changes arrive at that moment and ends
 * the table's scan with {@code SQL_EXCEPTION}: such a scan is signalled again, up to
 * {@value #ATTEMPTS} attempts in all, before the resync is reported failed.
 *
 * <p>An incremental snapshot survives a restart: its progress is part of the committed offset, and
 * Debezium resumes it. A resync found {@code CAPTURING} at start whose table the committed offset
 * does not hold was lost before it began (its signal was not yet committed) and is signalled again.
 * A resync cancelled by an operator while it is captured is stopped with a {@code stop-snapshot}
 * signal. Reports that do not reach the coordinator are retried at the next poll.
 */
final class ResyncDriver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResyncDriver.class);
  static final long POLL_SECONDS = 2;
  static final int ATTEMPTS = 3;
  /** The committed offset's key listing the tables of a running incremental snapshot. */
  static final String OFFSET_COLLECTIONS = "incremental_snapshot_collections";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Delivers a signal to the engine. */
  interface SignalSender {
    void send(DebeziumEngine.Signal signal);
  }

  /** The resync being captured, and how many times its snapshot was signalled. */
  private record InFlight(TableId table, String resyncId, int attempt) {}

  private final String source;
  private final CoordinatorClient coordinator;
  private final Optional<String> unavailable;
  private final GatewayMetrics metrics;
  private final Set<TableId> resumed;
  private final Queue<Captured.ResyncStep> steps = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService thread;
  private SignalSender signals;
  private BooleanSupplier streaming;
  private InFlight inFlight;

  /**
   * @param unavailable why the source cannot run incremental snapshots as configured, if it cannot
   * @param committedOffset the offset the engine starts from, which holds a resumed snapshot's tables
   */
  ResyncDriver(String source, List<TableId> tables, CoordinatorClient coordinator, Optional<String> unavailable,
      Optional<Map<String, Object>> committedOffset, GatewayMetrics metrics) {
    this.source = requireNonNull(source, "source is null");
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.unavailable = requireNonNull(unavailable, "unavailable is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.resumed = resumedTables(tables, committedOffset);
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-gateway-" + source + "-resyncs");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts polling.
   *
   * @param signals delivers signals (it may throw while the engine cannot take them yet)
   * @param streaming whether the engine streams: no resync starts during the initial snapshot
   */
  void start(SignalSender signals, BooleanSupplier streaming) {
    this.signals = requireNonNull(signals, "signals is null");
    this.streaming = requireNonNull(streaming, "streaming is null");
    if (!resumed.isEmpty()) {
      LOG.info("Source {} resumes the incremental snapshot of {} where it stopped", source, resumed);
    }
    thread.scheduleWithFixedDelay(this::poll, POLL_SECONDS, POLL_SECONDS, TimeUnit.SECONDS);
  }

  /** Takes a step from the change stream, after its markers are staged; reported on the driver's thread. */
  void onStep(Captured.ResyncStep step) {
    steps.add(step);
    try {
      thread.execute(this::poll);
    } catch (RejectedExecutionException e) {
      // Closing: the step is reported by the next run, which reads it again.
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  private synchronized void poll() {
    try {
      if (!reportSteps() || !streaming.getAsBoolean()) {
        return;
      }
      List<TableStatus> pending = coordinator.pendingResyncs(source);
      if (inFlight != null) {
        InFlight current = inFlight;
        boolean wanted = pending.stream().anyMatch(table -> table.tableId().equals(current.table())
            && table.resync().map(resync -> resync.id().equals(current.resyncId())).orElse(false));
        if (!wanted) {
          stop(current);
        }
        return;
      }
      for (TableStatus table : pending) {
        Resync resync = table.resync().orElseThrow();
        if (resync.state() == Resync.State.CAPTURING && resumed.remove(table.tableId())) {
          inFlight = new InFlight(table.tableId(), resync.id(), 1);
          return;
        }
        begin(table.tableId(), resync, 1);
        return;
      }
    } catch (RuntimeException e) {
      LOG.warn("Resyncs of source {} could not be checked: {}; trying again in {} s", source, e.getMessage(),
          POLL_SECONDS);
    }
  }

  private void begin(TableId table, Resync resync, int attempt) {
    if (unavailable.isPresent()) {
      report(table, resync.id(), Resync.State.FAILED, unavailable.get());
      metrics.resync(table, "failed");
      return;
    }
    try {
      signals.send(new DebeziumEngine.Signal(resync.id() + (attempt > 1 ? "-" + attempt : ""), "execute-snapshot",
          signalData(table), Map.of()));
    } catch (RuntimeException e) {
      LOG.info("Resync {} of {} waits: the source takes no signal yet ({})", resync.id(), table, e.getMessage());
      return;
    }
    inFlight = new InFlight(table, resync.id(), attempt);
    LOG.info("Resync {} of {}: asked the source for an incremental snapshot of the table ({})", resync.id(), table,
        resync.reason());
    report(table, resync.id(), Resync.State.CAPTURING, attempt > 1 ? "snapshot requested again, attempt " + attempt
        : resync.state() == Resync.State.REQUESTED ? "snapshot requested from the source"
        : "snapshot requested again: the gateway restarted before it began");
  }

  private void stop(InFlight current) {
    try {
      signals.send(new DebeziumEngine.Signal(current.resyncId() + "-stop", "stop-snapshot",
          signalData(current.table()), Map.of()));
      LOG.info("Resync {} of {} is no longer wanted (cancelled); stopping its snapshot", current.resyncId(),
          current.table());
      inFlight = null;
    } catch (RuntimeException e) {
      LOG.warn("Could not stop the snapshot of {} for the cancelled resync {}: {}", current.table(), current.resyncId(),
          e.getMessage());
    }
  }

  /** Reports the steps taken from the stream; false if the coordinator could not be told (retried later). */
  private boolean reportSteps() {
    for (Captured.ResyncStep step = steps.peek(); step != null; step = steps.peek()) {
      try {
        report(step);
      } catch (TributaryException e) {
        if (e.code() != ErrorCode.RESYNC_CONFLICT) {
          LOG.warn("The coordinator could not be told of resync step {} of {}: {}; trying again in {} s", step.kind(),
              step.tables(), e.getMessage(), POLL_SECONDS);
          return false;
        }
        LOG.info("Resync step {} of {} no longer applies: {}", step.kind(), step.tables(), e.getMessage());
      }
      steps.remove();
    }
    return true;
  }

  private void report(Captured.ResyncStep step) {
    switch (step.kind()) {
      case STARTED -> forEachResync(step, (table, id) -> {
        metrics.resync(table, "started");
        reportOrThrow(table, id, Resync.State.CAPTURING, "reading the table from the source");
      });
      case CAPTURED -> forEachResync(step, (table, id) -> {
        metrics.resync(table, "captured");
        finished(table);
        reportOrThrow(table, id, Resync.State.CAPTURED, step.detail() + "; resync end announced");
      });
      case FAILED -> forEachResync(step, (table, id) -> {
        InFlight failed = inFlight != null && inFlight.table().equals(table) ? inFlight : null;
        finished(table);
        if (failed != null && failed.attempt() < ATTEMPTS && step.detail().contains("SQL_EXCEPTION")) {
          LOG.warn("Resync {} of {}: the source's snapshot failed ({}); signalling it again, attempt {} of {}", id, table,
              step.detail(), failed.attempt() + 1, ATTEMPTS);
          Resync current = coordinator.table(table).flatMap(TableStatus::resync).orElseThrow();
          begin(table, current, failed.attempt() + 1);
          return;
        }
        metrics.resync(table, "failed");
        reportOrThrow(table, id, Resync.State.FAILED, step.detail());
      });
      case ABORTED -> {
        if (inFlight != null && (step.tables().isEmpty() || step.tables().contains(inFlight.table()))) {
          inFlight = null;
        }
      }
      case COMPLETED -> {
        // Each table's end was reported with its scan.
      }
      default -> throw new IllegalStateException("unreachable: " + step.kind());
    }
  }

  private interface ResyncAction {
    void apply(TableId table, String resyncId);
  }

  /** Runs {@code action} for each table of the step that has a resync under way at the coordinator. */
  private void forEachResync(Captured.ResyncStep step, ResyncAction action) {
    for (TableId table : step.tables()) {
      Optional<Resync> resync = coordinator.table(table).flatMap(TableStatus::resync)
          .filter(current -> current.state().inProgress());
      if (resync.isEmpty()) {
        LOG.info("{} of {} matches no resync under way (a snapshot signalled by other means?)", step.kind(), table);
        finished(table);
        continue;
      }
      action.apply(table, resync.get().id());
    }
  }

  private void finished(TableId table) {
    if (inFlight != null && inFlight.table().equals(table)) {
      inFlight = null;
    }
  }

  private void report(TableId table, String resyncId, Resync.State state, String detail) {
    try {
      reportOrThrow(table, resyncId, state, detail);
    } catch (TributaryException e) {
      LOG.warn("The coordinator could not be told that resync {} of {} is {}: {}", resyncId, table, state,
          e.getMessage());
    }
  }

  private void reportOrThrow(TableId table, String resyncId, Resync.State state, String detail) {
    coordinator.reportResync(table, resyncId, state, detail);
    LOG.info("Resync {} of {}: {} ({})", resyncId, table, state, detail);
  }

  /**
   * The signal's data: an incremental snapshot of the table, named by a regular expression that
   * matches Debezium's identifier with or without the database in front.
   */
  static String signalData(TableId table) {
    return signalData(List.of(table));
  }

  /** The signal's data for an incremental snapshot of several tables, read one after the other. */
  static String signalData(List<TableId> tables) {
    List<String> patterns = tables.stream()
        .map(table -> "(?:[^.]+\\.)?" + Pattern.quote(table.schema()) + "\\." + Pattern.quote(table.table()))
        .toList();
    try {
      return JSON.writeValueAsString(Map.of("type", "incremental", "data-collections", patterns));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends signals by inserting them into Debezium's signalling table ({@code id}, {@code type},
   * {@code data}), on a new connection each time.
   */
  static SignalSender throughTable(SourceConnector connector, SourceConfig source, String table) {
    String insert = "INSERT INTO " + table + " (id, type, data) VALUES (?, ?, ?)";
    return signal -> {
      try (Connection connection = connector.connect(source);
          PreparedStatement statement = connection.prepareStatement(insert)) {
        statement.setString(1, signal.id());
        statement.setString(2, signal.type());
        statement.setString(3, signal.data());
        statement.executeUpdate();
        if (!connection.getAutoCommit()) {
          connection.commit();
        }
      } catch (SQLException e) {
        throw new TributaryException(ErrorCode.SOURCE_UNREACHABLE, "Cannot write the signal to " + table
            + " (source.debezium.signal.data.collection): " + e.getMessage(), e);
      }
    };
  }

  /** The tables of the incremental snapshot a committed offset holds, which Debezium resumes. */
  static Set<TableId> resumedTables(List<TableId> tables, Optional<Map<String, Object>> committedOffset) {
    Set<TableId> resumed = new HashSet<>();
    Object collections = committedOffset.map(offset -> offset.get(OFFSET_COLLECTIONS)).orElse(null);
    if (collections == null) {
      return resumed;
    }
    String text = collections.toString();
    for (TableId table : tables) {
      if (text.contains(table.schema() + "." + table.table() + "\"")) {
        resumed.add(table);
      }
    }
    return resumed;
  }
}
