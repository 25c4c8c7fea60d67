package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.debezium.engine.DebeziumEngine;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the existing rows of the captured tables with an incremental snapshot
 * ({@code source.snapshot-mode: incremental}), so that a crash in the middle of a large load resumes
 * where it stopped instead of reading every table again.
 *
 * <p>The engine starts without a snapshot ({@code snapshot.mode=no_data}) and streams at once. Once it
 * does, this sends one {@code execute-snapshot} signal for every table not loaded yet. Debezium reads
 * the tables in primary-key chunks between the changes it streams (watermarks keep the two
 * consistent) and keeps its progress, the tables left and the last key read, in the offset the gateway
 * commits with the changes it staged. A restarted gateway whose committed offset holds such a
 * snapshot signals nothing: Debezium resumes it at the chunk after the last one committed. One whose
 * offset holds none (the signal was sent but not yet committed) signals the tables again.
 *
 * <p>A table read whole is recorded in the state directory ({@code initial-load-complete}) when the
 * end of its scan comes through the stream; a table added to the configuration later is loaded the
 * same way at the next start. The rows read are staged as snapshot reads at positions in the stream,
 * and no resync markers are staged for a table being loaded: there is nothing earlier to replace. A
 * scan that fails is signalled again (three attempts in all, as Debezium's in-process signals can race
 * the streaming thread), then the gateway stops, naming the table: a restart tries it again.
 */
final class InitialLoad implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InitialLoad.class);
  static final long POLL_MILLIS = 1000;

  private final String source;
  private final StateDirectory state;
  private final Clock clock;
  private final Set<TableId> loading = ConcurrentHashMap.newKeySet();
  private final Map<TableId, Integer> attempts = new ConcurrentHashMap<>();
  /** Tables whose failed scan is to be signalled again, by the attempt it will be. */
  private final Map<TableId, Integer> retries = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;
  private volatile boolean signalled;
  private ResyncDriver.SignalSender signals;
  private BooleanSupplier streaming;

  /**
   * @param tables the captured tables
   * @param committedOffset the offset the engine starts from, which holds a snapshot it resumes
   */
  InitialLoad(String source, List<TableId> tables, StateDirectory state, Optional<Map<String, Object>> committedOffset,
      Clock clock) {
    this.source = requireNonNull(source, "source is null");
    this.state = requireNonNull(state, "state is null");
    this.clock = requireNonNull(clock, "clock is null");
    Set<TableId> loaded = state.initiallyLoaded();
    for (TableId table : tables) {
      if (!loaded.contains(table)) {
        loading.add(table);
      }
    }
    Set<TableId> resumed = ResyncDriver.resumedTables(tables, committedOffset);
    // Debezium resumes a snapshot its offset holds; tables to load that it does not hold join it.
    this.signalled = !resumed.isEmpty();
    if (signalled) {
      loading.stream().filter(table -> !resumed.contains(table)).forEach(table -> retries.put(table, 1));
    }
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-gateway-" + source + "-initial-load");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts: signals the snapshot of the tables to load once the engine streams.
   *
   * @param signals delivers signals (it may throw while the engine cannot take them yet)
   * @param streaming whether the engine streams
   */
  void start(ResyncDriver.SignalSender signals, BooleanSupplier streaming) {
    this.signals = requireNonNull(signals, "signals is null");
    this.streaming = requireNonNull(streaming, "streaming is null");
    if (loading.isEmpty()) {
      LOG.info("Source {}: every table's existing rows are loaded", source);
      return;
    }
    if (signalled) {
      LOG.info("Source {} resumes the initial load of {} where it stopped", source, loading);
    }
    thread.scheduleWithFixedDelay(this::signalWhenStreaming, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Whether {@code table}'s existing rows are still to be read. */
  boolean loading(TableId table) {
    return loading.contains(table);
  }

  /** Whether every table's existing rows are read. */
  boolean complete() {
    return loading.isEmpty();
  }

  /**
   * Takes a step of an incremental snapshot from the change stream, on the engine's thread, after
   * whatever it staged: a table read whole is recorded as loaded, a failed scan is signalled again.
   *
   * @throws TributaryException when a table's scan failed {@value ResyncDriver#ATTEMPTS} times
   */
  void onStep(Captured.ResyncStep step) {
    for (TableId table : step.tables()) {
      if (!loading.contains(table)) {
        continue;
      }
      switch (step.kind()) {
        case CAPTURED -> {
          state.markInitiallyLoaded(table);
          loading.remove(table);
          LOG.info("Initial load of {}: {}; {} table(s) left", table, step.detail(), loading.size());
        }
        case FAILED -> retry(table, step.detail());
        default -> {
          // STARTED, ABORTED and COMPLETED change nothing here: each table ends with its own scan.
        }
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  private void retry(TableId table, String detail) {
    int attempt = attempts.merge(table, 1, Integer::sum) + 1;
    if (attempt > ResyncDriver.ATTEMPTS) {
      throw new TributaryException(ErrorCode.SOURCE_UNREACHABLE, "The initial load of " + table + " failed "
          + ResyncDriver.ATTEMPTS + " times (" + detail + "); the gateway stops. Restarting it loads the table again"
          + " from its last committed chunk; the source's log names the cause.");
    }
    LOG.warn("Initial load of {} failed ({}); signalling it again, attempt {} of {}", table, detail, attempt,
        ResyncDriver.ATTEMPTS);
    // Sent from this object's thread, not the engine's.
    retries.put(table, attempt);
  }

  private void signalWhenStreaming() {
    if (!streaming.getAsBoolean()) {
      return;
    }
    if (!signalled) {
      List<TableId> tables = new ArrayList<>(loading);
      tables.sort(null);
      if (send(tables, "")) {
        signalled = true;
        LOG.info("Source {}: initial load of {} asked of the source as an incremental snapshot", source, tables);
      }
      return;
    }
    for (Map.Entry<TableId, Integer> retry : retries.entrySet()) {
      if (send(List.of(retry.getKey()), "-" + retry.getValue())) {
        retries.remove(retry.getKey(), retry.getValue());
      }
    }
  }

  private boolean send(List<TableId> tables, String suffix) {
    try {
      signals.send(new DebeziumEngine.Signal("initial-load-" + clock.millis() + suffix, "execute-snapshot",
          ResyncDriver.signalData(tables), Map.of()));
      return true;
    } catch (RuntimeException e) {
      LOG.info("Initial load of {} waits: the source takes no signal yet ({})", tables, e.getMessage());
      return false;
    }
  }
}
