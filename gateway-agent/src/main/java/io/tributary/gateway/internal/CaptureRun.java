package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.spi.OffsetCommitPolicy;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.gateway.GatewayConfig;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a gateway: the state directory lock, staging store, manifest producer, segment
 * pipeline and Debezium engine, with the three threads it owns ({@code <name>-engine} runs the engine,
 * {@code <name>-roller} rolls segments by age when no change arrives, {@code <name>-table-watch} checks
 * at every heartbeat interval that the captured tables still exist, see {@link TableWatch}). Built by
 * {@link #start}, which runs the start-up checks first; {@link #close} releases everything within a
 * bound.
 */
public final class CaptureRun {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureRun.class);

  private final GatewayConfig config;
  private final StateDirectory stateDirectory;
  private final StagingStore store;
  private final KafkaManifestSink sink;
  private final SegmentPipeline<ChangeEvent<SourceRecord, SourceRecord>> pipeline;
  private final ChangeBatchHandler handler;
  private final Consumer<Throwable> onFailure;
  private final Runnable onStopped;
  private final CountDownLatch streaming = new CountDownLatch(1);
  private final CountDownLatch engineFinished = new CountDownLatch(1);
  private final AtomicReference<Throwable> engineFailure = new AtomicReference<>();
  private final ExecutorService engineThread;
  private final ScheduledExecutorService roller;
  private final ScheduledExecutorService tableWatch;
  /** The check {@link #tableWatch} runs, once launched; it keeps a connection to the source. */
  private volatile TableWatch watch;
  private final Optional<ResyncDriver> resyncs;
  private final Optional<InitialLoad> initialLoad;
  private DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
  private boolean closed;

  private CaptureRun(GatewayConfig config, StateDirectory stateDirectory, StagingStore store, KafkaManifestSink sink,
      SegmentPipeline<ChangeEvent<SourceRecord, SourceRecord>> pipeline, ChangeBatchHandler handler,
      Optional<ResyncDriver> resyncs, Optional<InitialLoad> initialLoad, Consumer<Throwable> onFailure,
      Runnable onStopped) {
    this.config = config;
    this.resyncs = resyncs;
    this.initialLoad = initialLoad;
    this.stateDirectory = stateDirectory;
    this.store = store;
    this.sink = sink;
    this.pipeline = pipeline;
    this.handler = handler;
    this.onFailure = onFailure;
    this.onStopped = onStopped;
    String prefix = "tributary-gateway-" + config.source().name();
    this.engineThread = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, prefix + "-engine"));
    this.roller = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, prefix + "-roller");
      thread.setDaemon(true);
      return thread;
    });
    this.tableWatch = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, prefix + "-table-watch");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Whether the gateway's state directory holds a committed offset past the snapshot, so that the
   * next run streams from the replication slot (read without locking the directory).
   */
  public static boolean hasCommittedOffsetPastSnapshot(GatewayConfig config) {
    try {
      return OffsetFile.committedOffset(config.stateDirectory().resolve("offsets.json"),
          EngineProperties.engineName(config)).map(ChangeBatchHandler::isPastSnapshot).orElse(false);
    } catch (IOException | RuntimeException e) {
      throw GatewayErrors.offsetCommitFailed(config.stateDirectory().resolve("offsets.json"),
          "it cannot be read (" + e.getMessage() + ")");
    }
  }

  /**
   * Locks the state directory, runs the start-up checks, opens staging and the producer and starts
   * the engine. On failure everything opened is closed again.
   *
   * @param coordinator where resyncs are asked for and reported; without one, the gateway runs none
   * @param onFailure told of the first failure of the engine or the roller
   * @param onStopped told when the engine ends by itself without an error
   */
  public static CaptureRun start(GatewayConfig config, SourceConnector connector, Clock clock, GatewayMetrics metrics,
      Optional<CoordinatorClient> coordinator, Consumer<Throwable> onFailure, Runnable onStopped) {
    DefaultTimeZone.requireUtc(TimeZone.getDefault());
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      StateDirectory stateDirectory = StateDirectory.open(config.stateDirectory());
      opened.push(stateDirectory);
      String engineName = EngineProperties.engineName(config);
      Optional<Map<String, Object>> committed = stateDirectory.committedOffset(engineName);
      boolean snapshotPending = committed.map(offset -> !ChangeBatchHandler.isPastSnapshot(offset)).orElse(true);
      Map<TableId, List<String>> keys = connector.preflight(config, !snapshotPending);
      if (config.source().incrementalInitialLoad()) {
        checkIncrementalLoad(config, connector, keys);
      }
      ManifestTopic.ensure(config.kafka());
      connector.prepare(config, snapshotPending);
      if (snapshotPending && !config.source().debeziumSnapshotMode().equals("no_data")) {
        metrics.snapshotStarting(connector.estimateRows(config), config.source().tables());
      }
      StagingStore store = StagingStore.open(config.staging(), clock);
      opened.push(store);
      KafkaManifestSink sink = new KafkaManifestSink(config.kafka(), engineName, config.segments().commitGroups(),
          config.source().connector().positionFormat());
      opened.push(sink);
      List<TableId> tables = config.source().tables();
      PositionExtractor positions = connector.positions(
          new SnapshotSequencer(stateDirectory::nextSnapshotEpoch, () -> highestStaged(store, tables)));
      Optional<InitialLoad> initialLoad = config.source().incrementalInitialLoad()
          ? Optional.of(new InitialLoad(config.source().name(), tables, stateDirectory, committed, clock))
          : Optional.empty();
      initialLoad.ifPresent(opened::push);
      if (initialLoad.isPresent() && !initialLoad.get().complete()) {
        // The progress gauges of an incremental initial load, as of a blocking snapshot.
        metrics.snapshotStarting(connector.estimateRows(config),
            tables.stream().filter(initialLoad.get()::loading).toList());
      }
      RecordMapper mapper = new RecordMapper(config.source().name(), keys, positions, clock,
          EngineProperties.unavailablePlaceholder(config), config.source().unsupportedTypes(),
          table -> lastStagedSchema(store, table),
          config.source().signalTable(), table -> initialLoad.map(load -> load.loading(table)).orElse(false));
      SegmentPipeline<ChangeEvent<SourceRecord, SourceRecord>> pipeline =
          new SegmentPipeline<>(store, sink, config.segments(), clock, metrics);
      opened.push(pipeline);
      Optional<ResyncDriver> resyncs = coordinator.map(client -> new ResyncDriver(config.source().name(), tables, client,
          connector.resyncUnavailable(config), committed, metrics));
      resyncs.ifPresent(opened::push);
      ChangeBatchHandler handler = new ChangeBatchHandler(pipeline, mapper, metrics,
          () -> stateDirectory.committedOffset(engineName), stateDirectory.offsetFile(),
          ChangeBatchHandler.startsBehindSnapshot(committed, config.source().debeziumSnapshotMode()),
          clock, config.offsetCommitInterval(), step -> {
            metrics.incrementalSnapshot(step);
            initialLoad.ifPresent(load -> load.onStep(step));
            resyncs.ifPresent(driver -> driver.onStep(step));
          });
      CaptureRun run = new CaptureRun(config, stateDirectory, store, sink, pipeline, handler, resyncs, initialLoad,
          onFailure, onStopped);
      run.launch(connector, clock, TableWatch.of(config.source(), () -> connector.connect(config.source()), metrics));
      return run;
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  /**
   * Refuses an incremental initial load that cannot run: Debezium reads such a snapshot in primary
   * key chunks and needs a way to be signalled.
   */
  private static void checkIncrementalLoad(GatewayConfig config, SourceConnector connector,
      Map<TableId, List<String>> keys) {
    List<TableId> keyless = keys.entrySet().stream().filter(entry -> entry.getValue().isEmpty())
        .map(Map.Entry::getKey).sorted().toList();
    if (!keyless.isEmpty()) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "source.snapshot-mode: incremental reads tables in"
          + " primary key chunks, and " + keyless + " have no primary key: give them one, or use"
          + " source.snapshot-mode: initial");
    }
    Optional<String> unavailable = connector.resyncUnavailable(config);
    if (unavailable.isPresent()) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "source.snapshot-mode: incremental cannot run: "
          + unavailable.get());
    }
  }

  private void launch(SourceConnector connector, Clock clock, TableWatch watch) {
    this.watch = watch;
    engine = DebeziumEngine.create(Connect.class)
        .using(EngineProperties.of(config, connector, stateDirectory.offsetFile()))
        .using(OffsetCommitPolicy.always())
        .using(clock)
        .using(new DebeziumEngine.ConnectorCallback() {
          @Override
          public void pollingStarted() {
            streaming.countDown();
          }
        })
        .using((success, message, error) -> engineEnded(success, message, error))
        .notifying(handler)
        .build();
    engineThread.execute(engine);
    ResyncDriver.SignalSender signals = config.source().signalTable()
        .map(table -> ResyncDriver.throughTable(connector, config.source(), table))
        .orElse(signal -> engine.getSignaler().signal(signal));
    // Signals wait until the engine polls: before that, the source's replication slot may not exist
    // yet, and a signal row written then would never be streamed to it.
    BooleanSupplier engineStreams = () -> streaming.getCount() == 0 && handler.streaming();
    initialLoad.ifPresent(load -> load.start(signals, engineStreams));
    // One incremental snapshot at a time: resyncs wait until the initial load is complete.
    resyncs.ifPresent(driver -> driver.start(signals,
        () -> engineStreams.getAsBoolean() && initialLoad.map(InitialLoad::complete).orElse(true)));
    // A segment is rolled within a fiftieth of its age bound after it is due (or at the end of the batch of
    // changes that finds it due): that delay adds to every change's latency, and a check costs next to nothing.
    long tick = Math.max(5, Math.min(1000, config.segments().maxAge().toMillis() / 50));
    roller.scheduleWithFixedDelay(this::rollExpired, tick, tick, TimeUnit.MILLISECONDS);
    long watchInterval = config.heartbeatInterval().toMillis();
    tableWatch.scheduleWithFixedDelay(watch::check, watchInterval, watchInterval, TimeUnit.MILLISECONDS);
    LOG.info("Capturing {} from {} (database {}) into {}, announcing on {} at {}", config.source().tables(),
        config.source().address(), config.source().database(), config.staging().location(), config.kafka().topic(),
        config.kafka().bootstrapServers());
  }

  /**
   * Waits until the engine streams (or snapshots).
   *
   * @throws TributaryException the engine's failure, or if it did not start within {@code timeout}
   */
  /** Whether the engine runs and streams changes: its snapshot, if it had one, is complete and committed. */
  public boolean isStreaming() {
    return engineFinished.getCount() > 0 && handler.streaming();
  }

  public void awaitStreaming(Duration timeout) {
    try {
      if (!streaming.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new TributaryException(ErrorCode.SOURCE_UNREACHABLE, "The capture engine of source "
            + config.source().name() + " did not start within " + timeout.toMillis() + " ms (gateway.startup-timeout)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TributaryException(ErrorCode.INTERNAL, "Interrupted while starting the capture engine", e);
    }
    Throwable failure = engineFailure.get();
    if (failure != null) {
      throw asTributary(failure);
    }
  }

  /** Announces every open segment and marks the final frontier, within {@code timeout}. */
  public void drain(Duration timeout) {
    try {
      if (handler.drain(timeout)) {
        LOG.info("Announced every open segment of source {} before stopping", config.source().name());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("Interrupted while announcing open segments; they will be captured again on restart");
    } catch (RuntimeException e) {
      LOG.warn("Could not announce open segments before stopping ({}); they will be captured again on restart",
          e.getMessage(), e);
    }
  }

  /** Stops the engine and releases everything, waiting at most about {@code timeout}. Idempotent. */
  public synchronized void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    roller.shutdownNow();
    tableWatch.shutdownNow();
    if (watch != null) {
      watch.close();
    }
    initialLoad.ifPresent(InitialLoad::close);
    resyncs.ifPresent(ResyncDriver::close);
    stopEngine(timeout);
    engineThread.shutdownNow();
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    resources.push(stateDirectory);
    resources.push(store);
    resources.push(() -> sink.close(Duration.ofSeconds(5)));
    resources.push(pipeline);
    closeAll(resources);
  }

  private void stopEngine(Duration timeout) {
    long remaining = timeout.toMillis();
    try {
      while (engineFinished.getCount() > 0 && remaining > 0) {
        try {
          engine.close();
          break;
        } catch (IllegalStateException e) {
          // The engine is starting its tasks, which it refuses to interrupt, or already stopping.
          engineFinished.await(100, TimeUnit.MILLISECONDS);
          remaining -= 100;
        } catch (IOException e) {
          LOG.warn("Stopping the capture engine failed: {}", e.getMessage(), e);
          break;
        }
      }
      if (!engineFinished.await(Math.max(remaining, 1000), TimeUnit.MILLISECONDS)) {
        LOG.warn("The capture engine of source {} did not stop within {} ms", config.source().name(), timeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The highest position staged for the source's tables (by earlier processes), if any was. */
  private static Optional<SourcePosition> highestStaged(StagingStore store, List<TableId> tables) {
    Optional<SourcePosition> highest = Optional.empty();
    for (TableId table : tables) {
      for (URI segment : store.listSegments(table)) {
        SourcePosition last = StagingStore.lastPositionOf(segment);
        if (highest.isEmpty() || last.isAfter(highest.get())) {
          highest = Optional.of(last);
        }
      }
    }
    return highest;
  }

  /** The schema of a table's last staged segment, if it has one. */
  private static Optional<TableSchema> lastStagedSchema(StagingStore store, TableId table) {
    List<URI> segments = store.listSegments(table);
    if (segments.isEmpty()) {
      return Optional.empty();
    }
    try (SegmentReader reader = store.openSegment(table, segments.get(segments.size() - 1))) {
      return Optional.of(reader.schema());
    }
  }

  private void rollExpired() {
    try {
      pipeline.rollExpired();
    } catch (RuntimeException e) {
      onFailure.accept(e);
    }
  }

  private void engineEnded(boolean success, String message, Throwable error) {
    if (!success) {
      Throwable failure = error != null ? error : new TributaryException(ErrorCode.INTERNAL, message);
      engineFailure.compareAndSet(null, failure);
      onFailure.accept(asTributary(failure));
    } else {
      LOG.info("Capture engine of source {} ended: {}", config.source().name(), message);
      onStopped.run();
    }
    engineFinished.countDown();
    streaming.countDown();
  }

  private TributaryException asTributary(Throwable error) {
    return engineFailure(config.source().name(), error);
  }

  /**
   * The error a failed engine reports: the gateway's own one if it caused the failure, else one naming
   * the engine's message and the deepest message among its causes.
   */
  static TributaryException engineFailure(String source, Throwable error) {
    if (error instanceof TributaryException tributary) {
      return tributary;
    }
    Throwable root = error;
    // The deepest message says what went wrong (a value, a DDL statement); parser errors end in causes without one.
    String cause = null;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof TributaryException) {
        break;
      }
      root = root.getCause();
      cause = root.getMessage() != null ? root.getMessage() : cause;
    }
    if (root instanceof TributaryException tributary) {
      return tributary;
    }
    return new TributaryException(ErrorCode.INTERNAL, "The capture engine of source " + source + " failed: "
        + error.getMessage() + (cause != null ? " (" + cause + ")" : ""), error);
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("Releasing {} failed: {}", resource, e.getMessage(), e);
      }
    }
  }
}
