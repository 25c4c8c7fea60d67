package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The apply benchmark at a tiny size, through the command the build runs: the applier and Spark
 * both apply every batch and end with the same rows, the applier and parquet-java both write every
 * row, and the three files are written with sane content. No throughput is judged here; the full
 * run is documented in the module's README.
 */
class ApplyBenchmarkIT {
  @Test
  void runsBothSidesOfBothPartsAndWritesItsResults() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "apply", "--rows", "2000", "--batches", "2", "--batch-changes", "200",
        "--insert-rows", "2000", "--insert-batch", "1000", "--repeats", "1", "--heap", "512m", "--timeout", "PT3M");

    assertThat(exitCode).as("both sides ran and the tables match").isZero();
    Path directory = results.resolve("apply");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(result.path("benchmark").asText()).isEqualTo("apply");
    assertThat(result.at("/verdict/passed").asBoolean()).isTrue();
    assertThat(result.at("/versions/spark").asText()).isNotBlank().isNotEqualTo("unknown");
    assertThat(result.at("/workload/expectedRows").asLong()).isEqualTo(2000 + 2 * 40 - 2 * 20);
    assertThat(result.at("/setup/schemaMatches").asBoolean()).isTrue();
    assertThat(result.path("runs")).hasSize(4);
    for (JsonNode run : result.path("runs")) {
      assertThat(run.path("perSecond").asDouble()).as(run.path("system").asText()).isPositive();
      assertThat(run.path("batchSeconds")).hasSize(2);
      // Collection pauses are part of the timed batches, never more than all of them.
      assertThat(run.path("gcSeconds").isNumber()).isTrue();
      assertThat(run.path("gcSeconds").asDouble()).isBetween(0.0, run.path("seconds").asDouble());
      // The JVM tells its CPU time (-1 if not), at most every core for all of the timed work (with the rounding of
      // each batch's figure to a millisecond).
      assertThat(run.path("cpuSeconds").asDouble())
          .isBetween(0.0, run.path("seconds").asDouble() * Runtime.getRuntime().availableProcessors() + 0.01);
    }
    assertThat(result.at("/figures/upsertRatio").asDouble()).isPositive();
    assertThat(result.at("/figures/insertRatio").asDouble()).isPositive();
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("<rect").endsWith("</svg>\n");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("applier / Spark", "applier / parquet-java",
        "| upsert | spark |", "| insert | parquet |", "MERGE INTO", "of which GC pauses", "| CPU s |");
  }
}
