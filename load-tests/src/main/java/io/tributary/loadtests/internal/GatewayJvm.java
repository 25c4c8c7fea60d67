package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway under test, run as it is deployed: {@code java -jar tributary.jar gateway --config FILE}
 * (what the {@code tributary} script runs) in its own JVM, capturing {@link WideRows#TABLE} from the benchmark's PostgreSQL into staging under its
 * directory and announcing on a topic of the benchmark's Kafka broker. The source password reaches
 * it through the environment, as a deployment's secrets do.
 */
public final class GatewayJvm implements AutoCloseable {
  /** The source name, the first part of the captured table's id. */
  public static final String SOURCE = "bench";
  /** The system property naming the launcher jar. */
  public static final String LAUNCHER_PROPERTY = "tributary.launcher";
  /** The environment variable a configuration written here reads the source password from. */
  public static final String PASSWORD_VARIABLE = "BENCH_SOURCE_PASSWORD";
  private static final Pattern OPS_URI = Pattern.compile("probes and metrics at (http://\\S+)");

  private final ChildJvm process;
  private final Path dataDirectory;
  private volatile URI opsUri;

  private GatewayJvm(ChildJvm process, Path dataDirectory) {
    this.process = process;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Where one gateway reads and writes: its slot, its publication and its manifest topic, and what
   * it reads before streaming ({@code source.snapshot-mode}).
   */
  public record Target(String slot, String publication, String topic, String snapshotMode) {
    public Target {
      requireNonNull(slot, "slot is null");
      requireNonNull(publication, "publication is null");
      requireNonNull(topic, "topic is null");
      requireNonNull(snapshotMode, "snapshotMode is null");
    }

    /** Streaming from an existing slot without a snapshot. */
    public Target(String slot, String publication, String topic) {
      this(slot, publication, topic, "no_data");
    }
  }

  /**
   * Writes the configuration into {@code directory} and starts the gateway with {@code jvmOptions};
   * its log is {@code gateway.log} there.
   */
  public static GatewayJvm start(BenchmarkServers servers, Target target, Path directory, List<String> jvmOptions)
      throws IOException {
    Path config = writeConfiguration(servers, target, directory);
    Path data = directory.resolve("data");
    List<String> command = new ArrayList<>(jvmOptions);
    command.addAll(List.of("-jar", launcherJar().toString(), "gateway", "--config", config.toString(), "--data-dir",
        data.toString()));
    ChildJvm process = ChildJvm.start("gateway", command,
        Map.of(PASSWORD_VARIABLE, servers.postgres().superuserPassword(), "TRIBUTARY_LOG_LEVEL", "INFO"),
        directory.resolve("gateway.log"));
    return new GatewayJvm(process, data);
  }

  /**
   * The launcher jar the gateway runs from: system property {@value #LAUNCHER_PROPERTY} (the build sets
   * it), else {@code ../cli/target/tributary.jar}.
   *
   * @throws IllegalStateException if it is not there, saying how to build it
   */
  public static Path launcherJar() {
    Path jar = Path.of(System.getProperty(LAUNCHER_PROPERTY, "../cli/target/tributary.jar")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("The launcher jar " + jar + " is missing: build it with"
          + " 'mvn -pl cli -am package -DskipTests' (or name another with -D" + LAUNCHER_PROPERTY + "=...)");
    }
    return jar;
  }

  /**
   * The gateway's configuration: the defaults a deployment gets, except for the target's slot,
   * publication, topic and snapshot mode, and its metrics on a free port.
   */
  public static Path writeConfiguration(BenchmarkServers servers, Target target, Path directory) throws IOException {
    Files.createDirectories(directory);
    Path config = directory.resolve("gateway.yaml");
    Files.writeString(config, sourceSection(servers, List.of(WideRows.TABLE), "slot-name: " + target.slot(),
        "publication-name: " + target.publication(), "snapshot-mode: " + target.snapshotMode()) + """
        gateway:
          listen-port: 0
        kafka:
          bootstrap-servers: %s
          topic: %s
        """.formatted(servers.bootstrapServers(), target.topic()));
    return config;
  }

  /**
   * The {@code source} section of every benchmark configuration: source {@link #SOURCE}, the
   * benchmark PostgreSQL's database (connector named) as its superuser, whose password comes from
   * {@link #PASSWORD_VARIABLE}, capturing {@code tables}; {@code keys} are further keys of the
   * section, such as {@code "slot-name: bench_slot"}.
   */
  public static String sourceSection(BenchmarkServers servers, List<String> tables, String... keys) {
    StringBuilder section = new StringBuilder("""
        source:
          name: %s
          connector: postgresql
          host: 127.0.0.1
          port: %d
          database: %s
          user: %s
          password: ${env:%s}
          tables: [%s]
        """.formatted(SOURCE, servers.postgres().port(), BenchmarkServers.DATABASE, servers.postgres().superuser(),
        PASSWORD_VARIABLE, String.join(", ", tables)));
    for (String key : keys) {
      section.append("  ").append(key).append('\n');
    }
    return section.toString();
  }

  /**
   * Waits until the gateway streams (it prints so once its engine polls the source) and returns that
   * line; its {@code /metrics} address is known from then on.
   */
  public ChildJvm.TimedLine awaitRunning(Duration timeout) throws InterruptedException {
    ChildJvm.TimedLine running = process.awaitLine(line -> line.startsWith("Gateway for source"), timeout);
    Matcher uri = OPS_URI.matcher(running.text());
    if (uri.find()) {
      opsUri = URI.create(uri.group(1));
    }
    return running;
  }

  /** The base address of the gateway's probes and metrics, once it runs. */
  public Optional<URI> opsUri() {
    return Optional.ofNullable(opsUri);
  }

  public ChildJvm process() {
    return process;
  }

  /** The gateway's data directory (state and staging). */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Where the gateway stages segments with the configuration above. */
  public Path stagingDirectory() {
    return dataDirectory.resolve("staging");
  }

  /** Whether the gateway's output reports that its JVM ran out of memory. */
  public boolean ranOutOfMemory() {
    return process.printed("OutOfMemoryError");
  }

  /** JVM options shared by every benchmark's gateway: the heap bound, and what proves what it did. */
  public static List<String> jvmOptions(String heap, Path directory) {
    List<String> options = new ArrayList<>();
    options.add("-Xmx" + heap);
    options.add(GcLog.option(directory.resolve("gc.log")));
    // An exhausted heap ends the process at once (exit code 3), with a heap dump to find what filled it.
    options.add("-XX:+ExitOnOutOfMemoryError");
    options.add("-XX:+HeapDumpOnOutOfMemoryError");
    options.add("-XX:HeapDumpPath=" + directory.resolve("gateway-oom.hprof"));
    return options;
  }

  @Override
  public void close() {
    process.close();
  }
}
