package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The scale-out benchmark at a tiny size, through the command the build runs: 500 changes over four
 * tables applied by one and then two applier processes, every table equal to its source after each,
 * and the three files written with sane content. No throughput is judged here; the full run is
 * documented in the module's README.
 */
class ScaleOutBenchmarkIT {
  @Test
  void appliesTheBacklogWithEachNumberOfProcessesAndWritesItsResults() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "scale-out", "--tables", "4", "--partitions", "4", "--changes", "500",
        "--processes", "1,2", "--batch-segments", "64", "--applier-heap", "256m", "--timeout", "PT5M");

    assertThat(exitCode).as("both steps applied the backlog and the tables equal their sources").isZero();
    Path directory = results.resolve("scale-out");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(result.path("benchmark").asText()).isEqualTo("scale-out");
    assertThat(result.at("/environment/versions/postgresql").asText()).isNotBlank();
    assertThat(result.at("/backlog/changes").asLong()).isEqualTo(500);
    assertThat(result.at("/backlog/segments").asLong()).isPositive();
    assertThat(result.path("steps")).hasSize(2);
    for (JsonNode step : result.path("steps")) {
      int processes = step.path("processes").asInt();
      assertThat(step.path("changes").asLong()).isEqualTo(500);
      assertThat(step.path("changesPerSecond").asDouble()).isPositive();
      assertThat(step.path("commits").asDouble()).isPositive();
      assertThat(step.path("rowsVerified").asBoolean()).isTrue();
      assertThat(step.path("perProcess")).hasSize(processes);
      long applied = 0;
      int tables = 0;
      for (JsonNode process : step.path("perProcess")) {
        applied += process.path("changes").asLong();
        tables += process.path("tables").asInt();
      }
      assertThat(applied).as("changes applied by the processes of %d", processes).isEqualTo(500);
      assertThat(tables).as("tables held by the processes of %d", processes).isEqualTo(4);
    }
    assertThat(result.at("/setup/applierConfiguration").asText()).contains("group-id: scale-out-64-2", "max-segments: 64")
        .doesNotContain(Path.of("").toAbsolutePath().toString());
    assertThat(result.at("/setup/gatewayConfiguration").asText()).contains("topic-partitions: 4")
        .doesNotContain(Path.of("").toAbsolutePath().toString())
        .doesNotContain(System.getenv().getOrDefault("BENCH_SOURCE_PASSWORD", "no such password"));
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("<polyline")
        .endsWith("</svg>\n");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("| processes |",
        "## What it says about a Kubernetes cluster", "## Method", "Repeat with");
  }
}
