package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Applies the batches of several tables at once, each table's on a thread of its own, so that a
 * table is not kept waiting while another's commit is read, written and ratified. Tables are
 * independent: each has its own Delta log, lease and applied position, and no two threads ever work
 * on one table. A single batch runs on the caller's thread.
 */
final class ApplyThreads implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final int threads;
  private final ExecutorService pool;

  /** @param threads the most batches applied at once */
  ApplyThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1: " + threads);
    }
    this.threads = threads;
    this.pool = Executors.newFixedThreadPool(threads, task -> {
      Thread thread = new Thread(task, "tributary-applier-apply-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** How one batch ended: its result or what it threw. */
  record Outcome<R>(R result, RuntimeException failure) {
    /** The result, or the batch's exception thrown again. */
    R get() {
      if (failure != null) {
        throw failure;
      }
      return result;
    }

    static <R> Outcome<R> of(Supplier<R> work) {
      try {
        return new Outcome<>(work.get(), null);
      } catch (RuntimeException e) {
        return new Outcome<>(null, e);
      }
    }
  }

  /**
   * Runs {@code apply} on every entry of {@code batches}, at most {@link #threads} at once, and
   * returns once all are done, in the order of {@code batches}.
   */
  <K, B, R> Map<K, Outcome<R>> run(Map<K, B> batches, BiFunction<K, B, R> apply) {
    requireNonNull(apply, "apply is null");
    Map<K, Outcome<R>> outcomes = new LinkedHashMap<>();
    if (batches.size() <= 1 || threads == 1) {
      batches.forEach((key, batch) -> outcomes.put(key, Outcome.of(() -> apply.apply(key, batch))));
      return outcomes;
    }
    Map<K, Future<Outcome<R>>> running = new LinkedHashMap<>();
    batches.forEach((key, batch) -> running.put(key, pool.submit(() -> Outcome.of(() -> apply.apply(key, batch)))));
    boolean interrupted = false;
    for (Map.Entry<K, Future<Outcome<R>>> entry : running.entrySet()) {
      // Every batch is waited for, even after an interrupt: none may still run when this returns.
      while (true) {
        try {
          outcomes.put(entry.getKey(), entry.getValue().get());
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          // Outcome.of catches every RuntimeException; an Error ends here.
          outcomes.put(entry.getKey(), new Outcome<>(null, new IllegalStateException("Applying a batch failed: " + e.getCause(), e.getCause())));
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return outcomes;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
