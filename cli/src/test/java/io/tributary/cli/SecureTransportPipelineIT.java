package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.DemoWorkload;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.testing.KafkaBroker;
import io.tributary.testing.PostgresServer;
import io.tributary.testing.S3Server;
import io.tributary.testing.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline over encrypted, authenticated transports with known secrets: PostgreSQL that
 * accepts TLS connections only (the gateway verifies its certificate), and a Kafka listener that
 * takes SASL_SSL only (SASL/PLAIN over TLS, the broker's certificate verified), and staging on an S3
 * API server. Every secret comes from an {@code ${env:...}} reference. The tables end equal to the source, and no secret appears
 * in a log line (Tributary's at DEBUG, the libraries' at INFO), an exception, the metrics, the
 * settings as printed, or any file the pipeline wrote.
 */
class SecureTransportPipelineIT {
  // Distinctive, so that a search neither misses one nor matches one by chance.
  private static final String DATABASE_PASSWORD = "pg-pass-7f3a9c41";
  private static final String SASL_PASSWORD = "sasl-pass-2b8e4d57";
  private static final String STORE_PASSWORD = "store-pass-91c5e0a3";
  private static final String S3_SECRET_KEY = "s3-secret-5d0c7e19";
  private static final List<String> SECRETS = List.of(DATABASE_PASSWORD, SASL_PASSWORD, STORE_PASSWORD, S3_SECRET_KEY);
  private static final String BUCKET = "secure-staging";
  private static final String SASL_USER = "tributary";

  @Test
  void capturesOverTlsOnlyPostgresAndSaslSslKafkaWithoutShowingASecret() throws Exception {
    Path directory = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")), "secure-transport-")
        .toAbsolutePath();
    TestCertificates certificates = TestCertificates.generate(directory.resolve("certificates"), STORE_PASSWORD);
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger tributary = (Logger) LoggerFactory.getLogger("io.tributary");
    Level tributaryLevel = tributary.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    tributary.setLevel(Level.DEBUG);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (PostgresServer postgres = PostgresServer.builder(directory.resolve("postgres"))
            .superuserPassword(DATABASE_PASSWORD)
            .requireTls(certificates.serverCertificatePem(), certificates.serverKeyPem())
            .discardDataOnClose().build();
        KafkaBroker kafka = KafkaBroker.builder(directory.resolve("kafka"))
            .saslSslListener(certificates, Map.of(SASL_USER, SASL_PASSWORD))
            .discardDataOnClose().build();
        S3Server s3 = S3Server.builder(directory.resolve("s3")).initialBucket(BUCKET).discardDataOnClose().build()) {
      postgres.start();
      kafka.start();
      s3.start();
      postgres.createDatabase(PipelineFixture.SOURCE);
      DemoWorkload workload = new DemoWorkload(11);
      try (Connection connection = postgres.connect(PipelineFixture.SOURCE)) {
        workload.createSchema(connection, 200, 50, 300);
      }
      assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl(PipelineFixture.SOURCE) + "?sslmode=disable",
          postgres.superuser(), DATABASE_PASSWORD))
          .as("a connection without TLS")
          .hasMessageContaining("no encryption");

      Map<String, String> environment = Map.of(
          "TEST_DATABASE_PASSWORD", DATABASE_PASSWORD,
          "TEST_KAFKA_JAAS", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
              + SASL_USER + "\" password=\"" + SASL_PASSWORD + "\";",
          "TEST_TRUSTSTORE_PASSWORD", STORE_PASSWORD,
          "TEST_S3_SECRET_KEY", S3_SECRET_KEY);
      Path config = writeConfig(directory, postgres, kafka, s3, certificates);
      StandalonePipeline.Settings settings = StandalonePipeline.configure(config, directory.resolve("data"),
          environment::get);
      try (StandalonePipeline pipeline = StandalonePipeline.start(settings, Clock.systemUTC(), registry)) {
        try (Connection connection = postgres.connect(PipelineFixture.SOURCE)) {
          connection.setAutoCommit(false);
          while (workload.changes() < 2_000) {
            workload.runOne(connection);
          }
        }
        List<TableComparison> results = Verification.awaitEqual(
            () -> Verification.compareAll(postgres.connect(PipelineFixture.SOURCE), settings, PipelineFixture.SOURCE,
                DemoWorkload.TABLES),
            Duration.ofMinutes(3), Clock.systemUTC(), () -> {});
        assertThat(results).hasSize(3).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
        assertThat(walSendersUsingTls(postgres)).as("the capture's replication connection uses TLS").containsOnly(true)
            .isNotEmpty();
      }

      List<String> outputs = new ArrayList<>();
      for (ILoggingEvent event : logs.list) {
        outputs.add(event.getFormattedMessage());
        if (event.getThrowableProxy() != null) {
          outputs.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
      }
      assertThat(outputs).as("log lines").hasSizeGreaterThan(100);
      outputs.add(registry.scrape());
      outputs.add(settings.toString());
      for (String secret : SECRETS) {
        assertThat(outputs).as("outputs holding %s", secret).noneMatch(output -> output.contains(secret));
      }
      assertThat(filesHoldingASecret(directory.resolve("data"))).as("files the pipeline wrote holding a secret").isEmpty();
    } finally {
      root.detachAppender(logs);
      tributary.setLevel(tributaryLevel);
    }
  }

  private static Path writeConfig(Path directory, PostgresServer postgres, KafkaBroker kafka, S3Server s3,
      TestCertificates certificates) throws IOException {
    Map<String, String> hadoop = new TreeMap<>(s3.s3aProperties());
    // S3Mock takes any key; this one is known so that it can be searched for.
    hadoop.put("fs.s3a.secret.key", "${env:TEST_S3_SECRET_KEY}");
    String staging = hadoop.entrySet().stream()
        .map(entry -> "    " + entry.getKey() + ": \"" + entry.getValue() + "\"")
        .collect(Collectors.joining("\n"));
    String clientSecurity = """
            security.protocol: SASL_SSL
            sasl.mechanism: PLAIN
            sasl.jaas.config: ${env:TEST_KAFKA_JAAS}
            ssl.truststore.type: PKCS12
            ssl.truststore.location: "%s"
            ssl.truststore.password: ${env:TEST_TRUSTSTORE_PASSWORD}
        """.formatted(certificates.truststore());
    Path config = directory.resolve("tributary.yaml");
    Files.writeString(config, """
        source:
          name: %s
          host: 127.0.0.1
          port: %d
          database: %s
          user: %s
          password: ${env:TEST_DATABASE_PASSWORD}
          tables: [public.customers, public.products, public.orders]
          debezium:
            database.sslmode: verify-full
            database.sslrootcert: "%s"
        gateway:
          segment:
            max-age: 200ms
        kafka:
          bootstrap-servers: %s
          producer:
        %s
        applier:
          consumer:
        %s
        staging:
          location: s3a://%s/staging
          spool-dir: "%s"
          hadoop:
        %s
        """.formatted(PipelineFixture.SOURCE, postgres.port(), PipelineFixture.SOURCE, postgres.superuser(),
        certificates.authorityPem(), kafka.secureBootstrapServers(), clientSecurity, clientSecurity, BUCKET,
        directory.resolve("spool"), staging));
    return config;
  }

  /** Whether each walsender (the replication connections) of the server uses TLS. */
  private static List<Boolean> walSendersUsingTls(PostgresServer postgres) throws SQLException {
    List<Boolean> ssl = new ArrayList<>();
    try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
            + " WHERE a.backend_type = 'walsender'")) {
      while (rows.next()) {
        ssl.add(rows.getBoolean(1));
      }
    }
    return ssl;
  }

  private static List<Path> filesHoldingASecret(Path root) throws IOException {
    List<Path> holding = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        if (SECRETS.stream().anyMatch(content::contains)) {
          holding.add(file);
        }
      }
    }
    return holding;
  }
}
