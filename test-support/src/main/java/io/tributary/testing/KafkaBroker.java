package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real Apache Kafka broker in KRaft combined mode (broker and controller in one node), running
 * inside this JVM and listening on {@code 127.0.0.1} only: PLAINTEXT for clients on
 * {@link #port()}, the controller listener on {@link #controllerPort()}.
 *
 * <p>Its single log directory {@code kraft-logs/} under {@link #directory()} is formatted on the
 * first start and reused afterwards, also by a later broker built on the same directory. Internal
 * topics have one replica and one partition; topics are never auto-created.
 *
 * <p>Kafka treats a corrupt metadata log as fatal and halts the JVM, as a real broker would.
 */
public final class KafkaBroker extends AbstractManagedServer {

  private static final int NODE_ID = 1;
  private static final String CLIENT_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String SECURE_LISTENER = "SECURE";
  private static final Set<String> RESERVED_SETTINGS = Set.of(
      "process.roles", "node.id", "listeners", "advertised.listeners", "controller.listener.names",
      "inter.broker.listener.name", "listener.security.protocol.map", "controller.quorum.voters",
      "controller.quorum.bootstrap.servers", "log.dirs", "log.dir", "metadata.log.dir");
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final int port;
  private final int controllerPort;
  private final int securePort;
  private final Map<String, String> brokerConfig;
  private final Duration startupTimeout;
  private volatile KafkaRaftServer server;

  private KafkaBroker(Builder builder) {
    super(builder.name, builder.directory, builder.stopTimeout, builder.discardDataOnClose);
    this.port = builder.port != 0 ? builder.port : Loopback.freePort();
    this.controllerPort = builder.controllerPort != 0 ? builder.controllerPort : Loopback.freePort();
    if (port == controllerPort) {
      throw new IllegalArgumentException("port and controllerPort must differ: " + port);
    }
    this.startupTimeout = builder.startupTimeout;
    Map<String, String> config = new LinkedHashMap<>(builder.brokerConfig);
    String logDir = directory().resolve("kraft-logs").toString();
    config.put("process.roles", "broker,controller");
    config.put("node.id", Integer.toString(NODE_ID));
    String listeners = CLIENT_LISTENER + "://" + Loopback.HOST + ":" + port
        + "," + CONTROLLER_LISTENER + "://" + Loopback.HOST + ":" + controllerPort;
    String advertised = CLIENT_LISTENER + "://" + Loopback.HOST + ":" + port;
    String protocols = CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT";
    if (builder.secureListener != null) {
      this.securePort = builder.securePort != 0 ? builder.securePort : Loopback.freePort();
      String secure = SECURE_LISTENER + "://" + Loopback.HOST + ":" + securePort;
      listeners += "," + secure;
      advertised += "," + secure;
      protocols += "," + SECURE_LISTENER + ":SASL_SSL";
      config.putAll(builder.secureListener.brokerConfig(SECURE_LISTENER.toLowerCase(java.util.Locale.ROOT)));
    } else {
      this.securePort = 0;
    }
    config.put("listeners", listeners);
    config.put("advertised.listeners", advertised);
    config.put("controller.listener.names", CONTROLLER_LISTENER);
    config.put("inter.broker.listener.name", CLIENT_LISTENER);
    config.put("listener.security.protocol.map", protocols);
    // A static single-voter quorum: no KIP-853 bootstrap, and the controller port may change
    // between runs on the same directory.
    config.put("controller.quorum.voters", NODE_ID + "@" + Loopback.HOST + ":" + controllerPort);
    config.put("log.dirs", logDir);
    this.brokerConfig = Map.copyOf(config);
  }

  /** Starts building a broker whose log directory goes under {@code directory} (typically under {@code target/}). */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The client (PLAINTEXT) port. */
  @Override
  public int port() {
    return port;
  }

  /** The KRaft controller listener port. */
  public int controllerPort() {
    return controllerPort;
  }

  /** The {@code bootstrap.servers} value for clients: {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return Loopback.HOST + ":" + port;
  }

  /**
   * The {@code bootstrap.servers} value for clients of the SASL_SSL listener.
   *
   * @throws IllegalStateException if the broker was built without one
   */
  public String secureBootstrapServers() {
    if (securePort == 0) {
      throw new IllegalStateException(name() + " has no SASL_SSL listener; build it with saslSslListener(...)");
    }
    return Loopback.HOST + ":" + securePort;
  }

  /** The effective broker configuration (defaults, caller overrides, fixed listeners and directories). */
  public Map<String, String> brokerConfig() {
    return brokerConfig;
  }

  /**
   * Creates topic {@code name} with {@code partitions} partitions, one replica, and the given
   * topic-level configs ({@code retention.ms}, {@code cleanup.policy}, …); waits until created.
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    requireNonNull(name, "name is null");
    requireNonNull(configs, "configs is null");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
    }
    NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(Map.copyOf(configs));
    try (Admin admin = Admin.create(adminConfig())) {
      admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new FixtureException("Cannot create topic '" + name + "' on " + this + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new FixtureException("Topic '" + name + "' was not created on " + this + " within " + ADMIN_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("Interrupted while creating topic '" + name + "' on " + this, e);
    }
  }

  private Map<String, Object> adminConfig() {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.CLIENT_ID_CONFIG, "tributary-test-support-admin",
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
  }

  @Override
  List<Path> dataDirectories() {
    return List.of(directory().resolve("kraft-logs"));
  }

  @Override
  void doStart() throws Exception {
    Properties properties = new Properties();
    properties.putAll(brokerConfig);
    KafkaConfig config = KafkaConfig.fromProps(properties, false);
    formatIfNeeded(config);
    KafkaRaftServer starting = new KafkaRaftServer(config, Time.SYSTEM);
    server = starting;
    // KafkaRaftServer.startup() waits without a bound for the broker to be unfenced.
    ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, name() + "-startup");
      thread.setDaemon(true);
      return thread;
    });
    try {
      Future<?> started = starter.submit(starting::startup);
      try {
        started.get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        started.cancel(true);
        throw new FixtureException("Kafka broker " + bootstrapServers() + " did not start within " + startupTimeout
            + " (log directory " + config.metadataLogDir() + ")", e);
      } catch (ExecutionException e) {
        throw new FixtureException("Kafka broker " + bootstrapServers() + " failed to start: "
            + e.getCause().getMessage(), e.getCause());
      }
    } finally {
      starter.shutdown();
    }
  }

  @Override
  void doStop() {
    KafkaRaftServer running = server;
    server = null;
    if (running != null) {
      running.shutdown();
      running.awaitShutdown();
    }
  }

  /** What {@code kafka-storage.sh format} does, for a node whose directory has no {@code meta.properties} yet. */
  private static void formatIfNeeded(KafkaConfig config) throws Exception {
    Path logDir = Path.of(config.metadataLogDir());
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    Files.createDirectories(logDir);
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(config.nodeId())
        .setClusterId(Uuid.randomUuid().toString())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setMetadataLogDirectory(config.metadataLogDir())
        .addDirectory(config.metadataLogDir())
        .setHasDynamicQuorum(false)
        .run();
  }

  /** Settings of a {@link KafkaBroker}; every one has a default. */
  public static final class Builder {
    private final Path directory;
    private final Map<String, String> brokerConfig = new LinkedHashMap<>();
    private String name = "kafka";
    private int port;
    private int controllerPort;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private boolean discardDataOnClose;
    private SaslSslListener secureListener;
    private int securePort;
    private Duration stopTimeout = Duration.ofSeconds(30);

    private Builder(Path directory) {
      this.directory = requireNonNull(directory, "directory is null");
      brokerConfig.put("num.partitions", "1");
      brokerConfig.put("default.replication.factor", "1");
      brokerConfig.put("min.insync.replicas", "1");
      brokerConfig.put("auto.create.topics.enable", "false");
      brokerConfig.put("offsets.topic.replication.factor", "1");
      brokerConfig.put("offsets.topic.num.partitions", "1");
      brokerConfig.put("transaction.state.log.replication.factor", "1");
      brokerConfig.put("transaction.state.log.min.isr", "1");
      brokerConfig.put("transaction.state.log.num.partitions", "1");
      brokerConfig.put("share.coordinator.state.topic.replication.factor", "1");
      brokerConfig.put("share.coordinator.state.topic.min.isr", "1");
      brokerConfig.put("group.initial.rebalance.delay.ms", "0");
      // The default 128 MiB compaction buffer is sized for production brokers.
      brokerConfig.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
      brokerConfig.put("num.network.threads", "2");
      brokerConfig.put("num.io.threads", "4");
    }

    /**
     * Deletes the server's data (not its log) when it is closed, for tests whose data nobody
     * reads afterwards; by default the data stays, so that a new server on the directory resumes.
     */
    public Builder discardDataOnClose() {
      this.discardDataOnClose = true;
      return this;
    }

    /**
     * Adds a SASL_SSL listener on a free port beside the PLAINTEXT one (which the broker and the
     * fixture's own admin calls keep using): TLS with {@code certificates}' server keystore, and
     * SASL/PLAIN logins by {@code users} (name to password).
     */
    public Builder saslSslListener(TestCertificates certificates, Map<String, String> users) {
      if (requireNonNull(users, "users is null").isEmpty()) {
        throw new IllegalArgumentException("a SASL_SSL listener needs at least one user");
      }
      this.secureListener = new SaslSslListener(requireNonNull(certificates, "certificates is null"), Map.copyOf(users));
      return this;
    }

    /** Names the broker in logs and thread names instead of {@code "kafka"}. */
    public Builder name(String name) {
      requireNonNull(name, "name is null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name is blank");
      }
      this.name = name;
      return this;
    }

    /** Listens for clients on this port instead of a free one. */
    public Builder port(int port) {
      this.port = Loopback.checkPort(port);
      return this;
    }

    /** Listens for the controller on this port instead of a free one. */
    public Builder controllerPort(int port) {
      this.controllerPort = Loopback.checkPort(port);
      return this;
    }

    /**
     * Adds or overrides a broker setting. Roles, node id, listeners, quorum voters and log
     * directories are reserved: the broker listens on 127.0.0.1 only, under its directory.
     */
    public Builder brokerConfig(String key, String value) {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value of " + key + " is null");
      if (RESERVED_SETTINGS.contains(key)) {
        throw new IllegalArgumentException("Setting '" + key + "' is fixed by " + KafkaBroker.class.getSimpleName());
      }
      brokerConfig.put(key, value);
      return this;
    }

    /** How long {@code start()} waits for the broker to be ready for clients (default 60 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = requirePositive(timeout, "startupTimeout");
      return this;
    }

    /** How long {@code close()} waits for the broker to shut down (default 30 s). */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = requirePositive(timeout, "stopTimeout");
      return this;
    }

    /** Builds the broker (choosing its ports now); call {@link KafkaBroker#start()} next. */
    public KafkaBroker build() {
      return new KafkaBroker(this);
    }
  }

  /** The TLS and SASL/PLAIN settings of the secure listener. */
  private record SaslSslListener(TestCertificates certificates, Map<String, String> users) {
    Map<String, String> brokerConfig(String listener) {
      String prefix = "listener.name." + listener + ".";
      StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
      users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
      jaas.append(';');
      Map<String, String> config = new LinkedHashMap<>();
      config.put("sasl.enabled.mechanisms", "PLAIN");
      config.put(prefix + "plain.sasl.jaas.config", jaas.toString());
      config.put(prefix + "ssl.keystore.type", "PKCS12");
      config.put(prefix + "ssl.keystore.location", certificates.serverKeystore().toString());
      config.put(prefix + "ssl.keystore.password", certificates.password());
      config.put(prefix + "ssl.key.password", certificates.password());
      return config;
    }
  }
}
