package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.applier.DeltaTableReader;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.gateway.GatewayService;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two applier processes, as deployed ({@code tributary applier} in JVMs of their own), share the
 * tables of one source through their consumer group on real PostgreSQL and Kafka while changes keep
 * coming. One of them dies (SIGKILL) or stalls (SIGSTOP): the other takes its tables over under
 * higher fencing epochs, a stalled one that wakes up with a commit in flight is refused by the
 * coordinator, and every table ends equal to its source, each version of it ratified once, in order.
 */
class ApplierFailoverIT {
  private static final Logger LOG = LoggerFactory.getLogger(ApplierFailoverIT.class);
  private static final Clock CLOCK = Clock.systemUTC();
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final String A = "applier-a";
  private static final String B = "applier-b";
  /**
   * On a topic of four partitions the four tables are keyed to partitions 2, 1, 1 and 0: however
   * the group splits the partitions two and two, each applier owns at least one table.
   */
  private static final int PARTITIONS = 4;
  private static final List<String> TABLES = List.of("public.customers", "public.products", "public.orders",
      "public.payments");
  private static final int PAYMENTS = 200;
  /** The load: demo transactions plus one payment change each, about this many a second. */
  private static final int LOAD_RATE = 60;
  private static final long MAX_LOAD_TRANSACTIONS = 20_000;
  private static final Duration MAX_LOAD_TIME = Duration.ofMinutes(4);
  /** How much load keeps coming after a takeover before it stops. */
  private static final long TRANSACTIONS_AFTER_TAKEOVER = 400;
  private static final Pattern OPS_URI = Pattern.compile("probes and metrics at (http://\\S+)");
  private static final Pattern TABLE_LABEL = Pattern.compile("table=\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void anApplierKilledUnderLoadHasItsTablesTakenOverWithNothingLostOrAppliedTwice() throws Exception {
    try (Deployment deployment = Deployment.start("applier-failover-kill")) {
      ApplierProcess a = deployment.launch(A, false);
      ApplierProcess b = deployment.launch(B, false);
      Map<TableId, TableStatus> before = deployment.awaitBothApplying(a, b);
      List<TableId> bTables = heldBy(before, B);
      LOG.info("Before the kill: {} holds {}, {} holds {}", A, heldBy(before, A), B, bTables);

      b.kill("-9");
      assertThat(b.process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
      assertThat(deployment.load.isDone()).as("changes still coming when the applier died").isFalse();

      // The group gives b's partitions to a, which takes the leases (a higher epoch fences b) and commits.
      await().atMost(WAIT).untilAsserted(() -> {
        for (TableId table : bTables) {
          TableStatus now = deployment.client.table(table).orElseThrow();
          assertThat(now.leaseHolder()).as("lease of %s", table).contains(new WriterId(A));
          assertThat(now.epoch().value()).as("epoch of %s", table).isGreaterThan(before.get(table).epoch().value());
          assertThat(latest(deployment.client, table)).as("latest commit of %s", table)
              .hasValueSatisfying(commit -> assertThat(commit.writer().value().equals(A)
                  && commit.epoch().equals(now.epoch())).as("%s", commit).isTrue());
          assertThat(Files.readString(a.log))
              .contains("Took " + table + " at epoch " + now.epoch() + " in apply mode ");
        }
      });
      long takenOverAt = deployment.transactions.get();
      LOG.info("{} took {} over after {} transactions", A, bTables, takenOverAt);
      deployment.awaitTransactions(takenOverAt + TRANSACTIONS_AFTER_TAKEOVER);
      long transactions = deployment.stopLoad();

      assertAllEqual(deployment.awaitEqual());
      LOG.info("{} transactions; {} replayed batches refused and {} duplicate changes dropped by the survivor",
          transactions, a.metric("tributary_applier_batches_replay_refused_total"),
          a.metric("tributary_applier_events_duplicate_dropped_total"));

      for (TableId table : bTables) {
        // What an operator sees: the survivor took the lease the dead applier never gave back.
        assertThat(deployment.client.events(EventQuery.latest().withTable(table).withLimit(EventQuery.MAX_LIMIT)
                .withTypes(Set.of(CoordinatorEvent.Type.LEASE_ACQUIRED))))
            .as("lease events of %s", table)
            .anySatisfy(event -> assertThat(event.details())
                .containsEntry("writer", A).containsEntry("previous_holder", B));
        // Every version under an epoch above b's last one is a's.
        assertThat(deployment.client.history(table))
            .filteredOn(commit -> before.get(table).epoch().isBefore(commit.epoch()))
            .as("commits of %s after %s took it over", table, A)
            .isNotEmpty()
            .allMatch(commit -> commit.writer().value().equals(A));
      }
      for (String table : TABLES) {
        deployment.assertLineage(TableId.parse(PipelineFixture.SOURCE + "." + table));
      }
      assertThat(a.process.isAlive()).as("the survivor still runs; see " + a.log).isTrue();
      assertThat(a.metric("tributary_applier_batches_applied_total")).isPositive();
    }
  }

  @Test
  void aStalledApplierWakingUpWithACommitInFlightIsFencedByTheCoordinator() throws Exception {
    try (Deployment deployment = Deployment.start("applier-failover-zombie")) {
      ApplierProcess a = deployment.launch(A, false);
      ApplierProcess b = deployment.launch(B, true);
      Map<TableId, TableStatus> before = deployment.awaitBothApplying(a, b);
      LOG.info("Before the stall: {} holds {}, {} holds {}", A, heldBy(before, A), B, heldBy(before, B));

      // b proposes a commit; it is held on its way to the coordinator, and b is frozen right then.
      CommitHoldingRelay.HeldCommit held = b.relay.orElseThrow().holdNextCommit()
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      b.signal("-STOP");
      assertThat(held.writer()).isEqualTo(B);
      // The committer wrote the actions to its staged commit before proposing it.
      byte[] zombieCommit = Files.readAllBytes(Path.of(held.stagedCommit().getPath()));
      LOG.info("{} stopped with version {} of {} at epoch {} in flight", B, held.version(), held.tableId(), held.epoch());

      // Its session expires: the group moves its partitions to a, which leases its tables at higher
      // epochs and commits versions of the held table, from the held version on.
      await().atMost(WAIT).untilAsserted(() -> {
        for (TableStatus now : deployment.statuses().values()) {
          assertThat(now.leaseHolder()).as("lease of %s", now.tableId()).contains(new WriterId(A));
        }
        TableStatus now = deployment.client.table(held.tableId()).orElseThrow();
        assertThat(now.epoch().value()).isGreaterThan(held.epoch());
        assertThat(deployment.client.history(held.tableId()))
            .anyMatch(commit -> commit.writer().value().equals(A) && commit.epoch().equals(now.epoch())
                && commit.version() > held.version());
      });
      LOG.info("{} took the tables of stalled {} over", A, B);

      // The stalled applier's proposal arrives now, with its old epoch, and b wakes up.
      double refusedBefore = deployment.staleEpochRefusals();
      CommitHoldingRelay.Answer answer = b.relay.get().release(Duration.ofMinutes(1));
      b.signal("-CONT");
      assertThat(answer.status()).as("the coordinator's answer to the zombie's commit: %s", answer.body()).isEqualTo(409);
      assertThat(answer.code()).isEqualTo("STALE_EPOCH");
      assertThat(deployment.staleEpochRefusals()).as("tributary.coordinator.commits.refused{reason=stale_epoch}")
          .isGreaterThanOrEqualTo(refusedBefore + 1);
      assertThat(deployment.client.events(EventQuery.latest().withTable(held.tableId()).withLimit(EventQuery.MAX_LIMIT)
              .withTypes(Set.of(CoordinatorEvent.Type.COMMIT_REFUSED))))
          .as("refused commits of %s", held.tableId())
          .anySatisfy(event -> assertThat(event.details()).containsEntry("writer", B)
              .containsEntry("epoch", Long.toString(held.epoch())).containsEntry("version", Long.toString(held.version()))
              .containsEntry("code", "STALE_EPOCH"));
      // The zombie learns it was fenced, stops working on the table and removes its refused staged commit.
      await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(b.log)).contains(held.tableId()
          + " was fenced (Writer " + B + " was fenced from table " + held.tableId() + ": cannot commit version "
          + held.version() + " with epoch " + held.epoch()));
      await().atMost(WAIT).until(() -> !Files.exists(Path.of(held.stagedCommit().getPath())));

      // It rejoins the group and is given tables again, under new leases; the load goes on meanwhile.
      long wokeAt = deployment.transactions.get();
      await().atMost(WAIT).untilAsserted(() -> assertThat(deployment.statuses().values())
          .anyMatch(status -> status.leaseHolder().equals(Optional.of(new WriterId(B)))
              && status.epoch().value() > before.get(status.tableId()).epoch().value()));
      deployment.awaitTransactions(wokeAt + TRANSACTIONS_AFTER_TAKEOVER);
      long transactions = deployment.stopLoad();

      assertAllEqual(deployment.awaitEqual());
      // Each applier reports the tables it holds and no other: the tables the zombie lost left its metrics.
      await().atMost(WAIT).untilAsserted(() -> {
        Map<TableId, TableStatus> now = deployment.statuses();
        assertThat(a.tables("tributary_applier_table_version")).as("tables %s reports", A).isEqualTo(heldBy(now, A));
        assertThat(b.tables("tributary_applier_table_version")).as("tables %s reports", B).isEqualTo(heldBy(now, B));
      });
      LOG.info("{} transactions; {} replayed batches refused by {}, {} by {}", transactions,
          a.metric("tributary_applier_batches_replay_refused_total"), A,
          b.metric("tributary_applier_batches_replay_refused_total"), B);
      // The zombie's version never landed: the held version and every later one were ratified for others.
      assertThat(deployment.client.history(held.tableId()))
          .as("commits of %s by %s at its stale epoch %s", held.tableId(), B, held.epoch())
          .noneMatch(commit -> commit.writer().value().equals(B) && commit.epoch().value() == held.epoch()
              && commit.version() >= held.version());
      Path logEntry = Path.of(Verification.tableLocation(deployment.settings, held.tableId()).getPath(), "_delta_log",
          String.format("%020d.json", held.version()));
      assertThat(Files.readAllBytes(logEntry)).as("Delta log entry %s is not the zombie's staged commit", logEntry)
          .isNotEqualTo(zombieCommit);
      for (String table : TABLES) {
        deployment.assertLineage(TableId.parse(PipelineFixture.SOURCE + "." + table));
      }
      assertThat(a.process.isAlive()).as("see " + a.log).isTrue();
      assertThat(b.process.isAlive()).as("the woken applier still runs; see " + b.log).isTrue();

      // A graceful stop (SIGTERM, as Kubernetes sends before a pod goes): b gives its leases back as it
      // leaves instead of letting them run out (30 s), so the next applier can take each table at once.
      List<TableId> handedOver = heldBy(deployment.statuses(), B);
      assertThat(handedOver).as("tables %s holds before its stop", B).isNotEmpty();
      b.process.destroy();
      assertThat(b.process.waitFor(90, TimeUnit.SECONDS)).as("%s stopped after SIGTERM; see %s", B, b.log).isTrue();
      assertThat(b.process.exitValue()).as("exit code after SIGTERM; see " + b.log).isEqualTo(143);
      Map<TableId, TableStatus> afterStop = deployment.statuses();
      for (TableId table : handedOver) {
        assertThat(afterStop.get(table).leaseHolder()).as("lease of %s right after %s stopped", table, B)
            .isNotEqualTo(Optional.of(new WriterId(B)));
        assertThat(deployment.client.events(EventQuery.latest().withTable(table).withLimit(EventQuery.MAX_LIMIT)
                .withTypes(Set.of(CoordinatorEvent.Type.LEASE_RELEASED))))
            .as("leases of %s released", table)
            .anySatisfy(event -> assertThat(event.details()).containsEntry("writer", B));
      }
    }
  }

  private static void assertAllEqual(List<TableComparison> results) {
    assertThat(results).hasSize(TABLES.size())
        .allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
  }

  private static List<TableId> heldBy(Map<TableId, TableStatus> statuses, String writer) {
    return statuses.values().stream().filter(status -> status.leaseHolder().equals(Optional.of(new WriterId(writer))))
        .map(TableStatus::tableId).sorted().toList();
  }

  /** The table's latest recorded commit; none while the table is registered but not yet created. */
  private static Optional<CommitRecord> latest(HttpCoordinatorClient client, TableId table) {
    return client.history(table, Long.MAX_VALUE, 1).stream().findFirst();
  }

  /** One {@code tributary applier} process and what the test reads of it. */
  private record ApplierProcess(String writer, Process process, Path log, Optional<CommitHoldingRelay> relay) {
    /** Sends {@code signal} (e.g. {@code -STOP}) to this process, by its pid. */
    void signal(String signal) throws IOException, InterruptedException {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
      assertThat(kill.waitFor()).as("kill %s %s", signal, process.pid()).isZero();
    }

    void kill(String signal) throws IOException, InterruptedException {
      signal(signal);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s ended after kill %s", writer, signal).isTrue();
    }

    /** The sum of a metric over its labels, scraped from the process's {@code /metrics}. */
    double metric(String name) throws IOException, InterruptedException {
      return scrape().lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The tables a metric is exported for, scraped from the process's {@code /metrics}. */
    List<TableId> tables(String name) throws IOException, InterruptedException {
      return scrape().lines().filter(line -> line.startsWith(name + "{"))
          .map(TABLE_LABEL::matcher)
          .filter(Matcher::find)
          .map(matcher -> TableId.parse(matcher.group(1)))
          .sorted()
          .toList();
    }

    private String scrape() throws IOException, InterruptedException {
      Matcher matcher = OPS_URI.matcher(Files.readString(log));
      assertThat(matcher.find()).as("%s printed where its metrics are; see %s", writer, log).isTrue();
      return HTTP.send(HttpRequest.newBuilder(URI.create(matcher.group(1) + "/metrics"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
  }

  /**
   * PostgreSQL and Kafka (the fixture), the coordinator and the gateway in this JVM, the load on
   * another thread, and the applier processes; closing stops all of them, the processes by their pid.
   */
  private static final class Deployment implements AutoCloseable {
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<ApplierProcess> appliers = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong transactions = new AtomicLong();
    private PipelineFixture fixture;
    private StandalonePipeline.Settings settings;
    private CoordinatorServer coordinator;
    private HttpCoordinatorClient client;
    private Future<Long> load;

    static Deployment start(String name) throws Exception {
      Deployment deployment = new Deployment();
      try {
        deployment.startAll(name);
        return deployment;
      } catch (Exception | AssertionError e) {
        try {
          deployment.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    }

    private void startAll(String name) throws Exception {
      fixture = new PipelineFixture(name);
      resources.push(fixture);
      try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE public.payments (id bigint PRIMARY KEY, order_id bigint NOT NULL,"
            + " amount numeric(12,2) NOT NULL, status text NOT NULL)");
        statement.execute("INSERT INTO public.payments SELECT n, n, n * 1.5, 'new' FROM generate_series(1, " + PAYMENTS
            + ") AS n");
      }
      Path config = fixture.writeConfig(TABLES, "");
      Files.writeString(config, Files.readString(config)
          .replace("kafka:\n", "kafka:\n  topic-partitions: " + PARTITIONS + "\n"));
      settings = fixture.settings(config);
      coordinator = CoordinatorServer.start(settings.coordinator(), CLOCK, fixture.registry);
      resources.push(coordinator);
      client = HttpCoordinatorClient.create(coordinator.uri(), Optional.empty());
      resources.push(client);
      // The gateway creates the manifest topic with its four partitions before any applier subscribes.
      GatewayService gateway = new GatewayService(settings.gateway(), CLOCK, fixture.registry);
      resources.push(gateway);
      gateway.start();
      ExecutorService executor = Executors.newSingleThreadExecutor();
      resources.push(executor::shutdownNow);
      resources.push(() -> stop.set(true));
      load = executor.submit(this::runLoad);
    }

    /**
     * Starts {@code tributary applier} in its own JVM, logging to {@code <writer>.log}; with
     * {@code relayed}, it reaches the coordinator through a {@link CommitHoldingRelay}.
     */
    ApplierProcess launch(String writer, boolean relayed) throws IOException {
      Optional<CommitHoldingRelay> relay = Optional.empty();
      if (relayed) {
        relay = Optional.of(CommitHoldingRelay.start(coordinator.uri()));
        resources.push(relay.get());
      }
      URI coordinatorUrl = relay.map(CommitHoldingRelay::uri).orElse(coordinator.uri());
      // A short session so that the group notices a dead or stalled member within seconds; a long
      // request timeout so that a commit answered while the applier was stopped is read, not timed out.
      Path config = fixture.directory.resolve(writer + ".yaml");
      Files.writeString(config, """
          kafka:
            bootstrap-servers: %s
          applier:
            writer-id: %s
            listen-port: 0
            consumer:
              session.timeout.ms: "6000"
              heartbeat.interval.ms: "1000"
          coordinator:
            url: %s
            request-timeout: 3m
          """.formatted(fixture.kafka.bootstrapServers(), writer, coordinatorUrl));
      Path log = fixture.directory.resolve(writer + ".log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // The client compiler alone and one GC thread: two applier JVMs share two cores with the rest.
      ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "applier", "--config", config.toString(),
          "--data-dir", settings.dataDirectory().toString());
      builder.redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      Process process = builder.start();
      // Before the fixture stops Kafka: a killed process stays killed, a stopped one is killed too.
      resources.push(() -> {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      });
      ApplierProcess applier = new ApplierProcess(writer, process, log, relay);
      appliers.add(applier);
      return applier;
    }

    /**
     * Waits until the group split the tables between the two appliers, each committed under its
     * current lease, and each counts applied batches; returns the tables' statuses then.
     */
    Map<TableId, TableStatus> awaitBothApplying(ApplierProcess a, ApplierProcess b) {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        Map<TableId, TableStatus> statuses = statuses();
        assertThat(statuses).hasSize(TABLES.size());
        assertThat(statuses.values()).extracting(status -> status.leaseHolder().map(WriterId::value).orElse("nobody"))
            .containsOnly(A, B).contains(A, B);
        for (TableStatus status : statuses.values()) {
          assertThat(latest(client, status.tableId())).as("latest commit of %s", status.tableId())
              .hasValueSatisfying(commit -> assertThat(commit.epoch()).isEqualTo(status.epoch()));
        }
        assertThat(a.metric("tributary_applier_batches_applied_total")).as("batches applied by %s", A).isPositive();
        assertThat(b.metric("tributary_applier_batches_applied_total")).as("batches applied by %s", B).isPositive();
        assertThat(load.isDone()).as("the load is running").isFalse();
      });
      return statuses();
    }

    Map<TableId, TableStatus> statuses() {
      Map<TableId, TableStatus> statuses = new LinkedHashMap<>();
      for (TableStatus status : client.tables()) {
        statuses.put(status.tableId(), status);
      }
      return statuses;
    }

    double staleEpochRefusals() {
      var counter = fixture.registry.find("tributary.coordinator.commits.refused").tag("reason", "stale_epoch").counter();
      return counter == null ? 0 : counter.count();
    }

    void awaitTransactions(long count) {
      await().atMost(WAIT).until(() -> transactions.get() >= count || load.isDone());
      assertThat(transactions.get()).as("transactions made before the load's bounds").isGreaterThanOrEqualTo(count);
    }

    long stopLoad() throws Exception {
      stop.set(true);
      return load.get(1, TimeUnit.MINUTES);
    }

    List<TableComparison> awaitEqual() {
      return Verification.awaitEqual(() -> Verification.compareAll(fixture.postgres.connect("shop"), settings,
          PipelineFixture.SOURCE, TABLES), Duration.ofMinutes(3), CLOCK, () -> {});
    }

    /**
     * The table's lineage at the coordinator: every Delta version from 0 on ratified exactly once,
     * epochs never going back, the applied position (watermark) never going back (a compaction, which
     * changes no data, carries none); and the Delta log holds exactly the versions the coordinator
     * ratified.
     */
    void assertLineage(TableId table) {
      TableStatus status = client.table(table).orElseThrow();
      List<CommitRecord> history = new ArrayList<>(client.history(table));
      Collections.reverse(history);
      assertThat(history).extracting(CommitRecord::version).as("versions of %s", table)
          .isEqualTo(LongStream.rangeClosed(0, status.version()).boxed().toList());
      Optional<SourcePosition> was = history.isEmpty() ? Optional.empty() : history.get(0).watermark();
      for (int i = 1; i < history.size(); i++) {
        CommitRecord previous = history.get(i - 1);
        CommitRecord commit = history.get(i);
        assertThat(commit.epoch()).as("epoch of version %s of %s", commit.version(), table)
            .isGreaterThanOrEqualTo(previous.epoch());
        if (commit.watermark().isEmpty() && commit.segments().isEmpty() && commit.rowsChanged() == 0) {
          // A compaction: it changes no data and carries no applied position; the next batch's must not
          // go back from the last one.
          continue;
        }
        if (was.isPresent()) {
          Optional<SourcePosition> before = was;
          assertThat(commit.watermark()).as("watermark of version %s of %s", commit.version(), table)
              .hasValueSatisfying(now -> assertThat(before.get().isAfter(now))
                  .as("%s went back from %s to %s", table, before.get(), now).isFalse());
        }
        was = commit.watermark();
      }
      assertThat(new DeltaTableReader(Map.of()).version(Verification.tableLocation(settings, table)))
          .as("Delta version of %s", table).contains(status.version());
      LOG.info("{}: versions 0..{}, epochs {}", table, status.version(),
          history.stream().map(commit -> commit.epoch() + "/" + commit.writer()).distinct()
              .collect(Collectors.joining(", ")));
    }

    /** Demo transactions, each followed by one change of a payment, paced, until stopped or bounded. */
    private long runLoad() throws SQLException, InterruptedException {
      Random random = new Random(17);
      long nextPayment = PAYMENTS + 1;
      try (Connection connection = fixture.postgres.connect("shop");
          PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO public.payments VALUES (?, ?, ?, 'new')");
          PreparedStatement update = connection.prepareStatement(
              "UPDATE public.payments SET amount = amount + 1, status = ? WHERE id = ?");
          PreparedStatement delete = connection.prepareStatement("DELETE FROM public.payments WHERE id = ?")) {
        connection.setAutoCommit(false);
        long started = System.nanoTime();
        while (!stop.get() && transactions.get() < MAX_LOAD_TRANSACTIONS
            && System.nanoTime() - started < MAX_LOAD_TIME.toNanos()) {
          fixture.workload.runOne(connection);
          int kind = random.nextInt(10);
          if (kind < 5) {
            insert.setLong(1, nextPayment);
            insert.setLong(2, 1 + random.nextInt(500));
            insert.setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
            insert.executeUpdate();
            nextPayment++;
          } else if (kind < 8) {
            update.setString(1, random.nextBoolean() ? "settled" : "disputed");
            update.setLong(2, 1 + random.nextInt((int) nextPayment - 1));
            update.executeUpdate();
          } else {
            delete.setLong(1, 1 + random.nextInt((int) nextPayment - 1));
            delete.executeUpdate();
          }
          connection.commit();
          long done = transactions.incrementAndGet();
          // Pacing the load, not waiting for a condition.
          long ahead = TimeUnit.MILLISECONDS.toNanos(done * 1000L / LOAD_RATE) - (System.nanoTime() - started);
          if (ahead > 0) {
            TimeUnit.NANOSECONDS.sleep(ahead);
          }
        }
      }
      return transactions.get();
    }

    /** Closes everything started, the last first; a failure is thrown once everything was tried. */
    @Override
    public void close() {
      IllegalStateException failure = null;
      while (!resources.isEmpty()) {
        try {
          resources.pop().close();
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
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
}
