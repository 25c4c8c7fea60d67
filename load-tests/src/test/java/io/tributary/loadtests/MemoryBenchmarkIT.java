package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The memory benchmark at a tiny size, through the command the build runs: it runs and writes its
 * three files with sane content. Figures are not judged here; the full run is documented in the
 * module's README.
 */
class MemoryBenchmarkIT {
  @Test
  void runsAndWritesItsResults() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "memory", "--rows", "1000", "--timeout", "PT3M");

    assertThat(exitCode).as("the benchmark passed").isZero();
    Path directory = results.resolve("memory");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(result.path("benchmark").asText()).isEqualTo("memory");
    assertThat(result.at("/environment/machine/cores").asInt()).isPositive();
    assertThat(result.at("/environment/versions/debezium").asText()).isNotBlank();
    assertThat(result.at("/environment/versions/postgresql").asText()).isNotBlank();
    assertThat(result.at("/workload/changes").asLong()).isEqualTo(2000);
    assertThat(result.at("/figures/rowsStaged").asLong()).isEqualTo(2000);
    assertThat(result.at("/figures/distinctKeysStaged").asLong()).isEqualTo(1000);
    assertThat(result.at("/figures/outOfMemory").asBoolean()).isFalse();
    assertThat(result.at("/figures/heapLimitBytes").asLong()).isEqualTo(256L << 20);
    assertThat(result.at("/figures/rssMaxBytes").asLong()).isPositive();
    assertThat(result.at("/figures/heapUsedMaxBytes").asLong()).isPositive();
    assertThat(result.at("/verdict/passed").asBoolean()).isTrue();
    assertThat(result.path("samples")).isNotEmpty();
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("<polyline").endsWith("</svg>\n");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("**Passed**", "-Xmx256m", "Debezium");
  }
}
