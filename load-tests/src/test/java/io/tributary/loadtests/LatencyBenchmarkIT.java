package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The latency benchmark at a tiny size, through the command the build runs: every change of two low
 * rates becomes visible in Delta, and the three files are written with sane content. No latency is
 * judged here; the full run is documented in the module's README.
 */
class LatencyBenchmarkIT {
  @Test
  void measuresEveryChangeAndWritesItsResults() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "latency", "--rates", "100,200", "--step-duration", "PT3S",
        "--warmup-rate", "50", "--warmup-duration", "PT2S", "--heap", "512m", "--timeout", "PT5M");

    assertThat(exitCode).as("every change became visible").isZero();
    Path directory = results.resolve("latency");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(result.path("benchmark").asText()).isEqualTo("latency");
    assertThat(result.at("/environment/versions/postgresql").asText()).isNotBlank();
    assertThat(result.path("steps")).hasSize(2);
    for (JsonNode step : result.path("steps")) {
      assertThat(step.path("changes").asLong()).isPositive();
      assertThat(step.path("visible").asLong()).isEqualTo(step.path("changes").asLong());
      assertThat(step.path("updates").asLong()).isPositive();
      assertThat(step.path("p50Seconds").asDouble()).isPositive()
          .isLessThanOrEqualTo(step.path("p99Seconds").asDouble());
      assertThat(step.path("p99Seconds").asDouble()).isLessThanOrEqualTo(step.path("maxSeconds").asDouble());
      assertThat(step.path("commits").asDouble()).isPositive();
    }
    assertThat(result.at("/setup/configuration").asText()).contains("connector: postgresql", "location: data/staging")
        .doesNotContain(Path.of("").toAbsolutePath().toString())
        .doesNotContain(System.getenv().getOrDefault("BENCH_SOURCE_PASSWORD", "no such password"));
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("<polyline")
        .endsWith("</svg>\n");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("| target changes/s |", "## Method");
  }
}
