package io.tributary.cli.internal;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.ApplierService;
import io.tributary.coordinator.CoordinatorConfig;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.coordinator.Role;
import io.tributary.coordinator.client.CoordinatorClientConfig;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.GatewayService;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.Loopback;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway, coordinator and applier in one JVM, with an embedded Kafka broker unless the
 * configuration names one: the single-machine default. Components start in dependency order and
 * stop in reverse.
 */
public final class StandalonePipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StandalonePipeline.class);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Settings settings;
  private GatewayService gateway;
  private ApplierService applier;
  private CoordinatorServer coordinator;

  private StandalonePipeline(Settings settings) {
    this.settings = settings;
  }

  /** The validated configuration of every component, before anything starts. */
  public record Settings(
      GatewayConfig gateway,
      ApplierConfig applier,
      CoordinatorConfig coordinator,
      Optional<Integer> embeddedKafkaPort,
      Path dataDirectory) {
    public Settings {
      requireNonNull(gateway, "gateway is null");
      requireNonNull(applier, "applier is null");
      requireNonNull(coordinator, "coordinator is null");
      requireNonNull(embeddedKafkaPort, "embeddedKafkaPort is null");
      requireNonNull(dataDirectory, "dataDirectory is null");
    }
  }

  /**
   * Reads and validates the configuration, failing once with every problem listed. When
   * {@code kafka.bootstrap-servers} is absent, an embedded broker on a free loopback port is used.
   */
  public static Settings configure(Path configFile, Path dataDirectory, Function<String, String> environment) {
    ConfigReader probe = ConfigReader.fromYamlFile(configFile, environment);
    boolean embedded = probe.section("kafka").optionalString("bootstrap-servers", "Kafka bootstrap servers").isEmpty();
    Map<String, String> overrides = new HashMap<>();
    Optional<Integer> kafkaPort = Optional.empty();
    if (embedded) {
      kafkaPort = Optional.of(Loopback.freePort());
      overrides.put("kafka.bootstrap-servers", Loopback.HOST + ":" + kafkaPort.get());
    }
    ConfigReader root = ConfigReader.fromYamlFile(configFile, environment, overrides);
    GatewayConfig gateway = GatewayConfig.from(root, dataDirectory);
    ApplierConfig applier = ApplierConfig.from(root, dataDirectory);
    CoordinatorConfig coordinator = CoordinatorConfig.from(root.section("coordinator"), dataDirectory.resolve("coordinator"));
    // Keys only the separate processes use are read too, so that one file serves every way of running.
    CoordinatorClientConfig.from(root.section("coordinator"));
    OpsEndpoint.Address.from(root.section("gateway"), "gateway", OpsEndpoint.GATEWAY_DEFAULT_PORT);
    OpsEndpoint.Address.from(root.section("applier"), "applier", OpsEndpoint.APPLIER_DEFAULT_PORT);
    root.throwIfInvalid();
    return new Settings(gateway, applier, coordinator, kafkaPort, dataDirectory);
  }

  /** Starts every component; on any failure, stops what was started and rethrows. */
  public static StandalonePipeline start(Settings settings, Clock clock, MeterRegistry registry) {
    StandalonePipeline pipeline = new StandalonePipeline(settings);
    try {
      pipeline.startAll(clock, registry);
      return pipeline;
    } catch (RuntimeException e) {
      pipeline.close();
      throw e;
    }
  }

  private void startAll(Clock clock, MeterRegistry registry) {
    if (settings.embeddedKafkaPort().isPresent()) {
      KafkaBroker broker = KafkaBroker.builder(settings.dataDirectory().resolve("kafka"))
          .port(settings.embeddedKafkaPort().get())
          .build();
      broker.start();
      started.push(broker);
      LOG.info("Embedded Kafka broker listening on {}", broker.bootstrapServers());
    }
    coordinator = CoordinatorServer.start(settings.coordinator(), clock, registry);
    started.push(coordinator);
    // The in-process client trusts the certificate the coordinator serves, if it serves HTTPS.
    CoordinatorClientConfig clientConfig = CoordinatorClientConfig.of(coordinator.uri(),
        settings.coordinator().tokenFor(Role.APPLIER));
    HttpCoordinatorClient client = HttpCoordinatorClient.create(
        settings.coordinator().tls().map(clientConfig::withTruststore).orElse(clientConfig));
    started.push(client);
    gateway = new GatewayService(settings.gateway(), clock, registry, Optional.of(client));
    gateway.start();
    started.push(gateway);
    started.push(StagingRetention.start(settings.gateway(), client, clock, registry));
    applier = new ApplierService(settings.applier(), client, clock, registry);
    applier.start();
    started.push(applier);
  }

  public GatewayService gateway() {
    return gateway;
  }

  public ApplierService applier() {
    return applier;
  }

  public CoordinatorServer coordinator() {
    return coordinator;
  }

  public Settings settings() {
    return settings;
  }

  /** Stops every started component in reverse order; idempotent. */
  @Override
  public void close() {
    RuntimeException failure = null;
    while (!started.isEmpty()) {
      AutoCloseable component = started.pop();
      try {
        component.close();
      } catch (Exception e) {
        LOG.warn("Stopping {} failed: {}", component.getClass().getSimpleName(), e.toString());
        if (failure == null) {
          failure = new IllegalStateException("Stopping the pipeline failed", e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
