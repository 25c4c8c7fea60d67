package io.tributary.loadtests.internal;

import io.tributary.testing.KafkaBroker;
import io.tributary.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;

/**
 * The servers a benchmark runs against, on 127.0.0.1 only with their data under the benchmark's work
 * directory: PostgreSQL with logical decoding (its own processes) and a Kafka broker (in this JVM).
 */
public final class BenchmarkServers implements AutoCloseable {
  /** The database the benchmarks load and capture. */
  public static final String DATABASE = "bench";
  /** How many replication slots the server holds at most, and as many WAL senders. */
  public static final int REPLICATION_SLOTS = 48;

  private final PostgresServer postgres;
  private final KafkaBroker kafka;

  private BenchmarkServers(PostgresServer postgres, KafkaBroker kafka) {
    this.postgres = postgres;
    this.kafka = kafka;
  }

  /**
   * Starts both servers under {@code directory} and creates the database {@value #DATABASE}. The
   * PostgreSQL distribution is unpacked once into {@code binaries}, shared by later runs.
   */
  public static BenchmarkServers start(Path directory, Path binaries) {
    return start(directory, binaries, Map.of());
  }

  /** As {@link #start(Path, Path)}, with {@code brokerConfig} set on the Kafka broker beside its test defaults. */
  public static BenchmarkServers start(Path directory, Path binaries, Map<String, String> brokerConfig) {
    PostgresServer postgres = PostgresServer.builder(directory.resolve("postgres"))
        .binariesDirectory(binaries)
        // Room for the WAL of a whole load while no slot consumes it, without forced checkpoints.
        .serverConfig("max_wal_size", "8GB")
        // One slot per capture of a run, all created before its load.
        .serverConfig("max_replication_slots", Integer.toString(REPLICATION_SLOTS))
        .serverConfig("max_wal_senders", Integer.toString(REPLICATION_SLOTS))
        .startupTimeout(Duration.ofSeconds(60))
        .build();
    postgres.start();
    try {
      KafkaBroker.Builder broker = KafkaBroker.builder(directory.resolve("kafka"));
      brokerConfig.forEach(broker::brokerConfig);
      KafkaBroker kafka = broker.build();
      kafka.start();
      postgres.createDatabase(DATABASE);
      return new BenchmarkServers(postgres, kafka);
    } catch (RuntimeException e) {
      postgres.close();
      throw e;
    }
  }

  public PostgresServer postgres() {
    return postgres;
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** Creates a manifest topic of one partition (the benchmarks capture one table). */
  public void createTopic(String topic) {
    kafka.createTopic(topic, 1, Map.of());
  }

  /** A superuser connection to the benchmark database, in auto-commit mode. */
  public Connection connect() {
    return postgres.connect(DATABASE);
  }

  @Override
  public void close() {
    try (postgres; kafka) {
      // Kafka stops first, then PostgreSQL.
    }
  }
}
