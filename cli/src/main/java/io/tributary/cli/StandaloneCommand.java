package io.tributary.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.StandalonePipeline;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs gateway, coordinator and applier in one JVM until stopped (Ctrl-C / SIGTERM). */
@Command(name = "standalone", mixinStandardHelpOptions = true,
    description = "Run gateway, coordinator and applier in one JVM (embedded Kafka unless kafka.bootstrap-servers is set).")
final class StandaloneCommand implements Callable<Integer> {
  private static final long SHUTDOWN_TIMEOUT_SECONDS = 60;

  @Option(names = "--config", required = true, description = "YAML configuration file")
  Path config;

  @Option(names = "--data-dir", defaultValue = "tributary-data",
      description = "Directory for staging, Delta tables, offsets and the coordinator store unless configured (default: ${DEFAULT-VALUE})")
  Path dataDirectory;

  @Override
  public Integer call() throws InterruptedException {
    StandalonePipeline.Settings settings = StandalonePipeline.configure(config, dataDirectory.toAbsolutePath(), System::getenv);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // The JVM exits as soon as shutdown hooks return, so the hook waits until the pipeline has
    // closed: open segments are announced and offsets committed instead of being cut off.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopRequested.countDown();
      try {
        closed.await(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tributary-shutdown"));
    try (StandalonePipeline pipeline = StandalonePipeline.start(settings, Clock.systemUTC(), registry)) {
      System.out.println("Tributary standalone running; coordinator at " + pipeline.coordinator().uri() + " (Ctrl-C to stop)");
      stopRequested.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }
}
