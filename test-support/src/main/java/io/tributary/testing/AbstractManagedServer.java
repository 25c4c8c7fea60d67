package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle shared by every fixture: a state machine changed by compare-and-set (each
 * transition logged at INFO), serialized start/restart/close, failed starts cleaned up, and a
 * stop bounded by running it on a named thread that is abandoned after the stop timeout.
 */
abstract class AbstractManagedServer implements ManagedServer {
  private final String name;
  private final Path directory;
  private final Duration stopTimeout;
  private final AtomicReference<ServerState> state = new AtomicReference<>(ServerState.NEW);
  private final Object lifecycleLock = new Object();
  private final Logger log = LoggerFactory.getLogger(getClass());

  AbstractManagedServer(String name, Path directory, Duration stopTimeout) {
    this.name = requireNonNull(name, "name is null");
    this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
    this.stopTimeout = requirePositive(stopTimeout, "stopTimeout");
  }

  /** Starts the server; returns once it accepts connections. Called with the lifecycle lock held. */
  abstract void doStart() throws Exception;

  /**
   * Stops whatever {@link #doStart()} started, even partially. Called with the lifecycle lock
   * held, on a separate thread that is abandoned after the stop timeout.
   */
  abstract void doStop() throws Exception;

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
                  + ": " + e.getMessage(),
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
