package io.tributary.coordinator;

import static io.tributary.coordinator.TestCoordinator.proposal;
import static io.tributary.coordinator.TestCoordinator.published;
import static io.tributary.coordinator.TestCoordinator.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.delta.kernel.TableManager;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.coordinator.client.CoordinatorClientConfig;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.coordinator.internal.CommitEntry;
import io.tributary.coordinator.internal.DeltaLogPublisher;
import io.tributary.coordinator.internal.PostgresCoordinatorStore;
import io.tributary.coordinator.internal.TableState;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.testing.Loopback;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two coordinators over one real PostgreSQL store, one of them in its own JVM that is killed with
 * SIGKILL under load and restarted: every commit a writer got a receipt for is in its table's history
 * exactly once, versions run from 0 without gaps, every ratified version is published in the Delta
 * log, and nothing is ratified twice.
 */
@ExtendWith(SharedPostgres.class)
class TwoCoordinatorsIT {
  private static final Logger LOG = LoggerFactory.getLogger(TwoCoordinatorsIT.class);
  private static final String DATABASE = "two_coordinators_it";
  private static final StructType SCHEMA = new StructType().add("id", LongType.LONG);
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final int TABLES = 3;
  private static final int WRITERS = 4;
  /** Receipts before the kill, while only the survivor runs, and through the restarted coordinator. */
  private static final int BEFORE_KILL = 30;
  private static final int WHILE_DEAD = 20;
  private static final int AFTER_RESTART = 10;
  private static final int KILLS = 2;
  private static final Duration LOAD_LIMIT = Duration.ofSeconds(75);

  private static CoordinatorStoreConfig database;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private Path root;

  @BeforeAll
  static void createDatabase() {
    database = SharedPostgres.newDatabase(DATABASE);
  }

  @AfterEach
  void stop() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void coordinatorKilledUnderLoadLosesAndDoublesNothing() throws Exception {
    root = fresh("two-coordinators");
    CoordinatorStoreConfig store = database.withSchema("under_load");
    CoordinatorServer survivor = startInProcess(store, root.resolve("survivor"));
    int childPort = Loopback.freePort();
    Process child = launch(store, childPort, 1);
    URI childUri = awaitReady(child, childPort, 1);
    List<URI> uris = List.of(childUri, survivor.uri());
    List<HttpCoordinatorClient> clients = List.of(client(childUri), client(survivor.uri()));

    Map<TableId, Path> tables = new LinkedHashMap<>();
    for (int i = 0; i < TABLES; i++) {
      Path directory = root.resolve("tables").resolve("t" + i);
      TableId tableId = tableId(i);
      clients.get(1).register(new TableRegistration(tableId, directory.toUri(), List.of("id")));
      // Created through the child, so that the survivor serves a table it never saw created.
      Lease creator = clients.get(0).acquireLease(tableId, new WriterId("creator"), TTL);
      Engine engine = engine();
      TableManager.buildCreateTableTransaction(directory.toString(), SCHEMA, "tributary-it")
          .withCommitter(new CoordinatedCommitter(clients.get(0), creator, Optional.empty(), List.of(), 0))
          .build(engine).commit(engine, CloseableIterable.emptyIterable());
      tables.put(tableId, directory);
    }

    List<FailoverClient> failoverClients = new ArrayList<>();
    AtomicIntegerArray commitsInFlight = new AtomicIntegerArray(uris.size());
    for (int i = 0; i < WRITERS; i++) {
      failoverClients.add(new FailoverClient(clients, uris, i % 2, Duration.ofSeconds(30), commitsInFlight));
    }
    CommitLoad load = new CommitLoad(tables, failoverClients);
    try (load) {
      for (int kill = 1; kill <= KILLS; kill++) {
        int before = load.receiptCount();
        Process killer = armKill(child);
        // Killed while it answers a commit, so that writers lose answers.
        awaitLoad(load, "receipts before kill " + kill + ", and a commit sent to the child",
            () -> load.receiptCount() >= before + BEFORE_KILL && commitsInFlight.get(0) > 0);
        fire(killer, child);
        int atKill = load.receiptCount();
        LOG.info("Killed the child coordinator (kill {}) after {} receipts; {} commits ratified but not yet published",
            kill, atKill, unpublished(store));

        awaitLoad(load, "receipts from the survivor alone", () -> load.receiptCount() >= atKill + WHILE_DEAD);
        child = launch(store, childPort, kill + 1);
        assertThat(awaitReady(child, childPort, kill + 1)).isEqualTo(childUri);
        long childReceiptsAtRestart = load.receiptsFrom(childUri);
        failoverClients.forEach(FailoverClient::preferAgain);
        awaitLoad(load, "receipts from the restarted coordinator",
            () -> load.receiptsFrom(childUri) >= childReceiptsAtRestart + AFTER_RESTART);
      }
    }

    assertThat(load.unexpected()).as("unexpected failures").isEmpty();
    int failovers = failoverClients.stream().mapToInt(FailoverClient::failovers).sum();
    int lostAnswers = failoverClients.stream().mapToInt(FailoverClient::lostAnswers).sum();
    assertThat(failovers).as("failovers").isPositive();
    LOG.info("{} receipts ({} through the child), {} fenced, {} conflicts, {} failovers, {} commits whose answer was lost"
        + " sent again, {} settled by the writer", load.receiptCount(), load.receiptsFrom(childUri), load.fenced(),
        load.conflicts(), failovers, lostAnswers, load.settled());
    assertNothingLostOrDoubled(clients.get(1), load, tables, store);
    for (int run = 1; run <= KILLS + 1; run++) {
      assertThat(Files.readString(root.resolve("child-" + run + ".log"))).doesNotContain(SharedPostgres.PASSWORD);
    }
  }

