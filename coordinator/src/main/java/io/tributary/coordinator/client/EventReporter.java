package io.tributary.coordinator.client;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.CoordinatorEvent;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a component's events (a gateway's snapshot completed, an applier's fenced table, failures)
 * to the coordinator's event log without holding up the caller's thread: reports wait in a small
 * queue, and one that cannot be delivered is only logged. Without a coordinator it does nothing.
 */
public final class EventReporter implements Consumer<CoordinatorEvent.Report>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventReporter.class);
  private static final int QUEUE = 100;

  private final Optional<CoordinatorClient> coordinator;
  private final ThreadPoolExecutor executor;

  /** @param threadName the name of the thread that delivers the reports */
  public EventReporter(Optional<CoordinatorClient> coordinator, String threadName) {
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    requireNonNull(threadName, "threadName is null");
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public void accept(CoordinatorEvent.Report report) {
    if (coordinator.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          coordinator.get().report(report);
        } catch (RuntimeException e) {
          LOG.debug("Cannot report a {} event to the coordinator: {}", report.type(), e.toString());
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("Dropped a {} event: the report queue is full or closed", report.type());
    }
  }

  /** Delivers what is queued (bounded), then stops. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
