package io.tributary.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.applier.AppliedTableStatus;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.ApplierService;
import io.tributary.cli.internal.ComponentHealth;
import io.tributary.cli.internal.JvmMeters;
import io.tributary.cli.internal.OpsEndpoint;
import io.tributary.cli.internal.ProcessLifetime;
import io.tributary.coordinator.client.CoordinatorClientConfig;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Runs one applier, a member of the appliers' Kafka consumer group, until stopped (SIGTERM /
 * Ctrl-C) or failed, or in triggered mode ({@code applier.mode: triggered}) until it applied what
 * its partitions held at the start (exit 0) or its time ran out (exit 3). On a clean stop it
 * finishes its batch and hands its tables over.
 */
@Command(name = "applier", mixinStandardHelpOptions = true,
    description = "Apply staged changes into Delta tables through the coordinator (reads applier, kafka, staging, coordinator.url).")
final class ApplierCommand implements Callable<Integer> {
  /** How long a stopped applier takes at most to finish its batches and hand its tables over. */
  static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(90);
  private static final String TRIGGERED_TIMEOUT = "the triggered run's time ran out";

  @Spec
  CommandSpec spec;

  @Mixin
  ProcessOptions options;

  @Override
  public Integer call() throws InterruptedException {
    Settings read = Settings.read(options.read(), options.dataDirectory());
    ApplierConfig settings = read.applier();
    CoordinatorClientConfig client = read.coordinator();
    OpsEndpoint.Address address = read.ops();

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String name = "applier " + settings.writerId().value();
    Clock clock = Clock.systemUTC();
    try (ProcessLifetime lifetime = ProcessLifetime.install(SHUTDOWN_TIMEOUT);
        JvmMeters jvm = JvmMeters.bindTo(registry);
        HttpCoordinatorClient coordinator = HttpCoordinatorClient.create(client);
        ApplierService applier = new ApplierService(settings, coordinator, clock, registry);
        OpsEndpoint ops = OpsEndpoint.start(address, name, () -> applier.state().name(),
            () -> applier.state() == ApplierService.State.RUNNING, registry)) {
      applier.start();
      boolean triggered = settings.mode() == ApplierConfig.Mode.TRIGGERED;
      spec.commandLine().getOut().printf("Applier %s running%s; probes and metrics at %s (Ctrl-C to stop)%n",
          settings.writerId().value(), triggered ? " a triggered run (until caught up, at most "
              + settings.triggeredTimeout() + ")" : "", ops.uri());
      Instant deadline = clock.instant().plus(settings.triggeredTimeout());
      Optional<String> ended = lifetime.await(() -> triggered && clock.instant().isAfter(deadline)
          ? Optional.of(TRIGGERED_TIMEOUT) : ComponentHealth.ended(applier));
      if (ended.isPresent() && applier.state() == ApplierService.State.FINISHED) {
        spec.commandLine().getOut().println(caughtUp(applier.status()));
        return 0;
      }
      if (ended.equals(Optional.of(TRIGGERED_TIMEOUT))) {
        throw new TributaryException(ErrorCode.INTERNAL, "The triggered run did not catch up within "
            + settings.triggeredTimeout() + " (applier.triggered-timeout): " + behind(applier.status())
            + ". Its progress is kept; the next run goes on from there.");
      }
      if (ended.isPresent()) {
        RuntimeException failure = applier.failure().orElse(null);
        if (failure instanceof TributaryException tributary) {
          throw tributary;
        }
        throw new TributaryException(ErrorCode.INTERNAL, "Stopped: " + ended.get(), failure);
      }
    }
    return 0;
  }

  /** What an applier process reads from its configuration: its own settings, the coordinator's, its ops endpoint. */
  record Settings(ApplierConfig applier, CoordinatorClientConfig coordinator, OpsEndpoint.Address ops) {
    /** Reads the configuration as {@code tributary applier} does, failing with every problem found. */
    static Settings read(ConfigReader root, Path dataDirectory) {
      ApplierConfig applier = ApplierConfig.from(root, dataDirectory);
      ConfigReader coordinatorSection = root.section("coordinator");
      CoordinatorClientConfig coordinator = CoordinatorClientConfig.from(coordinatorSection);
      if (coordinator.url().isEmpty()) {
        coordinatorSection.problem("Missing value for 'coordinator.url': an applier running as its own process must know"
            + " the coordinator's base URL, e.g. http://coordinator:7070");
      }
      OpsEndpoint.Address ops = OpsEndpoint.Address.from(root.section("applier"), "applier", OpsEndpoint.APPLIER_DEFAULT_PORT);
      root.leaveToOthers("source", "gateway");
      root.throwIfInvalid();
      return new Settings(applier, coordinator, ops);
    }
  }

  private static String caughtUp(Map<TableId, AppliedTableStatus> tables) {
    return "Triggered run caught up: " + tables.size() + " tables, " + tables.values().stream()
        .sorted(Comparator.comparing(status -> status.tableId().canonical()))
        .map(status -> status.tableId() + " at version " + status.version())
        .collect(Collectors.joining(", "));
  }

  private static String behind(Map<TableId, AppliedTableStatus> tables) {
    String problems = tables.values().stream()
        .filter(status -> status.state() != AppliedTableStatus.State.ACTIVE || status.problem().isPresent())
        .map(status -> status.tableId() + " " + status.state() + status.problem().map(problem -> " (" + problem + ")").orElse(""))
        .collect(Collectors.joining("; "));
    return problems.isEmpty() ? "manifests were still arriving or being applied" : problems;
  }
}
