package io.tributary.loadtests.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's garbage-collection log ({@code -Xlog:gc:file=<path>}): the collector it used and, for each
 * pause, the heap before and after it. The heap right after a collection is what the process really
 * holds; sampled heap use also counts garbage not yet collected.
 *
 * @param collector the collector's name ({@code G1}, {@code Serial}, ...), empty if not logged
 */
public record GcLog(Optional<String> collector, List<Pause> pauses) {
  /** The JVM option that writes the log {@link #read} reads. */
  public static String option(Path file) {
    return "-Xlog:gc:file=" + file + ":uptime,level,tags";
  }

  /**
   * One collection pause.
   *
   * @param uptimeSeconds when it ended, in seconds since the JVM started
   * @param kind what the JVM calls it, e.g. {@code Pause Young (Normal) (G1 Evacuation Pause)}
   */
  public record Pause(double uptimeSeconds, String kind, long beforeBytes, long afterBytes, long heapBytes,
      double pauseMillis) {
    /** Whether the whole heap was collected (a full collection). */
    public boolean full() {
      return kind.startsWith("Pause Full");
    }

    /**
     * Whether the pause collected (a young, mixed or full collection), rather than being a step of a
     * concurrent cycle (remark, cleanup), after which the heap holds what it held before.
     */
    public boolean collects() {
      return kind.startsWith("Pause Young") || full();
    }
  }

  private static final Pattern USING = Pattern.compile("\\] Using (.+)$");
  private static final Pattern PAUSE = Pattern.compile(
      "^\\[(\\d+(?:\\.\\d+)?)s\\].*GC\\(\\d+\\) (.+?) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) (\\d+(?:\\.\\d+)?)ms");

  public GcLog {
    pauses = List.copyOf(pauses);
  }

  /** Reads a log; a missing file reads as no collection. */
  public static GcLog read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new GcLog(Optional.empty(), List.of());
    }
    return parse(Files.readAllLines(file));
  }

  static GcLog parse(List<String> lines) {
    Optional<String> collector = Optional.empty();
    List<Pause> pauses = new ArrayList<>();
    for (String line : lines) {
      Matcher using = USING.matcher(line);
      if (collector.isEmpty() && using.find()) {
        collector = Optional.of(using.group(1).trim());
        continue;
      }
      Matcher pause = PAUSE.matcher(line);
      if (pause.find()) {
        pauses.add(new Pause(Double.parseDouble(pause.group(1)), pause.group(2),
            bytes(pause.group(3), pause.group(4)), bytes(pause.group(5), pause.group(6)),
            bytes(pause.group(7), pause.group(8)), Double.parseDouble(pause.group(9))));
      }
    }
    return new GcLog(collector, pauses);
  }

  /** The most heap held right after any collection, 0 without collections. */
  public long maxAfterBytes() {
    return pauses.stream().filter(Pause::collects).mapToLong(Pause::afterBytes).max().orElse(0);
  }

  /**
   * The least heap held right after a collection between {@code fromSeconds} and {@code toSeconds}
   * of uptime, or -1 without any: what the process kept alive then, give or take the old-generation
   * garbage a young collection leaves.
   */
  public long minAfterBytes(double fromSeconds, double toSeconds) {
    return pauses.stream().filter(Pause::collects)
        .filter(pause -> pause.uptimeSeconds() >= fromSeconds && pause.uptimeSeconds() < toSeconds)
        .mapToLong(Pause::afterBytes).min().orElse(-1);
  }

  /** The time the JVM was paused for collections, in all. */
  public double totalPauseMillis() {
    return pauses.stream().mapToDouble(Pause::pauseMillis).sum();
  }

  /** The most heap in use right before any collection, 0 without collections. */
  public long maxBeforeBytes() {
    return pauses.stream().mapToLong(Pause::beforeBytes).max().orElse(0);
  }

  public long fullCollections() {
    return pauses.stream().filter(Pause::full).count();
  }

  private static long bytes(String amount, String unit) {
    long value = Long.parseLong(amount);
    return switch (unit) {
      case "K" -> value << 10;
      case "M" -> value << 20;
      default -> value << 30;
    };
  }
}
