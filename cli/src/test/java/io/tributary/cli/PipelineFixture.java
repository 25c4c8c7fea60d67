package io.tributary.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.DemoWorkload;
import io.tributary.cli.internal.Progress;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Real PostgreSQL and a real Kafka broker under {@code target/it/<name>}, the demo schema, and a
 * way to run the standalone pipeline over them and verify every table.
 */
final class PipelineFixture implements AutoCloseable {
  static final String SOURCE = "shop";
  static final int BACKGROUND_RATE = 300;
  static final Duration BACKGROUND_LIMIT = Duration.ofMinutes(5);

  final Path directory;
  final PostgresServer postgres;
  final KafkaBroker kafka;
  final DemoWorkload workload = new DemoWorkload(7);
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  PipelineFixture(String name) throws IOException, SQLException {
    directory = Path.of("target", "it", name).toAbsolutePath();
    deleteRecursively(directory);
    Files.createDirectories(directory);
    postgres = PostgresServer.builder(directory.resolve("postgres")).discardDataOnClose().build();
    postgres.start();
    kafka = KafkaBroker.builder(directory.resolve("kafka")).discardDataOnClose().build();
    kafka.start();
    postgres.createDatabase("shop");
    try (Connection connection = postgres.connect("shop")) {
      workload.createSchema(connection, 300, 50, 500);
    }
  }

  Path writeConfig(String extraYaml) throws IOException {
    return writeConfig(List.of("public.customers", "public.products", "public.orders"), extraYaml);
  }

  /** A standalone configuration capturing {@code tables}, with {@code extraYaml} appended. */
  Path writeConfig(List<String> tables, String extraYaml) throws IOException {
    Path config = directory.resolve("tributary.yaml");
    Files.writeString(config, """
        source:
          name: %s
          host: 127.0.0.1
          port: %d
          database: shop
          user: %s
          password: %s
          tables: [%s]
        gateway:
          segment:
            max-age: 200ms
        kafka:
          bootstrap-servers: %s
        %s
        """.formatted(SOURCE, postgres.port(), postgres.superuser(), postgres.superuserPassword(), String.join(", ", tables),
        kafka.bootstrapServers(), extraYaml));
    return config;
  }

  /**
   * Creates {@code accounts (id, owner, balance)} holding ids 1 to {@code rows}, and Debezium's
   * signalling table as docs/sources.md creates it.
   */
  void createAccounts(int rows) throws SQLException {
    try (Connection connection = postgres.connect("shop"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL)");
      statement.execute("INSERT INTO accounts SELECT n, 'owner ' || n, 1000 FROM generate_series(1, " + rows + ") AS n");
      statement.execute("CREATE TABLE tributary_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL,"
          + " data varchar(2048))");
    }
  }

  /** A standalone configuration capturing {@code tables} that signals resyncs through the signalling table. */
  Path writeSignallingConfig(List<String> tables) throws IOException {
    Path config = writeConfig(tables, "");
    Files.writeString(config, Files.readString(config).replace("  tables: [",
        "  debezium:\n    signal.data.collection: public.tributary_signal\n  tables: ["));
    return config;
  }

  StandalonePipeline.Settings settings(Path config) {
    return StandalonePipeline.configure(config, directory.resolve("data"), System::getenv);
  }

  StandalonePipeline start(StandalonePipeline.Settings settings) {
    return StandalonePipeline.start(settings, Clock.systemUTC(), registry);
  }

  /** Runs demo transactions until at least {@code changes} row changes have been made. */
  void generate(long changes) throws SQLException {
    try (Connection connection = postgres.connect("shop")) {
      connection.setAutoCommit(false);
      long bound = changes * 4;
      while (workload.changes() < changes && workload.transactions() < bound) {
        workload.runOne(connection);
      }
    }
  }

  /**
   * Runs demo transactions on another thread at {@link #BACKGROUND_RATE} a second until {@code stop}
   * is set, {@code maxChanges} row changes were made or {@link #BACKGROUND_LIMIT} passed; the future
   * yields the number of changes.
   */
  Future<Long> generateInBackground(ExecutorService executor, long maxChanges, AtomicBoolean stop) {
    return executor.submit(() -> {
      try (Connection connection = postgres.connect("shop")) {
        workload.run(connection, BACKGROUND_RATE, Long.MAX_VALUE, BACKGROUND_LIMIT, Clock.systemUTC(),
            () -> stop.get() || workload.changes() >= maxChanges);
      }
      return workload.changes();
    });
  }

  /** The sum of a counter over all its tags, 0 when it was never registered. */
  double counted(String name) {
    return Progress.total(registry, name);
  }

  List<TableComparison> awaitEqual(StandalonePipeline.Settings settings, Duration timeout) {
    return Verification.awaitEqual(
        () -> Verification.compareAll(postgres.connect("shop"), settings, SOURCE, DemoWorkload.TABLES),
        timeout, Clock.systemUTC(), () -> {});
  }

  @Override
  public void close() {
    try (postgres; kafka) {
      // closes both, Kafka first
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var paths = Files.walk(path)) {
      for (Path each : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(each);
      }
    }
  }
}
