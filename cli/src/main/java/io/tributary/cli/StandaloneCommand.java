package io.tributary.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.ComponentHealth;
import io.tributary.cli.internal.JvmMeters;
import io.tributary.cli.internal.ProcessLifetime;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Runs gateway, coordinator and applier in one JVM until stopped (Ctrl-C / SIGTERM). */
@Command(name = "standalone", mixinStandardHelpOptions = true,
    description = "Run gateway, coordinator and applier in one JVM (embedded Kafka unless kafka.bootstrap-servers is set).")
final class StandaloneCommand implements Callable<Integer> {
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(90);

  @Spec
  CommandSpec spec;

  @Mixin
  ProcessOptions options;

  @Override
  public Integer call() throws InterruptedException {
    StandalonePipeline.Settings settings =
        StandalonePipeline.configure(options.config, options.dataDirectory(), System::getenv);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (ProcessLifetime lifetime = ProcessLifetime.install(SHUTDOWN_TIMEOUT);
        JvmMeters jvm = JvmMeters.bindTo(registry);
        StandalonePipeline pipeline = StandalonePipeline.start(settings, Clock.systemUTC(), registry)) {
      spec.commandLine().getOut().println("Tributary standalone running; coordinator, probes and metrics at "
          + pipeline.coordinator().uri() + " (Ctrl-C to stop)");
      Optional<String> ended = lifetime.await(() -> ComponentHealth.ended(pipeline.gateway())
          .or(() -> ComponentHealth.ended(pipeline.applier())));
      if (ended.isPresent()) {
        throw pipeline.gateway().failure().orElseGet(() -> new TributaryException(ErrorCode.INTERNAL, "Stopped: " + ended.get()));
      }
    }
    return 0;
  }
}