  @Test
  void commitRatifiedByACoordinatorThatDiedIsPublishedByTheSurvivor() throws IOException {
    root = fresh("dead-ratifier");
    CoordinatorStoreConfig store = database.withSchema("dead_ratifier");
    CoordinatorServer survivor = startInProcess(store, root.resolve("survivor"));
    HttpCoordinatorClient client = client(survivor.uri());
    Path orders = root.resolve("orders");
    Path items = root.resolve("items");
    client.register(new TableRegistration(tableId(0), orders.toUri(), List.of("id")));
    client.register(new TableRegistration(tableId(1), items.toUri(), List.of("id")));
    Lease ordersLease = client.acquireLease(tableId(0), new WriterId("applier-a"), TTL);
    Lease itemsLease = client.acquireLease(tableId(1), new WriterId("applier-b"), TTL);
    CommitProposal resent = proposal(ordersLease, 0, stage(orders, 0, "{\"v\":0}\n"));
    CommitProposal overtaken = proposal(itemsLease, 0, stage(items, 0, "{\"items\":0}\n"));
    // What a coordinator did before dying: ratified both proposals, published neither.
    try (PostgresCoordinatorStore dead = PostgresCoordinatorStore.open(store)) {
      ratify(dead, resent);
      ratify(dead, overtaken);
    }

    // The writer sends its proposal again and gets its receipt.
    CommitReceipt receipt = client.commit(resent);
    assertThat(receipt.version()).isZero();
    assertThat(Files.readString(published(orders, 0))).isEqualTo("{\"v\":0}\n");
    assertThat(Path.of(resent.stagedCommit())).doesNotExist();

    // The next commit of the table publishes the ratified one first.
    assertThat(client.commit(proposal(itemsLease, 1, stage(items, 1, "{\"items\":1}\n"))).version()).isEqualTo(1);
    assertThat(Files.readString(published(items, 0))).isEqualTo("{\"items\":0}\n");
    assertThat(Files.readString(published(items, 1))).isEqualTo("{\"items\":1}\n");
    assertThat(client.history(tableId(1))).extracting(CommitRecord::status)
        .containsExactly(CommitRecord.Status.PUBLISHED, CommitRecord.Status.PUBLISHED);
  }

