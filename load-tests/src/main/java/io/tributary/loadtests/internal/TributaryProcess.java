package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Tributary process run as it is deployed, {@code java -jar tributary.jar <command> --config FILE
 * --data-dir DIR} in a JVM of its own ({@code gateway}, {@code coordinator} or {@code applier}), and
 * what a benchmark reads of it from outside: the address it prints once running, its {@code /metrics}
 * and the CPU time it has used.
 */
public final class TributaryProcess implements AutoCloseable {
  /** Clock ticks per second of {@code /proc/<pid>/stat} ({@code USER_HZ}), 100 on Linux. */
  private static final Pattern ADDRESS = Pattern.compile("(?:probes and metrics at|Coordinator running at) (http://\\S+)");

  private final String name;
  private final ChildJvm process;
  private volatile URI uri;

  private TributaryProcess(String name, ChildJvm process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts {@code tributary <command>} with the configuration {@code config} and the data directory
   * {@code dataDirectory}; its output goes to {@code <name>.log} beside the configuration.
   *
   * @param environment variables the configuration refers to ({@code ${env:NAME}})
   */
  public static TributaryProcess start(String name, String command, Path config, Path dataDirectory,
      List<String> jvmOptions, Map<String, String> environment) throws IOException {
    Files.createDirectories(dataDirectory);
    List<String> arguments = new ArrayList<>(jvmOptions);
    arguments.addAll(List.of("-jar", GatewayJvm.launcherJar().toString(), command, "--config", config.toString(),
        "--data-dir", dataDirectory.toString()));
    Map<String, String> variables = new HashMap<>(environment);
    variables.put("TRIBUTARY_LOG_LEVEL", "INFO");
    ChildJvm process = ChildJvm.start(name, arguments, variables, config.resolveSibling(name + ".log"));
    return new TributaryProcess(name, process);
  }

  /**
   * Waits until the process prints that it runs (a line starting with {@code prefix}) and returns that
   * line; the address of its API or metrics, which the line names, is known from then on.
   */
  public ChildJvm.TimedLine awaitRunning(String prefix, Duration timeout) throws InterruptedException {
    ChildJvm.TimedLine running = process.awaitLine(line -> line.startsWith(prefix), timeout);
    Matcher matcher = ADDRESS.matcher(running.text());
    if (!matcher.find()) {
      throw new IllegalStateException(name + " printed no address: " + running.text());
    }
    uri = URI.create(matcher.group(1));
    return running;
  }

  /** The address the process printed: the coordinator's API, or a gateway's or applier's probes. */
  public URI uri() {
    return requireNonNull(uri, "the process has not printed its address yet");
  }

  /** Its {@code /metrics} as they read now; empty when they cannot be read. */
  public Optional<PrometheusText> metrics() {
    return uri == null ? Optional.empty() : PrometheusText.scrape(uri, Duration.ofSeconds(10));
  }

  /** User and system CPU time the process has used so far ({@code utime + stime}); NaN once it is gone. */
  public double cpuSeconds() {
    return ChildJvm.cpuSeconds(process.pid());
  }

  public String name() {
    return name;
  }

  public ChildJvm process() {
    return process;
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() {
    process.close();
  }
}
