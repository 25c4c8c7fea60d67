package io.tributary.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fresh data directories for integration tests, under {@code target/it-data/}. */
final class ItDirectories {
  private ItDirectories() {}

  static Path fresh(String prefix) {
    try {
      Path parent = Files.createDirectories(Path.of("target", "it-data"));
      return Files.createTempDirectory(parent, prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
