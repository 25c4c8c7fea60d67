package io.tributary.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.ComponentHealth;
import io.tributary.cli.internal.JvmMeters;
import io.tributary.cli.internal.OpsEndpoint;
import io.tributary.cli.internal.ProcessLifetime;
import io.tributary.cli.internal.StagingRetention;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.client.CoordinatorClientConfig;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.GatewayService;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Runs one gateway agent, next to its source database, until stopped (SIGTERM / Ctrl-C) or failed. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = "Capture one source database into staged segments announced on Kafka (reads source, gateway, kafka, staging).")
final class GatewayCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayCommand.class);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

  @Spec
  CommandSpec spec;

  @Mixin
  ProcessOptions options;

  @Override
  public Integer call() throws Exception {
    Settings read = Settings.read(options.read(), options.dataDirectory());
    GatewayConfig settings = read.gateway();
    OpsEndpoint.Address address = read.ops();
    CoordinatorClientConfig coordinator = read.coordinator();

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String name = "gateway " + settings.source().name();
    // With a coordinator, the gateway reports snapshot completion and failures, and retention runs.
    Optional<CoordinatorClient> client = coordinator.url().map(url -> HttpCoordinatorClient.create(coordinator));
    try (ProcessLifetime lifetime = ProcessLifetime.install(SHUTDOWN_TIMEOUT);
        JvmMeters jvm = JvmMeters.bindTo(registry);
        AutoCloseable closeClient = () -> client.ifPresent(CoordinatorClient::close);
        GatewayService gateway = new GatewayService(settings, Clock.systemUTC(), registry, client);
        OpsEndpoint ops = OpsEndpoint.start(address, name, () -> gateway.state().name(),
            () -> gateway.state() == GatewayService.State.RUNNING, registry)) {
      gateway.start();
      spec.commandLine().getOut().printf("Gateway for source %s running; probes and metrics at %s (Ctrl-C to stop)%n",
          settings.source().name(), ops.uri());
      try (AutoCloseable retention = retention(settings, client, registry)) {
        Optional<String> ended = lifetime.await(() -> ComponentHealth.ended(gateway));
        if (ended.isPresent()) {
          throw gateway.failure().orElseGet(() -> new TributaryException(ErrorCode.INTERNAL, "Stopped: " + ended.get()));
        }
      }
    }
    return 0;
  }

  /** What a gateway process reads from its configuration: its own settings, its ops endpoint, the coordinator's. */
  record Settings(GatewayConfig gateway, OpsEndpoint.Address ops, CoordinatorClientConfig coordinator) {
    /** Reads the configuration as {@code tributary gateway} does, failing with every problem found. */
    static Settings read(ConfigReader root, Path dataDirectory) {
      GatewayConfig gateway = GatewayConfig.from(root, dataDirectory);
      OpsEndpoint.Address ops = OpsEndpoint.Address.from(root.section("gateway"), "gateway", OpsEndpoint.GATEWAY_DEFAULT_PORT);
      // The coordinator answers which staged segments are applied, which retention needs.
      CoordinatorClientConfig coordinator = CoordinatorClientConfig.from(root.section("coordinator"));
      root.leaveToOthers("applier", "coordinator");
      root.throwIfInvalid();
      return new Settings(gateway, ops, coordinator);
    }
  }

  /** Staging retention, when the gateway can ask the coordinator what is applied; nothing is deleted otherwise. */
  private static AutoCloseable retention(GatewayConfig settings, Optional<CoordinatorClient> client,
      PrometheusMeterRegistry registry) {
    if (client.isEmpty()) {
      LOG.warn("Staged segments are kept forever: set coordinator.url so that the gateway can ask which are applied"
          + " and delete those older than staging.retention ({})", settings.staging().retention());
      return () -> { };
    }
    return StagingRetention.start(settings, client.get(), Clock.systemUTC(), registry);
  }
}