  @Test
  void ofRacersOnBothCoordinatorsOnlyTheLastLeaseHolderCommits() throws Exception {
    root = fresh("racers");
    CoordinatorStoreConfig store = database.withSchema("racers");
    List<HttpCoordinatorClient> clients = List.of(client(startInProcess(store, root.resolve("a")).uri()),
        client(startInProcess(store, root.resolve("b")).uri()));
    Path table = root.resolve("orders");
    clients.get(0).register(new TableRegistration(tableId(0), table.toUri(), List.of("id")));
    int racers = 8;
    ExecutorService executor = Executors.newFixedThreadPool(racers);
    resources.add(executor::shutdownNow);
    for (long version = 0; version < 10; version++) {
      long proposed = version;
      CyclicBarrier leased = new CyclicBarrier(racers);
      List<Callable<Optional<ErrorCode>>> attempts = new ArrayList<>();
      for (int racer = 0; racer < racers; racer++) {
        HttpCoordinatorClient client = clients.get(racer % 2);
        WriterId writer = new WriterId("applier-" + racer);
        attempts.add(() -> {
          URI staged = stage(table, proposed, "{\"writer\":\"" + writer + "\"}\n");
          Lease lease = client.acquireLease(tableId(0), writer, TTL);
          leased.await(10, TimeUnit.SECONDS);
          try {
            client.commit(proposal(lease, proposed, staged));
            return Optional.empty();
          } catch (TributaryException e) {
            return Optional.of(e.code());
          }
        });
      }
      List<Optional<ErrorCode>> outcomes = new ArrayList<>();
      for (Future<Optional<ErrorCode>> outcome : executor.invokeAll(attempts, 60, TimeUnit.SECONDS)) {
        outcomes.add(outcome.get());
      }

      assertThat(outcomes).filteredOn(Optional::isEmpty).hasSize(1);
      assertThat(outcomes).filteredOn(Optional::isPresent)
          .allSatisfy(code -> assertThat(code).contains(ErrorCode.STALE_EPOCH));
      TableStatus status = clients.get(1).table(tableId(0)).orElseThrow();
      assertThat(status.version()).isEqualTo(proposed);
      assertThat(Files.readString(published(table, proposed))).contains(status.leaseHolder().orElseThrow().value());
    }
    assertThat(clients.get(0).history(tableId(0))).hasSize(10).isEqualTo(clients.get(1).history(tableId(0)));
  }

  private static void assertNothingLostOrDoubled(HttpCoordinatorClient client, CommitLoad load, Map<TableId, Path> tables,
      CoordinatorStoreConfig store) throws SQLException {
    Map<String, CommitLoad.Receipt> receiptByAttempt = new HashMap<>();
    for (CommitLoad.Receipt receipt : load.receipts()) {
      assertThat(receiptByAttempt.put(receipt.segment().toString(), receipt)).as("one receipt per attempt").isNull();
    }
    Set<String> receiptVersions = load.receipts().stream().map(receipt -> receipt.tableId() + "@" + receipt.version())
        .collect(Collectors.toSet());
    assertThat(receiptVersions).as("no two receipts for one version").hasSize(load.receiptCount());

    Set<String> historyVersions = new HashSet<>();
    for (Map.Entry<TableId, Path> table : tables.entrySet()) {
      TableId tableId = table.getKey();
      Path directory = table.getValue();
      List<CommitRecord> history = new ArrayList<>(client.history(tableId));
      history.sort((a, b) -> Long.compare(a.version(), b.version()));
      assertThat(history).extracting(CommitRecord::version).as("versions of %s", tableId)
          .containsExactlyElementsOf(java.util.stream.LongStream.range(0, history.size()).boxed().toList());
      assertThat(history).as("every commit of %s published", tableId)
          .allSatisfy(record -> assertThat(record.status()).isEqualTo(CommitRecord.Status.PUBLISHED));
      for (CommitRecord record : history) {
        assertThat(published(directory, record.version())).as("log entry of version %s of %s", record.version(), tableId)
            .exists();
        if (record.version() > 0) {
          String attempt = record.segments().get(0).toString();
          CommitLoad.Receipt receipt = receiptByAttempt.get(attempt);
          assertThat(receipt).as("receipt for version %s of %s (%s)", record.version(), tableId, attempt).isNotNull();
          assertThat(receipt.version()).isEqualTo(record.version());
          assertThat(receipt.tableId()).isEqualTo(tableId);
          historyVersions.add(tableId + "@" + record.version());
        }
      }
      long latest = history.size() - 1;
      assertThat(client.table(tableId).orElseThrow().version()).isEqualTo(latest);
      assertThat(published(directory, latest + 1)).doesNotExist();
      // Delta Kernel reads the log the coordinators wrote: contiguous, every entry valid.
      assertThat(TableManager.loadSnapshot(directory.toString()).build(engine()).getVersion()).isEqualTo(latest);
    }
    assertThat(historyVersions).as("every receipt is in a history, and every commit has a receipt")
        .isEqualTo(receiptVersions);
    try (Connection connection = SharedPostgres.server().connect(DATABASE);
        Statement statement = connection.createStatement();
        ResultSet withdrawn = statement.executeQuery("SELECT count(*) FROM " + store.schema()
            + ".coordinator_withdrawn_commits")) {
      withdrawn.next();
      assertThat(withdrawn.getLong(1)).as("ratifications taken back").isZero();
    }
  }

