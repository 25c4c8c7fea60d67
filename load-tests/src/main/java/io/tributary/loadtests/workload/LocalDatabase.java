package io.tributary.loadtests.workload;

import io.tributary.testing.ManagedServer;
import io.tributary.testing.MariaDbServer;
import io.tributary.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A database server a workload runs against when none is given: PostgreSQL with logical decoding or
 * MariaDB with its binary log in row format, started under a work directory, listening on 127.0.0.1
 * only, with one database {@value #DATABASE}.
 */
public final class LocalDatabase implements AutoCloseable {
  /** The database the workload's tables go into. */
  public static final String DATABASE = "bench";

  private final ManagedServer server;
  private final Supplier<Connection> connections;
  private final String jdbcUrl;

  private LocalDatabase(ManagedServer server, Supplier<Connection> connections, String jdbcUrl) {
    this.server = server;
    this.connections = connections;
    this.jdbcUrl = jdbcUrl;
  }

  /**
   * Starts a server of {@code dialect}'s kind under {@code directory}; its distribution is unpacked
   * once into {@code binaries} and shared by later runs.
   */
  public static LocalDatabase start(Dialect dialect, Path directory, Path binaries) {
    if (dialect == Dialect.POSTGRESQL) {
      PostgresServer postgres = PostgresServer.builder(directory.resolve("postgres"))
          .binariesDirectory(binaries.resolve("postgres"))
          .startupTimeout(Duration.ofSeconds(60))
          .build();
      return started(postgres, () -> {
        postgres.createDatabase(DATABASE);
        return new LocalDatabase(postgres, () -> postgres.connect(DATABASE), postgres.jdbcUrl(DATABASE));
      });
    }
    MariaDbServer mariadb = MariaDbServer.builder(directory.resolve("mariadb"))
        .binariesDirectory(binaries.resolve("mariadb"))
        .startupTimeout(Duration.ofMinutes(2))
        .build();
    return started(mariadb, () -> {
      mariadb.createDatabase(DATABASE);
      return new LocalDatabase(mariadb, () -> mariadb.connect(DATABASE), mariadb.jdbcUrl(DATABASE));
    });
  }

  private static LocalDatabase started(ManagedServer server, Supplier<LocalDatabase> prepare) {
    server.start();
    try {
      return prepare.get();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Opens a new connection to {@value #DATABASE} as the server's superuser, in auto-commit mode. */
  public Connection connect() {
    return connections.get();
  }

  /** Where the database is, without credentials. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  @Override
  public void close() {
    server.close();
  }
}
