package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The capture benchmark at a tiny size, through the command the build runs: both the gateway and
 * the peer capture every change, and the three files are written with sane content. No throughput
 * is judged here; the full run is documented in the module's README.
 */
class CaptureBenchmarkIT {
  @Test
  void runsEveryCaptureAndWritesItsResults() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "capture", "--changes", "2000", "--repeats", "1", "--heap", "512m",
        "--timeout", "PT3M");

    assertThat(exitCode).as("every run captured every change").isZero();
    Path directory = results.resolve("capture");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(result.path("benchmark").asText()).isEqualTo("capture");
    assertThat(result.at("/environment/versions/debezium").asText()).isNotBlank();
    assertThat(result.at("/workload/changes").asLong()).isGreaterThanOrEqualTo(2000);
    assertThat(result.at("/workload/deletes").asLong()).isPositive();
    assertThat(result.path("runs")).hasSize(3);
    for (JsonNode run : result.path("runs")) {
      assertThat(run.path("completed").asBoolean()).as(run.path("system").asText()).isTrue();
      assertThat(run.path("changes").asLong()).isEqualTo(result.at("/workload/changes").asLong());
      assertThat(run.path("changesPerSecond").asDouble()).isPositive();
      assertThat(run.path("sourceCpuSeconds").asDouble()).as("PostgreSQL's CPU time, read").isGreaterThanOrEqualTo(0);
    }
    assertThat(result.at("/figures/ratio").asDouble()).isPositive();
    assertThat(result.at("/figures/readerRatio").asDouble()).isPositive();
    assertThat(result.at("/setup/peerProperties/slot.name").asText()).isEqualTo("bench_peer_1");
    assertThat(result.at("/setup/peerProperties").has("database.password")).isFalse();
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("<rect").endsWith("</svg>\n");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("Gateway / Debezium alone", "| gateway |",
        "| peer |", "| reader |", "reads every value");
  }
}
