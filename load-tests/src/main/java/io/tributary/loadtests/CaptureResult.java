package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.Medians;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the capture or snapshot benchmark measured: the same changes (capture) or the same table's
 * rows (snapshot) captured by the gateway, by Debezium's embedded engine with a consumer that does
 * nothing (the peer) and by the same with a consumer that reads every value (the reader), each from
 * its own replication slot, run after one another. Written as
 * {@code result.json}; sizes in bytes, times in seconds, megabytes are 10^6 bytes.
 *
 * @param benchmark {@code capture} or {@code snapshot}
 * @param startedAt when the run started (ISO-8601, UTC)
 * @param runSeconds how long the whole run took, servers and load included
 */
public record CaptureResult(String benchmark, String startedAt, double runSeconds, Environment environment,
    Workload workload, Setup setup, Figures figures, Verdict verdict, List<Run> runs) {

  public CaptureResult {
    requireNonNull(environment, "environment is null");
    runs = List.copyOf(runs);
  }

  /**
   * The load, made before any capture ran: small transactions, each inserting 10 rows, updating 5
   * and deleting 2 (capture), or one transaction inserting the table's rows (snapshot).
   *
   * @param sourceBytes what each capture reads: the WAL the load wrote (capture), the table's size on disk (snapshot)
   */
  public record Workload(String table, long changes, long inserts, long updates, long deletes, long transactions,
      long averageRowBytes, long sourceBytes, double loadSeconds) {}

  /**
   * How each ran.
   *
   * @param peerProperties the Debezium properties of the peer and of the reader (the gateway's own for
   *     the same configuration)
   */
  public record Setup(String method, List<String> jvmOptions, String gatewayCommand, String peer, String reader,
      Map<String, String> peerProperties) {
    public Setup {
      jvmOptions = List.copyOf(jvmOptions);
      peerProperties = Map.copyOf(peerProperties);
    }
  }

  /**
   * Medians over the runs of each.
   *
   * @param ratio the gateway's changes per second over the peer's, over the whole capture
   * @param warmRatio the same once both are warmed up ({@link Run#warmChangesPerSecond()})
   * @param target the ratio aimed at
   * @param pairRatios each repeat's gateway changes per second over its peer's, in repeat order: less
   *     swayed by a machine whose speed drifts than the ratio of medians
   * @param gatewayCpuSecondsPerMillionChanges CPU time during the capture per million changes: what
   *     the throughput comes down to when the machine's cores are all busy
   * @param gatewaySourceCpuSecondsPerMillionChanges PostgreSQL's CPU time during the gateway's
   *     captures per million changes (0 if it could not be read)
   * @param gatewayBusyCores the JVM's and PostgreSQL's CPU time during a capture over its length: how
   *     many of the machine's cores they kept busy together
   * @param readerRatio the reader's changes per second over the peer's: what reading every value costs
   *     any consumer on this machine
   * @param readerPairRatios each repeat's reader changes per second over its peer's, in repeat order
   */
  public record Figures(double gatewayChangesPerSecond, double peerChangesPerSecond, double ratio,
      double gatewayWarmChangesPerSecond, double peerWarmChangesPerSecond, double warmRatio, double target,
      double gatewaySourceMegabytesPerSecond, double peerSourceMegabytesPerSecond, double gatewayCaptureSeconds,
      double peerCaptureSeconds, double gatewayCpuSecondsPerMillionChanges, double peerCpuSecondsPerMillionChanges,
      double gatewaySourceCpuSecondsPerMillionChanges, double peerSourceCpuSecondsPerMillionChanges,
      double gatewayBusyCores, double peerBusyCores, List<Double> pairRatios, double readerChangesPerSecond,
      double readerRatio, double readerCpuSecondsPerMillionChanges, List<Double> readerPairRatios) {
    public Figures {
      pairRatios = List.copyOf(pairRatios);
      readerPairRatios = List.copyOf(readerPairRatios);
    }

    /** The median of {@link #pairRatios()}, 0 without any. */
    public double medianPairRatio() {
      return Medians.of(pairRatios.stream().mapToDouble(Double::doubleValue));
    }

    /** The median of {@link #readerPairRatios()}, 0 without any. */
    public double medianReaderPairRatio() {
      return Medians.of(readerPairRatios.stream().mapToDouble(Double::doubleValue));
    }
  }

  /** Whether every run captured every change; each problem in words. Throughput has no threshold here. */
  public record Verdict(boolean passed, List<String> problems) {
    public Verdict {
      problems = List.copyOf(problems);
    }
  }

  /**
   * One capture of the load.
   *
   * @param system {@code gateway}, {@code peer} or {@code reader}
   * @param order its place in its repeat, from 1
   * @param startupSeconds from the JVM's start until the engine polled the source
   * @param captureSeconds from then until the last change was consumed (peer, reader) or staged and announced
   *     (gateway)
   * @param changesPerSecond the changes over the capture seconds
   * @param warmChangesPerSecond changes per second after the first progress point at or past a third of
   *     the changes (the first third warms the JVM up: it compiles the code it runs), until the last
   *     change; points are the peer's and reader's progress lines and the gateway's manifests. 0 without a point
   * @param sourceMegabytesPerSecond the workload's source bytes over the capture seconds
   * @param captureCpuSeconds CPU time of the JVM (all threads) during the capture, to the sampling
   *     interval (half a second)
   * @param sourceCpuSeconds CPU time of PostgreSQL's processes during the capture (the WAL sender
   *     decoding for it, or the process reading the table for a snapshot, and whatever else the server
   *     did meanwhile); -1 if it could not be read
   * @param threadCpuSeconds the same by thread name, digits read as {@code #} (the kernel keeps 15
   *     characters of a name): where the JVM's time went, for instance Debezium's decoding thread
   *     ({@code debezium-postgr}), the engine's thread that hands batches to the consumer
   *     ({@code pool-#-thread-#}), the JIT compilers and the collector
   * @param cpuSeconds CPU time of the JVM over its whole life, start-up included
   * @param peakRssBytes the JVM's highest resident set ({@code VmHWM})
   * @param stagedBytes bytes of segments staged (gateway only)
   * @param loadAverage the machine's 1-minute load average when the capture ended: other work on the
   *     machine shows here
   */
  public record Run(String system, int repeat, int order, boolean completed, double startupSeconds,
      double captureSeconds, long changes, double changesPerSecond, double warmChangesPerSecond,
      double sourceMegabytesPerSecond, double captureCpuSeconds, double sourceCpuSeconds,
      Map<String, Double> threadCpuSeconds,
      double cpuSeconds, long peakRssBytes, long stagedBytes, long segments, int exitCode, double loadAverage) {
    public Run {
      threadCpuSeconds = Collections.unmodifiableMap(new TreeMap<>(threadCpuSeconds));
    }
  }
}
