package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Java process the benchmark starts and measures from outside: the gateway under test or the peer.
 * Its output goes to a log file, and each line is kept with the
 * moment it was read ({@link System#nanoTime()}), so that a line a process prints when it reaches a
 * point ("running", "consumed") times that point.
 */
public final class ChildJvm implements AutoCloseable {
  /** The kernel's clock ticks per second ({@code getconf CLK_TCK}), 100 on Linux. */
  private static final double CLOCK_TICKS_PER_SECOND = 100;
  /** A line of the process's output and when it was read. */
  public record TimedLine(String text, long nanos) {}

  private final String name;
  private final Process process;
  private final long startNanos;
  private final Thread reader;
  private final List<TimedLine> lines = new ArrayList<>();

  private ChildJvm(String name, Process process, long startNanos, Path log) {
    this.name = name;
    this.process = process;
    this.startNanos = startNanos;
    this.reader = new Thread(() -> copyOutput(log), "benchmark-" + name + "-output");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Starts {@code java} with {@code arguments} (JVM options, then a main class or {@code -jar}, then
   * its arguments); stdout and stderr go to {@code log}.
   */
  public static ChildJvm start(String name, List<String> arguments, Map<String, String> environment, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    try {
      Files.createDirectories(log.getParent());
      long start = System.nanoTime();
      return new ChildJvm(name, builder.start(), start, log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + ": " + command, e);
    }
  }

  /** The arguments that run {@code mainClass} on this JVM's class path. */
  public static List<String> onThisClassPath(List<String> jvmOptions, String mainClass, List<String> arguments) {
    return onClassPath(System.getProperty("java.class.path"), jvmOptions, mainClass, arguments);
  }

  /** The command running {@code mainClass} with {@code arguments} in a JVM on {@code classpath}. */
  public static List<String> onClassPath(String classpath, List<String> jvmOptions, String mainClass,
      List<String> arguments) {
    List<String> command = new ArrayList<>(jvmOptions);
    command.add("-cp");
    command.add(requireNonNull(classpath, "classpath is null"));
    command.add(requireNonNull(mainClass, "mainClass is null"));
    command.addAll(arguments);
    return command;
  }

  /**
   * User and system CPU time process {@code pid} has used so far ({@code utime + stime} of
   * {@code /proc/<pid>/stat}), in seconds; NaN once it is gone.
   */
  public static double cpuSeconds(long pid) {
    try {
      return cpuSecondsOf(statFields(pid), false);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * {@code utime + stime} of a process's or thread's {@code stat} fields
   * ({@link #statFields(String)}), in seconds; {@code withEndedChildren} adds
   * {@code cutime + cstime}, the time of the children it waited for once they ended.
   */
  private static double cpuSecondsOf(String[] fields, boolean withEndedChildren) {
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    if (withEndedChildren) {
      ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
    }
    return ticks / CLOCK_TICKS_PER_SECOND;
  }

  /** The fields of {@code /proc/<pid>/stat} from the third on ({@link #statFields(String)}). */
  private static String[] statFields(long pid) throws IOException {
    return statFields(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /**
   * The fields of a {@code stat} text from the third on (the state): the command name, in
   * parentheses, may hold spaces, so fields are counted after its end.
   */
  private static String[] statFields(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  /** The parent of process {@code pid} (the {@code ppid} of {@code /proc/<pid>/stat}); empty once it is gone. */
  public static OptionalLong parentOf(long pid) {
    try {
      return OptionalLong.of(Long.parseLong(statFields(pid)[1]));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * CPU time so far of process {@code root} and of its children, in seconds: for each, its own
   * {@code utime + stime} and the {@code cutime + cstime} of the children it waited for once they
   * ended. A child of {@code root} that ends between two readings moves its time into
   * {@code root}'s {@code cutime + cstime} when {@code root} reaps it, so the sum keeps it (a server
   * reaps its ended children at once). NaN once {@code root} is gone.
   */
  public static double treeCpuSeconds(long root) {
    double seconds;
    try {
      seconds = cpuSecondsOf(statFields(root), true);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"),
        path -> path.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path process : processes) {
        String[] fields;
        try {
          fields = statFields(Files.readString(process.resolve("stat")));
        } catch (IOException | RuntimeException e) {
          continue; // ended meanwhile
        }
        if (Long.parseLong(fields[1]) == root) {
          seconds += cpuSecondsOf(fields, true);
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return seconds;
  }

  /**
   * CPU time of process {@code pid}'s threads so far ({@code utime + stime} of each
   * {@code /proc/<pid>/task/<tid>/stat}), in seconds, summed by thread name with digits read as
   * {@code #} (so {@code GC Thread#0} and {@code GC Thread#1} add up as {@code GC Thread##}); the
   * kernel keeps the first 15 characters of a name. Threads that ended are not counted. Empty once
   * the process is gone.
   */
  public static Map<String, Double> threadCpuSeconds(long pid) {
    Map<String, Double> byName = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]", "#");
        byName.merge(name, cpuSecondsOf(statFields(stat), false), Double::sum);
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return byName;
  }

  /**
   * JVM options as a result may show them: paths reduced to their file names, so that no machine's
   * directories are recorded.
   */
  public static List<String> withoutDirectories(List<String> options) {
    return options.stream().map(option -> option.replaceAll("/[^:=\\s]*/([^/:=\\s]+)", "$1")).toList();
  }

  public long pid() {
    return process.pid();
  }

  /** When the process was started ({@link System#nanoTime()}). */
  public long startNanos() {
    return startNanos;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, once the process has ended. */
  public Optional<Integer> exitCode() {
    return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
  }

  /**
   * Waits for the first line matching {@code match} (one already read counts).
   *
   * @throws IllegalStateException if the process ends or {@code timeout} passes first
   */
  public TimedLine awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (match.test(lines.get(seen).text())) {
            return lines.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(name + " printed no expected line within " + timeout.toSeconds() + " s");
        }
        if (!reader.isAlive()) {
          throw new IllegalStateException(name + " ended (exit code " + exitCode().map(String::valueOf).orElse("?")
              + ") without printing the expected line");
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 500)));
      }
    }
  }

  /** The lines of the output so far that match {@code match}, in order. */
  public List<TimedLine> lines(Predicate<String> match) {
    synchronized (lines) {
      return lines.stream().filter(line -> match.test(line.text())).toList();
    }
  }

  /** Whether any line of the output so far contains {@code text}. */
  public boolean printed(String text) {
    synchronized (lines) {
      return lines.stream().anyMatch(line -> line.text().contains(text));
    }
  }

  /** Waits at most {@code timeout} for the process to end by itself; returns whether it did. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (ended) {
      reader.join(TimeUnit.SECONDS.toMillis(5));
    }
    return ended;
  }

  /**
   * Asks the process to stop (SIGTERM) and waits at most {@code timeout}, then kills it; returns its
   * exit code.
   */
  public int stop(Duration timeout) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!awaitExit(timeout)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    return process.exitValue();
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private void copyOutput(Path log) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        long now = System.nanoTime();
        out.println(line);
        synchronized (lines) {
          lines.add(new TimedLine(line, now));
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // The process ended and closed its output; what was read is in the log.
    } finally {
      synchronized (lines) {
        lines.notifyAll();
      }
    }
  }
}
