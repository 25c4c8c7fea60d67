package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole path on real servers: PostgreSQL → gateway → staging + Kafka → applier → coordinator-ratified Delta. */
class PipelineIT {
  @Test
  void tenThousandChangesOverThreeTablesArriveExactlyOnce() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("pipeline")) {
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(""));
      try (StandalonePipeline pipeline = fixture.start(settings)) {
        fixture.generate(10_000);
        assertThat(fixture.workload.changes()).isGreaterThanOrEqualTo(10_000);
        List<TableComparison> results = fixture.awaitEqual(settings, Duration.ofMinutes(3));
        assertThat(results).hasSize(3).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
      }
    }
  }
}
