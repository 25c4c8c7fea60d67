package io.tributary.cli.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps a long-running command alive until SIGTERM or Ctrl-C, or until what it runs stops by
 * itself. The JVM exits as soon as its shutdown hooks return, so the hook waits (bounded) until the
 * command has closed its components: open segments are announced and offsets committed instead of
 * being cut off.
 */
public final class ProcessLifetime implements AutoCloseable {
  private static final Duration CHECK_INTERVAL = Duration.ofMillis(500);

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private Thread hook;

  private ProcessLifetime() {}

  /** Installs the shutdown hook; the hook waits at most {@code shutdownTimeout} for {@link #close()}. */
  public static ProcessLifetime install(Duration shutdownTimeout) {
    ProcessLifetime lifetime = new ProcessLifetime();
    lifetime.hook = new Thread(() -> {
      lifetime.stopRequested.countDown();
      try {
        lifetime.closed.await(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tributary-shutdown");
    Runtime.getRuntime().addShutdownHook(lifetime.hook);
    return lifetime;
  }

  /**
   * Waits until a stop is requested or {@code ended} reports why the components stopped by
   * themselves.
   *
   * @return the reason the components ended, or empty when a stop was requested
   */
  public Optional<String> await(Supplier<Optional<String>> ended) throws InterruptedException {
    while (!stopRequested.await(CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
      Optional<String> reason = ended.get();
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  /** Tells the shutdown hook that the components are closed, or removes it when no stop was requested. */
  @Override
  public void close() {
    closed.countDown();
    if (stopRequested.getCount() > 0) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to; it returns at once now.
      }
    }
  }
}
