package io.tributary.loadtests.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Samples a process's memory at a fixed interval on its own thread: its resident set ({@code VmRSS}
 * of {@code /proc/<pid>/status}), the CPU time it used and, once it serves {@code /metrics}, its heap as the JVM reports it
 * ({@code jvm_memory_used_bytes} and {@code jvm_memory_committed_bytes} summed over the heap pools)
 * and its changes captured ({@code tributary_gateway_events_captured_total}).
 */
public final class MemorySampler implements AutoCloseable {
  /**
   * One sample; a figure the process did not serve yet is -1.
   *
   * @param nanos when it was taken ({@link System#nanoTime()})
   */
  public record Sample(long nanos, long rssBytes, double cpuSeconds, long heapUsedBytes, long heapCommittedBytes,
      long nonHeapUsedBytes, long eventsCaptured) {}

  /** Clock ticks per second of {@code /proc/<pid>/stat} ({@code USER_HZ}), 100 on Linux. */
  private static final double TICKS_PER_SECOND = 100;

  private final long pid;
  private final Supplier<Optional<URI>> metrics;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService timer;
  private final List<Sample> samples = new ArrayList<>();
  private long peakRssBytes;

  private MemorySampler(long pid, Supplier<Optional<URI>> metrics) {
    this.pid = pid;
    this.metrics = metrics;
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "benchmark-memory-sampler-" + pid);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts sampling process {@code pid} every {@code interval}; {@code metrics} answers the
   * process's {@code /metrics} address once it is known.
   */
  public static MemorySampler start(long pid, Supplier<Optional<URI>> metrics, Duration interval) {
    MemorySampler sampler = new MemorySampler(pid, metrics);
    sampler.timer.scheduleAtFixedRate(sampler::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return sampler;
  }

  /** The samples taken so far, oldest first. */
  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The highest resident set the kernel saw ({@code VmHWM}), as of the last sample. */
  public synchronized long peakRssBytes() {
    return peakRssBytes;
  }

  private void sample() {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    OptionalLong rss = kilobytes(status, "VmRSS:");
    if (rss.isEmpty()) {
      return;
    }
    OptionalLong peak = kilobytes(status, "VmHWM:");
    long heapUsed = -1;
    long heapCommitted = -1;
    long nonHeapUsed = -1;
    long captured = -1;
    Optional<String> scraped = metrics.get().flatMap(this::scrape);
    if (scraped.isPresent()) {
      PrometheusText text = new PrometheusText(scraped.get());
      heapUsed = (long) text.sum("jvm_memory_used_bytes", "area=\"heap\"");
      heapCommitted = (long) text.sum("jvm_memory_committed_bytes", "area=\"heap\"");
      nonHeapUsed = (long) text.sum("jvm_memory_used_bytes", "area=\"nonheap\"");
      captured = (long) text.sum("tributary_gateway_events_captured_total", "");
    }
    synchronized (this) {
      samples.add(new Sample(System.nanoTime(), rss.getAsLong(), cpuSeconds(), heapUsed, heapCommitted, nonHeapUsed, captured));
      peakRssBytes = Math.max(peakRssBytes, peak.orElse(rss.getAsLong()));
    }
  }

  private Optional<String> scrape(URI base) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** User and system CPU time the process has used so far ({@code utime + stime}); 0 once it is gone. */
  private double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name, in parentheses, may hold spaces: fields are counted after its end.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** A {@code kB} figure of a {@code /proc} status file, in bytes; empty once the process is gone. */
  private static OptionalLong kilobytes(Path status, String field) {
    try (Stream<String> lines = Files.lines(status)) {
      return lines.filter(line -> line.startsWith(field)).findFirst()
          .map(line -> OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024))
          .orElse(OptionalLong.empty());
    } catch (IOException | UncheckedIOException e) {
      return OptionalLong.empty();
    }
  }

  /** Stops sampling. */
  @Override
  public void close() throws InterruptedException {
    timer.shutdown();
    timer.awaitTermination(5, TimeUnit.SECONDS);
  }
}
