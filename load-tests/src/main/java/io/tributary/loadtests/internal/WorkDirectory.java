package io.tributary.loadtests.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A benchmark's work directory: emptied before each run, so that nothing of an earlier run is measured. */
public final class WorkDirectory {
  private WorkDirectory() {}

  /** Deletes {@code directory} with everything in it, and creates it again, empty. */
  public static Path emptied(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (Stream<Path> paths = Files.walk(directory)) {
        for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(each);
        }
      }
    }
    return Files.createDirectories(directory);
  }
}
