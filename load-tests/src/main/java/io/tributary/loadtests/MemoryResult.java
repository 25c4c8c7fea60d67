package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.Environment;
import java.util.List;

/**
 * What the memory benchmark measured: one large transaction through a gateway with a bounded heap.
 * Written as {@code result.json}; sizes in bytes, times in seconds unless a name says otherwise.
 *
 * @param startedAt when the run started (ISO-8601, UTC)
 * @param runSeconds how long the whole run took, servers included
 */
public record MemoryResult(String benchmark, String startedAt, double runSeconds, Environment environment,
    Workload workload, Gateway gateway, Figures figures, Verdict verdict, List<Sample> samples,
    List<Collection> collections) {

  public MemoryResult {
    requireNonNull(environment, "environment is null");
    samples = List.copyOf(samples);
    collections = List.copyOf(collections);
  }

  /**
   * The load: {@code rows} inserted and, with {@code updateAll}, each updated, in one transaction.
   *
   * @param averageRowBytes a row's size as PostgreSQL stores it
   * @param walBytes the WAL the transaction wrote
   * @param loadSeconds how long the transaction took, up to its commit
   */
  public record Workload(String table, long rows, boolean updateAll, long changes, long averageRowBytes, long walBytes,
      double loadSeconds) {}

  /** How the gateway ran: its command and JVM options, and the garbage collector the JVM chose. */
  public record Gateway(String command, List<String> jvmOptions, String collector) {
    public Gateway {
      jvmOptions = List.copyOf(jvmOptions);
    }
  }

  /**
   * The figures.
   *
   * @param heapUsedMaxBytes the most heap in use in any sample of {@code /metrics} (garbage included)
   * @param heapAfterGcMaxBytes the most heap held right after a collection: what the gateway really kept
   * @param heapAfterGcLowestByTenthBytes for each tenth of the capture (commit to last change staged), the
   *     least heap held right after a collection: level when the transaction does not pile up on the heap
   * @param nonHeapUsedMaxBytes the most non-heap memory in use in any sample (metaspace, code cache)
   * @param rssMaxBytes the most resident memory the kernel saw ({@code VmHWM})
   * @param rssBeforeLoadBytes resident memory of the running gateway just before the transaction
   * @param committedAtSeconds when the transaction committed, in seconds since the gateway's JVM was started
   * @param stagedAtSeconds when its last change was staged and announced, likewise; -1 if it never was
   * @param captureSeconds from the transaction's commit until its last change was staged and announced
   * @param changesPerSecond changes staged per second of {@code captureSeconds}
   * @param gatewayCpuSeconds CPU time the gateway's JVM used, all threads
   * @param exitCode the gateway's exit code after SIGTERM (143 when it stopped cleanly); 3 means it ran out of memory
   */
  public record Figures(long heapLimitBytes, long heapUsedMaxBytes, long heapAfterGcMaxBytes, long heapBeforeGcMaxBytes,
      List<Long> heapAfterGcLowestByTenthBytes, long nonHeapUsedMaxBytes, long rssMaxBytes, long rssBeforeLoadBytes,
      long collectionPauses, long fullCollections, double collectionPauseSeconds, double committedAtSeconds,
      double stagedAtSeconds, double captureSeconds,
      double changesPerSecond, double gatewayCpuSeconds, long rowsAnnounced, long rowsStaged, long insertsStaged,
      long updatesStaged, long distinctKeysStaged, boolean positionsIncrease, long segments, long stagedBytes,
      boolean outOfMemory, int exitCode) {
    public Figures {
      heapAfterGcLowestByTenthBytes = List.copyOf(heapAfterGcLowestByTenthBytes);
    }
  }

  /** Whether every change was staged and the heap held; each problem in words. */
  public record Verdict(boolean passed, List<String> problems) {
    public Verdict {
      problems = List.copyOf(problems);
    }
  }

  /**
   * One sample of the gateway's memory; a figure not yet served is -1.
   *
   * @param seconds since the gateway's JVM was started
   */
  public record Sample(double seconds, long rssBytes, long heapUsedBytes, long heapCommittedBytes,
      long nonHeapUsedBytes, double cpuSeconds, long changesCaptured, long rowsAnnounced) {}

  /**
   * One garbage-collection pause from the gateway's GC log.
   *
   * @param seconds since the gateway's JVM started
   */
  public record Collection(double seconds, String kind, long beforeBytes, long afterBytes, double pauseMillis) {}
}
