package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OpenAPI description names exactly the routes the coordinator serves, each with its access. */
class OpenApiTest {
  private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

  @Test
  void describesEveryRouteWithItsAccessAndNothingElse() throws Exception {
    JsonNode spec;
    try (InputStream in = ApiHandler.class.getResourceAsStream(ApiHandler.OPENAPI_RESOURCE)) {
      assertThat(in).as(ApiHandler.OPENAPI_RESOURCE).isNotNull();
      spec = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    assertThat(spec.path("openapi").asText()).startsWith("3.");

    for (ApiHandler.Route route : ApiHandler.ROUTES) {
      JsonNode operation = spec.path("paths").path(ApiHandler.API + route.template()).path(route.method().toLowerCase(Locale.ROOT));
      assertThat(operation.isObject()).as("%s %s is described", route.method(), route.template()).isTrue();
      assertThat(operation.path("x-tributary-access").asText()).as("access of %s %s", route.method(), route.template())
          .isEqualTo(route.access().name());
      assertThat(operation.path("responses").has("default")).as("errors of %s %s", route.method(), route.template()).isTrue();
    }

    List<String> described = new ArrayList<>();
    spec.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
      if (METHODS.contains(method)) {
        described.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }));
    assertThat(described).containsExactlyInAnyOrderElementsOf(
        ApiHandler.ROUTES.stream().map(route -> route.method() + " " + ApiHandler.API + route.template()).toList());
  }
}
