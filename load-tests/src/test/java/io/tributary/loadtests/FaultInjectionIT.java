package io.tributary.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The fault-injection run at a short size, through the command the build runs: PostgreSQL and
 * MariaDB under load, one round of faults with short pauses (two components killed, an applier frozen
 * past its lease, Kafka restarted, the coordinator stopped, a burst of storage faults), storage faults
 * throughout; then every table reconciled with its source by {@code tributary verify}, and the
 * {@code /metrics} of every process checked against its kind's dashboard and alert group. Nothing may
 * be lost or duplicated, no queried metric missing, and the pipeline must recover from every fault. The
 * full run (18 faults, about 10 minutes) is documented in the module's README.
 */
class FaultInjectionIT {
  @Test
  void losesAndDuplicatesNothingThroughARoundOfFaults() throws Exception {
    Path results = Path.of("target", "smoke-results");
    int exitCode = new CommandLine(new Benchmarks()).execute("--results", results.toString(),
        "--work", "target/benchmarks", "faults", "--faults", "6", "--short", "--rate", "50", "--tables", "2",
        "--initial-rows", "500", "--timeout", "PT12M");

    Path directory = results.resolve("faults");
    JsonNode result = new ObjectMapper().readTree(directory.resolve("result.json").toFile());
    assertThat(exitCode).as("the run passed; its problems: %s", result.at("/verdict/problems")).isZero();
    assertThat(result.path("faults")).hasSize(6);
    Set<String> kinds = new HashSet<>();
    for (JsonNode fault : result.path("faults")) {
      kinds.add(fault.path("kind").asText());
      assertThat(fault.path("recovered").asBoolean()).as("fault %s recovered", fault).isTrue();
    }
    assertThat(kinds).containsExactlyInAnyOrder("KILL", "PAUSE_APPLIER", "RESTART_KAFKA", "STOP_COORDINATOR",
        "STORAGE_FAULTS");
    assertThat(result.at("/totals/lost").asLong()).isZero();
    assertThat(result.at("/totals/duplicated").asLong()).isZero();
    assertThat(result.at("/totals/extra").asLong()).isZero();
    assertThat(result.at("/totals/different").asLong()).isZero();
    // Two sources, each with its load's two tables and its marker table.
    assertThat(result.path("tables")).hasSize(6);
    for (JsonNode table : result.path("tables")) {
      assertThat(table.path("equal").asBoolean()).as("%s", table).isTrue();
      assertThat(table.path("sourceRows").asLong()).as("%s", table).isPositive();
    }
    assertThat(result.at("/load/changes").asLong()).isPositive();
    long storageFaults = 0;
    for (JsonNode count : result.path("storageFaults")) {
      storageFaults += count.asLong();
    }
    assertThat(storageFaults).as("storage faults the proxy made").isPositive();
    // At the end every process's /metrics served what its kind's dashboard and alert group query.
    assertThat(result.at("/metrics/missing")).isEmpty();
    assertThat(result.at("/metrics/processes")).hasSize(5);
    assertThat(result.at("/metrics/names").asInt()).isGreaterThan(40);
    List<String> labelValues = new ArrayList<>();
    result.at("/metrics/labelValues").forEach(value -> labelValues.add(value.asText()));
    assertThat(labelValues).contains("tributary_gateway_state{state=\"FAILED\"}",
        "tributary_gateway_durable_lag_seconds{quantile=\"0.99\"}", "jvm_memory_used_bytes{area=\"heap\"}");
    assertThat(result.at("/setup/configurations").toString())
        .doesNotContain(Path.of("").toAbsolutePath().toString());
    assertThat(Files.readString(directory.resolve("plot.svg"))).startsWith("<svg").contains("<rect")
        .endsWith("</svg>\n");
    assertThat(Files.readString(directory.resolve("summary.md"))).contains("# Fault injection: PASSED",
        "0 rows lost, 0 duplicated", "## Reconciliation", "none missing", "## Method", "Repeat with");
  }
}
