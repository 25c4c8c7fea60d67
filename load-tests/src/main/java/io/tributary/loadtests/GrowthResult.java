package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.Environment;
import java.util.List;

/**
 * What the growth benchmark measured: a fixed-size change batch applied to one table as it grows.
 * Written as {@code result.json}; sizes in bytes, times in milliseconds unless a name says otherwise.
 *
 * @param startedAt when the run started (ISO-8601, UTC)
 * @param runSeconds how long the whole run took
 */
public record GrowthResult(String benchmark, String startedAt, double runSeconds, Machine machine, Workload workload,
    List<Step> steps, Verdict verdict) {

  public GrowthResult {
    requireNonNull(machine, "machine is null");
    requireNonNull(workload, "workload is null");
    steps = List.copyOf(steps);
    requireNonNull(verdict, "verdict is null");
  }

  /** Where it ran; {@code loadAverage} is the 1-minute load average at the end (-1 where unknown). */
  /** The machine as every benchmark records it, the benchmark's heap bound and the load average at the end. */
  public record Machine(int cores, long memoryBytes, String cpu, String os, String jvm, long maxHeapBytes,
      double loadAverage) {
    public static Machine of(Environment.Machine machine, long maxHeapBytes, double loadAverage) {
      return new Machine(machine.cores(), machine.memoryBytes(), machine.cpu(), machine.os(), machine.jvm(), maxHeapBytes,
          loadAverage);
    }
  }

  /**
   * The load: a table grown from {@code startRows} to {@code endRows} rows in {@code steps} steps; at
   * each, one batch of {@code changes} changes (updates of existing keys drawn by each distribution,
   * and {@code insertShare} of them inserts of new keys) is applied per distribution, then compaction
   * runs. Data files are cut at {@code targetFileSize}.
   */
  public record Workload(String table, long startRows, long endRows, int steps, int changes, double insertShare,
      double zipfExponent, long hotKeys, long targetFileSize, List<String> distributions) {
    public Workload {
      distributions = List.copyOf(distributions);
    }
  }

  /** One size of the table: its files before the batches, each batch, and the compaction after them. */
  public record Step(long tableRows, Files files, List<Batch> batches, Compaction compaction) {
    public Step {
      batches = List.copyOf(batches);
    }
  }

  /** The table's live data files. */
  public record Files(int count, long bytes, long minBytes, long medianBytes, long maxBytes) {}

  /**
   * One change batch applied through the applier's write path and committed through the coordinator.
   *
   * @param rowsChanged distinct rows the batch inserted or updated (repeated keys are reduced to one)
   * @param filesRead data files the batch read because their key ranges may hold its keys
   * @param filesRewritten data files the batch removed to write their rows again
   * @param filesMarked data files in which the batch marked rows deleted with a deletion vector
   * @param bytesRewritten bytes of the files rewritten
   * @param bytesWritten bytes of the files the batch added and of its deletion vectors
   */
  public record Batch(String distribution, int changes, long rowsChanged, double applyMillis, long filesRead,
      long filesRewritten, long filesMarked, long filesAdded, long bytesRewritten, long bytesWritten,
      double bytesWrittenPerChangedRow, double microsPerChangedRow) {}

  /** What compaction did after the step's batches; zeros when it found nothing to do. */
  public record Compaction(boolean ran, int filesIn, int filesOut, long bytesIn, double millis) {}

  /** Whether the run completed with the table holding every row it should; the problems otherwise. */
  public record Verdict(boolean passed, List<String> problems) {
    public Verdict {
      problems = List.copyOf(problems);
    }
  }
}
