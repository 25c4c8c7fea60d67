package io.tributary.loadtests.faults;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics each kind of Tributary process must serve on its own {@code /metrics}, as its Grafana
 * dashboard and its group of alert rules under {@code deploy/observability/} query them, and the check
 * of them against the {@code /metrics} of every running process of each kind. In production each
 * process is scraped on its own, so a gateway dashboard's panel that queries a series only an applier
 * serves stays empty: each name must be served by at least one process of the dashboard's or alert
 * group's kind (a timer or summary counts as served by its {@code _count}), the JVM's and the process's
 * series included, and each label matcher with a fixed value ({@code quantile="0.99"},
 * {@code state="FAILED"}) must match a served series. Exempt are counters served only from an event a
 * healthy run need not make (each must be described in docs/metrics.md) and the {@code job} and
 * {@code instance} labels Prometheus adds itself.
 */
final class ServiceMetrics {
  /** The alert rules and dashboards, from the module's directory. */
  static final Path DIRECTORY = Path.of("..", "deploy", "observability");
  /** The metrics reference, which must describe the counters exempted below. */
  static final Path REFERENCE = Path.of("..", "docs", "metrics.md");
  /** Names of Tributary's and the JVM's series in a PromQL expression. */
  private static final Pattern METRIC = Pattern.compile("\\b((?:tributary|jvm|process)_[a-z0-9_]+)");
  /** A series selector with label matchers: the name and what its braces hold. */
  private static final Pattern SELECTOR = Pattern.compile("\\b((?:tributary|jvm|process)_[a-z0-9_]+)\\{([^}]*)}");
  private static final Pattern LABEL_MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");

  /**
   * Counters whose series carry a tag known only at their first event (a table's schema change or
   * rollback): they are served from that event on, which a healthy run need not make. Each must still
   * be described in docs/metrics.md.
   */
  static final Set<String> FROM_FIRST_EVENT = Set.of("tributary_gateway_schema_changes_total",
      "tributary_coordinator_rollbacks_total");
  /** Labels Prometheus attaches to every series of a target when it scrapes it: no process serves them. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
  /**
   * Queries that compare one kind's series with another's, by the file or alert group that holds them
   * and the name: that name is checked against the kind that serves it.
   */
  private static final Map<String, Kind> SERVED_BY_ANOTHER = Map.of(
      // TributaryTableWithoutApplier: a table the coordinator knows that no running applier reports.
      "alert group tributary-applier: tributary_coordinator_table_version", Kind.COORDINATOR,
      // TributaryTableNotApplied: a table with changes staged that the coordinator ratified no commit of.
      "alert group tributary-coordinator: tributary_gateway_segments_staged_total", Kind.GATEWAY);

  /** A kind of process: its command, its dashboard and its group of alert rules. */
  enum Kind {
    GATEWAY("gateway", "grafana/tributary-gateway.json", "tributary-gateway"),
    APPLIER("applier", "grafana/tributary-appliers.json", "tributary-applier"),
    COORDINATOR("coordinator", "grafana/tributary-coordinator.json", "tributary-coordinator");

    private final String command;
    private final String dashboard;
    private final String alertGroup;

    Kind(String command, String dashboard, String alertGroup) {
      this.command = command;
      this.dashboard = dashboard;
      this.alertGroup = alertGroup;
    }

    /** The kind the {@code tributary} command {@code command} runs. */
    static Kind of(String command) {
      for (Kind kind : values()) {
        if (kind.command.equals(command)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("No kind of process runs the command " + command);
    }
  }

  /** A metric {@code name} that {@code where} (a dashboard or an alert group) queries, served by {@code kind}. */
  record Query(Kind kind, String name, String where) {
    Query {
      requireNonNull(kind, "kind is null");
      requireNonNull(name, "name is null");
      requireNonNull(where, "where is null");
    }
  }

  /** A selector {@code name{label="value"}} that {@code where} queries, served by {@code kind}. */
  record LabelValue(Kind kind, String name, String label, String value, String where) {
    LabelValue {
      requireNonNull(kind, "kind is null");
      requireNonNull(name, "name is null");
      requireNonNull(label, "label is null");
      requireNonNull(value, "value is null");
      requireNonNull(where, "where is null");
    }

    String selector() {
      return name + "{" + label + "=\"" + value + "\"}";
    }
  }

  /** The series one process served: its name (e.g. {@code gateway-postgresql}) and its {@code /metrics} text. */
  record Scrape(String process, String text) {
    Scrape {
      requireNonNull(process, "process is null");
      requireNonNull(text, "text is null");
    }
  }

  private final Set<Query> queries;
  private final Set<LabelValue> labelValues;

  private ServiceMetrics(Set<Query> queries, Set<LabelValue> labelValues) {
    this.queries = Set.copyOf(queries);
    this.labelValues = Set.copyOf(labelValues);
  }

  /** Reads the dashboards and the alert rules under {@code directory}. */
  static ServiceMetrics read(Path directory) throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode groups = new ObjectMapper(new YAMLFactory()).readTree(directory.resolve("tributary-alerts.yml").toFile())
        .path("groups");
    Set<Query> queries = new LinkedHashSet<>();
    Set<LabelValue> labelValues = new LinkedHashSet<>();
    for (Kind kind : Kind.values()) {
      collect(kind, kind.dashboard, json.readTree(directory.resolve(kind.dashboard).toFile()), queries, labelValues);
      JsonNode group = null;
      for (JsonNode each : groups) {
        if (each.path("name").asText().equals(kind.alertGroup)) {
          group = each;
        }
      }
      if (group == null) {
        throw new IllegalStateException("tributary-alerts.yml has no group " + kind.alertGroup);
      }
      collect(kind, "alert group " + kind.alertGroup, group.path("rules"), queries, labelValues);
    }
    return new ServiceMetrics(queries, labelValues);
  }

