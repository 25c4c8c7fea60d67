package io.tributary.loadtests.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Samples a process's memory at a fixed interval on its own thread: its resident set ({@code VmRSS}
 * of {@code /proc/<pid>/status}), the CPU time it used (in all and by thread) and, once it serves
 * {@code /metrics}, its heap as the JVM reports it ({@code jvm_memory_used_bytes} and
 * {@code jvm_memory_committed_bytes} summed over the heap pools) and its changes captured
 * ({@code tributary_gateway_events_captured_total}).
 */
public final class MemorySampler implements AutoCloseable {
  /**
   * One sample; a figure the process did not serve yet is -1.
   *
   * @param nanos when it was taken ({@link System#nanoTime()})
   * @param threadCpuSeconds CPU time so far by thread name ({@link ChildJvm#threadCpuSeconds})
   */
  public record Sample(long nanos, long rssBytes, double cpuSeconds, long heapUsedBytes, long heapCommittedBytes,
      long nonHeapUsedBytes, long eventsCaptured, Map<String, Double> threadCpuSeconds) {
    public Sample {
      threadCpuSeconds = Map.copyOf(threadCpuSeconds);
    }
  }

  private final long pid;
  private final Supplier<Optional<URI>> metrics;
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
    Optional<PrometheusText> scraped = metrics.get().flatMap(base -> PrometheusText.scrape(base, Duration.ofSeconds(2)));
    if (scraped.isPresent()) {
      PrometheusText text = scraped.get();
      heapUsed = (long) text.sum("jvm_memory_used_bytes", "area=\"heap\"");
      heapCommitted = (long) text.sum("jvm_memory_committed_bytes", "area=\"heap\"");
      nonHeapUsed = (long) text.sum("jvm_memory_used_bytes", "area=\"nonheap\"");
      captured = (long) text.sum("tributary_gateway_events_captured_total", "");
    }
    synchronized (this) {
      samples.add(new Sample(System.nanoTime(), rss.getAsLong(), cpuSeconds(), heapUsed, heapCommitted, nonHeapUsed,
          captured, ChildJvm.threadCpuSeconds(pid)));
      peakRssBytes = Math.max(peakRssBytes, peak.orElse(rss.getAsLong()));
    }
  }

  /** User and system CPU time the process has used so far; 0 once it is gone. */
  private double cpuSeconds() {
    double seconds = ChildJvm.cpuSeconds(pid);
    return Double.isNaN(seconds) ? 0 : seconds;
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
