package io.tributary.testing;

import java.nio.file.Path;

/**
 * A real server run by the test fixtures or by the single-machine launcher (PostgreSQL, Kafka,
 * an S3 API server, and later MariaDB).
 *
 * <p>Every implementation listens on {@link Loopback#HOST} only, on ports chosen when it is
 * built (free ports unless the caller fixed them), and keeps its data and logs under
 * {@link #directory()}. Ports and data survive {@link #restart()}. Lifecycle methods are
 * serialized; {@link #state()} may be read from any thread.
 */
public interface ManagedServer extends AutoCloseable {

  /** A short name for logs and thread names, for example {@code "postgres"}. */
  String name();

  /** The address clients connect to: always {@value Loopback#HOST}. */
  default String host() {
    return Loopback.HOST;
  }

  /** The main client port (PostgreSQL port, Kafka PLAINTEXT port, …), fixed for the server's life. */
  int port();

  /** The directory holding this server's data, configuration and log file. */
  Path directory();

  /** The current lifecycle state. */
  ServerState state();

  /**
   * Starts the server and returns once it accepts client connections.
   *
   * @throws FixtureException if it did not start; whatever had started is stopped again and
   *         the state becomes {@link ServerState#FAILED}
   * @throws IllegalStateException if the server is not {@link ServerState#NEW}
   */
  void start();

  /**
   * Stops the server and starts it again on the same ports with the same data, for fault
   * tests (connection loss, broker bounce).
   *
   * @throws IllegalStateException if the server is not {@link ServerState#RUNNING}
   */
  void restart();

  /**
   * Stops the server, releasing its ports; data stays in {@link #directory()} unless the server
   * was built to discard it (its log stays either way). Idempotent, and
   * bounded in time by the server's stop timeout.
   *
   * @throws FixtureException if the server did not stop cleanly within its stop timeout (the
   *         state still becomes {@link ServerState#STOPPED})
   */
  @Override
  void close();
}
