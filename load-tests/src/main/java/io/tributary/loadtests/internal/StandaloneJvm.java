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
 * The whole pipeline as a single machine runs it: {@code java -jar tributary.jar standalone --config
 * FILE} (gateway, coordinator and applier in one JVM with its embedded Kafka broker) in its own JVM,
 * capturing tables of the benchmark's PostgreSQL into Delta tables under its directory. Every key but
 * the source, staging and tables locations is at its default.
 */
public final class StandaloneJvm implements AutoCloseable {
  private static final Pattern METRICS_AT = Pattern.compile("probes and metrics at (http://\\S+)");

  private final ChildJvm process;
  private final Path tablesDirectory;
  private URI uri;

  private StandaloneJvm(ChildJvm process, Path tablesDirectory) {
    this.process = process;
    this.tablesDirectory = tablesDirectory;
  }

  /**
   * Writes {@code standalone.yaml} into {@code directory} and starts the pipeline with
   * {@code jvmOptions}; its log is {@code standalone.log} there.
   *
   * @param tables the captured tables, {@code schema.table}
   */
  public static StandaloneJvm start(BenchmarkServers servers, List<String> tables, Path directory,
      List<String> jvmOptions) throws IOException {
    Files.createDirectories(directory);
    Path data = directory.resolve("data");
    Path tablesDirectory = data.resolve("delta");
    Path config = directory.resolve("standalone.yaml");
    Files.writeString(config, configuration(servers, tables, data.resolve("staging"), tablesDirectory));
    List<String> command = new ArrayList<>(jvmOptions);
    command.addAll(List.of("-jar", GatewayJvm.launcherJar().toString(), "standalone", "--config", config.toString(),
        "--data-dir", data.toString()));
    ChildJvm process = ChildJvm.start("standalone", command,
        Map.of(GatewayJvm.PASSWORD_VARIABLE, servers.postgres().superuserPassword(), "TRIBUTARY_LOG_LEVEL", "INFO"),
        directory.resolve("standalone.log"));
    return new StandaloneJvm(process, tablesDirectory);
  }

  /** The configuration: the source, where staging and the tables go; the rest at the defaults. */
  static String configuration(BenchmarkServers servers, List<String> tables, Path staging, Path delta) {
    return GatewayJvm.sourceSection(servers, tables) + """
        staging:
          location: %s
        applier:
          tables-location: %s
        """.formatted(staging.toUri(), delta.toUri());
  }

  /** Waits until the pipeline says it runs; its metrics are reachable from then on. */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    ChildJvm.TimedLine running = process.awaitLine(line -> line.startsWith("Tributary standalone running"), timeout);
    Matcher matcher = METRICS_AT.matcher(running.text());
    if (matcher.find()) {
      uri = URI.create(matcher.group(1));
    }
  }

  /** The Delta table of {@code schema.table} of the benchmark's source. */
  public Path tableDirectory(String table) {
    String[] parts = table.split("\\.");
    return tablesDirectory.resolve(GatewayJvm.SOURCE).resolve(parts[0]).resolve(parts[1]);
  }

  /** The pipeline's {@code /metrics} as it reads now; empty when they cannot be read. */
  public Optional<PrometheusText> metrics() {
    return uri == null ? Optional.empty() : PrometheusText.scrape(uri, Duration.ofSeconds(10));
  }

  public ChildJvm process() {
    return requireNonNull(process);
  }

  @Override
  public void close() {
    process.close();
  }
}