  // ---- fixtures ----

  private CoordinatorServer startInProcess(CoordinatorStoreConfig store, Path dataDir) {
    CoordinatorServer server = CoordinatorServer.start(CoordinatorConfig.local(dataDir),
        PostgresCoordinatorStore.open(store), Clock.systemUTC(), new SimpleMeterRegistry());
    resources.add(server);
    return server;
  }

  private HttpCoordinatorClient client(URI uri) {
    HttpCoordinatorClient client = HttpCoordinatorClient.create(CoordinatorClientConfig.of(uri, Optional.empty())
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(20)));
    resources.add(client);
    return client;
  }

  private Process launch(CoordinatorStoreConfig store, int port, int run) throws IOException {
    Path config = root.resolve("child.yaml");
    Files.writeString(config, """
        coordinator:
          listen-host: 127.0.0.1
          listen-port: %d
          data-dir: %s
          store:
            type: postgresql
            url: %s
            user: %s
            password: ${env:TRIBUTARY_STORE_PASSWORD}
            schema: %s
            pool-size: 4
            connect-timeout: 2s
        """.formatted(port, root.resolve("child"), store.url().orElseThrow(), store.user().orElseThrow(), store.schema()),
        StandardCharsets.UTF_8);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        CoordinatorProcess.class.getName(), config.toString(), root.resolve("child").toString());
    builder.environment().put("TRIBUTARY_STORE_PASSWORD", SharedPostgres.PASSWORD);
    builder.redirectErrorStream(true);
    builder.redirectOutput(root.resolve("child-" + run + ".log").toFile());
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private URI awaitReady(Process process, int port, int run) {
    Path log = root.resolve("child-" + run + ".log");
    URI uri = URI.create("http://127.0.0.1:" + port);
    await("child coordinator run " + run).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("Child coordinator exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      return Files.readAllLines(log, StandardCharsets.UTF_8).contains(CoordinatorProcess.READY + uri);
    });
    return uri;
  }

  /** Waits for the load to get somewhere, failing at once when a writer met an unexpected failure. */
  private static void awaitLoad(CommitLoad load, String what, Callable<Boolean> condition) {
    await(what).atMost(LOAD_LIMIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!load.unexpected().isEmpty()) {
        throw new AssertionError("Unexpected failures while waiting for " + what + ": " + load.unexpected());
      }
      return condition.call();
    });
  }

  /** A {@code kill -9} of {@code target} made ready ahead of time, so that it lands at once when fired. */
  private Process armKill(Process target) throws IOException {
    Process killer = new ProcessBuilder("sh", "-c", "read go && kill -9 " + target.pid()).redirectErrorStream(true).start();
    processes.add(killer);
    return killer;
  }

  private static void fire(Process killer, Process target) throws Exception {
    try (var go = killer.getOutputStream()) {
      go.write('\n');
    }
    assertThat(killer.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(killer.exitValue()).as("kill -9 " + target.pid()).isZero();
    assertThat(target.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(target.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }

  private static int unpublished(CoordinatorStoreConfig store) throws SQLException {
    try (Connection connection = SharedPostgres.server().connect(DATABASE);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + store.schema()
            + ".coordinator_commits WHERE status = 'RATIFIED'")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static void ratify(PostgresCoordinatorStore store, CommitProposal proposal) throws IOException {
    DeltaLogPublisher.Content content;
    try (DeltaLogPublisher publisher = new DeltaLogPublisher(Map.of())) {
      content = publisher.inspect(proposal.stagedCommit());
    }
    TableState table = store.table(proposal.tableId()).orElseThrow();
    CommitRecord record = new CommitRecord(proposal.tableId(), proposal.version(), proposal.writer(), proposal.epoch(),
        proposal.watermark(), proposal.segments(), proposal.rowsChanged(), java.time.Instant.now(),
        table.publishedCommit(proposal.version()), CommitRecord.Status.RATIFIED, Optional.empty());
    store.ratify(new CommitEntry(record, proposal.stagedCommit(), content.sha256(), content.size(), OptionalLong.empty()));
  }

  private static TableId tableId(int table) {
    return TableId.parse("pg1.public.t" + table);
  }

  private static Engine engine() {
    return DefaultEngine.create(new Configuration());
  }

  private static Path fresh(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), prefix + "-").toAbsolutePath();
  }
}
