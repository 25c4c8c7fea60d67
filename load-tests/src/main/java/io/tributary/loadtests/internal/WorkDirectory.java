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

  /** Copies the tree {@code from} to {@code to}, which must not exist yet. Uses the JDK only (the Spark peer calls it). */
  public static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
