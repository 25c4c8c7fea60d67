package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every alert of {@code deploy/observability/tributary-alerts.yml} has its entry in the runbook,
 * {@code docs/operations.md#alerts}: a {@code ###} heading that names it (alone or with related
 * alerts), and every entry there names an alert that exists. Whoever is paged reads what it means and
 * what to do under the alert's own name.
 */
class AlertRunbookTest {
  private static final Path RULES = ObservabilityReference.DIRECTORY.resolve("tributary-alerts.yml");
  private static final Path RUNBOOK = Path.of("..", "docs", "operations.md");

  @Test
  void everyAlertHasARunbookEntryAndEveryEntryAnAlert() throws IOException {
    Set<String> alerts = alerts();
    Set<String> entries = runbookEntries();

    assertThat(alerts).as("alerts in %s", RULES).hasSizeGreaterThan(15);
    assertThat(alerts).as("alerts without a ### entry in %s", RUNBOOK).isSubsetOf(entries);
    assertThat(entries).as("runbook entries naming no alert of %s", RULES).isSubsetOf(alerts);
  }

  @Test
  void everyAlertHasASeverityAndASummary() throws IOException {
    List<String> incomplete = new ArrayList<>();
    for (JsonNode rule : rules()) {
      String severity = rule.path("labels").path("severity").asText();
      if (!Set.of("critical", "warning").contains(severity)
          || rule.path("annotations").path("summary").asText().isBlank() || rule.path("expr").asText().isBlank()) {
        incomplete.add(rule.path("alert").asText());
      }
    }
    assertThat(incomplete).as("alerts without an expression, a severity (critical or warning) or a summary").isEmpty();
  }

  private static Set<String> alerts() throws IOException {
    Set<String> names = new TreeSet<>();
    for (JsonNode rule : rules()) {
      names.add(rule.path("alert").asText());
    }
    return names;
  }

  private static List<JsonNode> rules() throws IOException {
    JsonNode groups = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile()).path("groups");
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode group : groups) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.has("alert")) {
          rules.add(rule);
        }
      }
    }
    return rules;
  }

  /** The alert names of the {@code ###} headings under {@code ## Alerts}, up to the next {@code ##}. */
  private static Set<String> runbookEntries() throws IOException {
    Set<String> names = new TreeSet<>();
    boolean inAlerts = false;
    for (String line : Files.readAllLines(RUNBOOK)) {
      if (line.startsWith("## ")) {
        inAlerts = line.equals("## Alerts");
      } else if (inAlerts && line.startsWith("### ")) {
        for (String name : line.substring(4).split(",")) {
          names.add(name.strip());
        }
      }
    }
    return names;
  }
}
