package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.cli.internal.OpsEndpoint;
import io.tributary.coordinator.CoordinatorConfig;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.staging.config.ConfigReader;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Kubernetes manifests under {@code k8s/} as a cluster gets them: every overlay rendered by
 * kubectl's kustomize, every object validated against its kind's schema ({@link KubernetesSchemas}),
 * and every link checked, between the objects (selectors, named ports, ConfigMaps, Secrets, scale
 * targets) and between the objects and the code: the command each container runs, the configuration
 * it reads, the ports and probe paths the processes serve, their shutdown bounds.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("..", "k8s");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** What each overlay deploys besides the objects every overlay has. */
  private static final Map<String, Set<String>> OVERLAYS = Map.of(
      "continuous", Set.of("Deployment/tributary-applier", "PodDisruptionBudget/tributary-applier",
          "ScaledObject/tributary-applier"),
      "continuous-hpa", Set.of("Deployment/tributary-applier", "PodDisruptionBudget/tributary-applier",
          "HorizontalPodAutoscaler/tributary-applier"),
      "triggered", Set.of("CronJob/tributary-applier"));
  private static final Set<String> EVERY_OVERLAY = Set.of("ServiceAccount/tributary",
      "Deployment/tributary-coordinator", "Service/tributary-coordinator", "PodDisruptionBudget/tributary-coordinator",
      "Service/tributary-applier", "NetworkPolicy/tributary-coordinator", "NetworkPolicy/tributary-applier",
      "ServiceMonitor/tributary-applier", "ServiceMonitor/tributary-coordinator",
      "ConfigMap/tributary-applier-config", "ConfigMap/tributary-coordinator-config");

  private static final Map<String, List<JsonNode>> RENDERED = new LinkedHashMap<>();

  @TempDir
  Path work;

  @BeforeAll
  static void renderEveryOverlay() throws IOException, InterruptedException {
    try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
      assertThat(overlays.map(overlay -> overlay.getFileName().toString()))
          .as("every overlay is checked here").containsExactlyInAnyOrderElementsOf(OVERLAYS.keySet());
    }
    for (String overlay : new TreeSet<>(OVERLAYS.keySet())) {
      RENDERED.put(overlay, render(K8S.resolve("overlays").resolve(overlay)));
    }
  }

  @Test
  void everyOverlayRendersToObjectsTheirSchemasAccept() {
    RENDERED.forEach((overlay, objects) -> {
      List<String> violations = objects.stream().flatMap(object -> KubernetesSchemas.violations(object).stream()).toList();
      assertThat(violations).as(overlay).isEmpty();

      Set<String> expected = new HashSet<>(EVERY_OVERLAY);
      expected.addAll(OVERLAYS.get(overlay));
      assertThat(objects.stream().map(KubernetesManifestsTest::kindAndName)).as(overlay)
          .containsExactlyInAnyOrderElementsOf(expected);
      for (JsonNode object : objects) {
        assertThat(object.at("/metadata/namespace").asText()).as(kindAndName(object)).isEqualTo("tributary");
        assertThat(object.at("/metadata/labels/app.kubernetes.io~1part-of").asText()).as(kindAndName(object))
            .isEqualTo("tributary");
      }
    });
  }

  @Test
  void schemasRefuseWhatAClusterWouldRefuse() {
    List<JsonNode> objects = RENDERED.get("continuous");
    ObjectNode deployment = find(objects, "Deployment", "tributary-applier").deepCopy();
    ((ObjectNode) deployment.at("/spec/template/spec/containers/0")).put("livenessProbes", "misspelt");
    assertThat(KubernetesSchemas.violations(deployment)).singleElement().asString().contains("livenessProbes");

    ObjectNode nameless = find(objects, "Deployment", "tributary-coordinator").deepCopy();
    ((ObjectNode) nameless.at("/spec/template/spec/containers/0")).remove("name");
    assertThat(KubernetesSchemas.violations(nameless)).singleElement().asString().contains("name");

    ObjectNode monitor = find(objects, "ServiceMonitor", "tributary-applier").deepCopy();
    ((ObjectNode) monitor.at("/spec/endpoints/0")).put("scrapeEvery", "15s");
    assertThat(KubernetesSchemas.violations(monitor)).singleElement().asString().contains("scrapeEvery");

    ObjectNode scaler = find(objects, "ScaledObject", "tributary-applier").deepCopy();
    ((ObjectNode) scaler.at("/spec/triggers/0/metadata")).put("lagTreshold", "10");
    ((ObjectNode) scaler.at("/spec")).put("maxReplicaCount", "six");
    assertThat(KubernetesSchemas.violations(scaler)).hasSize(2)
        .anySatisfy(violation -> assertThat(violation).contains("lagTreshold"))
        .anySatisfy(violation -> assertThat(violation).contains("maxReplicaCount must be an integer"));
  }

  @Test
  void everyContainerRunsALauncherCommandWithAConfigurationItReads() throws IOException {
    for (Map.Entry<String, List<JsonNode>> overlay : RENDERED.entrySet()) {
      for (Container container : containers(overlay.getValue())) {
        String where = overlay.getKey() + " " + container;
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(container.args().toArray(String[]::new));
        assertThat(parsed.hasSubcommand()).as(where).isTrue();

        Listening listening = listening(overlay.getValue(), container);
        assertThat(listening.host()).as(where + ": probes come from the node").isEqualTo("0.0.0.0");
        assertThat(container.namedPort(listening.portName())).as(where + ": the port named " + listening.portName())
            .isEqualTo(listening.port());
      }
    }
  }

  @Test
  void probesAskPathsTheProcessesServe() throws Exception {
    Map<String, Set<String>> probed = new HashMap<>();
    for (Map.Entry<String, List<JsonNode>> overlay : RENDERED.entrySet()) {
      for (Container container : containers(overlay.getValue())) {
        String where = overlay.getKey() + " " + container;
        Listening listening = listening(overlay.getValue(), container);
        assertThat(container.probes()).as(where).isNotEmpty();
        for (JsonNode probe : container.probes()) {
          JsonNode port = probe.at("/httpGet/port");
          assertThat(port.isTextual() ? container.namedPort(port.asText()) : port.asInt()).as(where + " probe port")
              .isEqualTo(listening.port());
          probed.computeIfAbsent(container.command(), command -> new TreeSet<>()).add(probe.at("/httpGet/path").asText());
        }
      }
    }
    assertThat(probed.keySet()).containsExactlyInAnyOrder("applier", "coordinator");

    try (OpsEndpoint applier = OpsEndpoint.start(new OpsEndpoint.Address("127.0.0.1", 0), "applier",
        () -> "RUNNING", () -> true, new SimpleMeterRegistry())) {
      for (String path : probed.get("applier")) {
        assertThat(status(applier.uri().resolve(path))).as("applier " + path).isEqualTo(200);
      }
    }
    ConfigReader local = ConfigReader.fromYaml("coordinator: {listen-host: 127.0.0.1, listen-port: 0}", "test", name -> null);
    CoordinatorConfig config = CoordinatorConfig.from(local.section("coordinator"), work.resolve("coordinator"));
    try (CoordinatorServer coordinator = CoordinatorServer.start(config, Clock.systemUTC(), new SimpleMeterRegistry())) {
      for (String path : probed.get("coordinator")) {
        assertThat(status(coordinator.uri().resolve(path))).as("coordinator " + path).isEqualTo(200);
      }
    }
  }

  @Test
  void podsGetLongerToStopThanTheProcessesTake() {
    for (Map.Entry<String, List<JsonNode>> overlay : RENDERED.entrySet()) {
      for (Container container : containers(overlay.getValue())) {
        Duration processBound = container.command().equals("applier")
            ? ApplierCommand.SHUTDOWN_TIMEOUT : CoordinatorCommand.SHUTDOWN_TIMEOUT;
        assertThat(Duration.ofSeconds(container.pod().path("terminationGracePeriodSeconds").asLong(30)))
            .as(overlay.getKey() + " " + container).isGreaterThan(processBound);
      }
    }
  }

  /**
   * Appliers run the Parallel collector (docs/operations.md, JVM settings). Their JAVA_TOOL_OPTIONS
   * replaces the image's, so it must repeat the image's options; the coordinator keeps the image's.
   */
  @Test
  void appliersRunTheParallelCollectorOverTheImagesJvmOptions() throws IOException {
    Matcher image = Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"$")
        .matcher(Files.readString(Path.of("..", "deploy", "Dockerfile")));
    assertThat(image.find()).as("the Dockerfile sets JAVA_TOOL_OPTIONS").isTrue();
    List<String> imageOptions = List.of(image.group(1).split(" "));
    for (Map.Entry<String, List<JsonNode>> overlay : RENDERED.entrySet()) {
      for (Container container : containers(overlay.getValue())) {
        Optional<String> options = Optional.ofNullable(container.environment().get("JAVA_TOOL_OPTIONS"));
        if (container.command().equals("applier")) {
          assertThat(options).as(overlay.getKey() + " " + container).hasValueSatisfying(value ->
              assertThat(List.of(value.split(" "))).containsAll(imageOptions).contains("-XX:+UseParallelGC"));
        } else {
          assertThat(options).as(overlay.getKey() + " " + container).isEmpty();
        }
      }
    }
  }

  @Test
  void selectorsNamedPortsAndReferencesMeetTheirObjects() {
    RENDERED.forEach((overlay, objects) -> {
      List<Container> containers = containers(objects);
      for (JsonNode service : ofKind(objects, "Service")) {
        List<Container> selected = selectedBy(containers, service.at("/spec/selector"));
        assertThat(selected).as(overlay + " " + kindAndName(service) + " selects pods").isNotEmpty();
        for (JsonNode port : service.at("/spec/ports")) {
          assertThat(selected).as(overlay + " " + kindAndName(service) + " targets a named port")
              .allSatisfy(container -> assertThat(container.namedPort(port.path("targetPort").asText())).isPositive());
        }
      }
      for (JsonNode monitor : ofKind(objects, "ServiceMonitor")) {
        List<JsonNode> services = ofKind(objects, "Service").stream()
            .filter(service -> matches(monitor.at("/spec/selector/matchLabels"), service.at("/metadata/labels"))).toList();
        assertThat(services).as(overlay + " " + kindAndName(monitor)).hasSize(1);
        for (JsonNode endpoint : monitor.at("/spec/endpoints")) {
          assertThat(services.get(0).at("/spec/ports").findValuesAsText("name")).contains(endpoint.path("port").asText());
          assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        }
      }
      for (JsonNode policy : ofKind(objects, "NetworkPolicy")) {
        List<Container> selected = selectedBy(containers, policy.at("/spec/podSelector/matchLabels"));
        assertThat(selected).as(overlay + " " + kindAndName(policy)).isNotEmpty();
        for (JsonNode port : policy.at("/spec/ingress").findValues("port")) {
          assertThat(selected).allSatisfy(container -> assertThat(container.namedPort(port.asText())).isPositive());
        }
        for (JsonNode from : policy.at("/spec/ingress").findValues("podSelector")) {
          assertThat(selectedBy(containers, from.path("matchLabels"))).as(overlay + " " + kindAndName(policy) + " from")
              .isNotEmpty();
        }
      }
      for (JsonNode budget : ofKind(objects, "PodDisruptionBudget")) {
        List<JsonNode> deployments = ofKind(objects, "Deployment").stream()
            .filter(deployment -> matches(budget.at("/spec/selector/matchLabels"), deployment.at("/spec/template/metadata/labels")))
            .toList();
        assertThat(deployments).as(overlay + " " + kindAndName(budget)).hasSize(1);
        int replicas = deployments.get(0).at("/spec/replicas").asInt();
        assertThat(budget.at("/spec/minAvailable").asInt(0)).as(overlay + " " + kindAndName(budget) + " lets a drain through")
            .isLessThan(replicas);
      }
      for (Container container : containers) {
        for (JsonNode volume : container.pod().path("volumes")) {
          if (volume.has("configMap")) {
            assertThat(find(objects, "ConfigMap", volume.at("/configMap/name").asText())).isNotNull();
          }
        }
      }
    });
  }

  @Test
  void autoscalersScaleTheAppliersOnTheirConsumerGroup() throws IOException {
    List<JsonNode> continuous = RENDERED.get("continuous");
    Container applier = containers(continuous).stream().filter(container -> container.command().equals("applier"))
        .findFirst().orElseThrow();
    ApplierCommand.Settings settings = ApplierCommand.Settings.read(configuration(continuous, applier),
        Path.of(applier.option("--data-dir")));

    JsonNode scaler = find(continuous, "ScaledObject", "tributary-applier");
    assertThat(find(continuous, "Deployment", scaler.at("/spec/scaleTargetRef/name").asText())).isNotNull();
    JsonNode trigger = scaler.at("/spec/triggers/0");
    assertThat(trigger.path("type").asText()).isEqualTo("kafka");
    assertThat(trigger.at("/metadata/topic").asText()).isEqualTo(settings.applier().topic());
    assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo(settings.applier().groupId());
    assertThat(trigger.at("/metadata/bootstrapServers").asText()).isEqualTo(settings.applier().bootstrapServers());

    List<JsonNode> hpa = RENDERED.get("continuous-hpa");
    JsonNode autoscaler = find(hpa, "HorizontalPodAutoscaler", "tributary-applier");
    assertThat(find(hpa, autoscaler.at("/spec/scaleTargetRef/kind").asText(),
        autoscaler.at("/spec/scaleTargetRef/name").asText())).isNotNull();
    String metric = autoscaler.at("/spec/metrics").findValue("metric").path("name").asText();
    assertThat(Files.readString(Path.of("..", "docs", "metrics.md"))).as("a meter the appliers serve")
        .contains("| `" + metric + "` | gauge |");
  }

  @Test
  void everySecretReferencedIsOneTheReadmeCreates() throws IOException {
    Map<String, Set<String>> created = new HashMap<>();
    Pattern create = Pattern.compile("kubectl -n tributary create secret generic ([a-z0-9-]+) (.*)");
    Pattern key = Pattern.compile("--from-(?:literal|file)=([A-Za-z0-9_]+)=");
    String readme = Files.readString(K8S.resolve("README.md")).replace("\\\n", " ");
    for (String line : readme.split("\n")) {
      Matcher command = create.matcher(line);
      if (command.find()) {
        Matcher keys = key.matcher(command.group(2));
        while (keys.find()) {
          created.computeIfAbsent(command.group(1), name -> new TreeSet<>()).add(keys.group(1));
        }
      }
    }
    assertThat(created).containsOnlyKeys("tributary-coordinator-tokens", "tributary-applier-token",
        "tributary-coordinator-store", "tributary-object-store");
    RENDERED.forEach((overlay, objects) -> {
      for (Container container : containers(objects)) {
        for (JsonNode reference : container.json().path("env").findValues("secretKeyRef")) {
          assertThat(created).as(overlay + " " + container).containsKey(reference.path("name").asText());
          assertThat(created.get(reference.path("name").asText())).contains(reference.path("key").asText());
        }
        for (JsonNode reference : container.json().path("envFrom").findValues("secretRef")) {
          assertThat(created).as(overlay + " " + container).containsKey(reference.path("name").asText());
        }
      }
    });
  }

  /** Where a container's process listens, as its configuration says, and the name its port must have. */
  private record Listening(String host, int port, String portName) {}

  /** Where the container's process listens, read from its configuration as its command reads it. */
  private Listening listening(List<JsonNode> objects, Container container) throws IOException {
    ConfigReader root = configuration(objects, container);
    Path dataDirectory = Path.of(container.option("--data-dir"));
    if (container.command().equals("applier")) {
      OpsEndpoint.Address ops = ApplierCommand.Settings.read(root, dataDirectory).ops();
      return new Listening(ops.host(), ops.port(), "ops");
    }
    assertThat(container.command()).isEqualTo("coordinator");
    CoordinatorConfig coordinator = CoordinatorCommand.settings(root, dataDirectory);
    return new Listening(coordinator.listenHost(), coordinator.listenPort(), "api");
  }

  /**
   * The configuration a container names with {@code --config}, from the ConfigMap mounted there,
   * with the container's environment (a stand-in value per Secret key).
   */
  private ConfigReader configuration(List<JsonNode> objects, Container container) throws IOException {
    Path file = Path.of(container.option("--config"));
    JsonNode mount = container.json().path("volumeMounts").findParents("mountPath").stream()
        .filter(candidate -> file.startsWith(candidate.path("mountPath").asText())).findFirst()
        .orElseThrow(() -> new AssertionError(container + " mounts nothing at " + file));
    JsonNode volume = container.pod().path("volumes").findParents("name").stream()
        .filter(candidate -> candidate.path("name").asText().equals(mount.path("name").asText()))
        .findFirst().orElseThrow();
    JsonNode configMap = find(objects, "ConfigMap", volume.at("/configMap/name").asText());
    String key = Path.of(mount.path("mountPath").asText()).relativize(file).toString();
    Path copy = work.resolve(container.command() + ".yaml");
    Files.writeString(copy, configMap.at("/data").path(key).asText(), StandardCharsets.UTF_8);
    return ConfigReader.fromYamlFile(copy, container.environment()::get);
  }

  /** A container of a Deployment's or CronJob's pods. */
  private record Container(String owner, JsonNode pod, JsonNode json) {
    List<String> args() {
      List<String> args = new ArrayList<>();
      json.path("args").forEach(arg -> args.add(arg.asText()));
      return args;
    }

    String command() {
      return args().get(0);
    }

    String option(String name) {
      List<String> args = args();
      int at = args.indexOf(name);
      assertThat(at).as(this + " passes " + name).isPositive();
      return args.get(at + 1);
    }

    int namedPort(String name) {
      for (JsonNode port : json.path("ports")) {
        if (port.path("name").asText().equals(name)) {
          return port.path("containerPort").asInt();
        }
      }
      return -1;
    }

    List<JsonNode> probes() {
      return Stream.of("startupProbe", "livenessProbe", "readinessProbe")
          .filter(json::has).map(json::get).toList();
    }

    /** The container's environment: its values, and a stand-in for every Secret key it takes. */
    Map<String, String> environment() {
      Map<String, String> environment = new HashMap<>();
      for (JsonNode variable : json.path("env")) {
        JsonNode secret = variable.at("/valueFrom/secretKeyRef");
        environment.put(variable.path("name").asText(), secret.isMissingNode()
            ? variable.path("value").asText() : "stand-in-" + secret.path("name").asText() + "-" + secret.path("key").asText());
      }
      return environment;
    }

    @Override
    public String toString() {
      return owner + " container " + json.path("name").asText();
    }
  }

  private static List<Container> containers(List<JsonNode> objects) {
    List<Container> containers = new ArrayList<>();
    for (JsonNode object : objects) {
      JsonNode pod = switch (object.path("kind").asText()) {
        case "Deployment" -> object.at("/spec/template");
        case "CronJob" -> object.at("/spec/jobTemplate/spec/template");
        default -> null;
      };
      if (pod != null) {
        pod.at("/spec/containers").forEach(container ->
            containers.add(new Container(kindAndName(object), withLabels(pod), container)));
      }
    }
    return containers;
  }

  /** A pod's spec, with its template's labels under {@code labels} for selector matching. */
  private static JsonNode withLabels(JsonNode template) {
    ObjectNode pod = template.path("spec").deepCopy();
    pod.set("labels", template.at("/metadata/labels"));
    return pod;
  }

  private static List<Container> selectedBy(List<Container> containers, JsonNode matchLabels) {
    return containers.stream().filter(container -> matches(matchLabels, container.pod().path("labels"))).toList();
  }

  private static boolean matches(JsonNode matchLabels, JsonNode labels) {
    for (Iterator<Map.Entry<String, JsonNode>> wanted = matchLabels.fields(); wanted.hasNext(); ) {
      Map.Entry<String, JsonNode> label = wanted.next();
      if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
        return false;
      }
    }
    return !matchLabels.isEmpty();
  }

  private static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(object -> object.path("kind").asText().equals(kind)).toList();
  }

  private static JsonNode find(List<JsonNode> objects, String kind, String name) {
    return ofKind(objects, kind).stream().filter(object -> object.at("/metadata/name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  /** Kind and name, with a generated ConfigMap's content hash left off. */
  private static String kindAndName(JsonNode object) {
    String name = object.at("/metadata/name").asText();
    if (object.path("kind").asText().equals("ConfigMap")) {
      name = name.replaceFirst("-[a-z0-9]{10}$", "");
    }
    return object.path("kind").asText() + "/" + name;
  }

  private static int status(URI uri) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Renders a kustomization with kubectl's built-in kustomize; warnings fail too. */
  private static List<JsonNode> render(Path kustomization) throws IOException, InterruptedException {
    Path kubectl = kubectl().orElseThrow(() -> new AssertionError("kubectl (1.27 or newer, for its kustomize 5) is needed"
        + " to render k8s/: put it on the PATH or name it in KUBECTL; .ci/run installs one when missing"));
    Process process = new ProcessBuilder(kubectl.toString(), "kustomize", kustomization.toString()).start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("kubectl kustomize " + kustomization + " did not finish within 60 s");
    }
    assertThat(process.exitValue()).as("kubectl kustomize " + kustomization + ": " + errors).isZero();
    assertThat(errors).as("kubectl kustomize " + kustomization + " warns").isEmpty();
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(output)) {
      documents.forEachRemaining(objects::add);
    }
    return objects;
  }

  private static Optional<Path> kubectl() {
    String named = System.getenv("KUBECTL");
    if (named != null && !named.isBlank()) {
      return Optional.of(Path.of(named));
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(directory -> !directory.isEmpty())
        .map(directory -> Path.of(directory, "kubectl"))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
