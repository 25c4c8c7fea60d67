package io.tributary.loadtests.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The three files every benchmark leaves in {@code results/<benchmark>/}: {@code result.json} (the
 * machine, the versions, the workload and every figure), {@code plot.svg} and {@code summary.md}.
 * Each run replaces the previous run's files.
 */
public final class ResultFiles {
  public static final String JSON = "result.json";
  public static final String PLOT = "plot.svg";
  public static final String SUMMARY = "summary.md";
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ResultFiles() {}

  /** Writes the three files into {@code directory}, created if missing. */
  public static void write(Path directory, Object result, String plot, String summary) throws IOException {
    Files.createDirectories(directory);
    MAPPER.writeValue(directory.resolve(JSON).toFile(), result);
    Files.writeString(directory.resolve(PLOT), plot);
    Files.writeString(directory.resolve(SUMMARY), summary);
  }
}
