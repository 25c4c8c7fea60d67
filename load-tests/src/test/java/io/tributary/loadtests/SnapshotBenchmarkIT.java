package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The snapshot benchmark at a tiny size, through the command the build runs: the gateway and the
 * peer each read every row of the table by an initial snapshot, and the three files are written
 * with sane content. No throughput is judged here.
 */
class SnapshotBenchmarkIT {
  @Test
  void everySnapshotReadsEveryRowAndTheResultsAreWritten() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "snapshot", "--rows", "3000", "--repeats", "1", "--heap", "512m",
        "--timeout", "PT3M");

    assertThat(exitCode).as("every run read every row").isZero();
    Path directory = results.resolve("snapshot");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(result.path("benchmark").asText()).isEqualTo("snapshot");
    assertThat(result.at("/workload/changes").asLong()).isEqualTo(3000);
    assertThat(result.at("/workload/inserts").asLong()).isEqualTo(3000);
    assertThat(result.at("/workload/sourceBytes").asLong()).as("the table's size").isPositive();
    assertThat(result.path("runs")).extracting(run -> run.path("system").asText())
        .containsExactly("peer", "reader", "gateway");
    for (JsonNode run : result.path("runs")) {
      assertThat(run.path("completed").asBoolean()).as(run.path("system").asText()).isTrue();
      assertThat(run.path("changes").asLong()).isEqualTo(3000);
      assertThat(run.path("sourceMegabytesPerSecond").asDouble()).isPositive();
    }
    assertThat(result.at("/setup/gatewayCommand").asText()).contains("snapshot-mode initial");
    assertThat(result.at("/setup/peerProperties/snapshot.mode").asText()).isEqualTo("initial");
    assertThat(result.at("/figures/ratio").asDouble()).isPositive();
    assertThat(result.at("/figures/readerRatio").asDouble()).isPositive();
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("Initial snapshot of 3,000 rows");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("# Initial snapshot", "rows/s", "table MB/s",
        "| gateway |", "| peer |", "| reader |");
  }
}
