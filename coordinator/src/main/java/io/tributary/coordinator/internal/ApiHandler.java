package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.Secret;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /api/v1} routes: tables, leases, commits and history, JSON in and out, errors as
 * {@code {"code": "STALE_EPOCH", "message": "..."}}. When a token is configured every route needs
 * {@code Authorization: Bearer <token>}.
 */
public final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  static final String PREFIX = "/api/v1/tables";

  private final CoordinatorService service;
  private final Optional<byte[]> token;
  private final BooleanSupplier ready;

  public ApiHandler(CoordinatorService service, Optional<Secret> token, BooleanSupplier ready) {
    this.service = requireNonNull(service, "service is null");
    this.token = requireNonNull(token, "token is null").map(secret -> secret.reveal().getBytes(StandardCharsets.UTF_8));
    this.ready = requireNonNull(ready, "ready is null");
  }

  @Override
  public void handle(HttpExchange httpExchange) throws IOException {
    ApiExchange exchange = new ApiExchange(httpExchange);
    try (httpExchange) {
      try {
        if (!authorized(exchange)) {
          exchange.addHeader("WWW-Authenticate", "Bearer");
          exchange.respondError(401, TributaryException.ErrorCode.CONFIG_INVALID.name(),
              "Missing or wrong bearer token: set the coordinator's auth-token in the client configuration");
          return;
        }
        if (!ready.getAsBoolean()) {
          exchange.respondError(503, TributaryException.ErrorCode.COORDINATOR_UNAVAILABLE.name(),
              "The coordinator is not ready (starting, stopping or its store failed); retry later");
          return;
        }
        route(exchange);
      } catch (TributaryException e) {
        // Classified failures were logged where they were classified; only internal errors are logged here.
        if (e.code() == TributaryException.ErrorCode.INTERNAL) {
          LOG.error("{} {} failed", exchange.method(), exchange.rawPath(), e);
        }
        exchange.respondError(status(e.code()), e.code().name(), e.getMessage());
      } catch (IllegalArgumentException e) {
        exchange.respondError(400, TributaryException.ErrorCode.CONFIG_INVALID.name(), "Invalid request: " + e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", exchange.method(), exchange.rawPath(), e);
        exchange.respondError(500, TributaryException.ErrorCode.INTERNAL.name(),
            "Internal error of the coordinator: " + e);
      }
    }
  }

  private void route(ApiExchange exchange) throws IOException {
    String path = exchange.rawPath();
    if (!path.startsWith(PREFIX)) {
      notFound(exchange);
      return;
    }
    List<String> parts = segments(path.substring(PREFIX.length()));
    String method = exchange.method();
    if (parts.isEmpty()) {
      if (method.equals("GET")) {
        ArrayNode tables = ApiCodec.MAPPER.createArrayNode();
        service.tables().forEach(status -> tables.add(ApiCodec.toJson(status)));
        exchange.respond(200, tables);
      } else if (method.equals("POST")) {
        TableRegistration registration = ApiCodec.registration(exchange.body());
        exchange.respond(200, ApiCodec.toJson(service.register(registration)));
      } else {
        methodNotAllowed(exchange);
      }
      return;
    }
    TableId tableId = TableId.parse(parts.get(0));
    String rest = String.join("/", parts.subList(1, parts.size()));
    switch (rest) {
      case "" -> {
        if (requireMethod(exchange, "GET")) {
          exchange.respond(200, ApiCodec.toJson(service.table(tableId)
              .orElseThrow(() -> CoordinatorErrors.unknownTable(tableId))));
        }
      }
      case "lease" -> {
        if (requireMethod(exchange, "POST")) {
          ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
          exchange.respond(200, ApiCodec.toJson(
              service.acquireLease(tableId, new WriterId(body.text("writer")), ttl(body))));
        }
      }
      case "lease/renew" -> {
        if (requireMethod(exchange, "POST")) {
          ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
          exchange.respond(200, ApiCodec.toJson(service.renewLease(tableId, new WriterId(body.text("writer")),
              new Epoch(body.longValue("epoch")), ttl(body))));
        }
      }
      case "lease/release" -> {
        if (requireMethod(exchange, "POST")) {
          ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
          exchange.respond(200, ApiCodec.toJson(service.releaseLease(tableId, new WriterId(body.text("writer")),
              new Epoch(body.longValue("epoch")))));
        }
      }
      case "commits" -> {
        if (requireMethod(exchange, "POST")) {
          CommitProposal proposal = ApiCodec.proposal(exchange.body());
          if (!proposal.tableId().equals(tableId)) {
            throw CoordinatorErrors.invalidRequest("the proposal is for " + proposal.tableId() + ", posted to " + tableId);
          }
          exchange.respond(200, ApiCodec.toJson(service.commit(proposal)));
        }
      }
      case "history" -> {
        if (requireMethod(exchange, "GET")) {
          ArrayNode history = ApiCodec.MAPPER.createArrayNode();
          service.history(tableId).forEach(record -> history.add(ApiCodec.toJson(record)));
          exchange.respond(200, history);
        }
      }
      default -> notFound(exchange);
    }
  }

  private static Optional<Duration> ttl(ApiCodec.Fields body) {
    return body.optionalLong("ttl_ms").map(Duration::ofMillis);
  }

  private boolean authorized(ApiExchange exchange) {
    if (token.isEmpty()) {
      return true;
    }
    String header = exchange.header("Authorization");
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, token.get());
  }

  /** Maps an error code to its HTTP status. */
  static int status(TributaryException.ErrorCode code) {
    return switch (code) {
      case CONFIG_INVALID -> 400;
      case UNKNOWN_TABLE -> 404;
      case STALE_EPOCH, COMMIT_CONFLICT -> 409;
      case COORDINATOR_UNAVAILABLE, STORAGE_FAILURE -> 503;
      default -> 500;
    };
  }

  private static boolean requireMethod(ApiExchange exchange, String method) throws IOException {
    if (exchange.method().equals(method)) {
      return true;
    }
    methodNotAllowed(exchange);
    return false;
  }

  private static void methodNotAllowed(ApiExchange exchange) throws IOException {
    exchange.respondError(405, TributaryException.ErrorCode.CONFIG_INVALID.name(),
        "Method " + exchange.method() + " is not allowed on " + exchange.rawPath());
  }

  private static void notFound(ApiExchange exchange) throws IOException {
    exchange.respondError(404, TributaryException.ErrorCode.CONFIG_INVALID.name(),
        "No route " + exchange.method() + " " + exchange.rawPath() + "; is the coordinator URL right?");
  }

  /** Splits a raw path into decoded segments, ignoring empty ones. */
  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.split("/")) {
      if (!raw.isEmpty()) {
        // Percent-decoding only: a '+' in a path is a plus sign, not a space.
        segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return segments;
  }
}
