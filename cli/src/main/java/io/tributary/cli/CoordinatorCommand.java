package io.tributary.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.JvmMeters;
import io.tributary.cli.internal.ProcessLifetime;
import io.tributary.coordinator.CoordinatorConfig;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.coordinator.client.CoordinatorClientConfig;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Runs the coordinator, the commit service, until stopped (SIGTERM / Ctrl-C). */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
    description = "Run the commit service: leases, commit ratification, history, probes and metrics (reads coordinator).")
final class CoordinatorCommand implements Callable<Integer> {
  /** How long a stopped coordinator takes at most to finish its calls and export its last events. */
  static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  @Spec
  CommandSpec spec;

  @Mixin
  ProcessOptions options;

  @Override
  public Integer call() throws InterruptedException {
    CoordinatorConfig settings = settings(options.read(), options.dataDirectory());

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (ProcessLifetime lifetime = ProcessLifetime.install(SHUTDOWN_TIMEOUT);
        JvmMeters jvm = JvmMeters.bindTo(registry);
        CoordinatorServer server = CoordinatorServer.start(settings, Clock.systemUTC(), registry)) {
      spec.commandLine().getOut().printf("Coordinator running at %s (Ctrl-C to stop)%n", server.uri());
      lifetime.await(Optional::empty);
    }
    return 0;
  }

  /** Reads the configuration as {@code tributary coordinator} does, failing with every problem found. */
  static CoordinatorConfig settings(ConfigReader root, Path dataDirectory) {
    ConfigReader section = root.section("coordinator");
    CoordinatorConfig settings = CoordinatorConfig.from(section, dataDirectory.resolve("coordinator"));
    // The clients' keys (url, timeouts) may share the section in a file every process reads.
    CoordinatorClientConfig.from(section);
    root.leaveToOthers("source", "gateway", "applier", "kafka", "staging");
    root.throwIfInvalid();
    return settings;
  }
}
