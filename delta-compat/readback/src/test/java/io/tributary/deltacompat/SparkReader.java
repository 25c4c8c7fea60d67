package io.tributary.deltacompat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Reads Delta tables with delta-spark in Spark local mode, in a JVM of its own whose classpath is
 * Spark's (listed by the spark-reader module's build), so that neither side's Hadoop, Parquet or
 * Jackson replaces the other's. All tables of one call are read by one Spark session.
 */
final class SparkReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  /**
   * One table to read, at its latest version or at {@code version}; with a {@code where} condition,
   * only the rows Spark's filtered scan returns (data files skipped by their statistics).
   */
  record Request(String name, URI location, OptionalLong version, Optional<String> where) {}

  /** A column as Spark sees it: its name, Spark's type name and its Delta field metadata (where given). */
  record SparkColumn(String name, String type, JsonNode metadata) {}

  /**
   * What Spark read: the version and columns read, every row as exact text (see SparkTableDump) and
   * how many data files the scan read; and the table's latest version, protocol and columns with
   * their Delta metadata, and (for a plain read of the latest version) whether the version's checksum
   * file agrees with the state delta-spark computes from the log.
   */
  record SparkTable(long version, List<SparkColumn> columns, List<List<String>> rows, long filesRead, long latestVersion,
      int minReaderVersion, int minWriterVersion, List<String> tableFeatures, List<SparkColumn> latestColumns,
      boolean checksumValid) {}

  private SparkReader() {}

  static Map<String, SparkTable> read(Path workDirectory, List<Request> requests) throws IOException,
      InterruptedException {
    Path output = Files.createDirectories(workDirectory.toAbsolutePath());
    ArrayNode requestsJson = JSON.createArrayNode();
    for (Request request : requests) {
      ObjectNode json = requestsJson.addObject().put("name", request.name()).put("table", request.location().toString());
      request.version().ifPresent(version -> json.put("version", version));
      request.where().ifPresent(where -> json.put("where", where));
    }
    Path requestsFile = output.resolve("requests.json");
    JSON.writeValue(requestsFile.toFile(), requestsJson);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(property("spark-reader.jvm-options").trim().split("\\s+")));
    command.add("-Djava.io.tmpdir=" + Files.createDirectories(output.resolve("tmp")));
    command.add("-cp");
    command.add(property("spark-reader.classes") + File.pathSeparator
        + Files.readString(Path.of(property("spark-reader.classpath-file"))).trim());
    command.add("io.tributary.deltacompat.SparkTableDump");
    command.add(requestsFile.toString());
    command.add(output.toString());
    Path log = output.resolve("spark-reader.log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // Spark's own address for itself, which it would otherwise take from a network interface.
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    try {
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("Spark did not read the tables within " + TIMEOUT + "; its log: " + log);
      }
    } finally {
      process.destroyForcibly();
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("Spark failed to read the tables (exit " + process.exitValue() + "):\n"
          + tail(log));
    }
    Map<String, SparkTable> tables = new LinkedHashMap<>();
    for (Request request : requests) {
      tables.put(request.name(), parse(output.resolve(request.name() + ".json")));
    }
    return tables;
  }

  private static SparkTable parse(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    JsonNode header = JSON.readTree(lines.get(0));
    List<String> features = new ArrayList<>();
    header.get("tableFeatures").forEach(feature -> features.add(feature.asText()));
    List<SparkColumn> columns = columns(header.get("columns"));
    List<List<String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      List<String> row = new ArrayList<>();
      JSON.readTree(line).forEach(value -> row.add(value.isNull() ? null : value.asText()));
      rows.add(row);
    }
    return new SparkTable(header.get("version").asLong(), columns, rows, header.get("filesRead").asLong(),
        header.get("latestVersion").asLong(),
        header.get("minReaderVersion").asInt(), header.get("minWriterVersion").asInt(), features,
        columns(header.get("latestColumns")), header.path("checksumValid").asBoolean(false));
  }

  private static List<SparkColumn> columns(JsonNode array) {
    List<SparkColumn> columns = new ArrayList<>();
    array.forEach(column -> columns.add(new SparkColumn(column.get("name").asText(), column.get("type").asText(),
        column.path("metadata"))));
    return columns;
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("System property " + name + " is not set: run the test through Maven ("
          + "mvn -pl delta-compat/readback -am verify), which builds the Spark reader and sets it");
    }
    return value;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
