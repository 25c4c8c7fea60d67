package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testing.KafkaBroker;
import io.tributary.testing.Loopback;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees when the launcher is pointed at something wrong, on a real PostgreSQL and a
 * real Kafka broker: a non-zero exit code and a message naming what is wrong and which key to check,
 * before anything is captured.
 */
class LauncherPreflightIT {
  private static Path root;
  private static PostgresServer postgres;
  private static KafkaBroker kafka;

  @BeforeAll
  static void startServers() throws Exception {
    root = Files.createDirectories(Path.of("target", "it", "preflight-" + UUID.randomUUID())).toAbsolutePath();
    postgres = PostgresServer.builder(root.resolve("postgres")).discardDataOnClose().build();
    postgres.start();
    kafka = KafkaBroker.builder(root.resolve("kafka")).discardDataOnClose().build();
    kafka.start();
    postgres.createDatabase("shop");
    try (Connection connection = postgres.connect("shop")) {
      connection.createStatement().execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    }
  }

  @AfterAll
  static void stopServers() {
    try (PostgresServer p = postgres; KafkaBroker k = kafka) {
      // closes both
    }
  }

  @Test
  void wrongPasswordIsAnAuthenticationFailure() throws IOException {
    LauncherErrorsTest.Result result = gateway(config(postgres.port(), "wrong-password", "public.orders",
        kafka.bootstrapServers()));
    assertThat(result.exitCode()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(result.err())
        .contains("SOURCE_AUTH_FAILED")
        .contains("Cannot log in to PostgreSQL database 'shop'")
        .contains("as user '" + postgres.superuser() + "'")
        .contains("Check source.user and source.password")
        .doesNotContain("wrong-password");
  }

  @Test
  void aDatabaseNobodyListensForIsUnreachable() throws IOException {
    int closedPort = Loopback.freePort();
    LauncherErrorsTest.Result result = gateway(config(closedPort, postgres.superuserPassword(), "public.orders",
        kafka.bootstrapServers()));
    assertThat(result.exitCode()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(result.err())
        .contains("SOURCE_UNREACHABLE")
        .contains("Cannot reach PostgreSQL at 127.0.0.1:" + closedPort)
        .contains("Check source.host and source.port");
  }

  @Test
  void anUnknownTableIsNamed() throws IOException {
    LauncherErrorsTest.Result result = gateway(config(postgres.port(), postgres.superuserPassword(),
        "public.orders, public.ordres", kafka.bootstrapServers()));
    assertThat(result.exitCode()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(result.err())
        .contains("TABLE_NOT_FOUND")
        .contains("Table public.ordres does not exist in PostgreSQL database 'shop'")
        .contains("Check source.tables");
  }

  @Test
  void kafkaNobodyListensForIsUnreachable() throws IOException {
    String closed = Loopback.HOST + ":" + Loopback.freePort();
    LauncherErrorsTest.Result result = gateway(config(postgres.port(), postgres.superuserPassword(), "public.orders",
        closed));
    assertThat(result.exitCode()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(result.err())
        .contains("KAFKA_UNREACHABLE")
        .contains("Cannot reach Kafka at " + closed)
        .contains("Check kafka.bootstrap-servers");
  }

  @Test
  void standaloneStopsOnTheSameChecks() throws IOException {
    Path config = config(postgres.port(), postgres.superuserPassword(), "public.missing", kafka.bootstrapServers());
    LauncherErrorsTest.Result result = LauncherErrorsTest.run("standalone", "--config", config.toString(),
        "--data-dir", config.resolveSibling("data").toString());
    assertThat(result.exitCode()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(result.err()).contains("TABLE_NOT_FOUND").contains("public.missing");
  }

  private static LauncherErrorsTest.Result gateway(Path config) {
    return LauncherErrorsTest.run("gateway", "--config", config.toString(), "--data-dir",
        config.resolveSibling("data").toString());
  }

  private static Path config(int port, String password, String tables, String bootstrapServers) throws IOException {
    Path directory = Files.createDirectories(root.resolve("case-" + UUID.randomUUID()));
    Path config = directory.resolve("tributary.yaml");
    Files.writeString(config, """
        source:
          name: shop
          host: 127.0.0.1
          port: %d
          database: shop
          user: %s
          password: %s
          tables: [%s]
        gateway:
          listen-port: 0
        kafka:
          bootstrap-servers: %s
          connect-timeout: 3s
        """.formatted(port, postgres.superuser(), password, tables, bootstrapServers));
    return config;
  }
}
