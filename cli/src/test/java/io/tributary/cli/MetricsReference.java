package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * Checks that every Tributary metric a running pipeline exposes on {@code /metrics} is described in
 * {@code docs/metrics.md}, under the name a Prometheus query uses: counters with their
 * {@code _total}, everything else by its family name.
 */
final class MetricsReference {
  static final Path PAGE = Path.of("..", "docs", "metrics.md");

  private MetricsReference() {}

  static void assertDocumented(PrometheusMeterRegistry registry) throws IOException {
    String page = Files.readString(PAGE);
    TreeSet<String> exposed = exposedNames(registry.scrape());
    List<String> undocumented = exposed.stream()
        // A timer's maximum is a family of its own, described with the timer.
        .map(name -> name.endsWith("_max") && exposed.contains(name.substring(0, name.length() - 4))
            ? name.substring(0, name.length() - 4) : name)
        .filter(name -> !page.contains("`" + name + "`"))
        .toList();
    assertThat(undocumented).as("metrics exposed but not described in docs/metrics.md").isEmpty();
  }

  /** The query names of the {@code tributary_} families in a Prometheus scrape. */
  static TreeSet<String> exposedNames(String scrape) {
    TreeSet<String> names = new TreeSet<>();
    for (String line : scrape.lines().toList()) {
      if (!line.startsWith("# TYPE tributary_")) {
        continue;
      }
      String[] parts = line.split(" ");
      names.add(parts[3].equals("counter") && !parts[2].endsWith("_total") ? parts[2] + "_total" : parts[2]);
    }
    return names;
  }
}
