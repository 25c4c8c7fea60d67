package io.tributary.staging.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
  @Test
  void readsTypedValuesWithDefaults() {
    ConfigReader root = ConfigReader.fromYaml("""
        gateway:
          segment:
            max-rows: 500
            max-age: 250ms
          enabled: yes
        source:
          tables: [public.a, public.b]
          password: ${env:PG_PASSWORD}
          debezium:
            slot.drop.on.stop: "false"
        """, "test.yaml", Map.of("PG_PASSWORD", "s3cret")::get);
    ConfigReader segment = root.section("gateway").section("segment");
    assertThat(segment.integer("max-rows", 100, 1, "rows")).isEqualTo(500);
    assertThat(segment.duration("max-age", Duration.ofSeconds(1), Duration.ofMillis(1), "age")).isEqualTo(Duration.ofMillis(250));
    assertThat(segment.longValue("max-bytes", 64, 1, Long.MAX_VALUE, "bytes")).isEqualTo(64);
    assertThat(root.section("gateway").bool("enabled", false, "on")).isTrue();
    ConfigReader source = root.section("source");
    assertThat(source.stringList("tables", List.of(), "tables")).containsExactly("public.a", "public.b");
    assertThat(source.secret("password", "pw").orElseThrow().reveal()).isEqualTo("s3cret");
    assertThat(source.secret("password", "pw").orElseThrow()).hasToString("****");
    assertThat(source.stringMap("debezium", "pass-through")).containsEntry("slot.drop.on.stop", "false");
    root.throwIfInvalid();
    assertThat(root.keys()).extracting(ConfigKey::name).contains("gateway.segment.max-rows", "source.password");
  }

  @Test
  void listsEveryProblemAtOnce() {
    ConfigReader root = ConfigReader.fromYaml("""
        gateway:
          segment:
            max-rows: -1
            max-age: soon
          typo-key: 1
        source:
          password: ${env:MISSING}
        """, "bad.yaml", name -> null);
    ConfigReader segment = root.section("gateway").section("segment");
    segment.integer("max-rows", 100, 1, "rows");
    segment.duration("max-age", Duration.ofSeconds(1), Duration.ofMillis(1), "age");
    root.section("source").requiredString("host", "the database host");
    root.section("source").secret("password", "pw");
    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("bad.yaml has 5 problems")
        .hasMessageContaining("Invalid value -1 for 'gateway.segment.max-rows': must be at least 1")
        .hasMessageContaining("Invalid value soon for 'gateway.segment.max-age'")
        .hasMessageContaining("Missing value for 'source.host'")
        .hasMessageContaining("Environment variable MISSING named by 'source.password' is not set")
        .hasMessageContaining("Unknown key 'gateway.typo-key'");
  }

  @Test
  void sectionsLeftToOtherProcessesAreNotUnknownButTyposElsewhereStillAre() {
    ConfigReader root = ConfigReader.fromYaml("""
        source:
          host: db
        applier:
          writer-id: a
        coordinator:
          urll: http://c:7070
        """, "shared.yaml", name -> null);
    root.section("coordinator").optionalString("url", "coordinator URL");
    root.leaveToOthers("source", "applier");
    assertThatThrownBy(root::throwIfInvalid)
        .hasMessageContaining("has 1 problem")
        .hasMessageContaining("Unknown key 'coordinator.urll'");
  }

  @Test
  void refusesMalformedYaml() {
    assertThatThrownBy(() -> ConfigReader.fromYaml("a: [unclosed", "x.yaml", name -> null))
        .hasMessageContaining("x.yaml is not valid YAML");
  }
}
