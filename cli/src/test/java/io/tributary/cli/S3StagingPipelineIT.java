package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cli.internal.DemoWorkload;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.testing.S3Server;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelineIT}'s path with segments staged on a real S3 API server ({@code s3a://}) instead of
 * a local directory; Delta tables and the coordinator's store stay local.
 */
class S3StagingPipelineIT {
  private static final String BUCKET = "tributary-staging";
  // StagingStore's segment file names: <sequence>_<first>_<last>.parquet.
  private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{12}_[0-9a-f-]+_[0-9a-f-]+\\.parquet");

  @Test
  void fiveThousandChangesStagedOnS3ArriveExactlyOnce() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("s3-staging-pipeline");
        S3Server s3 = S3Server.builder(fixture.directory.resolve("s3")).initialBucket(BUCKET).discardDataOnClose().build()) {
      s3.start();
      Path spool = fixture.directory.resolve("spool");
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(stagingYaml(s3, spool)));
      StagingConfig staging = settings.gateway().staging();
      assertThat(staging.location()).isEqualTo(URI.create("s3a://" + BUCKET + "/staging"));
      assertThat(settings.applier().staging()).isEqualTo(staging);

      try (StandalonePipeline pipeline = fixture.start(settings)) {
        fixture.generate(5_000);
        assertThat(fixture.workload.changes()).isGreaterThanOrEqualTo(5_000);

        List<TableComparison> results = fixture.awaitEqual(settings, Duration.ofMinutes(3));
        assertThat(results).hasSize(3).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
      }

      // Every table's segments are in the bucket, and no segment file is anywhere on local disk
      // except in the S3 server's own store (which names its files otherwise).
      try (StagingStore store = StagingStore.open(staging, Clock.systemUTC())) {
        for (String table : DemoWorkload.TABLES) {
          List<URI> segments = store.listSegments(TableId.parse(PipelineFixture.SOURCE + "." + table));
          assertThat(segments).as("segments of %s", table).isNotEmpty()
              .allSatisfy(segment -> assertThat(segment.toString()).startsWith("s3a://" + BUCKET + "/staging/"));
        }
      }
      assertThat(Files.exists(settings.dataDirectory().resolve("staging"))).as("default local staging").isFalse();
      try (Stream<Path> files = Files.walk(fixture.directory)) {
        assertThat(files.filter(file -> !file.startsWith(s3.directory()))
            .filter(file -> SEGMENT_NAME.matcher(file.getFileName().toString()).matches()))
            .as("segment files on local disk")
            .isEmpty();
      }
      try (Stream<Path> files = Files.walk(spool)) {
        assertThat(files.filter(file -> file.toString().endsWith(".parquet"))).as("spooled segments left").isEmpty();
      }
    }
  }

  private static String stagingYaml(S3Server s3, Path spool) {
    Map<String, String> hadoop = s3.s3aProperties();
    String properties = hadoop.keySet().stream().sorted()
        .map(key -> "    " + key + ": \"" + hadoop.get(key) + "\"")
        .collect(Collectors.joining("\n"));
    return """
        staging:
          location: s3a://%s/staging
          spool-dir: "%s"
          hadoop:
        %s
        """.formatted(BUCKET, spool, properties);
  }
}
