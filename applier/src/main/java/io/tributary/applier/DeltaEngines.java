package io.tributary.applier;

import io.delta.kernel.engine.Engine;
import io.tributary.applier.internal.WritingEngine;
import io.tributary.staging.LocalPermissions;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** The Delta Kernel engine the applier writes tables with. */
public final class DeltaEngines {
  /**
   * The codec of the data files written, unless the staging's Hadoop properties name another
   * ({@code parquet.compression}). Kernel's writer leaves files uncompressed otherwise; Snappy is
   * what other Delta writers use by default and what every Delta reader reads.
   */
  public static final String DEFAULT_COMPRESSION = "SNAPPY";
  /**
   * Kernel's log store for local tables: its default renames through Hadoop's {@code FileContext},
   * which without Hadoop's native library starts a {@code readlink} process for every log file
   * written (each staged commit, checksum and checkpoint). Delta's local log store renames through
   * the {@code FileSystem} API instead. Neither makes a commit exclusive across processes: the
   * coordinator publishes each version put-if-absent itself.
   */
  static final String LOCAL_LOG_STORE_KEY = "io.delta.kernel.logStore.file.impl";
  static final String LOCAL_LOG_STORE = "io.delta.storage.LocalLogStore";

  private DeltaEngines() {}

  /**
   * An engine over Hadoop file systems configured with {@code hadoopProperties} (S3 credentials, Parquet
   * settings and the like), whose configuration the applier's own data-file writer uses too.
   */
  public static Engine forWriting(Map<String, String> hadoopProperties) {
    Configuration hadoop = LocalPermissions.hadoopConfiguration(hadoopProperties);
    hadoop.setIfUnset("parquet.compression", DEFAULT_COMPRESSION);
    hadoop.setIfUnset(LOCAL_LOG_STORE_KEY, LOCAL_LOG_STORE);
    return new WritingEngine(hadoop);
  }
}
