package io.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigKey;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CoordinatorStoreConfigTest {
  @Test
  void defaults() {
    ConfigReader root = ConfigReader.fromYaml("coordinator: {store: {}}", "test", name -> null);
    CoordinatorStoreConfig config = CoordinatorStoreConfig.from(root.section("coordinator").section("store"));
    root.throwIfInvalid();

    assertThat(config.type()).isEqualTo(CoordinatorStoreConfig.Type.FILE);
    assertThat(config.url()).isEmpty();
    assertThat(config.user()).isEmpty();
    assertThat(config.password()).isEmpty();
    assertThat(config.schema()).isEqualTo("tributary");
    assertThat(config.poolSize()).isEqualTo(8);
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config).isEqualTo(CoordinatorStoreConfig.file());
    assertThat(root.keys()).extracting(ConfigKey::name).containsExactly(
        "coordinator.store.type", "coordinator.store.url", "coordinator.store.user", "coordinator.store.password",
        "coordinator.store.schema", "coordinator.store.pool-size", "coordinator.store.connect-timeout");
    assertThat(root.keys()).allSatisfy(key -> assertThat(key.description()).isNotBlank());
    assertThat(root.keys()).extracting(ConfigKey::defaultValue)
        .containsExactly("file", "", "", "", "tributary", "8", "5s");
  }

  @Test
  void missingSectionMeansTheFileStore() {
    ConfigReader root = ConfigReader.fromYaml("coordinator: {}", "test", name -> null);
    assertThat(CoordinatorStoreConfig.from(root.section("coordinator").section("store")))
        .isEqualTo(CoordinatorStoreConfig.file());
    root.throwIfInvalid();
  }

  @Test
  void everyKey() {
    ConfigReader root = ConfigReader.fromYaml("""
        coordinator:
          store:
            type: postgresql
            url: jdbc:postgresql://db.internal:5432/tributary?sslmode=require
            user: coordinator
            password: ${env:STORE_PASSWORD}
            schema: commit_service
            pool-size: 4
            connect-timeout: 2s
        """, "test", name -> name.equals("STORE_PASSWORD") ? "s3cr3t" : null);
    CoordinatorStoreConfig config = CoordinatorStoreConfig.from(root.section("coordinator").section("store"));
    root.throwIfInvalid();

    assertThat(config.type()).isEqualTo(CoordinatorStoreConfig.Type.POSTGRESQL);
    assertThat(config.url()).contains("jdbc:postgresql://db.internal:5432/tributary?sslmode=require");
    assertThat(config.user()).contains("coordinator");
    assertThat(config.password()).contains(new Secret("s3cr3t"));
    assertThat(config.schema()).isEqualTo("commit_service");
    assertThat(config.poolSize()).isEqualTo(4);
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config).isEqualTo(CoordinatorStoreConfig.postgresql(
            "jdbc:postgresql://db.internal:5432/tributary?sslmode=require", "coordinator", Optional.of(new Secret("s3cr3t")))
        .withSchema("commit_service").withPool(4, Duration.ofSeconds(2)));
    assertThat(config.redactedUrl()).contains("jdbc:postgresql://db.internal:5432/tributary?...");
    assertThat(config.toString()).doesNotContain("s3cr3t").doesNotContain("sslmode");
  }

  @Test
  void postgresqlNeedsUrlAndUser() {
    ConfigReader root = ConfigReader.fromYaml("coordinator: {store: {type: PostgreSQL}}", "test", name -> null);
    assertThat(CoordinatorStoreConfig.from(root.section("coordinator").section("store")))
        .isEqualTo(CoordinatorStoreConfig.file());

    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("2 problems")
        .hasMessageContaining("Missing value for 'coordinator.store.url': JDBC URL of the PostgreSQL store")
        .hasMessageContaining("Missing value for 'coordinator.store.user': PostgreSQL user of the store");
  }

  @Test
  void invalidValuesAreAllReportedWithoutSecrets() {
    ConfigReader root = ConfigReader.fromYaml("""
        coordinator:
          store:
            type: mysql
            url: postgresql://db/tributary?password=leaked
            password: hunter2
            schema: Bad-Name
            pool-size: 0
            connect-timeout: 10ms
        """, "test", name -> null);
    CoordinatorStoreConfig.from(root.section("coordinator").section("store"));

    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("5 problems")
        .hasMessageContaining("Invalid value mysql for 'coordinator.store.type': must be file or postgresql")
        .hasMessageContaining("Invalid value postgresql://db/tributary?... for 'coordinator.store.url': must be a"
            + " PostgreSQL JDBC URL such as jdbc:postgresql://db:5432/tributary")
        .hasMessageContaining("Invalid value Bad-Name for 'coordinator.store.schema': must be a lower-case SQL name")
        .hasMessageContaining("Invalid value 0 for 'coordinator.store.pool-size': must be at least 1")
        .hasMessageContaining("Invalid value 10ms for 'coordinator.store.connect-timeout': must be at least 250ms")
        .hasMessageNotContaining("leaked")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void urlWithoutTypePostgresqlIsAMistake() {
    ConfigReader root = ConfigReader.fromYaml("coordinator: {store: {url: 'jdbc:postgresql://db/t'}}", "test",
        name -> null);
    CoordinatorStoreConfig.from(root.section("coordinator").section("store"));

    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("Invalid value jdbc:postgresql://db/t for 'coordinator.store.url': is used only when type"
            + " is postgresql");
  }

  @Test
  void recordChecksItsValues() {
    assertThatThrownBy(() -> new CoordinatorStoreConfig(CoordinatorStoreConfig.Type.POSTGRESQL, Optional.empty(),
        Optional.of("u"), Optional.empty(), "tributary", 8, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a url and a user");
    assertThatThrownBy(() -> CoordinatorStoreConfig.postgresql("jdbc:mysql://db/t", "u", Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid PostgreSQL store url 'jdbc:mysql://db/t'");
    assertThatThrownBy(() -> CoordinatorStoreConfig.file().withSchema("drop table"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid schema 'drop table'");
    assertThatThrownBy(() -> CoordinatorStoreConfig.file().withPool(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("poolSize must be between 1 and 1000: 0");
    assertThatThrownBy(() -> CoordinatorStoreConfig.file().withPool(1, Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout must be at least 250 ms");
  }
}
