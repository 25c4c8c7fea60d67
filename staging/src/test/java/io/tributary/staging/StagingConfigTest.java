package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.config.ConfigReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StagingConfigTest {

  @Test
  void neverShowsSecretHadoopProperties() {
    StagingConfig config = new StagingConfig(URI.create("s3a://bucket/staging"), Optional.of(Path.of("/var/spool")),
        Map.of("fs.s3a.access.key", "AKIDEXAMPLE", "fs.s3a.secret.key", "wJalrXUtnFEMI", "fs.s3a.session.token", "FwoGZX",
            "fs.s3a.endpoint", "http://127.0.0.1:9090"),
        StagingConfig.DEFAULT_RETENTION, StagingConfig.UnappliedPastRetention.KEEP);

    assertThat(config.toString())
        .contains("s3a://bucket/staging", "fs.s3a.access.key=AKIDEXAMPLE", "fs.s3a.endpoint=http://127.0.0.1:9090",
            "fs.s3a.secret.key=****", "fs.s3a.session.token=****", "unappliedPastRetention=KEEP")
        .doesNotContain("wJalrXUtnFEMI", "FwoGZX");
  }

  @Test
  void unappliedSegmentsPastTheRetentionAreResyncedByDefaultOrKept() {
    StagingConfig defaults = StagingConfig.from(ConfigReader.fromYaml("{}", "test", name -> null), Path.of("staging"));
    assertThat(defaults.unappliedPastRetention()).isEqualTo(StagingConfig.UnappliedPastRetention.RESYNC);
    assertThat(defaults.retention()).isEqualTo(Duration.ofDays(30));

    StagingConfig kept = StagingConfig.from(ConfigReader.fromYaml("unapplied-past-retention: keep\nretention: 7d",
        "test", name -> null), Path.of("staging"));
    assertThat(kept.unappliedPastRetention()).isEqualTo(StagingConfig.UnappliedPastRetention.KEEP);
    assertThat(kept.retention()).isEqualTo(Duration.ofDays(7));

    ConfigReader wrong = ConfigReader.fromYaml("unapplied-past-retention: delete", "test", name -> null);
    StagingConfig.from(wrong, Path.of("staging"));
    assertThatThrownBy(wrong::throwIfInvalid)
        .hasMessageContaining("unapplied-past-retention")
        .hasMessageContaining("must be one of resync, keep");
  }
}
