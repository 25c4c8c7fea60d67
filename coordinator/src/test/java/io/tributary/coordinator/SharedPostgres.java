package io.tributary.coordinator;

import io.tributary.staging.config.Secret;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL server for all coordinator integration tests of a run: started by the first
 * test class that registers this extension, stopped when the run ends. The store connects as
 * {@value #USER}, a role without special attributes that may create schemas in the databases made by
 * {@link #newDatabase}.
 */
public final class SharedPostgres implements BeforeAllCallback {
  /** The store's role. */
  public static final String USER = "coordinator";
  /** Unusual on purpose, so that tests can look for it in messages and logs. */
  public static final String PASSWORD = "Pw-5xQz-never-print-me";

  private static volatile PostgresServer server;

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(SharedPostgres.class, key -> start(), PostgresServer.class);
  }

  /** The running server; only after this extension ran for the test class. */
  public static PostgresServer server() {
    PostgresServer running = server;
    if (running == null) {
      throw new IllegalStateException("Register " + SharedPostgres.class.getSimpleName() + " with @ExtendWith first");
    }
    return running;
  }

  /** Creates database {@code name} where {@link #USER} may create schemas; the store settings to reach it. */
  public static CoordinatorStoreConfig newDatabase(String name) {
    server().createDatabase(name);
    server().execute(name, "GRANT CREATE ON DATABASE " + name + " TO " + USER);
    return config(name);
  }

  /** Store settings for database {@code name} as {@link #USER}, with a small pool and a short connect timeout. */
  public static CoordinatorStoreConfig config(String name) {
    return CoordinatorStoreConfig.postgresql(server().jdbcUrl(name), USER, Optional.of(new Secret(PASSWORD)))
        .withPool(4, Duration.ofSeconds(2));
  }

  private static PostgresServer start() {
    Path directory;
    try {
      directory = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), "postgres-")
          .toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PostgresServer started = PostgresServer.builder(directory)
        .name("coordinator-postgres")
        .binariesDirectory(Path.of("target", "postgres-binaries"))
        .discardDataOnClose().build();
    started.start();
    try {
      started.createUser(USER, PASSWORD);
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    server = started;
    return started;
  }
}
