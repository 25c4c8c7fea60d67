package io.tributary.coordinator.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.coordinator.CommitGroupProposal;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.ConsistentPosition;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.coordinator.Replay;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.RollbackResult;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.TlsStore;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.internal.ApiCodec;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.Secret;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * {@link CoordinatorClient} over the coordinator's HTTP/JSON API. Errors arrive as
 * {@link TributaryException}s with the coordinator's error code. A call that cannot reach the
 * coordinator fails with {@code COORDINATOR_UNAVAILABLE}, except {@link #commit}: once a proposal may
 * have reached the coordinator without an answer coming back, it fails with
 * {@code COMMIT_OUTCOME_UNKNOWN}. Thread-safe; owns a small thread pool that {@link #close()} stops.
 */
public final class HttpCoordinatorClient implements CoordinatorClient {
  private static final String TABLES = "/api/v1/tables";
  private static final String EVENTS = "/api/v1/events";
  private static final String COMMIT_GROUPS = "/api/v1/commit-groups";
  private static final String SOURCES = "/api/v1/sources";

  private final String baseUri;
  private final Optional<Secret> token;
  private final Duration requestTimeout;
  private final ExecutorService executor;
  private final HttpClient http;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Whether a failed call may have changed something on the coordinator. */
  private enum Kind {
    /** A read, or a change that is safe to repeat or check afterwards. */
    ORDINARY,
    /** A commit proposal: an unanswered one may have been ratified. */
    COMMIT
  }

  private HttpCoordinatorClient(URI baseUri, Optional<Secret> token, Duration connectTimeout, Duration requestTimeout,
      Optional<SSLContext> tls) {
    String base = baseUri.toString();
    this.baseUri = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
    this.requestTimeout = requestTimeout;
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "coordinator-client-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor);
    tls.ifPresent(builder::sslContext);
    this.http = builder.build();
  }

  /** A client of the coordinator at {@code baseUri} (e.g. {@code http://coordinator:7070}) with default timeouts. */
  public static HttpCoordinatorClient create(URI baseUri, Optional<Secret> token) {
    return create(CoordinatorClientConfig.of(requireNonNull(baseUri, "baseUri is null"), requireNonNull(token, "token is null")));
  }

  /**
   * A client configured by {@code config}.
   *
   * @throws TributaryException {@code CONFIG_INVALID} if the configuration has no URL
   */
  public static HttpCoordinatorClient create(CoordinatorClientConfig config) {
    URI url = config.url().orElseThrow(() -> new TributaryException(ErrorCode.CONFIG_INVALID,
        "Missing value for 'coordinator.url': the base URL of the coordinator, e.g. http://coordinator:7070"));
    return new HttpCoordinatorClient(url, config.authToken(), config.connectTimeout(), config.requestTimeout(),
        config.truststore().map(TlsStore::clientContext));
  }

  @Override
  public TableStatus register(TableRegistration registration) {
    return read(() -> ApiCodec.tableStatus(send("POST", TABLES, ApiCodec.toJson(registration), Kind.ORDINARY)));
  }

  @Override
  public Optional<TableStatus> table(TableId tableId) {
    try {
      return Optional.of(read(() -> ApiCodec.tableStatus(send("GET", tablePath(tableId, ""), null, Kind.ORDINARY))));
    } catch (TributaryException e) {
      if (e.code() == ErrorCode.UNKNOWN_TABLE) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<TableStatus> tables() {
    return read(() -> ApiCodec.list(send("GET", TABLES, null, Kind.ORDINARY), ApiCodec::tableStatus));
  }

  @Override
  public Lease acquireLease(TableId tableId, WriterId writer, Duration ttl) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode();
    body.put("writer", writer.value());
    body.put("ttl_ms", ttl.toMillis());
    return read(() -> ApiCodec.lease(send("POST", tablePath(tableId, "/lease"), body, Kind.ORDINARY)));
  }

  @Override
  public Lease renewLease(Lease lease, Duration ttl) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode();
    body.put("writer", lease.writer().value());
    body.put("epoch", lease.epoch().value());
    body.put("ttl_ms", ttl.toMillis());
    return read(() -> ApiCodec.lease(send("POST", tablePath(lease.tableId(), "/lease/renew"), body, Kind.ORDINARY)));
  }

  @Override
  public void releaseLease(Lease lease) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode();
    body.put("writer", lease.writer().value());
    body.put("epoch", lease.epoch().value());
    send("POST", tablePath(lease.tableId(), "/lease/release"), body, Kind.ORDINARY);
  }

  @Override
  public CommitReceipt commit(CommitProposal proposal) {
    JsonNode answer = send("POST", tablePath(proposal.tableId(), "/commits"), ApiCodec.toJson(proposal), Kind.COMMIT);
    try {
      return ApiCodec.receipt(answer);
    } catch (IllegalArgumentException e) {
      throw new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "The coordinator at " + baseUri
          + " answered the commit of version " + proposal.version() + " of " + proposal.tableId()
          + " with an unreadable receipt (" + e.getMessage() + "); read the table's status before doing anything else", e);
    }
  }

  @Override
  public List<CommitReceipt> commitGroup(CommitGroupProposal group) {
    JsonNode answer = send("POST", COMMIT_GROUPS, ApiCodec.toJson(group), Kind.COMMIT);
    List<CommitReceipt> receipts;
    try {
      receipts = ApiCodec.receipts(answer);
    } catch (IllegalArgumentException e) {
      receipts = List.of();
    }
    if (receipts.size() != group.commits().size()) {
      throw new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "The coordinator at " + baseUri
          + " answered commit group " + group.id() + " with an unreadable answer; read its tables' status before doing"
          + " anything else");
    }
    return receipts;
  }

  @Override
  public Optional<ConsistentPosition> consistentPosition(String source) {
    String path = SOURCES + "/" + encode(source) + "/consistent-position";
    return read(() -> {
      JsonNode answer = send("GET", path, null, Kind.ORDINARY);
      return answer.path("consistent").asBoolean(false) ? Optional.of(ApiCodec.consistentPosition(answer))
          : Optional.empty();
    });
  }

  /** The latest recorded commits of a table, at most 1,000 (the API's default page), newest first. */
  public List<CommitRecord> history(TableId tableId) {
    return read(() -> ApiCodec.list(send("GET", tablePath(tableId, "/history"), null, Kind.ORDINARY), ApiCodec::commitRecord));
  }

  /** The latest recorded commits of a table, at most {@code limit}, newest first. */
  public List<CommitRecord> history(TableId tableId, int limit) {
    return history(tableId, Long.MAX_VALUE, limit);
  }

  @Override
  public List<CommitRecord> history(TableId tableId, long beforeVersion, int limit) {
    String query = "/history?limit=" + limit + (beforeVersion == Long.MAX_VALUE ? "" : "&before=" + beforeVersion);
    return read(() -> ApiCodec.list(send("GET", tablePath(tableId, query), null, Kind.ORDINARY), ApiCodec::commitRecord));
  }

  @Override
  public PublishedPosition publishedPosition(TableId tableId) {
    return read(() -> ApiCodec.publishedPosition(send("GET", tablePath(tableId, "/published-position"), null,
        Kind.ORDINARY)));
  }

  @Override
  public Optional<Replay> replay(TableId tableId) {
    return read(() -> ApiCodec.replay(send("GET", tablePath(tableId, "/replay"), null, Kind.ORDINARY)));
  }

  /**
   * Rolls a table back to the content of {@code toVersion} (needs the operator role). Like a commit,
   * an unanswered rollback may have happened: read the table's history before repeating it.
   */
  public RollbackResult rollback(TableId tableId, long toVersion, String reason) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode().put("to_version", toVersion).put("reason", reason);
    return read(() -> ApiCodec.rollbackResult(send("POST", tablePath(tableId, "/rollback"), body, Kind.COMMIT)));
  }

  @Override
  public List<TableStatus> pendingResyncs(String source) {
    return read(() -> ApiCodec.list(send("GET", SOURCES + "/" + encode(source) + "/resyncs", null, Kind.ORDINARY),
        ApiCodec::tableStatus));
  }

  @Override
  public TableStatus reportResync(TableId tableId, String resyncId, Resync.State state, String detail) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode().put("id", resyncId).put("state", state.name()).put("detail", detail);
    return read(() -> ApiCodec.tableStatus(send("POST", tablePath(tableId, "/resync/progress"), body, Kind.ORDINARY)));
  }

  @Override
  public TableStatus requireResync(TableId tableId, String reason, Instant stagedUntil) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode().put("reason", reason).put("staged_until", stagedUntil.toString());
    return read(() -> ApiCodec.tableStatus(send("POST", tablePath(tableId, "/resync/required"), body, Kind.ORDINARY)));
  }

  /**
   * Asks for a table's resync (needs the operator role): its content is replaced by a fresh snapshot
   * of its source table.
   */
  public TableStatus requestResync(TableId tableId, String reason) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode().put("reason", reason);
    return read(() -> ApiCodec.tableStatus(send("POST", tablePath(tableId, "/resync"), body, Kind.ORDINARY)));
  }

  /** Gives a table's resync up (needs the operator role); the table keeps the content it has. */
  public TableStatus cancelResync(TableId tableId, String resyncId, String reason) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode().put("id", resyncId).put("reason", reason);
    return read(() -> ApiCodec.tableStatus(send("POST", tablePath(tableId, "/resync/cancel"), body, Kind.ORDINARY)));
  }

  /** Pauses a table (needs the operator role): its commits wait until it is resumed. */
  public TableStatus pause(TableId tableId, String reason) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode().put("reason", reason);
    return read(() -> ApiCodec.tableStatus(send("POST", tablePath(tableId, "/pause"), body, Kind.ORDINARY)));
  }

  /** Resumes a paused table (needs the operator role). */
  public TableStatus resume(TableId tableId, String reason) {
    ObjectNode body = ApiCodec.MAPPER.createObjectNode().put("reason", reason);
    return read(() -> ApiCodec.tableStatus(send("POST", tablePath(tableId, "/resume"), body, Kind.ORDINARY)));
  }

  /** The events matching {@code query}, newest first. */
  public List<CoordinatorEvent> events(EventQuery query) {
    StringBuilder path = new StringBuilder(EVENTS).append("?limit=").append(query.limit());
    query.tableId().ifPresent(table -> path.append("&table=").append(encode(table.canonical())));
    if (!query.types().isEmpty()) {
      path.append("&type=").append(encode(String.join(",", query.types().stream().map(Enum::name).sorted().toList())));
    }
    query.since().ifPresent(since -> path.append("&since=").append(encode(since.toString())));
    query.until().ifPresent(until -> path.append("&until=").append(encode(until.toString())));
    if (query.afterSequence() > 0) {
      path.append("&after=").append(query.afterSequence());
    }
    return read(() -> ApiCodec.list(send("GET", path.toString(), null, Kind.ORDINARY), ApiCodec::event));
  }

  @Override
  public CoordinatorEvent report(CoordinatorEvent.Report report) {
    return read(() -> ApiCodec.event(send("POST", EVENTS, ApiCodec.toJson(report), Kind.ORDINARY)));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private String tablePath(TableId tableId, String suffix) {
    return TABLES + "/" + encode(tableId.canonical()) + suffix;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private <T> T read(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new TributaryException(ErrorCode.INTERNAL,
          "The coordinator at " + baseUri + " answered with an unreadable body: " + e.getMessage(), e);
    }
  }

  private JsonNode send(String method, String path, JsonNode body, Kind kind) {
    if (closed.get()) {
      throw new IllegalStateException("The coordinator client is closed");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + path))
        .timeout(requestTimeout)
        .header("Accept", "application/json");
    token.ifPresent(secret -> request.header("Authorization", "Bearer " + secret.reveal()));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      byte[] bytes;
      try {
        bytes = ApiCodec.MAPPER.writeValueAsBytes(body);
      } catch (IOException e) {
        throw new IllegalStateException("cannot serialize a request body", e);
      }
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unreachable(method, path, kind, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(method, path, kind, e);
    }
    JsonNode answer = parse(response.body());
    if (response.statusCode() / 100 == 2) {
      return answer;
    }
    throw refused(method, path, kind, response.statusCode(), answer);
  }

  private TributaryException unreachable(String method, String path, Kind kind, Exception e) {
    String what = method + " " + baseUri + path;
    if (neverSent(e)) {
      return new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE,
          "Cannot reach the coordinator (" + what + "): " + describe(e) + "; retry later", e);
    }
    if (kind == Kind.COMMIT) {
      return new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "The commit was sent to the coordinator (" + what
          + ") but no answer came back: " + describe(e) + ". Read the table's status before doing anything else;"
          + " do not delete anything the commit refers to.", e);
    }
    return new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE,
        "No answer from the coordinator (" + what + "): " + describe(e) + "; retry later", e);
  }

  /** Whether the request certainly did not reach the coordinator: the connection was never made. */
  private static boolean neverSent(Exception e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException
          || cause instanceof java.nio.channels.UnresolvedAddressException || cause instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private TributaryException refused(String method, String path, Kind kind, int status, JsonNode answer) {
    Optional<ErrorCode> code = errorCode(answer);
    String message = answer.path("message").isTextual() ? answer.path("message").textValue()
        : "The coordinator answered " + method + " " + baseUri + path + " with HTTP " + status;
    if (kind == Kind.COMMIT) {
      // Only an explicit refusal is definite; a bare server error may have come after ratification.
      if (code.isPresent() && code.get() != ErrorCode.INTERNAL) {
        return new TributaryException(code.get(), message);
      }
      if (code.isEmpty() && status >= 400 && status < 500) {
        return new TributaryException(ErrorCode.CONFIG_INVALID, message);
      }
      return new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, message
          + ". The outcome of the commit is unknown: read the table's status before doing anything else.");
    }
    if (code.isPresent()) {
      return new TributaryException(code.get(), message);
    }
    ErrorCode byStatus = switch (status) {
      case 400, 401, 403, 404, 405 -> ErrorCode.CONFIG_INVALID;
      case 409 -> ErrorCode.COMMIT_CONFLICT;
      case 502, 503, 504 -> ErrorCode.COORDINATOR_UNAVAILABLE;
      default -> ErrorCode.INTERNAL;
    };
    return new TributaryException(byStatus, message);
  }

  private static Optional<ErrorCode> errorCode(JsonNode answer) {
    JsonNode code = answer.path("code");
    if (!code.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ErrorCode.valueOf(code.textValue()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return NullNode.getInstance();
    }
    try {
      JsonNode node = ApiCodec.MAPPER.readTree(body);
      return node == null ? NullNode.getInstance() : node;
    } catch (IOException e) {
      return NullNode.getInstance();
    }
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
