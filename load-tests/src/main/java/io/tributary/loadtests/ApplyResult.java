package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.Environment;
import java.util.List;
import java.util.Map;

/**
 * What benchmark {@code apply} measured: the applier against Spark with delta-spark applying the
 * same batches of changes to copies of the same table (upsert), and the applier against plain
 * parquet-java writing the same new rows (insert). Written as {@code result.json}; times in seconds,
 * megabytes are 10^6 bytes.
 *
 * @param startedAt when the run started (ISO-8601, UTC)
 * @param runSeconds how long the whole run took, JVM starts, staging and checks included
 * @param versions what ran: Tributary, Delta Kernel, parquet-java, Spark, delta-spark
 */
public record ApplyResult(String benchmark, String startedAt, double runSeconds, Environment.Machine machine,
    Map<String, String> versions, Workload workload, Setup setup, Figures figures, Verdict verdict, List<Run> runs,
    List<Double> loadAverages) {

  public ApplyResult {
    requireNonNull(machine, "machine is null");
    versions = Map.copyOf(versions);
    runs = List.copyOf(runs);
    loadAverages = List.copyOf(loadAverages);
  }

  /**
   * The work of both parts.
   *
   * @param tableRows rows of the table the upsert batches are applied to
   * @param updatePercent share of each batch's changes that update an existing key (the rest insert
   *     new keys or delete existing ones, as the other two shares say)
   * @param expectedRows rows the table holds after the batches
   * @param initialFiles data files of the initial table (loaded by the applier, copied for Spark)
   * @param insertRows rows of the insert part, written in batches of {@code insertBatchRows}
   */
  public record Workload(long tableRows, int batches, int changesPerBatch, int updatePercent, int insertPercent,
      int deletePercent, long expectedRows, long initialFiles, long insertRows, int insertBatchRows, int columns) {}

  /**
   * How it ran.
   *
   * @param tributary the applier's path, in words
   * @param spark the peer's setup, in words
   * @param merge the statement the peer applies each batch with
   * @param parquet how the insert part's peer writes
   * @param codec the compression of the applier's data files (and so of Spark's and parquet-java's)
   * @param schemaMatches whether parquet-java's files have exactly the schema of the applier's data files
   */
  public record Setup(String method, List<String> tributaryJvmOptions, List<String> sparkJvmOptions, String tributary,
      String spark, String merge, String parquet, String codec, long rowGroupBytes, boolean schemaMatches) {
    public Setup {
      tributaryJvmOptions = List.copyOf(tributaryJvmOptions);
      sparkJvmOptions = List.copyOf(sparkJvmOptions);
    }
  }

  /**
   * Medians over the repeats.
   *
   * @param upsertRatio the applier's changes per second over Spark's
   * @param insertRatio the applier's rows per second over parquet-java's
   */
  public record Figures(double tributaryChangesPerSecond, double sparkChangesPerSecond, double upsertRatio,
      double upsertTarget, double tributaryRowsPerSecond, double parquetRowsPerSecond, double tributaryMegabytesPerSecond,
      double parquetMegabytesPerSecond, double insertRatio, double insertTarget) {}

  /** Whether both sides ran to the end and the tables they made hold the expected rows; each problem in words. */
  public record Verdict(boolean passed, List<String> problems) {
    public Verdict {
      problems = List.copyOf(problems);
    }
  }

  /**
   * One repeat of one system in one part.
   *
   * @param system {@code tributary}, {@code spark} or {@code parquet}
   * @param part {@code upsert} or {@code insert}
   * @param seconds the timed work: the sum of the batches' times
   * @param perSecond changes (upsert) or rows (insert) per second
   * @param megabytesPerSecond data files written per second (insert only)
   * @param batchSeconds each batch's time, in order
   * @param gcSeconds of {@code seconds}, the time the JVM spent in collection pauses
   * @param cpuSeconds the CPU time the JVM used during {@code seconds}, on all its threads; -1 if it
   *     cannot tell
   */
  public record Run(String system, String part, int repeat, double seconds, double perSecond, double megabytesPerSecond,
      long bytes, long files, List<Double> batchSeconds, double gcSeconds, double cpuSeconds) {
    public Run {
      batchSeconds = List.copyOf(batchSeconds);
    }
  }
}
