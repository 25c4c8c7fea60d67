package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs the per-file work of one batch (decoding its segments and their row groups, reading the data
 * files it rewrites, writing the files it adds) on several threads: Parquet decoding and encoding take
 * most of a copy-on-write commit's time, and the files are independent. Work may start more work: a
 * pool thread that calls {@link #map} does items itself until none is left, so it never waits for a
 * thread that is waiting for it. The calling thread takes part, the others come from one pool of daemon
 * threads per process, one fewer than the processors, shared by every table: on a single processor
 * the work runs on the caller alone.
 */
final class FileWork {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final int HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
  private static final ExecutorService POOL = HELPERS == 0 ? null : Executors.newFixedThreadPool(HELPERS, task -> {
    Thread thread = new Thread(task, "tributary-applier-files-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private FileWork() {}

  /**
   * {@code work} applied to every item, the results in the items' order. Every item's work has ended
   * when this returns, whether it returns or throws; the first failure in item order is thrown, with
   * the others suppressed.
   */
  static <T, R> List<R> map(List<T> items, Function<T, R> work) {
    requireNonNull(work, "work is null");
    if (items.size() <= 1 || POOL == null) {
      List<R> results = new ArrayList<>(items.size());
      for (T item : items) {
        results.add(work.apply(item));
      }
      return results;
    }
    // Items are taken in order from a shared cursor, by the caller and by at most HELPERS pool threads; a
    // helper that starts after the last item is taken ends at once, and nobody waits for it.
    AtomicInteger next = new AtomicInteger();
    CountDownLatch ended = new CountDownLatch(items.size());
    Object[] outcomes = new Object[items.size()];
    Runnable drain = () -> {
      for (int i = next.getAndIncrement(); i < items.size(); i = next.getAndIncrement()) {
        Object outcome;
        try {
          outcome = new Done<>(work.apply(items.get(i)));
        } catch (RuntimeException | Error e) {
          outcome = new Failed(e);
        }
        outcomes[i] = outcome;
        ended.countDown();
      }
    };
    for (int i = 0; i < Math.min(HELPERS, items.size() - 1); i++) {
      POOL.execute(drain);
    }
    drain.run();
    boolean interrupted = false;
    while (true) {
      try {
        // The latch orders each item's outcome before this read of it.
        ended.await();
        break;
      } catch (InterruptedException e) {
        // Every item is waited for, even after an interrupt: none may still run when this returns.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return results(outcomes);
  }

  @SuppressWarnings("unchecked")
  private static <R> List<R> results(Object[] outcomes) {
    Throwable failure = null;
    List<R> results = new ArrayList<>(outcomes.length);
    for (Object outcome : outcomes) {
      if (outcome instanceof Failed failed) {
        if (failure == null) {
          failure = failed.cause();
        } else {
          failure.addSuppressed(failed.cause());
        }
      } else {
        results.add(((Done<R>) outcome).value());
      }
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure != null) {
      throw (Error) failure;
    }
    return results;
  }

  private record Done<R>(R value) {}

  private record Failed(Throwable cause) {}
}