  /** Every name and fixed label value in the texts of {@code node} (queries, legends, descriptions). */
  private static void collect(Kind kind, String where, JsonNode node, Set<Query> queries, Set<LabelValue> labelValues) {
    List<String> texts = new ArrayList<>();
    texts(node, texts);
    for (String text : texts) {
      Matcher names = METRIC.matcher(text);
      while (names.find()) {
        queries.add(new Query(servedBy(kind, where, names.group(1)), names.group(1), where));
      }
      Matcher selectors = SELECTOR.matcher(text);
      while (selectors.find()) {
        String name = selectors.group(1);
        Matcher matchers = LABEL_MATCHER.matcher(selectors.group(2));
        while (matchers.find()) {
          String label = matchers.group(1);
          String value = matchers.group(3);
          // Only exact matchers; a value with a $ is a dashboard variable, not a fixed value.
          if (matchers.group(2).equals("=") && !value.contains("$") && !TARGET_LABELS.contains(label)) {
            labelValues.add(new LabelValue(servedBy(kind, where, name), name, label, value, where));
          }
        }
      }
    }
  }

  private static Kind servedBy(Kind kind, String where, String name) {
    return SERVED_BY_ANOTHER.getOrDefault(where + ": " + name, kind);
  }

  private static void texts(JsonNode node, List<String> texts) {
    if (node.isTextual()) {
      texts.add(node.asText());
    }
    node.forEach(child -> texts(child, texts));
  }

  /** The names queried, each with the kind that must serve it. */
  Set<Query> queries() {
    return queries;
  }

  /** The fixed label values queried, each with the kind that must serve it. */
  Set<LabelValue> labelValues() {
    return labelValues;
  }

  /** The fixed label values checked: those a healthy run serves. */
  List<LabelValue> labelValuesChecked() {
    return labelValues.stream().filter(value -> !exempt(value.name())).toList();
  }

  private static boolean exempt(String name) {
    return FROM_FIRST_EVENT.contains(name);
  }

  /**
   * What is missing: each name or fixed label value queried for a kind that no scrape of that kind
   * serves, and each counter exempted as served from its first event that {@code reference} (the
   * metrics reference) does not describe. Empty when nothing is.
   */
  List<String> missing(Map<Kind, List<Scrape>> scrapes, String reference) {
    List<String> missing = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      List<Scrape> ofKind = scrapes.getOrDefault(kind, List.of());
      Set<String> served = new TreeSet<>();
      List<String> series = new ArrayList<>();
      for (Scrape scrape : ofKind) {
        for (String line : scrape.text().lines().toList()) {
          if (!line.isBlank() && !line.startsWith("#")) {
            series.add(line);
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
              end++;
            }
            served.add(line.substring(0, end));
          }
        }
      }
      String processes = ofKind.isEmpty() ? "no " + kind.command + " was scraped"
          : "scraped " + String.join(", ", ofKind.stream().map(Scrape::process).toList());
      for (Query query : queries) {
        if (query.kind() == kind && !exempt(query.name()) && !served.contains(query.name())
            && !served.contains(query.name() + "_count")) {
          missing.add(String.format("metric %s, queried by %s, is served by no %s (%s)", query.name(), query.where(),
              kind.command, processes));
        }
      }
      for (LabelValue value : labelValuesChecked()) {
        String matcher = value.label() + "=\"" + value.value() + "\"";
        if (value.kind() == kind && series.stream().noneMatch(line -> line.startsWith(value.name() + "{")
            && (line.contains("{" + matcher) || line.contains("," + matcher)))) {
          missing.add(String.format("series %s, queried by %s, is served by no %s (%s)", value.selector(),
              value.where(), kind.command, processes));
        }
      }
    }
    FROM_FIRST_EVENT.stream().sorted()
        .filter(name -> !reference.contains("`" + name + "`"))
        .forEach(name -> missing.add("metric " + name + ", served only from its first event, is not described in"
            + " docs/metrics.md"));
    return missing;
  }
}
