package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tributary.coordinator.AccessTokens;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.Role.Access;
import io.tributary.coordinator.Role;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /api/v1} routes: tables, leases, commits and history, JSON in and out, errors as
 * {@code {"code": "STALE_EPOCH", "message": "..."}}. Each route needs one kind of {@link Access};
 * when tokens are configured, a call without a known token is refused with 401 and a call whose
 * token lacks the route's access with 403, before anything else is looked at.
 */
public final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  static final String API = "/api/v1";
  static final String OPENAPI = API + "/openapi.yaml";
  /** Commits in a history page when the caller does not say. */
  static final int DEFAULT_HISTORY_PAGE = 1000;
  /** The OpenAPI description of the routes, a resource beside the coordinator's classes. */
  public static final String OPENAPI_RESOURCE = "/io/tributary/coordinator/openapi.yaml";

  /** A handler of one route, given the decoded path parameters (the table id, if any). */
  @FunctionalInterface
  interface Action {
    void run(ApiHandler handler, ApiExchange exchange, List<String> parameters) throws IOException;
  }

  /**
   * One route: a method, a path template under {@code /api/v1} whose {@code {table}} segment matches
   * any one segment, and the access it needs.
   */
  public record Route(String method, String template, Access access, Action action) {
    Optional<List<String>> match(String method, List<String> segments) {
      List<String> parts = segments(template);
      if (!this.method.equals(method) && !method.isEmpty() || parts.size() != segments.size()) {
        return Optional.empty();
      }
      List<String> parameters = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        if (parts.get(i).startsWith("{")) {
          parameters.add(segments.get(i));
        } else if (!parts.get(i).equals(segments.get(i))) {
          return Optional.empty();
        }
      }
      return Optional.of(parameters);
    }
  }

  /** Every route of the API; tests check the access rules of each one. */
  public static final List<Route> ROUTES = List.of(
      new Route("GET", "/tables", Access.READ, (h, exchange, p) -> {
        ArrayNode tables = ApiCodec.MAPPER.createArrayNode();
        h.service.tables().forEach(status -> tables.add(ApiCodec.toJson(status)));
        exchange.respond(200, tables);
      }),
      new Route("POST", "/tables", Access.REPORT, (h, exchange, p) -> {
        TableRegistration registration = ApiCodec.registration(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.register(registration)));
      }),
      new Route("GET", "/tables/{table}", Access.READ, (h, exchange, p) -> {
        TableId tableId = TableId.parse(p.get(0));
        exchange.respond(200, ApiCodec.toJson(h.service.table(tableId)
            .orElseThrow(() -> CoordinatorErrors.unknownTable(tableId))));
      }),
      new Route("POST", "/tables/{table}/lease", Access.WRITE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(
            h.service.acquireLease(TableId.parse(p.get(0)), new WriterId(body.text("writer")), ttl(body))));
      }),
      new Route("POST", "/tables/{table}/lease/renew", Access.WRITE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.renewLease(TableId.parse(p.get(0)),
            new WriterId(body.text("writer")), new Epoch(body.longValue("epoch")), ttl(body))));
      }),
      new Route("POST", "/tables/{table}/lease/release", Access.WRITE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.releaseLease(TableId.parse(p.get(0)),
            new WriterId(body.text("writer")), new Epoch(body.longValue("epoch")))));
      }),
      new Route("POST", "/tables/{table}/commits", Access.WRITE, (h, exchange, p) -> {
        TableId tableId = TableId.parse(p.get(0));
        CommitProposal proposal = ApiCodec.proposal(exchange.body());
        if (!proposal.tableId().equals(tableId)) {
          throw CoordinatorErrors.invalidRequest("the proposal is for " + proposal.tableId() + ", posted to " + tableId);
        }
        exchange.respond(200, ApiCodec.toJson(h.service.commit(proposal)));
      }),
      new Route("POST", "/commit-groups", Access.WRITE, (h, exchange, p) ->
          exchange.respond(200, ApiCodec.toJson(h.service.commitGroup(ApiCodec.commitGroup(exchange.body()))))),
      new Route("GET", "/sources/{source}/consistent-position", Access.READ, (h, exchange, p) ->
          exchange.respond(200, ApiCodec.toJson(p.get(0), h.service.consistentPosition(p.get(0))))),
      new Route("GET", "/tables/{table}/history", Access.READ, (h, exchange, p) -> {
        Map<String, String> query = exchange.queryParameters();
        for (String name : query.keySet()) {
          if (!Set.of("before", "limit").contains(name)) {
            throw CoordinatorErrors.invalidRequest("unknown query parameter '" + name + "'; known are [before, limit]");
          }
        }
        ArrayNode history = ApiCodec.MAPPER.createArrayNode();
        h.service.history(TableId.parse(p.get(0)), number(query, "before", Long.MAX_VALUE),
                (int) Math.min(Integer.MAX_VALUE, number(query, "limit", DEFAULT_HISTORY_PAGE)))
            .forEach(record -> history.add(ApiCodec.toJson(record)));
        exchange.respond(200, history);
      }),
      new Route("GET", "/tables/{table}/published-position", Access.READ, (h, exchange, p) ->
          exchange.respond(200, ApiCodec.toJson(h.service.publishedPosition(TableId.parse(p.get(0)))))),
      new Route("POST", "/tables/{table}/pause", Access.OPERATE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.pause(TableId.parse(p.get(0)), body.text("reason"))));
      }),
      new Route("POST", "/tables/{table}/resume", Access.OPERATE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.resume(TableId.parse(p.get(0)),
            body.optionalText("reason").orElse(""))));
      }),
      new Route("POST", "/tables/{table}/rollback", Access.OPERATE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.rollback(TableId.parse(p.get(0)), body.longValue("to_version"),
            body.text("reason"))));
      }),
      new Route("POST", "/tables/{table}/resync", Access.OPERATE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.requestResync(TableId.parse(p.get(0)), body.text("reason"))));
      }),
      new Route("POST", "/tables/{table}/resync/required", Access.REPORT, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.requireResync(TableId.parse(p.get(0)), body.text("reason"),
            body.instant("staged_until"))));
      }),
      new Route("POST", "/tables/{table}/resync/cancel", Access.OPERATE, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        exchange.respond(200, ApiCodec.toJson(h.service.changeResync(TableId.parse(p.get(0)), body.text("id"),
            Resync.State.CANCELLED, body.optionalText("reason").orElse("cancelled by an operator"))));
      }),
      new Route("POST", "/tables/{table}/resync/progress", Access.REPORT, (h, exchange, p) -> {
        ApiCodec.Fields body = new ApiCodec.Fields(exchange.body());
        Resync.State state = ApiCodec.resyncState(body.text("state"));
        if (state == Resync.State.CANCELLED) {
          throw CoordinatorErrors.invalidRequest("only an operator cancels a resync (POST .../resync/cancel)");
        }
        exchange.respond(200, ApiCodec.toJson(h.service.changeResync(TableId.parse(p.get(0)), body.text("id"), state,
            body.optionalText("detail").orElse(""))));
      }),
      new Route("GET", "/sources/{source}/resyncs", Access.READ, (h, exchange, p) -> {
        ArrayNode tables = ApiCodec.MAPPER.createArrayNode();
        h.service.pendingResyncs(p.get(0)).forEach(status -> tables.add(ApiCodec.toJson(status)));
        exchange.respond(200, tables);
      }),
      new Route("GET", "/tables/{table}/replay", Access.READ, (h, exchange, p) -> {
        TableId tableId = TableId.parse(p.get(0));
        exchange.respond(200, ApiCodec.toJson(tableId, h.service.replay(tableId)));
      }),
      new Route("GET", "/events", Access.READ, (h, exchange, p) -> {
        ArrayNode events = ApiCodec.MAPPER.createArrayNode();
        h.service.events(eventQuery(exchange.queryParameters())).forEach(event -> events.add(ApiCodec.toJson(event)));
        exchange.respond(200, events);
      }),
      new Route("POST", "/events", Access.REPORT, (h, exchange, p) -> {
        CoordinatorEvent.Report report = ApiCodec.report(exchange.body(), h.clock.instant());
        exchange.respond(200, ApiCodec.toJson(h.service.report(report)));
      }));

  private final CoordinatorService service;
  private final AccessTokens tokens;
  private final BooleanSupplier ready;
  private final Clock clock;

  public ApiHandler(CoordinatorService service, AccessTokens tokens, BooleanSupplier ready, Clock clock) {
    this.service = requireNonNull(service, "service is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.tokens = requireNonNull(tokens, "tokens is null");
    this.ready = requireNonNull(ready, "ready is null");
  }

  @Override
  public void handle(HttpExchange httpExchange) throws IOException {
    ApiExchange exchange = new ApiExchange(httpExchange);
    try (httpExchange) {
      try {
        if (exchange.rawPath().equals(OPENAPI) && exchange.method().equals("GET")) {
          // The description of the API is public, like the API's existence.
          exchange.respondText(200, "application/yaml", openApi());
          return;
        }
        Set<Role> roles = tokens.rolesOf(bearer(exchange));
        if (roles.isEmpty()) {
          exchange.addHeader("WWW-Authenticate", "Bearer");
          exchange.respondError(401, ErrorCode.UNAUTHENTICATED.name(),
              "Missing or unknown bearer token: set coordinator.auth-token in the client's configuration");
          return;
        }
        dispatch(exchange, roles);
      } catch (TributaryException e) {
        // Classified failures were logged where they were classified; only internal errors are logged here.
        if (e.code() == ErrorCode.INTERNAL) {
          LOG.error("{} {} failed", exchange.method(), exchange.rawPath(), e);
        }
        exchange.respondError(status(e.code()), e.code().name(), e.getMessage());
      } catch (IllegalArgumentException e) {
        exchange.respondError(400, ErrorCode.CONFIG_INVALID.name(), "Invalid request: " + e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", exchange.method(), exchange.rawPath(), e);
        exchange.respondError(500, ErrorCode.INTERNAL.name(), "Internal error of the coordinator: " + e);
      }
    }
  }

  private void dispatch(ApiExchange exchange, Set<Role> roles) throws IOException {
    String path = exchange.rawPath();
    List<String> segments = path.startsWith(API + "/") ? segments(path.substring(API.length())) : null;
    if (segments == null) {
      notFound(exchange);
      return;
    }
    Route matched = null;
    List<String> parameters = null;
    boolean pathExists = false;
    for (Route route : ROUTES) {
      Optional<List<String>> found = route.match(exchange.method(), segments);
      if (found.isPresent()) {
        matched = route;
        parameters = found.get();
        break;
      }
      pathExists |= route.match("", segments).isPresent();
    }
    if (matched == null) {
      if (pathExists) {
        exchange.respondError(405, ErrorCode.CONFIG_INVALID.name(),
            "Method " + exchange.method() + " is not allowed on " + exchange.rawPath());
      } else {
        notFound(exchange);
      }
      return;
    }
    Access access = matched.access();
    if (roles.stream().noneMatch(role -> role.grants(access))) {
      forbidden(exchange, roles, access);
      return;
    }
    if (!ready.getAsBoolean()) {
      exchange.respondError(503, ErrorCode.COORDINATOR_UNAVAILABLE.name(),
          "The coordinator is not ready (starting, stopping or its store failed); retry later");
      return;
    }
    matched.action().run(this, exchange, parameters);
  }

  private static void forbidden(ApiExchange exchange, Set<Role> roles, Access access) throws IOException {
    List<String> held = roles.stream().map(Role::configName).sorted().toList();
    List<String> needed = Arrays.stream(Role.values()).filter(role -> role.grants(access)).map(Role::configName).toList();
    exchange.respondError(403, ErrorCode.FORBIDDEN.name(), "A token of role " + String.join(", ", held) + " may not "
        + exchange.method() + " " + exchange.rawPath() + ": that needs " + access + " access, held by role "
        + String.join(" or ", needed));
  }

  /**
   * The query of {@code GET /events?table=&type=COMMIT,ERROR&since=&until=&after=&limit=}; times are
   * ISO-8601 instants.
   */
  static EventQuery eventQuery(Map<String, String> parameters) {
    Set<String> known = Set.of("table", "type", "since", "until", "after", "limit");
    for (String name : parameters.keySet()) {
      if (!known.contains(name)) {
        throw CoordinatorErrors.invalidRequest("unknown query parameter '" + name + "'; known are " + known);
      }
    }
    Set<CoordinatorEvent.Type> types = new java.util.HashSet<>();
    for (String type : parameters.getOrDefault("type", "").split(",")) {
      if (!type.isBlank()) {
        try {
          types.add(CoordinatorEvent.Type.valueOf(type.trim().toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw CoordinatorErrors.invalidRequest("unknown event type '" + type + "'; known are "
              + Arrays.toString(CoordinatorEvent.Type.values()));
        }
      }
    }
    return new EventQuery(
        Optional.ofNullable(parameters.get("table")).map(TableId::parse),
        types,
        Optional.ofNullable(parameters.get("since")).map(text -> ApiCodec.Fields.parseInstant("since", text)),
        Optional.ofNullable(parameters.get("until")).map(text -> ApiCodec.Fields.parseInstant("until", text)),
        number(parameters, "after", 0),
        (int) number(parameters, "limit", EventQuery.DEFAULT_LIMIT));
  }

  private static long number(Map<String, String> parameters, String name, long defaultValue) {
    String text = parameters.get(name);
    if (text == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw CoordinatorErrors.invalidRequest("query parameter '" + name + "' must be a number, not '" + text + "'");
    }
  }

  private static String openApi() throws IOException {
    try (java.io.InputStream in = ApiHandler.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("The OpenAPI description " + OPENAPI_RESOURCE + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Optional<Duration> ttl(ApiCodec.Fields body) {
    return body.optionalLong("ttl_ms").map(Duration::ofMillis);
  }

  private static Optional<String> bearer(ApiExchange exchange) {
    String header = exchange.header("Authorization");
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.of(header.substring(7).trim());
  }

  /** Maps an error code to its HTTP status. */
  static int status(ErrorCode code) {
    return switch (code) {
      case CONFIG_INVALID -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case UNKNOWN_TABLE -> 404;
      case STALE_EPOCH, COMMIT_CONFLICT, TABLE_PAUSED, RESYNC_CONFLICT -> 409;
      case COORDINATOR_UNAVAILABLE, STORAGE_FAILURE -> 503;
      default -> 500;
    };
  }

  private static void notFound(ApiExchange exchange) throws IOException {
    exchange.respondError(404, ErrorCode.CONFIG_INVALID.name(),
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
