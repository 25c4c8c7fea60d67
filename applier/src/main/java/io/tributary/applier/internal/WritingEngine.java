package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.defaults.engine.hadoopio.HadoopFileIO;
import io.delta.kernel.engine.Engine;
import org.apache.hadoop.conf.Configuration;

/**
 * Kernel's default engine, with the Hadoop configuration it was made with kept at hand: the applier
 * writes data files itself ({@link ParquetDataFile}) to the same file systems, with the same settings.
 */
public final class WritingEngine extends DefaultEngine {
  private final Configuration hadoop;
  private final HadoopFileIO fileIO;

  public WritingEngine(Configuration hadoop) {
    this(new HadoopFileIO(requireNonNull(hadoop, "hadoop is null")), hadoop);
  }

  private WritingEngine(HadoopFileIO fileIO, Configuration hadoop) {
    super(fileIO);
    this.fileIO = fileIO;
    this.hadoop = hadoop;
  }

  public Configuration hadoop() {
    return hadoop;
  }

  /** The file access Kernel's own readers and writers of this engine use. */
  HadoopFileIO fileIO() {
    return fileIO;
  }

  /** {@code engine} as a writing engine. */
  static WritingEngine of(Engine engine) {
    if (engine instanceof WritingEngine writing) {
      return writing;
    }
    throw new IllegalArgumentException("Data files are written with an engine from DeltaEngines.forWriting, not "
        + engine.getClass().getName());
  }
}
