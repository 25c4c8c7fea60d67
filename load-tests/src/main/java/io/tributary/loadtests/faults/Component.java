package io.tributary.loadtests.faults;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.TributaryProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Tributary process of the deployment under faults ({@code tributary gateway}, {@code applier} or
 * {@code coordinator}, its own JVM), started again on the same configuration and data directory as
 * often as the run needs. Each incarnation logs to {@code <name>.<n>.log} beside the configuration.
 * While it is meant to run, a process found ended is an unplanned exit: the run starts it again, as
 * Kubernetes or systemd would, and records the exit.
 */
final class Component implements AutoCloseable {
  /** A process that ended while it was meant to run. */
  record Exit(String component, int incarnation, int exitCode, double atSeconds) {}

  private final String name;
  private final String command;
  private final String runningLine;
  private final Path config;
  private final Path dataDirectory;
  private final List<String> jvmOptions;
  private final Map<String, String> environment;
  private final List<Exit> unplannedExits = new ArrayList<>();
  private TributaryProcess process;
  private int incarnation;
  private boolean meantToRun;

  /**
   * @param runningLine how the line starts that the process prints once it runs, naming its address
   */
  Component(String name, String command, String runningLine, Path config, Path dataDirectory, List<String> jvmOptions,
      Map<String, String> environment) {
    this.name = requireNonNull(name, "name is null");
    this.command = requireNonNull(command, "command is null");
    this.runningLine = requireNonNull(runningLine, "runningLine is null");
    this.config = requireNonNull(config, "config is null");
    this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory is null");
    this.jvmOptions = List.copyOf(jvmOptions);
    this.environment = Map.copyOf(environment);
  }

  String name() {
    return name;
  }

  /** The {@code tributary} command it runs: {@code gateway}, {@code applier} or {@code coordinator}. */
  String command() {
    return command;
  }

  /** Its configuration file. */
  Path config() {
    return config;
  }

  /** Starts a new incarnation; the previous one must have ended. */
  synchronized void start() throws IOException {
    if (process != null && process.process().isAlive()) {
      throw new IllegalStateException(name + " still runs (pid " + process.process().pid() + ")");
    }
    incarnation++;
    process = TributaryProcess.start(name + "." + incarnation, command, config, dataDirectory, jvmOptions, environment);
    meantToRun = true;
  }

  /** Waits until the current incarnation prints that it runs. */
  void awaitRunning(Duration timeout) throws InterruptedException {
    current().awaitRunning(runningLine, timeout);
  }

  /**
   * The address the current incarnation serves its API or its probes and {@code /metrics} at, once it
   * has printed that it runs: an incarnation the run started again may not have yet.
   */
  URI address(Duration timeout) throws InterruptedException {
    TributaryProcess running = current();
    running.awaitRunning(runningLine, timeout);
    return running.uri();
  }

  /** SIGKILL, and waits until the process is gone; it stays down until {@link #start}. */
  synchronized void kill() throws InterruptedException {
    meantToRun = false;
    TributaryProcess running = current();
    running.close();
    running.process().awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM, waiting at most {@code timeout} before SIGKILL; returns the exit code. It stays down until {@link #start}. */
  synchronized int terminate(Duration timeout) throws InterruptedException {
    meantToRun = false;
    return current().process().stop(timeout);
  }

  /** Sends {@code signal} ({@code STOP}, {@code CONT}) to the current process by its pid. */
  void signal(String signal) throws IOException, InterruptedException {
    long pid = current().process().pid();
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " (" + name + ") failed");
    }
  }

  /**
   * If the process is meant to run and has ended, records the exit and starts it again; returns the
   * exit so recorded.
   */
  synchronized Optional<Exit> restartIfEnded(double atSeconds) throws IOException {
    if (!meantToRun || process == null || process.process().isAlive()) {
      return Optional.empty();
    }
    Exit exit = new Exit(name, incarnation, process.process().exitCode().orElse(-1), atSeconds);
    unplannedExits.add(exit);
    start();
    return Optional.of(exit);
  }

  synchronized List<Exit> unplannedExits() {
    return List.copyOf(unplannedExits);
  }

  synchronized int incarnations() {
    return incarnation;
  }

  /** The current incarnation. */
  synchronized TributaryProcess current() {
    return requireNonNull(process, name + " was never started");
  }

  /** Stops the process for the run's end: SIGTERM, then SIGKILL after {@code timeout}. */
  synchronized int stop(Duration timeout) throws InterruptedException {
    meantToRun = false;
    return process == null ? 0 : process.process().stop(timeout);
  }

  @Override
  public synchronized void close() {
    meantToRun = false;
    if (process != null) {
      process.close();
    }
  }
}
