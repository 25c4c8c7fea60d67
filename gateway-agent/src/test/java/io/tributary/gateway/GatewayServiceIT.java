package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.Loopback;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway against a real PostgreSQL and a real Kafka broker. */
class GatewayServiceIT {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServiceIT.class);

  private static PostgresServer postgres;
  private static KafkaBroker kafka;
  private static ShopDatabase checks;

  @BeforeAll
  static void startServers() throws IOException {
    postgres = PostgresServer.builder(fresh("postgres"))
        .binariesDirectory(Path.of("target", "postgres-binaries")).discardDataOnClose().build();
    postgres.start();
    kafka = KafkaBroker.builder(fresh("kafka")).discardDataOnClose().build();
    kafka.start();
    ShopDatabase.createUser(postgres);
    checks = new ShopDatabase(postgres, "checks");
    checks.create();
  }

  @AfterAll
  static void stopServers() {
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static Path fresh(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), prefix + "-")
        .toAbsolutePath();
  }

  private static String yaml(String source, String database, String password, int port, String bootstrap,
      String topic, List<String> tables, int maxRows, String maxAge) {
    return """
        source:
          name: %s
          host: 127.0.0.1
          port: %d
          database: %s
          user: %s
          password: %s
          tables: [%s]
          connect-timeout: 3s
        gateway:
          heartbeat-interval: 1s
          shutdown-timeout: 20s
          segment:
            max-rows: %d
            max-age: %s
        kafka:
          bootstrap-servers: %s
          topic: %s
          topic-partitions: 3
          connect-timeout: 3s
        """.formatted(source, port, database, ShopDatabase.USER, password, String.join(", ", tables),
        maxRows, maxAge, bootstrap, topic);
  }

  private static GatewayConfig config(String yaml, Path dataDir) {
    ConfigReader root = ConfigReader.fromYaml(yaml, "it.yaml", name -> null);
    GatewayConfig config = GatewayConfig.from(root, dataDir);
    root.throwIfInvalid();
    return config;
  }

  private static GatewayConfig shopConfig(String source, ShopDatabase database, String topic, Path dataDir) {
    return config(yaml(source, database.name(), ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        topic, ShopDatabase.TABLES, 100_000, "1s"), dataDir);
  }

  /** Waits until the staged changes reproduce every source table exactly. */
  private static StagedReplica awaitReplica(ShopDatabase database, String source, String topic, StagingStore store,
      Duration timeout) {
    StagedReplica replica = new StagedReplica(store);
    try (ManifestLog log = new ManifestLog(kafka.bootstrapServers(), topic)) {
      await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        try {
          replica.apply(log.next());
        } catch (AssertionError e) {
          // A broken contract is final: do not let the wait retry past it.
          throw new IllegalStateException(e.getMessage(), e);
        }
        StringBuilder differences = new StringBuilder();
        for (String table : ShopDatabase.TABLES) {
          String[] parts = table.split("\\.");
          TableId id = new TableId(source, parts[0], parts[1]);
          differences.append(difference(table, database.rows(table), replica.rows(id)));
        }
        assertThat(differences.toString()).isEmpty();
      });
    }
    return replica;
  }

  /** What differs between the source rows and the staged rows of a table, with a few examples. */
  private static String difference(String table, Map<List<Object>, Map<String, Object>> expected,
      Map<List<Object>, Map<String, Object>> actual) {
    List<List<Object>> missing = expected.keySet().stream().filter(k -> !actual.containsKey(k)).toList();
    List<List<Object>> extra = actual.keySet().stream().filter(k -> !expected.containsKey(k)).toList();
    List<List<Object>> changed = expected.keySet().stream()
        .filter(k -> actual.containsKey(k) && !actual.get(k).equals(expected.get(k))).toList();
    if (missing.isEmpty() && extra.isEmpty() && changed.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder(table).append(": ").append(missing.size()).append(" missing ")
        .append(missing.stream().limit(5).toList()).append(", ").append(extra.size()).append(" extra ")
        .append(extra.stream().limit(5).toList()).append(", ").append(changed.size()).append(" different");
    changed.stream().limit(3).forEach(k -> text.append("\n  ").append(k).append(": source ").append(expected.get(k))
        .append("\n  ").append(k).append(": staged ").append(actual.get(k)));
    return text.append('\n').toString();
  }

  private static List<Future<Integer>> runWorkloads(ExecutorService executor, ShopDatabase database, int preloaded,
      int transactions, AtomicBoolean stop, boolean truncateOnce, int generation) {
    List<Future<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      futures.add(executor.submit(new ShopWorkload(database, i, 2, preloaded, transactions, stop::get,
          truncateOnce && i == 0, generation)));
    }
    return futures;
  }

  @Test
  void snapshotThenChangesOfThreeTablesAreStagedExactlyAndAnnouncedBeforeOffsetsAreCommitted() throws Exception {
    ShopDatabase shop = new ShopDatabase(postgres, "shop");
    shop.create();
    shop.preload(1500);
    try (Connection connection = shop.connect()) {
      connection.createStatement().execute("ANALYZE orders");
    }
    Path dataDir = fresh("gateway-shop");
    GatewayConfig config = shopConfig("shop", shop, "shop.manifests", dataDir);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC())) {
      GatewayService gateway = new GatewayService(config, Clock.systemUTC(), registry);
      gateway.start();
      assertThat(gateway.state()).isEqualTo(GatewayService.State.RUNNING);

      AtomicBoolean stop = new AtomicBoolean();
      for (Future<Integer> done : runWorkloads(executor, shop, 1500, 400, stop, false, 0)) {
        assertThat(done.get()).isEqualTo(400);
      }
      // A graceful restart while the workload goes on: everything staged is announced, committed
      // and the restarted gateway resumes after it.
      List<Future<Integer>> second = runWorkloads(executor, shop, 1500, 300, stop, true, 1);
      await().atMost(Duration.ofSeconds(60)).until(() -> gateway.status().eventsCaptured() > 8000);
      assertThat(registry.get("tributary.gateway.snapshot.rows").tag("table", "shop.public.orders").counter().count())
          .isEqualTo(1500);
      assertThat(registry.get("tributary.gateway.snapshot.rows.estimated").tag("table", "shop.public.orders").gauge()
          .value()).as("the source's estimate after ANALYZE").isEqualTo(1500);
      assertThat(registry.get("tributary.gateway.snapshot.progress").tag("table", "shop.public.orders").gauge().value())
          .isEqualTo(1.0);
      gateway.close();
      assertThat(gateway.state()).isEqualTo(GatewayService.State.STOPPED);
      gateway.close();
      GatewayStatus before = gateway.status();

      GatewayService restarted = new GatewayService(config, Clock.systemUTC(), registry);
      restarted.start();
      for (Future<Integer> done : second) {
        done.get();
      }
      StagedReplica replica = awaitReplica(shop, "shop", "shop.manifests", store, Duration.ofMinutes(3));
      LOG.info("Replica: {} segments, {} events, {} duplicates; first run {}", replica.segments(), replica.events(),
          replica.duplicates(), before);

      GatewayStatus status = restarted.status();
      assertThat(status.state()).isEqualTo(GatewayService.State.RUNNING);
      assertThat(before.eventsCaptured() + status.eventsCaptured()).as("snapshot and changes").isGreaterThan(8_000);
      assertThat(before.offsetsCommitted()).isPositive();
      assertThat(status.tables()).containsKeys(
          new TableId("shop", "public", "orders"), new TableId("shop", "public", "items"),
          new TableId("shop", "public", "customers"));
      assertThat(status.tables().get(new TableId("shop", "public", "orders")).lastStagedPosition())
          .hasValueSatisfying(position -> assertThat(position.value()).startsWith("0000000000000001-"));
      assertThat(registry.get("tributary.gateway.events.captured").tag("table", "shop.public.orders")
          .tag("op", "u").counter().count()).isPositive();
      assertThat(registry.find("tributary.gateway.snapshot.rows").counters())
          .as("the restarted gateway resumed streaming: no second snapshot").isEmpty();
      assertThat(registry.get("tributary.gateway.capture.lag").timeGauge()).isNotNull();
      assertThat(registry.get("tributary.gateway.state").tag("state", "RUNNING").gauge().value()).isEqualTo(1);
      assertThat(registry.get("tributary.gateway.state").tag("state", "STARTING").gauge().value()).isZero();
      assertThat(registry.get("tributary.gateway.streaming").gauge().value()).isEqualTo(1);
      assertThat(replica.rows(new TableId("shop", "public", "orders")).values())
          .as("unchanged TOASTed values were kept").anySatisfy(row -> assertThat(row.get("big")).isNotNull());

      restarted.close();
      assertThat(restarted.state()).isEqualTo(GatewayService.State.STOPPED);
      try (Connection connection = shop.connect(); Statement statement = connection.createStatement();
          ResultSet slot = statement.executeQuery(
              "SELECT confirmed_flush_lsn IS NOT NULL, active FROM pg_replication_slots WHERE slot_name = 'tributary_shop'")) {
        assertThat(slot.next()).isTrue();
        assertThat(slot.getBoolean(1)).as("offsets were confirmed to the slot").isTrue();
        assertThat(slot.getBoolean(2)).as("the gateway released the slot").isFalse();
      }
      assertThat(registry.getMeters()).as("closed gateways remove their meters").isEmpty();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void schemaChangesMidStreamStartNewSegmentsInOrderAndAreCounted() throws Exception {
    ShopDatabase shop = new ShopDatabase(postgres, "evolve");
    shop.create();
    postgres.execute("evolve", "CREATE TABLE accounts (id int PRIMARY KEY, name text, qty int)",
        "ALTER TABLE accounts OWNER TO " + ShopDatabase.USER,
        "INSERT INTO accounts SELECT n, 'n' || n, n FROM generate_series(1, 20) AS n");
    Path dataDir = fresh("gateway-evolve");
    GatewayConfig config = config(yaml("evolve", "evolve", ShopDatabase.PASSWORD, postgres.port(),
        kafka.bootstrapServers(), "evolve.manifests", List.of("public.accounts"), 100_000, "200ms"), dataDir);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TableId accounts = new TableId("evolve", "public", "accounts");
    List<String> ddl = List.of("ALTER TABLE accounts ADD COLUMN note text",
        "ALTER TABLE accounts ALTER COLUMN qty TYPE bigint", "ALTER TABLE accounts DROP COLUMN name");
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), registry)) {
      gateway.start();
      // Read once the gateway created the topic: a consumer asking before would keep an empty answer.
      ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "evolve.manifests");
      List<ManifestRecord> manifests = new ArrayList<>();
      int round = 0;
      for (String change : ddl) {
        round++;
        postgres.execute("evolve", "UPDATE accounts SET qty = qty + 1000 WHERE id <= 10");
        // Each schema change is followed by changes of every row, so that every row's last image has the new schema.
        postgres.execute("evolve", change, "UPDATE accounts SET qty = qty + " + round);
        int expected = round;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          manifests.addAll(log.next());
          assertThat(registry.find("tributary.gateway.schema.changes").tag("table", accounts.canonical()).counter())
              .isNotNull().satisfies(counter -> assertThat(counter.count()).isEqualTo(expected));
          assertThat(staged(store, manifests).values()).allSatisfy(row -> assertThat(row.get(1)).isNotNull());
        });
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        manifests.addAll(log.next());
        Map<Object, List<Object>> rows = staged(store, manifests);
        assertThat(rows).hasSize(20);
        assertThat(rows.get(1)).as("id, qty, note of row 1").containsExactly(1, 1L + 1000 * 3 + 1 + 2 + 3, null);
      });

      // Four schemas, one after the other in position order, each in segments of its own.
      List<String> fingerprints = new ArrayList<>();
      SourcePosition previous = null;
      for (ManifestRecord manifest : manifests) {
        assertThat(previous == null || manifest.firstPosition().isAfter(previous)).isTrue();
        previous = manifest.lastPosition();
        if (fingerprints.isEmpty() || !fingerprints.get(fingerprints.size() - 1).equals(manifest.schemaFingerprint())) {
          fingerprints.add(manifest.schemaFingerprint());
        }
      }
      assertThat(fingerprints).as("schemas in staging order").hasSize(4).doesNotHaveDuplicates();
      try (SegmentReader last = store.openSegment(manifests.get(manifests.size() - 1))) {
        assertThat(last.schema().columns()).extracting(Column::name).containsExactly("id", "qty", "note");
        assertThat(last.schema().columns().get(1).type()).isEqualTo(ColumnType.LONG);
      }
      log.close();
    }
  }

  /** The last staged image of each row of the manifests' segments, by key, as [key, other columns...]. */
  private static Map<Object, List<Object>> staged(StagingStore store, List<ManifestRecord> manifests) {
    Map<Object, List<Object>> rows = new java.util.TreeMap<>();
    for (ManifestRecord manifest : manifests) {
      try (SegmentReader reader = store.openSegment(manifest)) {
        for (ChangeEvent event : reader.readAll()) {
          if (event.operation() == Operation.TRUNCATE) {
            rows.clear();
          } else if (event.operation() == Operation.DELETE) {
            rows.remove(event.value(0));
          } else {
            rows.put(event.value(0), java.util.Arrays.asList(event.values()));
          }
        }
      }
    }
    return rows;
  }

  @Test
  void killedWithSigkillMidSnapshotAndMidStreamLosesNothing() throws Exception {
    ShopDatabase shop = new ShopDatabase(postgres, "crash");
    shop.create();
    shop.preload(4000);
    Path dataDir = fresh("gateway-crash");
    String yaml = yaml("crash", "crash", ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        "crash.manifests", ShopDatabase.TABLES, 500, "200ms");
    Path configFile = dataDir.resolve("gateway.yaml");
    Files.writeString(configFile, yaml);
    GatewayConfig config = config(yaml, dataDir);
    ExecutorService executor = Executors.newFixedThreadPool(2);
    AtomicBoolean stop = new AtomicBoolean();
    List<Process> processes = new ArrayList<>();
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "crash.manifests")) {
      List<ManifestRecord> seen = new ArrayList<>();

      Process first = launch(configFile, dataDir, 1);
      processes.add(first);
      await().atMost(Duration.ofMinutes(2)).until(() -> {
        seen.addAll(log.next());
        return seen.size() >= 3;
      });
      kill(first);
      boolean midSnapshot = seen.stream().allMatch(m -> m.lastPosition().value().startsWith("0000000000000000-"));
      LOG.info("First kill after {} manifests, mid-snapshot: {}", seen.size(), midSnapshot);

      // Changes keep coming while the gateway is killed and restarted; the workload stops only once
      // the third run streams.
      List<Future<Integer>> workloads = runWorkloads(executor, shop, 4000, 1_000_000, stop, true, 0);
      Process second = launch(configFile, dataDir, 2);
      if (midSnapshot) {
        // A snapshot is redone on a new slot: only then is it consistent (see PostgresSourceConnector).
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(dataDir.resolve("gateway-run-2.log"))
            .contains("Dropping replication slot 'tributary_crash'"));
      }
      processes.add(second);
      int before = seen.size();
      await().atMost(Duration.ofMinutes(2)).until(() -> {
        seen.addAll(log.next());
        return seen.size() >= before + 10 && streamed(seen) >= 3;
      });
      kill(second);
      LOG.info("Second kill after {} manifests, {} of them streamed", seen.size(), streamed(seen));

      Process third = launch(configFile, dataDir, 3);
      processes.add(third);
      int streamedBefore = streamed(seen);
      await().atMost(Duration.ofMinutes(2)).until(() -> {
        seen.addAll(log.next());
        return streamed(seen) >= streamedBefore + 3;
      });
      stop.set(true);
      for (Future<Integer> done : workloads) {
        LOG.info("Workload ran {} transactions", done.get());
      }
      StagedReplica replica = awaitReplica(shop, "crash", "crash.manifests", store, Duration.ofMinutes(5));
      LOG.info("Replica after two SIGKILLs: {} segments, {} events, {} duplicates", replica.segments(),
          replica.events(), replica.duplicates());

      third.destroy();
      assertThat(third.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("SIGTERM stops the gateway").isTrue();
      assertThat(third.exitValue()).isNotEqualTo(1);
    } finally {
      stop.set(true);
      executor.shutdownNow();
      for (Process process : processes) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void anIncrementalInitialLoadKilledWithSigkillResumesWhereItStopped() throws Exception {
    ShopDatabase shop = new ShopDatabase(postgres, "loading");
    shop.create();
    shop.preload(3000);
    postgres.execute("loading",
        "CREATE TABLE tributary_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))",
        "ALTER TABLE tributary_signal OWNER TO " + ShopDatabase.USER);
    long sourceRows = 0;
    for (String table : ShopDatabase.TABLES) {
      sourceRows += shop.rows(table).size();
    }
    Path dataDir = fresh("gateway-loading");
    String yaml = yaml("loading", "loading", ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        "loading.manifests", ShopDatabase.TABLES, 500, "200ms").replace("  connect-timeout: 3s\ngateway:", """
          connect-timeout: 3s
          snapshot-mode: incremental
          debezium:
            signal.data.collection: public.tributary_signal
            incremental.snapshot.chunk.size: 200
        gateway:""");
    Path configFile = dataDir.resolve("gateway.yaml");
    Files.writeString(configFile, yaml);
    GatewayConfig config = config(yaml, dataDir);
    List<Process> processes = new ArrayList<>();
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "loading.manifests")) {
      List<ManifestRecord> seen = new ArrayList<>();
      Process first = launch(configFile, dataDir, 1);
      processes.add(first);
      long threshold = sourceRows * 2 / 5;
      await().atMost(Duration.ofMinutes(2)).until(() -> {
        seen.addAll(log.next());
        return seen.stream().mapToLong(ManifestRecord::rowCount).sum() >= threshold;
      });
      kill(first);
      long readBeforeKill = seen.stream().mapToLong(ManifestRecord::rowCount).sum();
      LOG.info("Killed the incremental initial load after {} of {} rows were staged", readBeforeKill, sourceRows);

      Process second = launch(configFile, dataDir, 2);
      processes.add(second);
      StagedReplica replica = awaitReplica(shop, "loading", "loading.manifests", store, Duration.ofMinutes(3));
      assertThat(Files.readString(dataDir.resolve("gateway-run-2.log")))
          .contains("resumes the initial load of");
      // Started over from zero, the second run would stage every row again: at least sourceRows +
      // readBeforeKill events in all. Resumed, it re-reads at most the chunks after the last commit.
      assertThat(replica.events()).as("events staged by both runs, %d rows at the source", sourceRows)
          .isBetween(sourceRows, sourceRows + readBeforeKill / 2);
      second.destroy();
      assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("SIGTERM stops the gateway").isTrue();
      assertThat(Files.readString(config.stateDirectory().resolve("initial-load-complete")).lines())
          .containsExactlyInAnyOrder("loading.public.customers", "loading.public.items", "loading.public.orders");
    } finally {
      for (Process process : processes) {
        process.destroyForcibly();
      }
    }
  }

  private static int streamed(List<ManifestRecord> manifests) {
    return (int) manifests.stream().filter(m -> m.lastPosition().value().startsWith("0000000000000001-")).count();
  }

  private static Process launch(Path configFile, Path dataDir, int run) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        GatewayProcess.class.getName(), configFile.toString(), dataDir.toString());
    builder.redirectErrorStream(true);
    builder.redirectOutput(dataDir.resolve("gateway-run-" + run + ".log").toFile());
    return builder.start();
  }

  private static void kill(Process process) throws Exception {
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
    process.waitFor();
    assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }

  // ---- start-up checks ----

  private static GatewayConfig checksConfig(String password, int port, String bootstrap, List<String> tables)
      throws IOException {
    return config(yaml("checks", "checks", password, port, bootstrap, "checks.manifests", tables, 100_000, "1s"),
        fresh("gateway-checks"));
  }

  @Test
  void wrongPasswordIsReportedWithUserHostAndDatabase() throws Exception {
    GatewayConfig config = checksConfig("wrong", postgres.port(), kafka.bootstrapServers(), List.of("public.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("password authentication failed for user \"tributary\"")
        .hasMessageContaining("database 'checks' at 127.0.0.1:" + postgres.port())
        .hasMessageContaining("as user 'tributary'")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void unreachableDatabaseIsReportedWithHostAndPort() throws Exception {
    int port = Loopback.freePort();
    GatewayConfig config = checksConfig(ShopDatabase.PASSWORD, port, kafka.bootstrapServers(), List.of("public.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_UNREACHABLE))
        .hasMessageContaining("Cannot reach PostgreSQL at 127.0.0.1:" + port)
        .hasMessageContaining("Connection refused");
  }

  @Test
  void aUserWithoutTheReplicationAttributeIsToldWhatToGrant() throws Exception {
    postgres.createUser("reader", "reader-pw");
    postgres.execute("checks", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader");
    String yaml = yaml("checks", "checks", "reader-pw", postgres.port(), kafka.bootstrapServers(), "checks.manifests",
        List.of("public.orders"), 100_000, "1s").replace("user: " + ShopDatabase.USER, "user: reader");
    GatewayConfig config = config(yaml, fresh("gateway-no-replication"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_AUTH_FAILED))
        .hasMessageContaining("User 'reader' of PostgreSQL database 'checks' at 127.0.0.1:" + postgres.port()
            + " may not stream changes")
        .hasMessageContaining("ALTER ROLE reader WITH REPLICATION");
  }

  @Test
  void aServerWithoutLogicalDecodingIsToldWhichSettingToChange() throws Exception {
    try (PostgresServer replica = PostgresServer.builder(fresh("postgres-wal-replica"))
        .binariesDirectory(Path.of("target", "postgres-binaries"))
        .serverConfig("wal_level", "replica")
        .discardDataOnClose().build()) {
      replica.start();
      ShopDatabase.createUser(replica);
      new ShopDatabase(replica, "checks").create();
      GatewayConfig config = checksConfig(ShopDatabase.PASSWORD, replica.port(), kafka.bootstrapServers(),
          List.of("public.orders"));
      assertThatThrownBy(() -> GatewayService.preflight(config))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("PostgreSQL at 127.0.0.1:" + replica.port() + " runs with wal_level=replica")
          .hasMessageContaining("needs wal_level=logical");
    }
  }

  @Test
  void missingTablesAreNamed() throws Exception {
    GatewayConfig config = checksConfig(ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        List.of("public.orders", "public.ghost", "sales.orders"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessageContaining("Tables public.ghost, sales.orders do not exist in PostgreSQL database 'checks' at 127.0.0.1:"
            + postgres.port());
  }

  @Test
  void tablesWithoutPrimaryKeyNeedFullRowImagesAndAreThenCapturedWithoutAKey() throws Exception {
    GatewayConfig config = checksConfig(ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        List.of("public.orders", "public.nokey"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_PRIMARY_KEY))
        .hasMessageContaining("Table public.nokey has no primary key and no replica identity")
        .hasMessageContaining("ALTER TABLE public.nokey REPLICA IDENTITY FULL;");

    // With full row images a keyless table is captured: every change staged whole, without a key.
    ShopDatabase shop = new ShopDatabase(postgres, "keyless");
    shop.create();
    postgres.execute("keyless", "ALTER TABLE nokey OWNER TO " + ShopDatabase.USER, "ALTER TABLE nokey REPLICA IDENTITY FULL",
        "INSERT INTO nokey VALUES (1, 'one'), (1, 'one'), (2, 'two')");
    Path dataDir = fresh("gateway-keyless");
    GatewayConfig keyless = config(yaml("keyless", "keyless", ShopDatabase.PASSWORD, postgres.port(),
        kafka.bootstrapServers(), "keyless.manifests", List.of("public.nokey"), 100_000, "200ms"), dataDir);
    assertThat(StartupChecks.keysOf(keyless)).containsEntry(new TableId("keyless", "public", "nokey"), List.of());
    try (StagingStore store = StagingStore.open(keyless.staging(), Clock.systemUTC());
        GatewayService gateway = new GatewayService(keyless, Clock.systemUTC(), new SimpleMeterRegistry())) {
      gateway.start();
      ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "keyless.manifests");
      postgres.execute("keyless", "UPDATE nokey SET b = 'uno' WHERE b = 'one'", "DELETE FROM nokey WHERE a = 2",
          "INSERT INTO nokey VALUES (3, NULL)");
      List<ManifestRecord> manifests = new ArrayList<>();
      List<ChangeEvent> events = new ArrayList<>();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        for (ManifestRecord manifest : log.next()) {
          manifests.add(manifest);
          try (SegmentReader reader = store.openSegment(manifest)) {
            assertThat(reader.schema().keyColumns()).isEmpty();
            events.addAll(reader.readAll());
          }
        }
        assertThat(events).extracting(event -> event.operation().code() + java.util.Arrays.toString(event.values()))
            .containsSubsequence("r[1, one]", "r[2, two]", "u[1, uno]", "u[1, uno]", "d[2, two]", "c[3, null]");
      });
      log.close();
    }
  }

  @Test
  void tablesWithoutReplicaIdentityAreRefusedAndPartialOnesNamedInAWarning() throws Exception {
    GatewayConfig config = checksConfig(ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        List.of("public.orders", "public.silent"));
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("Table public.silent has REPLICA IDENTITY NOTHING in PostgreSQL database 'checks'")
        .hasMessageContaining("ALTER TABLE public.silent REPLICA IDENTITY DEFAULT;");

    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
        "io.tributary.gateway.internal.PostgresSourceConnector");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
        new ch.qos.logback.core.read.ListAppender<>();
    warnings.start();
    logger.addAppender(warnings);
    try {
      GatewayService.preflight(checksConfig(ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
          List.of("public.orders", "public.items")));
    } finally {
      logger.detachAppender(warnings);
    }
    assertThat(warnings.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .singleElement().asString()
        .contains("Tables public.orders, public.items of database 'checks'")
        .contains("REPLICA IDENTITY FULL");
  }

  @Test
  void columnSelectionsNameUnknownColumnsAndKeysLeftOut() throws Exception {
    String base = yaml("checks", "checks", ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        "checks.manifests", List.of("public.orders", "public.items"), 100_000, "1s");
    GatewayConfig unknown = config(base.replace("  connect-timeout: 3s\ngateway:", """
          connect-timeout: 3s
          columns:
            public.orders:
              exclude: [payload, colour]
        gateway:"""), fresh("gateway-checks"));
    assertThatThrownBy(() -> GatewayService.preflight(unknown))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("Invalid source.columns.public.orders")
        .hasMessageContaining("it has no column colour");
    GatewayConfig keyless = config(base.replace("  connect-timeout: 3s\ngateway:", """
          connect-timeout: 3s
          columns:
            public.items:
              include: [order_id, qty]
        gateway:"""), fresh("gateway-checks"));
    assertThatThrownBy(() -> GatewayService.preflight(keyless))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("key column line must be captured");
  }

  @Test
  void excludedColumnsNeverReachStaging() throws Exception {
    ShopDatabase shop = new ShopDatabase(postgres, "columns");
    shop.create();
    shop.preload(50);
    Path dataDir = fresh("gateway-columns");
    String yaml = yaml("columns", "columns", ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        "columns.manifests", List.of("public.orders"), 100_000, "200ms").replace("  connect-timeout: 3s\ngateway:", """
          connect-timeout: 3s
          columns:
            public.orders:
              exclude: [payload, big]
        gateway:""");
    GatewayConfig config = config(yaml, dataDir);
    try (StagingStore store = StagingStore.open(config.staging(), Clock.systemUTC());
        ManifestLog log = new ManifestLog(kafka.bootstrapServers(), "columns.manifests");
        GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      gateway.start();
      List<ManifestRecord> manifests = new ArrayList<>();
      await().atMost(Duration.ofMinutes(1)).until(() -> {
        manifests.addAll(log.next());
        return !manifests.isEmpty();
      });
      try (SegmentReader segment = store.openSegment(manifests.get(0))) {
        assertThat(segment.schema().columns()).extracting(Column::name)
            .contains("id", "note", "amount")
            .doesNotContain("payload", "big");
      }
    }
  }

  @Test
  void unreachableKafkaIsReportedWithTheBootstrapServersWithinTheTimeout() throws Exception {
    String bootstrap = "127.0.0.1:" + Loopback.freePort();
    GatewayConfig config = checksConfig(ShopDatabase.PASSWORD, postgres.port(), bootstrap, List.of("public.orders"));
    long started = System.nanoTime();
    assertThatThrownBy(() -> GatewayService.preflight(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KAFKA_UNREACHABLE))
        .hasMessageContaining("Cannot reach Kafka at " + bootstrap + " within 3000 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void theChecksCreateTheManifestTopic() throws Exception {
    GatewayConfig config = checksConfig(ShopDatabase.PASSWORD, postgres.port(), kafka.bootstrapServers(),
        List.of("public.orders", "public.items"));
    GatewayService.preflight(config);
    GatewayService.preflight(config);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      assertThat(admin.describeTopics(List.of("checks.manifests")).allTopicNames().get().get("checks.manifests")
          .partitions()).hasSize(3);
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "checks.manifests");
      Config topicConfig = admin.describeConfigs(List.of(topic)).all().get().get(topic);
      assertThat(topicConfig.get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(topicConfig.get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(30).toMillis()));
    }
  }

  @Test
  void aGatewayThatFailsItsChecksEndsFailedAndHoldsNothing() throws Exception {
    GatewayConfig config = checksConfig("wrong", postgres.port(), kafka.bootstrapServers(), List.of("public.orders"));
    GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry());
    assertThatThrownBy(gateway::start).hasMessageContaining("password authentication failed");
    assertThat(gateway.state()).isEqualTo(GatewayService.State.FAILED);
    assertThat(gateway.status().failure()).hasValueSatisfying(m -> assertThat(m).contains("password authentication"));
    assertThat(gateway.awaitTermination(Duration.ofSeconds(1))).isTrue();
    gateway.close();
    assertThat(gateway.state()).isEqualTo(GatewayService.State.FAILED);
    // The state directory lock was released: another gateway can take it.
    GatewayService again = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry());
    assertThatThrownBy(again::start).hasMessageContaining("password authentication failed");
  }
}
