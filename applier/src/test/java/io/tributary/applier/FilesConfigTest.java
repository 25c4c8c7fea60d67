package io.tributary.applier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigKey;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The applier's file layout and compaction settings: {@code applier.files.*} and {@code applier.compaction.*}. */
class FilesConfigTest {
  private static final Path DATA = Path.of("/var/lib/tributary");

  private static FilesConfig read(ConfigReader root) {
    FilesConfig files = ApplierConfig.from(root, DATA).files();
    root.throwIfInvalid();
    return files;
  }

  private static ConfigReader yaml(String text) {
    return ConfigReader.fromYaml(text, "test.yaml", Map.<String, String>of()::get);
  }

  @Test
  void defaults() {
    FilesConfig files = read(yaml("kafka: {bootstrap-servers: 'k:9092'}"));

    assertThat(files).isEqualTo(FilesConfig.DEFAULT);
    assertThat(files.targetSize()).isEqualTo(128L << 20);
    assertThat(files.compaction()).isTrue();
    assertThat(files.smallFileSize()).isEqualTo(32L << 20);
    assertThat(files.minSmallFiles()).isEqualTo(8);
    assertThat(files.maxBytesPerRun()).isEqualTo(1L << 30);
    assertThat(files.checkInterval()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void everyKey() {
    FilesConfig files = read(yaml("""
        applier:
          files:
            target-size: 268435456
          compaction:
            enabled: false
            small-file-size: 1048576
            min-files: 20
            max-bytes: 4294967296
            check-interval: 10m
        kafka:
          bootstrap-servers: k:9092
        """));

    assertThat(files).isEqualTo(new FilesConfig(256L << 20, false, 1L << 20, 20, 4L << 30, Duration.ofMinutes(10)));
  }

  @Test
  void smallFilesAndTheBytesOfARunFollowTheTargetSizeByDefault() {
    FilesConfig files = read(yaml("""
        applier:
          files:
            target-size: 536870912
        kafka:
          bootstrap-servers: k:9092
        """));

    assertThat(files.smallFileSize()).isEqualTo(128L << 20);
    assertThat(files.maxBytesPerRun()).isEqualTo(4L << 30);
  }

  @Test
  void everyKeyIsDocumented() {
    ConfigReader root = yaml("kafka: {bootstrap-servers: 'k:9092'}");
    ApplierConfig.from(root, DATA);

    assertThat(root.keys()).extracting(ConfigKey::name).contains("applier.files.target-size",
        "applier.compaction.enabled", "applier.compaction.small-file-size", "applier.compaction.min-files",
        "applier.compaction.max-bytes", "applier.compaction.check-interval");
    assertThat(root.keys()).allSatisfy(key -> assertThat(key.description()).isNotBlank());
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ConfigReader root = yaml("""
        applier:
          files:
            target-size: 10
          compaction:
            enabled: sometimes
            min-files: 1
            check-interval: -1s
        kafka:
          bootstrap-servers: k:9092
        """);

    ApplierConfig.from(root, DATA);

    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("'applier.files.target-size'")
        .hasMessageContaining("'applier.compaction.enabled'")
        .hasMessageContaining("'applier.compaction.min-files'")
        .hasMessageContaining("'applier.compaction.check-interval'");
  }

  @Test
  void recordRefusesInconsistentSettings() {
    assertThatThrownBy(() -> new FilesConfig(1024, true, 2048, 8, 1024, Duration.ZERO))
        .hasMessageContaining("smallFileSize must be between 0 and targetSize");
    assertThatThrownBy(() -> new FilesConfig(1024, true, 256, 1, 1024, Duration.ZERO))
        .hasMessageContaining("minSmallFiles must be >= 2");
  }
}
