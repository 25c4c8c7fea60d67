package io.tributary.loadtests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.loadtests.faults.ServiceMetrics.Kind;
import io.tributary.loadtests.faults.ServiceMetrics.LabelValue;
import io.tributary.loadtests.faults.ServiceMetrics.Query;
import io.tributary.loadtests.faults.ServiceMetrics.Scrape;
import java.io.IOException;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {
  @Test
  void readsEachKindsDashboardAndAlertGroup() throws IOException {
    ServiceMetrics metrics = ServiceMetrics.read(ServiceMetrics.DIRECTORY);

    assertThat(metrics.queries()).contains(
        new Query(Kind.GATEWAY, "tributary_gateway_state", "alert group tributary-gateway"),
        new Query(Kind.GATEWAY, "jvm_memory_used_bytes", "grafana/tributary-gateway.json"),
        new Query(Kind.APPLIER, "tributary_applier_commit_latency_seconds_count", "grafana/tributary-appliers.json"),
        // The applier rule that compares the coordinator's tables with the appliers' asks the coordinator.
        new Query(Kind.COORDINATOR, "tributary_coordinator_table_version", "alert group tributary-applier"),
        new Query(Kind.COORDINATOR, "tributary_coordinator_commits_ratified_total",
            "grafana/tributary-coordinator.json"));
    assertThat(metrics.queries()).noneMatch(query -> query.kind() != Kind.COORDINATOR
        && query.name().startsWith("tributary_coordinator_") && !query.where().equals("alert group tributary-applier"));
    assertThat(metrics.labelValuesChecked().stream().map(value -> value.kind() + " " + value.selector()))
        .contains("GATEWAY tributary_gateway_state{state=\"FAILED\"}",
            "GATEWAY tributary_gateway_state{state=\"RUNNING\"}",
            "GATEWAY tributary_gateway_durable_lag_seconds{quantile=\"0.99\"}",
            "APPLIER jvm_memory_used_bytes{area=\"heap\"}",
            // Served at 0 from the coordinator's start, refusal or not.
            "COORDINATOR tributary_coordinator_commits_refused_total{reason=\"stale_epoch\"}")
        .noneMatch(selector -> selector.contains("job=") || selector.contains("table="));
  }

  @Test
  void reportsWhatNoProcessOfTheKindServesEvenWhenAnotherKindServesIt() throws IOException {
    ServiceMetrics metrics = ServiceMetrics.read(ServiceMetrics.DIRECTORY);
    Map<Kind, List<Scrape>> scrapes = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      scrapes.put(kind, List.of(new Scrape(kind.name().toLowerCase(Locale.ROOT) + "-1", serving(metrics, kind))));
    }
    String reference = Files.readString(ServiceMetrics.REFERENCE);
    assertThat(metrics.missing(scrapes, reference)).isEmpty();

    // The gateway's JVM heap served only by an applier; the 0.99 quantile of a gateway summary by no gateway.
    String gateway = scrapes.get(Kind.GATEWAY).get(0).text();
    scrapes.put(Kind.GATEWAY, List.of(new Scrape("gateway-postgresql", gateway.lines()
        .filter(line -> !line.startsWith("jvm_memory_used_bytes"))
        .map(line -> line.replace("quantile=\"0.99\"", "quantile=\"0.5\""))
        .collect(Collectors.joining("\n"))), new Scrape("gateway-mariadb", "")));
    assertThat(metrics.missing(scrapes, reference))
        .contains("metric jvm_memory_used_bytes, queried by grafana/tributary-gateway.json, is served by no gateway"
            + " (scraped gateway-postgresql, gateway-mariadb)")
        .contains("series tributary_gateway_durable_lag_seconds{quantile=\"0.99\"}, queried by alert group"
            + " tributary-gateway, is served by no gateway (scraped gateway-postgresql, gateway-mariadb)")
        .noneMatch(problem -> problem.contains("applier"));

    assertThat(metrics.missing(Map.of(), reference)).contains("metric tributary_applier_changes_pending, queried by"
        + " alert group tributary-applier, is served by no applier (no applier was scraped)");
    assertThat(metrics.missing(scrapes, "")).contains("metric tributary_coordinator_rollbacks_total, served only"
        + " from its first event, is not described in docs/metrics.md");
  }

  /** A scrape serving every name and label value the kind must serve, as a timer's _count where it is one. */
  private static String serving(ServiceMetrics metrics, Kind kind) {
    StringBuilder text = new StringBuilder("# HELP something\n");
    for (Query query : metrics.queries()) {
      if (query.kind() == kind) {
        text.append(query.name()).append("_count{table=\"t\"} 1.0\n");
      }
    }
    for (LabelValue value : metrics.labelValues()) {
      if (value.kind() == kind) {
        text.append(value.name()).append("{table=\"t\",").append(value.label()).append("=\"").append(value.value())
            .append("\"} 0.0\n");
      }
    }
    return text.toString();
  }
}
