package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The growth benchmark at a tiny size, through the command the build runs: it runs and writes its
 * three files with sane content, and a batch of recent keys reads fewer files than a uniform one.
 * Figures are not judged here; the full run is documented in the module's README.
 */
class GrowthBenchmarkIT {
  @Test
  void runsAndWritesItsResults() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "growth", "--start-rows", "3000", "--end-rows", "6000", "--steps", "1",
        "--changes", "300", "--hot-keys", "300", "--target-file-size", "16384");

    assertThat(exitCode).as("the benchmark passed").isZero();
    Path directory = results.resolve("growth");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(result.path("benchmark").asText()).isEqualTo("growth");
    assertThat(result.at("/machine/cores").asInt()).isPositive();
    assertThat(result.at("/workload/changes").asInt()).isEqualTo(300);
    assertThat(result.path("steps")).hasSize(2);
    JsonNode last = result.path("steps").get(1);
    assertThat(last.at("/tableRows").asLong()).isEqualTo(6000 + 3 * 30);
    assertThat(last.at("/files/count").asInt()).isGreaterThan(2);
    JsonNode uniform = last.path("batches").get(0);
    JsonNode recent = last.path("batches").get(2);
    assertThat(uniform.path("distribution").asText()).isEqualTo("uniform");
    assertThat(recent.path("distribution").asText()).isEqualTo("recent");
    assertThat(recent.path("filesRead").asLong()).isPositive().isLessThan(uniform.path("filesRead").asLong());
    assertThat(uniform.path("bytesWrittenPerChangedRow").asDouble()).isPositive();
    assertThat(result.at("/verdict/passed").asBoolean()).isTrue();
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("<polyline").endsWith("</svg>\n");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("**Passed**", "bytes written per changed row",
        "recent");
  }
}
