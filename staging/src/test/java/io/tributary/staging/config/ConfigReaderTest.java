package io.tributary.staging.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void fileReferencesReadSmallRegularFilesOnly(@TempDir Path directory) throws IOException {
    Path secret = Files.writeString(directory.resolve("password"), "s3cret\n");
    Path huge = Files.write(directory.resolve("huge"), new byte[(1 << 20) + 1]);
    ConfigReader root = ConfigReader.fromYaml("""
        source:
          password: ${file:%s}
          device: ${file:/dev/zero}
          huge: ${file:%s}
          missing: ${file:%s}
        """.formatted(secret, huge, directory.resolve("missing")), "test", name -> null);
    ConfigReader source = root.section("source");
    assertThat(source.optionalString("password", "")).contains("s3cret");
    source.optionalString("device", "");
    source.optionalString("huge", "");
    source.optionalString("missing", "");
    assertThatThrownBy(root::throwIfInvalid)
        .hasMessageContaining("Cannot read file /dev/zero named by 'source.device': not a regular file")
        .hasMessageContaining("named by 'source.huge': larger than 1048576 bytes")
        .hasMessageContaining("named by 'source.missing': no such file")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void refusesDurationsBeyondAHundredYears() {
    ConfigReader root = ConfigReader.fromYaml("""
        staging:
          retention: 36500d
          longer: 36501d
          overflowing: 309223372036854775808d
        """, "test", name -> null);
    ConfigReader staging = root.section("staging");
    assertThat(staging.duration("retention", Duration.ofDays(30), Duration.ZERO, "")).isEqualTo(Duration.ofDays(36_500));
    assertThat(staging.duration("longer", Duration.ofDays(30), Duration.ZERO, "")).isEqualTo(Duration.ofDays(30));
    assertThat(staging.duration("overflowing", Duration.ofDays(30), Duration.ZERO, "")).isEqualTo(Duration.ofDays(30));
    assertThatThrownBy(root::throwIfInvalid)
        .hasMessageContaining("Invalid value 36501d for 'staging.longer': must be at most 36500d")
        .hasMessageContaining("Invalid value 309223372036854775808d for 'staging.overflowing': must be at most 36500d");
  }

  @Test
  void refusesMalformedYaml() {
    assertThatThrownBy(() -> ConfigReader.fromYaml("a: [unclosed", "x.yaml", name -> null))
        .hasMessageContaining("x.yaml is not valid YAML");
  }
}
