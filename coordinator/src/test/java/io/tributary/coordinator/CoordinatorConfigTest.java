package io.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigKey;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CoordinatorConfigTest {
  private static final Path DEFAULT_DIR = Path.of("/var/lib/tributary/coordinator");

  @Test
  void defaults() {
    ConfigReader root = ConfigReader.fromYaml("coordinator: {}", "test", name -> null);
    CoordinatorConfig config = CoordinatorConfig.from(root.section("coordinator"), DEFAULT_DIR);
    root.throwIfInvalid();

    assertThat(config.listenHost()).isEqualTo("127.0.0.1");
    assertThat(config.listenPort()).isZero();
    assertThat(config.dataDir()).isEqualTo(DEFAULT_DIR);
    assertThat(config.authToken()).isEmpty();
    assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.hadoopProperties()).isEmpty();
    assertThat(config.events().tableLocation()).contains(DEFAULT_DIR.resolve("events-table").toAbsolutePath().toUri());
    assertThat(config.withEvents(config.events().withoutTable())).isEqualTo(CoordinatorConfig.local(DEFAULT_DIR));
    assertThat(root.keys()).extracting(ConfigKey::name).containsExactly(
        "coordinator.listen-host", "coordinator.listen-port", "coordinator.data-dir", "coordinator.auth-token",
        "coordinator.tokens.viewer", "coordinator.tokens.gateway", "coordinator.tokens.applier",
        "coordinator.tokens.operator", "coordinator.lease-ttl", "coordinator.hadoop", "coordinator.events.retention",
        "coordinator.events.in-memory", "coordinator.events.table-location", "coordinator.events.export-interval",
        "coordinator.tls.keystore", "coordinator.tls.keystore-password", "coordinator.store.type", "coordinator.store.url",
        "coordinator.store.user", "coordinator.store.password", "coordinator.store.schema", "coordinator.store.pool-size",
        "coordinator.store.connect-timeout");
    assertThat(root.keys()).allSatisfy(key -> assertThat(key.description()).isNotBlank());
  }

  @Test
  void everyKey() {
    ConfigReader root = ConfigReader.fromYaml("""
        coordinator:
          listen-host: 0.0.0.0
          listen-port: 7070
          data-dir: /data/coordinator
          auth-token: ${env:TOKEN}
          lease-ttl: 2m
          hadoop:
            fs.s3a.endpoint: http://127.0.0.1:9090
        """, "test", name -> name.equals("TOKEN") ? "s3cr3t" : null);
    CoordinatorConfig config = CoordinatorConfig.from(root.section("coordinator"), DEFAULT_DIR);
    root.throwIfInvalid();

    assertThat(config.listenHost()).isEqualTo("0.0.0.0");
    assertThat(config.listenPort()).isEqualTo(7070);
    assertThat(config.dataDir()).isEqualTo(Path.of("/data/coordinator"));
    assertThat(config.authToken()).contains(new Secret("s3cr3t"));
    assertThat(config.leaseTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.hadoopProperties()).isEqualTo(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9090"));
    assertThat(config.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void roleTokensGiveEachTokenItsRoles() {
    ConfigReader root = ConfigReader.fromYaml("""
        coordinator:
          tokens:
            viewer: ${env:VIEWER}
            applier: "a-new, a-old"
            operator: ${file:/nonexistent/operator-token}
        """, "test", name -> name.equals("VIEWER") ? "v" : null);
    CoordinatorConfig config = CoordinatorConfig.from(root.section("coordinator"), DEFAULT_DIR);
    assertThatThrownBy(root::throwIfInvalid)
        .hasMessageContaining("'coordinator.tokens.operator'")
        .hasMessageNotContaining("a-new");

    AccessTokens tokens = config.accessTokens();
    assertThat(tokens.required()).isTrue();
    assertThat(tokens.rolesOf(Optional.of("v"))).containsExactly(Role.VIEWER);
    assertThat(tokens.rolesOf(Optional.of("a-old"))).containsExactly(Role.APPLIER);
    assertThat(tokens.rolesOf(Optional.of("a-new"))).containsExactly(Role.APPLIER);
    assertThat(tokens.rolesOf(Optional.of("a-new, a-old"))).isEmpty();
    assertThat(tokens.rolesOf(Optional.empty())).isEmpty();
    assertThat(config.withAuthToken(new Secret("admin")).accessTokens().rolesOf(Optional.of("admin")))
        .containsExactlyInAnyOrder(Role.values());
    assertThat(AccessTokens.none().rolesOf(Optional.empty())).containsExactlyInAnyOrder(Role.values());
    assertThat(config.toString()).doesNotContain("a-new");
  }

  @Test
  void invalidValuesAreAllReported() {
    ConfigReader root = ConfigReader.fromYaml("""
        coordinator:
          listen-port: 70000
          lease-ttl: 10ms
          auth-token: ""
        """, "test", name -> null);
    CoordinatorConfig.from(root.section("coordinator"), DEFAULT_DIR);

    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("3 problems")
        .hasMessageContaining("Invalid value 70000 for 'coordinator.listen-port': must be at most 65535")
        .hasMessageContaining("Invalid value 10ms for 'coordinator.lease-ttl': must be at least 1s")
        .hasMessageContaining("Invalid value **** for 'coordinator.auth-token': must not be blank");
  }
}
