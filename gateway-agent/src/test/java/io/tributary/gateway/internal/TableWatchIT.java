package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.staging.TableId;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The table watch's look-up against a real PostgreSQL: one connection kept, a lost one replaced. */
class TableWatchIT {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId GONE = TableId.parse("shop.public.gone");

  private static PostgresServer postgres;

  /** The server process of each connection the look-up opened, in order. */
  private final List<Integer> backends = new ArrayList<>();

  @BeforeAll
  static void startServer() throws IOException {
    Path directory = Path.of("target", "table-watch-it");
    Files.createDirectories(directory);
    postgres = PostgresServer.builder(Files.createTempDirectory(directory, "postgres"))
        .binariesDirectory(Path.of("target", "postgres-binaries")).discardDataOnClose().build();
    postgres.start();
    postgres.createDatabase("shop");
    postgres.execute("shop", "CREATE TABLE orders (id bigint PRIMARY KEY)");
  }

  @AfterAll
  static void stopServer() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void checksShareOneConnectionAndOneTheServerEndedIsReplacedWithinTheCheck() throws Exception {
    try (TableWatch.CatalogLookup lookup = new TableWatch.CatalogLookup(this::connect)) {
      assertThat(lookup.missing(List.of(ORDERS, GONE))).containsExactly(GONE);
      assertThat(lookup.missing(List.of(ORDERS, GONE))).containsExactly(GONE);
      assertThat(backends).hasSize(1);
      assertThat(lookup.connected()).isTrue();

      // The server ends the kept connection (a restart, an administrator, an idle timeout): the next
      // check still answers, on a new connection.
      postgres.execute("postgres", "SELECT pg_terminate_backend(" + backends.get(0) + ")");
      assertThat(lookup.missing(List.of(ORDERS, GONE))).containsExactly(GONE);
      assertThat(backends).hasSize(2);
      awaitEnded(backends.get(0));

      lookup.close();
      assertThat(lookup.connected()).isFalse();
      awaitEnded(backends.get(1));
      assertThatThrownBy(() -> lookup.missing(List.of(ORDERS))).isInstanceOf(SQLException.class)
          .hasMessageContaining("closed");
      assertThat(backends).hasSize(2);
    }
  }

  @Test
  void aLookUpThatCannotConnectKeepsNothingAndTheNextOneConnects() throws Exception {
    List<Boolean> refuse = new ArrayList<>(List.of(true));
    try (TableWatch.CatalogLookup lookup = new TableWatch.CatalogLookup(() -> {
      if (refuse.get(0)) {
        throw new IllegalStateException("Cannot connect to 127.0.0.1: connection refused");
      }
      return connect();
    })) {
      assertThatThrownBy(() -> lookup.missing(List.of(ORDERS))).hasMessageContaining("connection refused");
      assertThat(lookup.connected()).isFalse();
      refuse.set(0, false);
      assertThat(lookup.missing(List.of(ORDERS))).isEmpty();
      assertThat(lookup.connected()).isTrue();
    }
  }

  private Connection connect() {
    Connection connection = postgres.connect("shop");
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
      result.next();
      backends.add(result.getInt(1));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return connection;
  }

  /** Waits until the server process of a closed or terminated connection has ended. */
  private static void awaitEnded(int pid) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement();
          ResultSet result = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)) {
        result.next();
        assertThat(result.getInt(1)).as("server processes %d", pid).isZero();
      }
    });
  }
}
