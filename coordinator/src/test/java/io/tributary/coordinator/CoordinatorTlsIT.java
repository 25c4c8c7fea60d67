package io.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.client.CoordinatorClientConfig;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over HTTPS with a certificate made for the test by the JDK's keytool. */
class CoordinatorTlsIT {
  private static final String PASSWORD = "store-pass-4e8d";

  @TempDir
  Path temp;

  private Path keystore;

  @BeforeEach
  void makeCertificate() throws Exception {
    keystore = temp.resolve("coordinator.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "coordinator", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
  }

  @Test
  void servesHttpsToClientsThatTrustItsCertificateOnly() throws IOException {
    TlsStore store = new TlsStore(keystore, new Secret(PASSWORD));
    TestCoordinator coordinator = TestCoordinator.start(CoordinatorConfig.local(temp.resolve("coordinator")).withTls(store),
        new TestClock(Instant.parse("2026-11-21T10:00:00Z")));
    try {
      URI base = coordinator.server().uri();
      assertThat(base.getScheme()).isEqualTo("https");
      try (HttpCoordinatorClient trusting = HttpCoordinatorClient.create(
          CoordinatorClientConfig.of(base, Optional.empty()).withTruststore(store))) {
        assertThat(trusting.tables()).isEmpty();
      }
      try (HttpCoordinatorClient untrusting = HttpCoordinatorClient.create(base, Optional.empty())) {
        assertThatThrownBy(untrusting::tables)
            .isInstanceOfSatisfying(TributaryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.COORDINATOR_UNAVAILABLE))
            .hasMessageContaining(base.toString());
      }
      URI plain = URI.create("http://" + base.getAuthority());
      try (HttpCoordinatorClient wrongScheme = HttpCoordinatorClient.create(plain, Optional.empty())) {
        assertThatThrownBy(wrongScheme::tables).isInstanceOf(TributaryException.class);
      }
    } finally {
      coordinator.close();
    }
  }

  @Test
  void keyStoreSettingsAreCheckedAndThePasswordNeverShown() {
    ConfigReader reader = ConfigReader.fromYaml("""
        coordinator:
          tls:
            keystore: %s
            truststore: /nonexistent/trust.p12
            truststore-password: secret-1
        """.formatted(keystore), "tls.yaml", name -> null);
    CoordinatorConfig.from(reader.section("coordinator"), temp);
    CoordinatorClientConfig.from(reader.section("coordinator"));
    assertThatThrownBy(reader::throwIfInvalid)
        .hasMessageContaining("'coordinator.tls.keystore-password'")
        .hasMessageContaining("'coordinator.tls.truststore'")
        .hasMessageNotContaining("secret-1");

    TlsStore wrongPassword = new TlsStore(keystore, new Secret("not-" + PASSWORD));
    assertThatThrownBy(wrongPassword::serverContext)
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining(keystore.toString())
        .hasMessageNotContaining(PASSWORD);
  }
}
