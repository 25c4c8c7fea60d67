package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The unauthenticated operational routes: {@code /healthz} (the process answers), {@code /readyz}
 * (it accepts API calls) and {@code /metrics} (Prometheus text, when the registry is, or contains, a
 * {@link PrometheusMeterRegistry}). Shared by the coordinator and by the gateway and applier
 * processes, which serve only these routes.
 */
public final class ProbeHandler implements HttpHandler {
  private final String component;
  private final Supplier<String> state;
  private final BooleanSupplier ready;
  private final MeterRegistry registry;

  /**
   * @param component what answers, named in errors: "coordinator", "gateway shop", ...
   * @param state the component's current state, reported by every probe
   * @param ready whether {@code /readyz} answers 200
   * @param registry whose meters {@code /metrics} exports
   */
  public ProbeHandler(String component, Supplier<String> state, BooleanSupplier ready, MeterRegistry registry) {
    this.component = requireNonNull(component, "component is null");
    this.state = requireNonNull(state, "state is null");
    this.ready = requireNonNull(ready, "ready is null");
    this.registry = requireNonNull(registry, "registry is null");
  }

  @Override
  public void handle(HttpExchange httpExchange) throws IOException {
    ApiExchange exchange = new ApiExchange(httpExchange);
    try (httpExchange) {
      if (!exchange.method().equals("GET") && !exchange.method().equals("HEAD")) {
        exchange.respondError(405, ErrorCode.CONFIG_INVALID.name(), "Only GET is allowed on " + exchange.rawPath());
        return;
      }
      switch (exchange.rawPath()) {
        case "/healthz" -> exchange.respond(200, status("UP"));
        case "/readyz" -> {
          if (ready.getAsBoolean()) {
            exchange.respond(200, status("READY"));
          } else {
            ObjectNode body = ApiCodec.error(ErrorCode.COORDINATOR_UNAVAILABLE.name(),
                "The " + component + " is not ready: " + state.get());
            exchange.respond(503, body);
          }
        }
        case "/metrics" -> {
          // Looked up per scrape: a composite may gain its Prometheus member after we start.
          Optional<PrometheusMeterRegistry> prometheus = prometheus(registry);
          if (prometheus.isPresent()) {
            exchange.respondText(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.get().scrape());
          } else {
            exchange.respondError(404, ErrorCode.CONFIG_INVALID.name(),
                "Metrics are not exported in Prometheus format by this " + component);
          }
        }
        default -> exchange.respondError(404, ErrorCode.CONFIG_INVALID.name(),
            "No route " + exchange.method() + " " + exchange.rawPath());
      }
    }
  }

  private ObjectNode status(String status) {
    ObjectNode node = ApiCodec.MAPPER.createObjectNode();
    node.put("status", status);
    node.put("state", state.get());
    return node;
  }

  private static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return Optional.of(prometheus);
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry member : composite.getRegistries()) {
        Optional<PrometheusMeterRegistry> found = prometheus(member);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }
}
