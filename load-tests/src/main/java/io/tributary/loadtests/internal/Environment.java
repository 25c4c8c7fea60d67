package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Where and with what a benchmark ran: the machine (cores, memory, CPU, OS, JVM) and the versions of
 * Tributary, Debezium, Kafka and PostgreSQL. Recorded with every result, since figures mean nothing
 * without them.
 */
public record Environment(Machine machine, Versions versions) {
  /** The machine the benchmark ran on; its processes shared it. */
  public record Machine(int cores, long memoryBytes, String cpu, String os, String jvm) {
    public Machine {
      requireNonNull(cpu, "cpu is null");
      requireNonNull(os, "os is null");
      requireNonNull(jvm, "jvm is null");
    }
  }

  /** The versions the benchmark ran; Debezium's is the one its connector reports at run time. */
  public record Versions(String tributary, String debezium, String kafka, String postgresql) {
    public Versions {
      requireNonNull(tributary, "tributary is null");
      requireNonNull(debezium, "debezium is null");
      requireNonNull(kafka, "kafka is null");
      requireNonNull(postgresql, "postgresql is null");
    }
  }

  public Environment {
    requireNonNull(machine, "machine is null");
    requireNonNull(versions, "versions is null");
  }

  /** This machine and this build, with the version of the PostgreSQL server behind {@code source}. */
  public static Environment describe(Connection source) throws SQLException {
    return new Environment(thisMachine(), versions(source));
  }

  /**
   * A markdown section naming the machine and versions, when the run started and how long it took,
   * and the command that repeats it.
   */
  public String markdown(String startedAt, double runSeconds, String command) {
    return String.format(Locale.ROOT, """
        ## Where and how

        - Machine: %d cores (%s), %.1f GiB memory, %s; %s
        - Versions: Tributary %s, Debezium %s, Kafka %s, PostgreSQL %s
        - Run: started %s, took %.0f s in all (servers, load, measurement)
        - Repeat with: `%s`
        """, machine.cores(), machine.cpu(), machine.memoryBytes() / (1024.0 * 1024 * 1024), machine.os(), machine.jvm(),
        versions.tributary(), versions.debezium(), versions.kafka(), versions.postgresql(), startedAt, runSeconds, command);
  }

  /** The machine's 1-minute load average ({@code /proc/loadavg}), -1 where there is none. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** This machine: cores, memory, CPU model, OS and JVM. */
  public static Machine thisMachine() {
    String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
    String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    return new Machine(Runtime.getRuntime().availableProcessors(), memoryBytes(), cpuModel(), os, jvm);
  }

  /** The versions the build recorded ({@code versions.properties}: tributary, kafka, delta-kernel, parquet, spark, ...). */
  public static Properties builtVersions() {
    Properties built = new Properties();
    try (InputStream in = Environment.class.getResourceAsStream("/io/tributary/loadtests/versions.properties")) {
      if (in != null) {
        built.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the build's versions", e);
    }
    return built;
  }

  private static Versions versions(Connection source) throws SQLException {
    Properties built = builtVersions();
    String postgres;
    try (Statement statement = source.createStatement(); ResultSet result = statement.executeQuery("SHOW server_version")) {
      result.next();
      postgres = result.getString(1);
    }
    return new Versions(built.getProperty("tributary", "unknown"), io.debezium.connector.postgresql.Module.version(),
        built.getProperty("kafka", "unknown"), postgres);
  }

  /** MemTotal of {@code /proc/meminfo}; 0 where there is none. */
  private static long memoryBytes() {
    return procLine(Path.of("/proc/meminfo"), "MemTotal:")
        .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
        .orElse(0L);
  }

  private static String cpuModel() {
    return procLine(Path.of("/proc/cpuinfo"), "model name")
        .map(line -> line.substring(line.indexOf(':') + 1).trim())
        .orElse(System.getProperty("os.arch"));
  }

  private static Optional<String> procLine(Path file, String prefix) {
    if (!Files.isReadable(file)) {
      return Optional.empty();
    }
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(line -> line.startsWith(prefix)).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
