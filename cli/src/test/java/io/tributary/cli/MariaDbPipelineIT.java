package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.Progress;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.MariaDbServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole path from a real MariaDB: binlog capture by the gateway, staging and Kafka, the applier and
 * the coordinator, into Delta tables equal to the source, after a snapshot and streamed changes
 * (inserts, updates, key changes, deletes, transactions over both tables).
 */
class MariaDbPipelineIT {
  private static final String SOURCE = "maria";
  private static final List<String> TABLES = List.of("shop.customers", "shop.orders");

  @Test
  void snapshotAndStreamedChangesArriveInDeltaEqualToTheSource() throws Exception {
    Path directory = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")), "mariadb-pipeline-")
        .toAbsolutePath();
    try (MariaDbServer mariadb = MariaDbServer.builder(directory.resolve("mariadb"))
            .binariesDirectory(Path.of("target", "mariadb-binaries")).discardDataOnClose().build();
        KafkaBroker kafka = KafkaBroker.builder(directory.resolve("kafka")).discardDataOnClose().build()) {
      mariadb.start();
      kafka.start();
      createShop(mariadb);
      Random random = new Random(11);
      Workload workload = new Workload(random);
      try (Connection connection = mariadb.connect("shop")) {
        workload.run(connection, 300);
      }
      StandalonePipeline.Settings settings = configure(directory, mariadb, kafka, "");
      try (StandalonePipeline pipeline = StandalonePipeline.start(settings, Clock.systemUTC(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
        try (Connection connection = mariadb.connect("shop")) {
          workload.run(connection, 1_500);
        }
        assertThat(workload.changes).isGreaterThanOrEqualTo(3_000);
        awaitEqual(mariadb, settings);
      }
    }
  }

  /**
   * A resync on MariaDB: the customers' copy diverges (changes made with the binlog off for the session
   * never reach it), a resync signalled through Debezium's signalling table reads the table again while
   * both tables keep changing, and at its end the table equals its source, rows deleted unseen included.
   */
  @Test
  void aResyncReplacesADivergedTableWhileBothTablesChange() throws Exception {
    Path directory = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")), "mariadb-resync-")
        .toAbsolutePath();
    try (MariaDbServer mariadb = MariaDbServer.builder(directory.resolve("mariadb"))
            .binariesDirectory(Path.of("target", "mariadb-binaries")).discardDataOnClose().build();
        KafkaBroker kafka = KafkaBroker.builder(directory.resolve("kafka")).discardDataOnClose().build()) {
      mariadb.start();
      kafka.start();
      createShop(mariadb);
      mariadb.execute("shop",
          "CREATE TABLE tributary_signal (id VARCHAR(64) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048))");
      mariadb.execute("", "GRANT INSERT ON shop.tributary_signal TO 'capture'@'localhost'");
      Workload workload = new Workload(new Random(13));
      try (Connection connection = mariadb.connect("shop")) {
        workload.run(connection, 600);
      }
      StandalonePipeline.Settings settings = configure(directory, mariadb, kafka, """
            debezium:
              signal.data.collection: shop.tributary_signal
          """);
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      TableId customers = TableId.parse(SOURCE + ".shop.customers");
      try (StandalonePipeline pipeline = StandalonePipeline.start(settings, Clock.systemUTC(), registry);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty())) {
        awaitEqual(mariadb, settings);
        try (Connection connection = mariadb.connect("shop"); Statement statement = connection.createStatement()) {
          statement.execute("SET sql_log_bin = 0");
          statement.execute("DELETE FROM customers WHERE id <= 30");
          statement.execute("UPDATE customers SET name = 'changed unseen' WHERE id > 30 AND id <= 60");
        }
        TableComparison diverged = Verification.compareAll(mariadb.connect("shop"), settings, SOURCE,
            List.of("shop.customers")).get(0);
        assertThat(diverged.equal()).as(diverged.describe()).isFalse();

        client.requestResync(customers, "changes made with the binlog off");
        try (Connection connection = mariadb.connect("shop")) {
          long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
          while (System.nanoTime() < until && client.table(customers).flatMap(TableStatus::resync)
              .map(resync -> resync.state().inProgress()).orElse(true)) {
            workload.run(connection, 20);
          }
        }
        Resync resync = client.table(customers).flatMap(TableStatus::resync).orElseThrow();
        assertThat(resync.state()).as(resync.detail()).isEqualTo(Resync.State.DONE);
        awaitEqual(mariadb, settings);
        assertThat(Progress.total(registry, "tributary.applier.resync.rows.removed")).isEqualTo(30);
      }
    }
  }

  /** The shop database with its two tables, and a capture user with the least privileges. */
  private static void createShop(MariaDbServer mariadb) {
    mariadb.createDatabase("shop");
    mariadb.execute("shop",
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, balance DECIMAL(12,2),"
            + " active BOOLEAN, since DATE)",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer_id BIGINT NOT NULL, amount DECIMAL(10,2), note TEXT,"
            + " placed DATETIME(6), rating DOUBLE)");
    mariadb.createCaptureUser("capture", "capture-pw", "shop");
  }

  /** A standalone configuration capturing both tables, with {@code sourceYaml} added to the source. */
  private static StandalonePipeline.Settings configure(Path directory, MariaDbServer mariadb, KafkaBroker kafka,
      String sourceYaml) throws IOException {
    Path config = directory.resolve("tributary.yaml");
    Files.writeString(config, """
        source:
          name: %s
          connector: mariadb
          host: 127.0.0.1
          port: %d
          user: capture
          password: capture-pw
          tables: [%s]
        %sgateway:
          segment:
            max-age: 200ms
        kafka:
          bootstrap-servers: %s
        """.formatted(SOURCE, mariadb.port(), String.join(", ", TABLES), sourceYaml, kafka.bootstrapServers()));
    return StandalonePipeline.configure(config, directory.resolve("data"), System::getenv);
  }

  private static void awaitEqual(MariaDbServer mariadb, StandalonePipeline.Settings settings) {
    List<TableComparison> results = Verification.awaitEqual(
        () -> Verification.compareAll(mariadb.connect("shop"), settings, SOURCE, TABLES),
        Duration.ofMinutes(3), Clock.systemUTC(), () -> {});
    assertThat(results).hasSize(2).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
  }

  /** Transactions of one to four changes over both tables, from a fixed seed. */
  private static final class Workload {
    private final Random random;
    private final List<Long> customers = new ArrayList<>();
    private final List<Integer> orders = new ArrayList<>();
    private long nextCustomer = 1;
    private int nextOrder = 1;
    long changes;

    Workload(Random random) {
      this.random = random;
    }

    void run(Connection connection, int transactions) throws SQLException {
      connection.setAutoCommit(false);
      for (int t = 0; t < transactions; t++) {
        int steps = 1 + random.nextInt(4);
        for (int s = 0; s < steps; s++) {
          step(connection);
        }
        connection.commit();
      }
      connection.setAutoCommit(true);
    }

    private void step(Connection connection) throws SQLException {
      int dice = random.nextInt(100);
      if (dice < 35 || customers.isEmpty()) {
        long id = nextCustomer++;
        update(connection, "INSERT INTO customers VALUES (?, ?, ?, ?, ?)", id, "customer " + id,
            BigDecimal.valueOf(random.nextInt(100_000), 2), random.nextBoolean(), LocalDate.of(2020, 1, 1).plusDays(id));
        customers.add(id);
      } else if (dice < 65) {
        int id = nextOrder++;
        update(connection, "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", id, pick(customers),
            BigDecimal.valueOf(random.nextInt(10_000), 2), random.nextBoolean() ? null : "note " + id,
            LocalDateTime.of(2026, 11, 21, 10, 0).plusNanos(random.nextInt(1_000_000) * 1000L), random.nextDouble());
        orders.add(id);
      } else if (dice < 85) {
        update(connection, "UPDATE customers SET balance = balance + 1.25, active = NOT active WHERE id = ?",
            pick(customers));
        if (!orders.isEmpty()) {
          update(connection, "UPDATE orders SET amount = amount * 2, note = 'changed' WHERE id = ?", pick(orders));
        }
      } else if (dice < 92 && !orders.isEmpty()) {
        // A key change: Debezium gives its delete and its insert one binlog row.
        int old = orders.remove(random.nextInt(orders.size()));
        int id = nextOrder++;
        update(connection, "UPDATE orders SET id = ? WHERE id = ?", id, old);
        orders.add(id);
      } else if (!orders.isEmpty()) {
        update(connection, "DELETE FROM orders WHERE id = ?", orders.remove(random.nextInt(orders.size())));
      }
    }

    private <T> T pick(List<T> ids) {
      return ids.get(random.nextInt(ids.size()));
    }

    private void update(Connection connection, String sql, Object... values) throws SQLException {
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < values.length; i++) {
          statement.setObject(i + 1, values[i]);
        }
        changes += statement.executeUpdate();
      }
    }
  }
}
