package io.tributary.loadtests.faults;

import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.workload.Dialect;
import io.tributary.testing.FaultInjectingProxy;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.Loopback;
import io.tributary.testing.S3Server;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a fault-injection run deploys, everything on 127.0.0.1: the source databases, a Kafka broker
 * (in this JVM, so that the run can restart it), the S3 API server (its own JVM) behind a
 * fault-injecting proxy, and the Tributary processes as they are deployed: a coordinator on a fixed
 * port with its embedded store, a gateway per source staging to {@code s3a://} through the proxy, and
 * two appliers in one consumer group writing the Delta tables on local disk.
 */
final class Deployment implements AutoCloseable {
  static final String TOPIC = "faults.manifests";
  static final int PARTITIONS = 4;
  static final String BUCKET = "faults";
  /** How long an applier's table lease lasts: a paused applier loses its tables after it. */
  static final Duration LEASE_TTL = Duration.ofSeconds(10);
  /** The appliers' consumer group session: a paused or killed applier leaves the group after it. */
  static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
  private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError",
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final Path directory;
  private final List<FaultSource> sources;
  private KafkaBroker kafka;
  private S3Server s3;
  private FaultInjectingProxy proxy;
  private Component coordinator;
  private final Map<String, Component> gateways = new LinkedHashMap<>();
  private final Map<String, Component> appliers = new LinkedHashMap<>();
  private URI coordinatorUri;

  /** Each Tributary JVM's options: a bounded heap, the client compiler and one GC thread, as several share 2 cores. */
  static List<String> jvmOptions() {
    return JVM_OPTIONS;
  }

  private Deployment(Path directory, List<FaultSource> sources) {
    this.directory = directory;
    this.sources = List.copyOf(sources);
    sources.forEach(resources::push);
  }

  /** Starts the servers and the processes; the sources are started already and are closed with the deployment. */
  static Deployment start(Path directory, List<FaultSource> sources, long seed, FaultInjectingProxy.Rates background)
      throws Exception {
    Deployment deployment = new Deployment(directory, sources);
    try {
      deployment.startAll(seed, background);
      return deployment;
    } catch (Exception e) {
      try {
        deployment.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private void startAll(long seed, FaultInjectingProxy.Rates background) throws Exception {
    kafka = KafkaBroker.builder(directory.resolve("kafka")).discardDataOnClose().build();
    kafka.start();
    resources.push(kafka);
    kafka.createTopic(TOPIC, PARTITIONS, Map.of());
    s3 = S3Server.builder(directory.resolve("s3")).initialBucket(BUCKET).discardDataOnClose().build();
    s3.start();
    resources.push(s3);
    proxy = FaultInjectingProxy.start(Loopback.HOST, s3.port(), seed);
    resources.push(proxy);
    proxy.rates(background);

    int coordinatorPort = Loopback.freePort();
    coordinatorUri = URI.create("http://" + Loopback.HOST + ":" + coordinatorPort);
    Path coordinatorDirectory = directory.resolve("coordinator");
    coordinator = new Component("coordinator", "coordinator", "Coordinator running at",
        write(coordinatorDirectory.resolve("coordinator.yaml"), """
        coordinator:
          listen-host: 127.0.0.1
          listen-port: %d
          lease-ttl: %ds
        """.formatted(coordinatorPort, LEASE_TTL.toSeconds())), coordinatorDirectory.resolve("data"), JVM_OPTIONS,
        Map.of());
    resources.push(coordinator);
    coordinator.start();
    coordinator.awaitRunning(Duration.ofMinutes(2));

    for (FaultSource source : sources) {
      Path gatewayDirectory = directory.resolve("gateway-" + source.connector());
      String variable = "FAULTS_" + source.name().toUpperCase(Locale.ROOT) + "_PASSWORD";
      Component gateway = new Component("gateway-" + source.connector(), "gateway", "Gateway for source",
          write(gatewayDirectory.resolve("gateway.yaml"), gatewayConfig(source, variable, gatewayDirectory.resolve("spool"))), gatewayDirectory.resolve("data"),
          JVM_OPTIONS, Map.of(variable, source.password()));
      resources.push(gateway);
      gateways.put(gateway.name(), gateway);
      gateway.start();
    }
    for (Component gateway : gateways.values()) {
      gateway.awaitRunning(Duration.ofMinutes(3));
    }
    for (int i = 1; i <= 2; i++) {
      String writer = "applier-" + i;
      Path applierDirectory = directory.resolve(writer);
      Component applier = new Component(writer, "applier", "Applier ",
          write(applierDirectory.resolve(writer + ".yaml"), applierConfig(writer, applierDirectory.resolve("spool"))),
          applierDirectory.resolve("data"), JVM_OPTIONS, Map.of());
      resources.push(applier);
      appliers.put(writer, applier);
      applier.start();
    }
    for (Component applier : appliers.values()) {
      applier.awaitRunning(Duration.ofMinutes(2));
    }
  }

  private String gatewayConfig(FaultSource source, String passwordVariable, Path spool) {
    return """
        source:
          name: %s
          connector: %s
          host: 127.0.0.1
          port: %d
        %s  user: %s
          password: ${env:%s}
          tables: [%s]
        gateway:
          listen-port: 0
        %s
        kafka:
          bootstrap-servers: %s
          topic: %s
          topic-partitions: %d
        coordinator:
          url: %s
        """.formatted(source.name(), source.connector(), source.port(),
        source.dialect() == Dialect.POSTGRESQL
            ? "  database: " + FaultSource.DATABASE + "\n" : "",
        source.user(), passwordVariable, String.join(", ", source.tables()), stagingSection(spool),
        kafka.bootstrapServers(), TOPIC, PARTITIONS, coordinatorUri);
  }

  private String applierConfig(String writer, Path spool) {
    return """
        kafka:
          bootstrap-servers: %s
          topic: %s
        %s
        applier:
          writer-id: %s
          group-id: faults
          tables-location: %s
          listen-port: 0
          lease-ttl: %ds
          consumer:
            session.timeout.ms: "%d"
            heartbeat.interval.ms: "1000"
        coordinator:
          url: %s
        """.formatted(kafka.bootstrapServers(), TOPIC, stagingSection(spool), writer, tablesRoot(), LEASE_TTL.toSeconds(),
        SESSION_TIMEOUT.toMillis(), coordinatorUri);
  }

  /**
   * Staging on the S3 API server through the proxy, with retries enough to ride out the faults the
   * proxy makes: S3A retries throttling (503) and failed or dropped requests with back-off.
   */
  private String stagingSection(Path spool) {
    Map<String, String> hadoop = new LinkedHashMap<>(s3.s3aProperties());
    hadoop.put("fs.s3a.endpoint", proxy.endpoint());
    hadoop.put("fs.s3a.attempts.maximum", "5");
    hadoop.put("fs.s3a.retry.limit", "10");
    hadoop.put("fs.s3a.retry.interval", "250ms");
    hadoop.put("fs.s3a.retry.throttle.limit", "10");
    hadoop.put("fs.s3a.retry.throttle.interval", "250ms");
    String properties = hadoop.keySet().stream().sorted()
        .map(key -> "    " + key + ": \"" + hadoop.get(key) + "\"")
        .collect(Collectors.joining("\n"));
    return """
        staging:
          location: s3a://%s/staging
          spool-dir: "%s"
          hadoop:
        %s""".formatted(BUCKET, spool, properties);
  }

  /** Where the appliers write the Delta tables: {@code <root>/<source>/<schema>/<table>}. */
  URI tablesRoot() {
    return directory.resolve("delta").toUri();
  }

  List<FaultSource> sources() {
    return sources;
  }

  KafkaBroker kafka() {
    return kafka;
  }

  FaultInjectingProxy proxy() {
    return proxy;
  }

  URI coordinatorUri() {
    return coordinatorUri;
  }

  Component coordinator() {
    return coordinator;
  }

  Map<String, Component> gateways() {
    return gateways;
  }

  Map<String, Component> appliers() {
    return appliers;
  }

  /** Every Tributary process: the coordinator, the gateways, the appliers. */
  List<Component> components() {
    List<Component> all = new ArrayList<>();
    all.add(coordinator);
    all.addAll(gateways.values());
    all.addAll(appliers.values());
    return all;
  }

  Optional<Component> component(String name) {
    return components().stream().filter(component -> component.name().equals(name)).findFirst();
  }

  /** The configuration files, as the result shows them: this run's directories and ports left as they read, places cut. */
  Map<String, String> configurations() throws IOException {
    Map<String, String> shown = new LinkedHashMap<>();
    for (Component component : components()) {
      shown.put(component.name(), Files.readString(component.config()).replace(directory.toUri().toString(), "")
          .replace(directory + "/", ""));
    }
    return shown;
  }

  /** The machine and the versions, read from the first source. */
  Environment environment() throws SQLException {
    try (Connection connection = sources.get(0).connect()) {
      return Environment.describe(connection);
    }
  }

  private static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Cannot stop the deployment cleanly", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
