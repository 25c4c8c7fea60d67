package io.tributary.cli;

import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every long-running command: its configuration file and its default data directory. */
final class ProcessOptions {
  @Option(names = "--config", required = true, description = "YAML configuration file")
  Path config;

  @Option(names = "--data-dir", defaultValue = "tributary-data",
      description = "Directory for what the process keeps (staging, offsets, Delta tables, the coordinator's store)"
          + " where the configuration names no other place (default: ${DEFAULT-VALUE})")
  Path dataDirectory;

  /** The data directory, absolute. */
  Path dataDirectory() {
    return dataDirectory.toAbsolutePath();
  }

  /** A reader over the configuration file, resolving {@code ${env:...}} from the process environment. */
  ConfigReader read() {
    return ConfigReader.fromYamlFile(config, System::getenv);
  }
}
