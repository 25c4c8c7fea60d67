package io.tributary.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerBehavior;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates Kubernetes objects against the schema of their kind, collecting every violation.
 *
 * <ul>
 *   <li>Built-in kinds: the models of the official Kubernetes Java client, generated from the
 *       Kubernetes OpenAPI description, which refuse unknown fields and missing required ones at every
 *       level of an object.
 *   <li>{@code ServiceMonitor}: the Prometheus Operator's model from fabric8, read strictly: a field
 *       the model does not know is an error, not an "additional property".
 *   <li>KEDA's {@code ScaledObject}: KEDA publishes no Java model, so its fields are checked against
 *       the {@code keda.sh/v1alpha1} fields KEDA documents (and the Kafka scaler's metadata keys); the
 *       HPA behavior inside it against the Kubernetes model.
 * </ul>
 */
final class KubernetesSchemas {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates one object's JSON; throws with the violation. */
  @FunctionalInterface
  private interface Validator {
    void validate(JsonElement object) throws IOException;
  }

  private static final Map<String, Validator> BUILT_IN = Map.of(
      "v1/ConfigMap", V1ConfigMap::validateJsonElement,
      "v1/Service", V1Service::validateJsonElement,
      "v1/ServiceAccount", V1ServiceAccount::validateJsonElement,
      "apps/v1/Deployment", V1Deployment::validateJsonElement,
      "batch/v1/CronJob", V1CronJob::validateJsonElement,
      "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement,
      "networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy::validateJsonElement,
      "autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::validateJsonElement);

  /**
   * Fields of a {@code keda.sh/v1alpha1} ScaledObject: a map is an object of those fields, a list one of
   * its element, 0 an integer, {@code true} a boolean, "" any string, other strings a constant or a
   * model named.
   */
  private static final Map<String, Object> SCALED_OBJECT = Map.of(
      "apiVersion", "keda.sh/v1alpha1",
      "kind", "ScaledObject",
      "metadata", "ObjectMeta",
      "spec", Map.ofEntries(
          Map.entry("scaleTargetRef", Map.of("apiVersion", "", "kind", "", "name", "", "envSourceContainerName", "")),
          Map.entry("pollingInterval", 0),
          Map.entry("cooldownPeriod", 0),
          Map.entry("initialCooldownPeriod", 0),
          Map.entry("idleReplicaCount", 0),
          Map.entry("minReplicaCount", 0),
          Map.entry("maxReplicaCount", 0),
          Map.entry("fallback", Map.of("failureThreshold", 0, "replicas", 0, "behavior", "")),
          Map.entry("advanced", Map.of(
              "restoreToOriginalReplicaCount", true,
              "horizontalPodAutoscalerConfig", Map.of("name", "", "behavior", "HorizontalPodAutoscalerBehavior"),
              "scalingModifiers", Map.of("target", "", "activationTarget", "", "metricType", "", "formula", ""))),
          Map.entry("triggers", List.of(Map.of(
              "type", "",
              "name", "",
              "metricType", "",
              "useCachedMetrics", true,
              "authenticationRef", Map.of("name", "", "kind", ""),
              "metadata", "KafkaMetadata")))));

  /** Metadata keys of KEDA's Kafka scaler. */
  private static final Set<String> KAFKA_SCALER = Set.of("bootstrapServers", "bootstrapServersFromEnv", "consumerGroup",
      "consumerGroupFromEnv", "topic", "topicFromEnv", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
      "allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag",
      "ensureEvenDistributionOfPartitions", "partitionLimitation", "version", "sasl", "tls", "unsafeSsl");

  private KubernetesSchemas() {}

  /** The violations of {@code object} against its kind's schema; empty when it is valid. */
  static List<String> violations(JsonNode object) {
    String type = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    String name = type + " " + object.path("metadata").path("name").asText();
    List<String> violations = new ArrayList<>();
    try {
      if (BUILT_IN.containsKey(type)) {
        BUILT_IN.get(type).validate(JsonParser.parseString(object.toString()));
      } else if (type.equals("monitoring.coreos.com/v1/ServiceMonitor")) {
        strictlyKnown(JSON.treeToValue(object, ServiceMonitor.class), "", violations);
      } else if (type.equals("keda.sh/v1alpha1/ScaledObject")) {
        shape(object, SCALED_OBJECT, "", violations);
      } else {
        violations.add("no schema known for " + type);
      }
    } catch (IOException | IllegalArgumentException e) {
      violations.add(e.getMessage());
    }
    return violations.stream().map(violation -> name + ": " + violation).toList();
  }

  @SuppressWarnings("unchecked")
  private static void shape(JsonNode node, Object schema, String path, List<String> violations) throws IOException {
    if (schema instanceof Map<?, ?> map) {
      if (!node.isObject()) {
        violations.add(path + " must be an object");
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> entries = node.fields(); entries.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = entries.next();
        String at = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
        if (!map.containsKey(entry.getKey())) {
          violations.add("unknown field " + at);
        } else {
          shape(entry.getValue(), ((Map<String, Object>) map).get(entry.getKey()), at, violations);
        }
      }
    } else if (schema instanceof List<?> list) {
      if (!node.isArray()) {
        violations.add(path + " must be a list");
        return;
      }
      for (int i = 0; i < node.size(); i++) {
        shape(node.get(i), list.get(0), path + "[" + i + "]", violations);
      }
    } else if (schema instanceof Integer) {
      if (!node.isIntegralNumber()) {
        violations.add(path + " must be an integer");
      }
    } else if (schema instanceof Boolean) {
      if (!node.isBoolean()) {
        violations.add(path + " must be true or false");
      }
    } else if (schema.equals("ObjectMeta")) {
      V1ObjectMeta.validateJsonElement(JsonParser.parseString(node.toString()));
    } else if (schema.equals("HorizontalPodAutoscalerBehavior")) {
      V2HorizontalPodAutoscalerBehavior.validateJsonElement(JsonParser.parseString(node.toString()));
    } else if (schema.equals("KafkaMetadata")) {
      node.fieldNames().forEachRemaining(key -> {
        if (!KAFKA_SCALER.contains(key)) {
          violations.add("unknown Kafka scaler metadata " + path + "." + key);
        } else if (!node.get(key).isTextual()) {
          violations.add(path + "." + key + " must be a string (KEDA's metadata values are strings)");
        }
      });
    } else if (schema instanceof String constant && !constant.isEmpty()) {
      if (!node.asText().equals(constant)) {
        violations.add(path + " must be " + constant);
      }
    } else if (!node.isTextual()) {
      violations.add(path + " must be a string");
    }
  }

  /** Fails on every fabric8 "additional property": a field the model does not define. */
  private static void strictlyKnown(Object model, String path, List<String> violations) {
    strictlyKnown(model, path, violations, new IdentityHashMap<>());
  }

  private static void strictlyKnown(Object model, String path, List<String> violations, Map<Object, Boolean> seen) {
    if (model == null || seen.put(model, Boolean.TRUE) != null) {
      return;
    }
    if (model instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        strictlyKnown(item, path + "[" + i++ + "]", violations, seen);
      }
      return;
    }
    if (!model.getClass().getPackageName().startsWith("io.fabric8")) {
      return;
    }
    for (Method getter : model.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(model);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("Cannot read " + getter, e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        ((Map<?, ?>) value).keySet().forEach(key -> violations.add("unknown field " + path + key));
      } else {
        String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
        strictlyKnown(value, path + field + ".", violations, seen);
      }
    }
  }
}
