package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle shared by every fixture: a state machine changed by compare-and-set (each
 * transition logged at INFO), serialized start/restart/close, failed starts cleaned up, and a
 * stop bounded by running it on a named thread that is abandoned after the stop timeout.
 */
abstract class AbstractManagedServer implements ManagedServer {
  private static final int LOG_TAIL_LINES = 15;

  private final String name;
  private final Path directory;
  private final Duration stopTimeout;
  private final boolean discardDataOnClose;
  private final AtomicReference<ServerState> state = new AtomicReference<>(ServerState.NEW);
  private final Object lifecycleLock = new Object();
  private final Logger log = LoggerFactory.getLogger(getClass());

  AbstractManagedServer(String name, Path directory, Duration stopTimeout, boolean discardDataOnClose) {
    this.name = requireNonNull(name, "name is null");
    this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
    this.stopTimeout = requirePositive(stopTimeout, "stopTimeout");
    this.discardDataOnClose = discardDataOnClose;
  }

  /** Starts the server; returns once it accepts connections. Called with the lifecycle lock held. */
  abstract void doStart() throws Exception;

  /**
   * Stops whatever {@link #doStart()} started, even partially. Called with the lifecycle lock
   * held, on a separate thread that is abandoned after the stop timeout.
   */
  abstract void doStop() throws Exception;

  /**
   * The directories holding the server's data under {@link #directory()}, deleted by
   * {@code close()} when the server was built to discard its data; never its log.
   */
  abstract List<Path> dataDirectories();

  /** The server's own log file, whose last lines explain a failed start; null if it logs in process. */
  Path logFile() {
    return null;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Path directory() {
    return directory;
  }

  @Override
  public final ServerState state() {
    return state.get();
  }

  @Override
  public final void start() {
    synchronized (lifecycleLock) {
      transition(ServerState.NEW, ServerState.STARTING, "start");
      startNow();
    }
  }

  @Override
  public final void restart() {
    synchronized (lifecycleLock) {
      transition(ServerState.RUNNING, ServerState.STOPPING, "restart");
      try {
        stopNow();
      } catch (FixtureException e) {
        transition(ServerState.STOPPING, ServerState.FAILED, "restart");
        throw e;
      }
      transition(ServerState.STOPPING, ServerState.STARTING, "restart");
      startNow();
    }
  }

  @Override
  public final void close() {
    synchronized (lifecycleLock) {
      ServerState current = state.get();
      if (current == ServerState.STOPPED) {
        return;
      }
      if (current != ServerState.RUNNING) {
        // NEW: nothing ever ran. FAILED: the failed start or restart already stopped it.
        transition(current, ServerState.STOPPED, "close");
        return;
      }
      transition(ServerState.RUNNING, ServerState.STOPPING, "close");
      try {
        stopNow();
        if (discardDataOnClose) {
          discardData();
        }
      } finally {
        transition(ServerState.STOPPING, ServerState.STOPPED, "close");
      }
    }
  }

  @Override
  public String toString() {
    return name + "[" + host() + ":" + port() + ", " + state.get() + ", " + directory + "]";
  }

  private void startNow() {
    long startedAt = System.nanoTime();
    try {
      doStart();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      FixtureException failure = e instanceof FixtureException fixtureFailure
          ? fixtureFailure
          : new FixtureException(
              name + " failed to start on " + host() + ":" + port() + " with data in " + directory
                  + ": " + e.getMessage() + logTail(),
              e);
      try {
        stopNow();
      } catch (FixtureException stopFailure) {
        failure.addSuppressed(stopFailure);
      }
      transition(ServerState.STARTING, ServerState.FAILED, "start");
      throw failure;
    }
    transition(ServerState.STARTING, ServerState.RUNNING, "start");
    log.info("{} is running on {}:{} (started in {} ms, data in {})",
        name, host(), port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), directory);
  }

  private void stopNow() {
    long startedAt = System.nanoTime();
    ExecutorService stopper = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, name + "-stop");
      thread.setDaemon(true);
      return thread;
    });
    try {
      Future<Void> stopped = stopper.submit(() -> {
        doStop();
        return null;
      });
      stopped.get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("{} stopped in {} ms", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
    } catch (TimeoutException e) {
      throw new FixtureException(name + " did not stop within " + stopTimeout + " (data in " + directory
          + "); its stop thread '" + name + "-stop' was abandoned", e);
    } catch (ExecutionException e) {
      throw new FixtureException(name + " did not stop cleanly (data in " + directory + "): "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("Interrupted while stopping " + name, e);
    } finally {
      stopper.shutdown();
    }
  }

  /** Deletes only after a clean stop: a server that may still run keeps its files. */
  private void discardData() {
    for (Path data : dataDirectories()) {
      try {
        deleteRecursively(data);
      } catch (IOException | UncheckedIOException e) {
        log.warn("Could not delete the data of {} in {}: {}", name, data, e.getMessage());
      }
    }
    log.info("{} discarded its data in {}", name, directory);
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private String logTail() {
    Path log = logFile();
    if (log == null || !Files.isRegularFile(log)) {
      return "";
    }
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "; the last lines of " + log + ":\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "; see " + log;
    }
  }

  private void transition(ServerState from, ServerState to, String action) {
    if (!state.compareAndSet(from, to)) {
      throw new IllegalStateException(
          "Cannot " + action + " " + name + ": it is " + state.get() + ", expected " + from);
    }
    log.info("{}: {} -> {}", name, from, to);
  }

  static Duration requirePositive(Duration duration, String what) {
    requireNonNull(duration, what + " is null");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + duration);
    }
    return duration;
  }
}
