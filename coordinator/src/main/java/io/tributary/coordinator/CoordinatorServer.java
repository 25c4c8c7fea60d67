package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coordinator.internal.ApiHandler;
import io.tributary.coordinator.internal.CoordinatorMetrics;
import io.tributary.coordinator.internal.CoordinatorService;
import io.tributary.coordinator.internal.CoordinatorStore;
import io.tributary.coordinator.internal.CoordinatorStores;
import io.tributary.coordinator.internal.DashboardHandler;
import io.tributary.coordinator.internal.DeltaLogPublisher;
import io.tributary.coordinator.internal.EventLog;
import io.tributary.coordinator.internal.EventTableExporter;
import io.tributary.coordinator.internal.FileEventLog;
import io.tributary.coordinator.internal.PostgresCoordinatorStore;
import io.tributary.coordinator.internal.ProbeHandler;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit service as an HTTP/JSON server: table registry, writer leases with fencing epochs and
 * commit ratification over its store (the embedded file store, or PostgreSQL shared with other
 * coordinators), plus {@code /healthz}, {@code /readyz} and {@code /metrics}. The composition root of the coordinator: {@link #start} builds and starts
 * every part, {@link #close()} stops them.
 */
public final class CoordinatorServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorServer.class);
  private static final int HTTP_THREADS = 8;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RECOVERY_INTERVAL = Duration.ofSeconds(30);
  private static final Duration EVENT_CLEANUP_INTERVAL = Duration.ofMinutes(10);

  /** The server's lifecycle; each transition is logged. */
  public enum State {
    STARTING,
    RUNNING,
    CLOSING,
    CLOSED
  }

  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final CoordinatorStore store;
  private final DeltaLogPublisher publisher;
  private final CoordinatorMetrics metrics;
  private final CoordinatorService service;
  private final EventLog events;
  private final Optional<EventTableExporter> exporter;
  private volatile long lastEventCleanup = System.nanoTime();
  private final ScheduledExecutorService exports;
  private final ThreadPoolExecutor executor;
  private final HttpServer http;
  private final URI uri;

  private CoordinatorServer(CoordinatorConfig config, Clock clock, MeterRegistry registry, CoordinatorStore store,
      DeltaLogPublisher publisher) {
    this.store = store;
    this.publisher = publisher;
    // Bound first: a coordinator that cannot listen must not touch the caller's meter registry.
    try {
      InetSocketAddress address = new InetSocketAddress(config.listenHost(), config.listenPort());
      if (config.tls().isPresent()) {
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(config.tls().get().serverContext()));
        this.http = https;
      } else {
        this.http = HttpServer.create(address, 0);
      }
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "The coordinator cannot listen on " + config.listenHost()
          + ":" + config.listenPort() + ": " + e.getMessage() + "; check coordinator.listen-host and listen-port", e);
    }
    this.metrics = new CoordinatorMetrics(registry, store);
    // Coordinators sharing a PostgreSQL store share one event log there; alone, one keeps it on disk.
    this.events = store instanceof PostgresCoordinatorStore shared ? shared.eventLog(config.events().retention())
        : FileEventLog.open(config.dataDir().resolve("events"), clock, config.events().retention(),
            config.events().inMemory());
    metrics.trackEvents(events);
    this.service = new CoordinatorService(store, publisher, metrics, events, clock, config.leaseTtl());
    this.exporter = config.events().tableLocation()
        .map(location -> new EventTableExporter(events, location, config.hadoopProperties()));
    this.exports = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-coordinator-event-export");
      thread.setDaemon(true);
      return thread;
    });
    long interval = config.events().exportInterval().toMillis();
    exporter.ifPresent(export -> exports.scheduleWithFixedDelay(() -> metrics.eventsExported(export.exportNew()),
        interval, interval, TimeUnit.MILLISECONDS));
    // With a shared store, a coordinator that died may leave ratified commits unpublished; any one
    // publishes them, whether or not their tables see another commit.
    exports.scheduleWithFixedDelay(this::recoverAbandoned, RECOVERY_INTERVAL.toMillis(), RECOVERY_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    this.executor = newExecutor();
    http.setExecutor(executor);
    ProbeHandler probes = new ProbeHandler("coordinator", () -> state.get().name(), this::ready, registry);
    http.createContext("/healthz", probes);
    http.createContext("/readyz", probes);
    http.createContext("/metrics", probes);
    http.createContext("/api/", new ApiHandler(service, config.accessTokens(), this::ready, clock));
    http.createContext("/", new DashboardHandler());
    this.uri = uri(config.tls().isPresent() ? "https" : "http", config.listenHost(), http.getAddress().getPort());
  }

  /**
   * Opens the store in {@code config.dataDir()}, starts listening, publishes any commit a crash left
   * ratified but unpublished, and starts answering API calls.
   *
   * @throws TributaryException {@code CONFIG_INVALID} if the address cannot be bound or the data
   *     directory is in use, {@code INTERNAL} if the journal is corrupt
   */
  public static CoordinatorServer start(CoordinatorConfig config, Clock clock, MeterRegistry registry) {
    requireNonNull(config, "config is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(registry, "registry is null");
    return start(config, CoordinatorStores.open(config.store(), config.dataDir()), clock, registry);
  }

  /**
   * Starts over an open {@code store} (which the server then owns and closes, also when starting
   * fails): starts listening, publishes any commit left ratified but unpublished, and starts answering
   * API calls.
   *
   * @throws TributaryException {@code CONFIG_INVALID} if the address cannot be bound
   */
  public static CoordinatorServer start(CoordinatorConfig config, CoordinatorStore store, Clock clock,
      MeterRegistry registry) {
    requireNonNull(config, "config is null");
    requireNonNull(store, "store is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(registry, "registry is null");
    LOG.info("Coordinator is STARTING with its {}", store);
    DeltaLogPublisher publisher = new DeltaLogPublisher(config.hadoopProperties());
    CoordinatorServer server;
    try {
      server = new CoordinatorServer(config, clock, registry, store, publisher);
    } catch (RuntimeException e) {
      closeQuietly(store, publisher, e);
      throw e;
    }
    try {
      server.http.start();
      server.service.recover();
      server.transition(State.STARTING, State.RUNNING);
      LOG.info("Coordinator is RUNNING at {}", server.uri);
      return server;
    } catch (RuntimeException e) {
      try {
        server.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The base URI of the API, e.g. {@code http://127.0.0.1:41234}. */
  public URI uri() {
    return uri;
  }

  /** Where the server is in its lifecycle; the API answers only while {@link State#RUNNING}. */
  public State state() {
    return state.get();
  }

  /** Stops listening, lets calls in progress finish (bounded), and closes the store. Idempotent. */
  @Override
  public void close() {
    State previous = state.getAndUpdate(current -> current == State.CLOSING || current == State.CLOSED ? current : State.CLOSING);
    if (previous == State.CLOSING || previous == State.CLOSED) {
      return;
    }
    LOG.info("Coordinator at {} is CLOSING", uri);
    http.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Coordinator calls still running after {}; interrupting them", CLOSE_TIMEOUT);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    // An export in progress finishes: interrupting Kernel mid-commit only leaves work for the next start.
    exports.shutdown();
    try {
      exports.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // What the last interval did not export yet goes now; the next start would export it anyway.
    exporter.ifPresent(EventTableExporter::exportNew);
    metrics.close();
    events.close();
    RuntimeException failure = null;
    try {
      publisher.close();
    } catch (IOException e) {
      failure = new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot close the coordinator's file systems", e);
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    state.set(State.CLOSED);
    LOG.info("Coordinator at {} is CLOSED", uri);
    if (failure != null) {
      throw failure;
    }
  }

  private void recoverAbandoned() {
    if (state.get() != State.RUNNING) {
      return;
    }
    try {
      service.recoverOlderThan(RECOVERY_INTERVAL);
    } catch (RuntimeException e) {
      LOG.warn("Cannot look for abandoned commits: {}", e.toString());
    }
    long now = System.nanoTime();
    if (now - lastEventCleanup > EVENT_CLEANUP_INTERVAL.toNanos()) {
      lastEventCleanup = now;
      try {
        events.purgeExpired();
      } catch (RuntimeException e) {
        LOG.warn("Cannot delete expired events: {}", e.toString());
      }
    }
  }

  private boolean ready() {
    return state.get() == State.RUNNING && store.healthy();
  }

  private void transition(State from, State to) {
    if (!state.compareAndSet(from, to)) {
      throw new IllegalStateException("Coordinator cannot go from " + state.get() + " to " + to);
    }
  }

  private static ThreadPoolExecutor newExecutor() {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(HTTP_THREADS, HTTP_THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        runnable -> {
          Thread thread = new Thread(runnable, "coordinator-http-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  private static URI uri(String scheme, String host, int port) {
    try {
      return new URI(scheme, null, host, port, null, null, null);
    } catch (URISyntaxException e) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Invalid coordinator listen-host '" + host + "'", e);
    }
  }

  private static void closeQuietly(CoordinatorStore store, DeltaLogPublisher publisher, RuntimeException failure) {
    try {
      publisher.close();
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
