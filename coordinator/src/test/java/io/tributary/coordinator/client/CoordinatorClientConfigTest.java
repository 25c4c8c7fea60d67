package io.tributary.coordinator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigKey;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CoordinatorClientConfigTest {
  @Test
  void defaults() {
    ConfigReader root = ConfigReader.fromYaml("coordinator: {}", "test", name -> null);
    CoordinatorClientConfig config = CoordinatorClientConfig.from(root.section("coordinator"));
    root.throwIfInvalid();

    assertThat(config.url()).isEmpty();
    assertThat(config.authToken()).isEmpty();
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(root.keys()).extracting(ConfigKey::name).containsExactly(
        "coordinator.url", "coordinator.auth-token", "coordinator.connect-timeout", "coordinator.request-timeout",
        "coordinator.tls.truststore", "coordinator.tls.truststore-password");
    assertThat(root.keys()).allSatisfy(key -> assertThat(key.description()).isNotBlank());
  }

  @Test
  void everyKey() {
    ConfigReader root = ConfigReader.fromYaml("""
        coordinator:
          url: http://coordinator:7070
          auth-token: ${env:TOKEN}
          connect-timeout: 2s
          request-timeout: 1m
        """, "test", name -> name.equals("TOKEN") ? "s3cr3t" : null);
    CoordinatorClientConfig config = CoordinatorClientConfig.from(root.section("coordinator"));
    root.throwIfInvalid();

    assertThat(config.url()).contains(URI.create("http://coordinator:7070"));
    assertThat(config.authToken()).contains(new Secret("s3cr3t"));
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void urlMustBeHttp() {
    ConfigReader root = ConfigReader.fromYaml("coordinator: {url: 'ftp://coordinator'}", "test", name -> null);
    CoordinatorClientConfig.from(root.section("coordinator"));

    assertThatThrownBy(root::throwIfInvalid)
        .hasMessageContaining("Invalid value ftp://coordinator for 'coordinator.url': must be an http:// or https:// URL");
  }

  @Test
  void serverAndClientShareTheSection() {
    ConfigReader root = ConfigReader.fromYaml("""
        coordinator:
          url: http://127.0.0.1:7070
          listen-port: 7070
          auth-token: t
        """, "test", name -> null);
    io.tributary.coordinator.CoordinatorConfig.from(root.section("coordinator"), java.nio.file.Path.of("/tmp/c"));
    CoordinatorClientConfig.from(root.section("coordinator"));
    root.throwIfInvalid();
  }

  @Test
  void clientNeedsAUrl() {
    CoordinatorClientConfig config = CoordinatorClientConfig.from(ConfigReader.empty());
    assertThatThrownBy(() -> HttpCoordinatorClient.create(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("'coordinator.url'");
  }
}
