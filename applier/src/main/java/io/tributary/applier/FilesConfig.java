package io.tributary.applier;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.ConfigReader;
import java.time.Duration;

/**
 * How an applier lays out a table's data files and compacts them: files are written sorted by key
 * and split near {@code targetSize}; the lease holder of a table rewrites its small or overlapping
 * files into target-size, key-sorted ones, between batches, in commits that change no data. See
 * {@code docs/files.md}.
 *
 * @param targetSize the size a data file is cut at, in bytes (Parquet, compressed)
 * @param compaction whether small-file compaction runs
 * @param smallFileSize a file below this size is small, in bytes
 * @param minSmallFiles the fewest small (or key-overlapping) files that make a compaction worth a commit
 * @param maxBytesPerRun the most bytes of files one compaction reads and rewrites
 * @param checkInterval how often, at most, a table's files are looked at for compaction
 * @param deletionVectors whether the tables the applier creates have deletion vectors, so that a
 *     batch marks the rows it changes instead of rewriting the files holding them
 */
public record FilesConfig(long targetSize, boolean compaction, long smallFileSize, int minSmallFiles,
    long maxBytesPerRun, Duration checkInterval, boolean deletionVectors) {

  public static final long DEFAULT_TARGET_SIZE = 128L << 20;
  public static final int DEFAULT_MIN_SMALL_FILES = 8;
  public static final long DEFAULT_MAX_BYTES_PER_RUN = 1L << 30;
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMinutes(1);
  /** The defaults: 128 MiB files, compaction of at least 8 files under 32 MiB, 1 GiB per run, checked every minute. */
  public static final FilesConfig DEFAULT = withTargetSize(DEFAULT_TARGET_SIZE);

  public FilesConfig {
    requireNonNull(checkInterval, "checkInterval is null");
    if (targetSize < 1) {
      throw new IllegalArgumentException("targetSize must be >= 1: " + targetSize);
    }
    if (smallFileSize < 0 || smallFileSize > targetSize) {
      throw new IllegalArgumentException("smallFileSize must be between 0 and targetSize (" + targetSize + "): "
          + smallFileSize);
    }
    if (minSmallFiles < 2) {
      throw new IllegalArgumentException("minSmallFiles must be >= 2: " + minSmallFiles);
    }
    if (maxBytesPerRun < 1) {
      throw new IllegalArgumentException("maxBytesPerRun must be >= 1: " + maxBytesPerRun);
    }
    if (checkInterval.isNegative()) {
      throw new IllegalArgumentException("checkInterval must be >= 0: " + checkInterval);
    }
  }

  /** These settings, with new tables given deletion vectors. */
  public FilesConfig(long targetSize, boolean compaction, long smallFileSize, int minSmallFiles, long maxBytesPerRun,
      Duration checkInterval) {
    this(targetSize, compaction, smallFileSize, minSmallFiles, maxBytesPerRun, checkInterval, true);
  }

  /** Files cut at {@code targetSize}, small below a quarter of it, other settings their defaults. */
  public static FilesConfig withTargetSize(long targetSize) {
    return new FilesConfig(targetSize, true, targetSize / 4, DEFAULT_MIN_SMALL_FILES,
        Math.max(DEFAULT_MAX_BYTES_PER_RUN, 8 * targetSize), DEFAULT_CHECK_INTERVAL);
  }

  /** These settings without compaction. */
  public FilesConfig withoutCompaction() {
    return new FilesConfig(targetSize, false, smallFileSize, minSmallFiles, maxBytesPerRun, checkInterval,
        deletionVectors);
  }

  /** These settings checking for compaction every {@code interval}. */
  public FilesConfig withCheckInterval(Duration interval) {
    return new FilesConfig(targetSize, compaction, smallFileSize, minSmallFiles, maxBytesPerRun, interval,
        deletionVectors);
  }

  /** These settings compacting as soon as {@code files} small files exist. */
  public FilesConfig withMinSmallFiles(int files) {
    return new FilesConfig(targetSize, compaction, smallFileSize, files, maxBytesPerRun, checkInterval,
        deletionVectors);
  }

  /** These settings, with new tables written without deletion vectors (every change rewrites its files). */
  public FilesConfig withoutDeletionVectors() {
    return new FilesConfig(targetSize, compaction, smallFileSize, minSmallFiles, maxBytesPerRun, checkInterval, false);
  }

  /** Reads {@code applier.files.*} and {@code applier.compaction.*}. */
  static FilesConfig from(ConfigReader applier) {
    ConfigReader files = applier.section("files");
    long target = files.longValue("target-size", DEFAULT_TARGET_SIZE, 1024, Long.MAX_VALUE,
        "Size in bytes a data file is cut at: a batch's rewritten and new rows are written sorted by key into files of"
            + " about this size");
    boolean deletionVectors = files.bool("deletion-vectors", true,
        "Whether the tables the applier creates have deletion vectors (Delta reader version 3, writer version 7): a"
            + " batch then marks the rows it updates or deletes instead of rewriting their files. Off for readers"
            + " without deletion-vector support; a table keeps what it was created with");
    ConfigReader compaction = applier.section("compaction");
    boolean enabled = compaction.bool("enabled", true,
        "Whether the applier rewrites a table's small or key-overlapping files into target-size ones, between batches,"
            + " in commits that change no data");
    long small = compaction.longValue("small-file-size", target / 4, 0, target,
        "A data file below this size in bytes is small (default: a quarter of applier.files.target-size)");
    int minFiles = compaction.integer("min-files", DEFAULT_MIN_SMALL_FILES, 2,
        "The fewest small files that make a compaction run (files whose key ranges overlap always do)");
    long maxBytes = compaction.longValue("max-bytes", Math.max(DEFAULT_MAX_BYTES_PER_RUN, 8 * target), 1024,
        Long.MAX_VALUE, "The most bytes of files one compaction reads and rewrites (default: 1 GiB, or 8 target sizes"
            + " if more)");
    Duration interval = compaction.duration("check-interval", DEFAULT_CHECK_INTERVAL, Duration.ZERO,
        "How often, at most, a table's files are looked at for compaction, after a batch of it is applied");
    return new FilesConfig(target, enabled, Math.min(small, target), minFiles, maxBytes, interval, deletionVectors);
  }
}
