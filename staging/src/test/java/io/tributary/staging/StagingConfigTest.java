package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StagingConfigTest {

  @Test
  void neverShowsSecretHadoopProperties() {
    StagingConfig config = new StagingConfig(URI.create("s3a://bucket/staging"), Optional.of(Path.of("/var/spool")),
        Map.of("fs.s3a.access.key", "AKIDEXAMPLE", "fs.s3a.secret.key", "wJalrXUtnFEMI", "fs.s3a.session.token", "FwoGZX",
            "fs.s3a.endpoint", "http://127.0.0.1:9090"),
        StagingConfig.DEFAULT_RETENTION);

    assertThat(config.toString())
        .contains("s3a://bucket/staging", "fs.s3a.access.key=AKIDEXAMPLE", "fs.s3a.endpoint=http://127.0.0.1:9090",
            "fs.s3a.secret.key=****", "fs.s3a.session.token=****")
        .doesNotContain("wJalrXUtnFEMI", "FwoGZX");
  }
}
