package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.client.EventReporter;
import io.tributary.gateway.internal.CaptureRun;
import io.tributary.gateway.internal.DefaultTimeZone;
import io.tributary.gateway.internal.EngineProperties;
import io.tributary.gateway.internal.GatewayMetrics;
import io.tributary.gateway.internal.ManifestTopic;
import io.tributary.gateway.internal.SourceConnector;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: captures one source database with Debezium, stages its changes as segments,
 * announces them on Kafka and only then commits the capture position (see {@code ChangeBatchHandler}
 * for the durability chain). The composition root of the {@code gateway} deployable.
 *
 * <p>Lifecycle: {@link #start()} runs the start-up checks ({@link #preflight}) and returns once the
 * engine is streaming; {@link #close()} announces what is staged, commits, and stops, within
 * {@code gateway.shutdown-timeout}. A failure anywhere stops the gateway ({@link State#FAILED}) with
 * the error in {@link #status()}; nothing after the failure is committed, so a restart resumes
 * without loss.
 */
public final class GatewayService implements AutoCloseable {
  /** The states of a gateway; each transition is logged. */
  public enum State {
    NEW,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED
  }

  private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);

  private final GatewayConfig config;
  private final Clock clock;
  private final SourceConnector connector;
  private final GatewayMetrics metrics;
  private final EventReporter events;
  private final Optional<CoordinatorClient> coordinator;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch startFinished = new CountDownLatch(1);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile CaptureRun run;

  public GatewayService(GatewayConfig config, Clock clock, MeterRegistry registry) {
    this(config, clock, registry, Optional.empty());
  }

  /**
   * A gateway that also tells the coordinator's event log when a snapshot completes and when it
   * fails, and runs the resyncs the coordinator asks of its source.
   */
  public GatewayService(GatewayConfig config, Clock clock, MeterRegistry registry,
      Optional<CoordinatorClient> coordinator) {
    this.config = requireNonNull(config, "config is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.connector = SourceConnector.of(config.source().connector());
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.events = new EventReporter(coordinator,
        "tributary-gateway-" + config.source().name() + "-events");
    this.metrics = new GatewayMetrics(requireNonNull(registry, "registry is null"), clock, events);
    metrics.lifecycle(State.class, state::get, () -> run != null && run.isStreaming());
  }

  /**
   * Checks, without starting anything, that the source database, its tables and Kafka are usable,
   * and creates the manifest topic when missing.
   *
   * @throws TributaryException SOURCE_AUTH_FAILED, SOURCE_UNREACHABLE, TABLE_NOT_FOUND,
   *     MISSING_PRIMARY_KEY, KAFKA_UNREACHABLE or CONFIG_INVALID (also when the JVM's default time
   *     zone is not UTC), saying what to fix
   */
  public static void preflight(GatewayConfig config) {
    DefaultTimeZone.requireUtc(TimeZone.getDefault());
    SourceConnector connector = SourceConnector.of(config.source().connector());
    boolean streaming = CaptureRun.hasCommittedOffsetPastSnapshot(config);
    connector.preflight(config, streaming);
    ManifestTopic.ensure(config.kafka());
  }

  /**
   * Runs the start-up checks, then starts capturing; returns once the engine is running.
   *
   * @throws TributaryException if a check fails or the engine does not start; the gateway is then
   *     {@link State#FAILED} and holds no resources
   */
  public void start() {
    transition(State.NEW, State.STARTING);
    try {
      CaptureRun started = CaptureRun.start(config, connector, clock, metrics, coordinator, this::failed,
          this::engineStopped);
      run = started;
      started.awaitStreaming(config.startupTimeout());
      if (!state.compareAndSet(State.STARTING, State.RUNNING)) {
        throw failure().orElseGet(() -> new TributaryException(ErrorCode.INTERNAL, "The gateway stopped while starting"));
      }
      LOG.info("Gateway {} state STARTING -> RUNNING: capturing {} tables of {}", config.source().name(),
          config.source().tables().size(), config.source().address());
    } catch (RuntimeException e) {
      failed(e);
      release();
      throw e instanceof TributaryException tributary ? tributary
          : new TributaryException(ErrorCode.INTERNAL, "Gateway " + config.source().name() + " failed to start: " + e, e);
    } finally {
      startFinished.countDown();
    }
  }

  /**
   * Stops the gateway: announces the open segments, commits the final position and stops the
   * engine, within {@code gateway.shutdown-timeout}; what does not make it in time is captured
   * again on restart. Idempotent.
   */
  @Override
  public void close() {
    if (state.compareAndSet(State.NEW, State.STOPPED)) {
      LOG.info("Gateway {} state NEW -> STOPPED", config.source().name());
      terminated.countDown();
      metrics.close();
      events.close();
      return;
    }
    awaitLatch(startFinished, config.startupTimeout());
    if (state.compareAndSet(State.RUNNING, State.STOPPING)) {
      LOG.info("Gateway {} state RUNNING -> STOPPING", config.source().name());
      CaptureRun current = run;
      if (current != null) {
        current.drain(config.shutdownTimeout());
      }
    }
    release();
    if (state.compareAndSet(State.STOPPING, State.STOPPED)) {
      LOG.info("Gateway {} state STOPPING -> STOPPED", config.source().name());
    }
    metrics.close();
    events.close();
  }

  /** The current state. */
  public State state() {
    return state.get();
  }

  /** State, failure and counters. */
  public GatewayStatus status() {
    return new GatewayStatus(state.get(), failure().map(Throwable::getMessage), metrics.eventsCaptured(),
        metrics.segmentsStaged(), metrics.bytesStaged(), metrics.offsetCommits(), metrics.tables());
  }

  /** The error that stopped the gateway, if one did. */
  public Optional<TributaryException> failure() {
    Throwable error = failure.get();
    if (error == null) {
      return Optional.empty();
    }
    return Optional.of(error instanceof TributaryException tributary ? tributary
        : new TributaryException(ErrorCode.INTERNAL, "Gateway " + config.source().name() + " failed: " + error, error));
  }

  /** Waits until the gateway has stopped, by {@link #close()} or by a failure; returns whether it has. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The Debezium engine's name, under which its offsets are committed. */
  public String engineName() {
    return EngineProperties.engineName(config);
  }

  private void failed(Throwable error) {
    for (State current = state.get(); current == State.STARTING || current == State.RUNNING; current = state.get()) {
      if (state.compareAndSet(current, State.FAILED)) {
        failure.compareAndSet(null, error);
        LOG.info("Gateway {} state {} -> FAILED", config.source().name(), current);
        LOG.error("Gateway {} stopped: {}", config.source().name(), error.getMessage(), error);
        events.accept(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.ERROR, Optional.empty(),
            CoordinatorEvent.Severity.ERROR, "Gateway of source " + config.source().name() + " stopped: "
                + error.getMessage(), Map.of("source", config.source().name(), "code",
                error instanceof TributaryException tributary ? tributary.code().name() : ErrorCode.INTERNAL.name())));
        if (current == State.RUNNING) {
          Thread stopper = new Thread(this::release, "tributary-gateway-" + config.source().name() + "-stopper");
          stopper.start();
        }
        return;
      }
    }
    if (failure.get() != error) {
      LOG.warn("Gateway {} ({}): {}", config.source().name(), state.get(), error.getMessage(), error);
    }
  }

  private void engineStopped() {
    // The engine ended without an error while the gateway was running (snapshot.mode=initial_only).
    if (state.get() == State.RUNNING) {
      Thread stopper = new Thread(this::close, "tributary-gateway-" + config.source().name() + "-stopper");
      stopper.start();
    }
  }

  private synchronized void release() {
    CaptureRun current = run;
    if (current != null) {
      current.close(config.shutdownTimeout());
    }
    terminated.countDown();
  }

  private void transition(State from, State to) {
    if (!state.compareAndSet(from, to)) {
      throw new IllegalStateException("Gateway " + config.source().name() + " cannot go from " + state.get() + " to " + to);
    }
    LOG.info("Gateway {} state {} -> {}", config.source().name(), from, to);
  }

  private static void awaitLatch(CountDownLatch latch, Duration timeout) {
    try {
      latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
