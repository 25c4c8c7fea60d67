package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks that every metric the alert rules and Grafana dashboards under
 * {@code deploy/observability/} query is served on {@code /metrics} by a running system, so that no
 * panel stays empty and no alert waits on a series that never exists.
 */
final class ObservabilityReference {
  static final Path DIRECTORY = Path.of("..", "deploy", "observability");
  /** Names of Tributary's and the JVM's series in a PromQL expression. */
  private static final Pattern METRIC = Pattern.compile("\\b((?:tributary|jvm|process)_[a-z0-9_]+)");

  /**
   * Counters whose series carry a tag known only at their first event (a table's schema change or
   * rollback): they are served from that event on, which the pipeline this check runs against does
   * not make. Each must still be described in docs/metrics.md.
   */
  private static final Set<String> FROM_FIRST_EVENT = Set.of("tributary_gateway_schema_changes_total",
      "tributary_coordinator_rollbacks_total");

  private ObservabilityReference() {}

  /** The metric names the alert rules and dashboards query. */
  static Set<String> queried() throws IOException {
    Set<String> names = new TreeSet<>();
    List<Path> files;
    try (Stream<Path> paths = Files.walk(DIRECTORY)) {
      files = paths.filter(path -> path.toString().endsWith(".yml") || path.toString().endsWith(".json")).toList();
    }
    assertThat(files.stream().map(path -> path.getFileName().toString()))
        .contains("tributary-alerts.yml", "tributary-gateway.json", "tributary-appliers.json", "tributary-coordinator.json");
    for (Path file : files) {
      // Each file parses: rules and scrape configuration as YAML, dashboards as JSON.
      ObjectMapper parser = file.toString().endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
      assertThat(parser.readTree(file.toFile()).isObject()).as(file.toString()).isTrue();
      Matcher matcher = METRIC.matcher(Files.readString(file));
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  /** Fails naming every metric the rules or dashboards query that {@code scrape} does not hold. */
  static void assertServed(String scrape) throws IOException {
    Set<String> served = new TreeSet<>();
    for (String line : scrape.lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      served.add(line.substring(0, end));
    }
    Set<String> queried = queried();
    assertThat(queried).as("metrics the rules and dashboards query").hasSizeGreaterThan(30);
    // A timer or summary is served as its _count, _sum and _max series; text may name the family.
    assertThat(queried.stream()
        .filter(name -> !served.contains(name) && !served.contains(name + "_count"))
        .filter(name -> !FROM_FIRST_EVENT.contains(name))
        .toList())
        .as("metrics queried by deploy/observability but not served on /metrics").isEmpty();
    String reference = Files.readString(MetricsReference.PAGE);
    assertThat(FROM_FIRST_EVENT).allSatisfy(name -> assertThat(reference).contains("`" + name + "`"));
  }
}
