package io.tributary.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP relay in front of the coordinator for one applier process. It passes every call through
 * and, once asked, holds that applier's next commit proposal before it reaches the coordinator: a
 * test can then freeze the applier with a commit in flight, and let the proposal arrive when it
 * chooses, as a paused process's would.
 */
final class CommitHoldingRelay implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Bounds a hold the test never releases (it failed before), so that the relay can always close. */
  private static final Duration LONGEST_HOLD = Duration.ofMinutes(5);
  private static final Duration FORWARD_TIMEOUT = Duration.ofMinutes(1);
  private static final List<String> REQUEST_HEADERS = List.of("Authorization", "Content-Type", "Accept");

  private final URI coordinator;
  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient client;
  private final AtomicBoolean armed = new AtomicBoolean();
  private final CompletableFuture<HeldCommit> held = new CompletableFuture<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CompletableFuture<Answer> answer = new CompletableFuture<>();

  /** A commit proposal held in flight: the fields of the coordinator API's JSON body. */
  record HeldCommit(TableId tableId, String writer, long epoch, long version, URI stagedCommit) {
    HeldCommit {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(writer, "writer is null");
      requireNonNull(stagedCommit, "stagedCommit is null");
    }

    static HeldCommit of(JsonNode proposal) {
      return new HeldCommit(TableId.parse(proposal.path("table_id").asText()), proposal.path("writer").asText(),
          proposal.path("epoch").asLong(), proposal.path("version").asLong(),
          URI.create(proposal.path("staged_commit").asText()));
    }
  }

  /** The coordinator's answer to the held proposal once it was let through. */
  record Answer(int status, JsonNode body) {
    String code() {
      return body.path("code").asText();
    }
  }

  private CommitHoldingRelay(URI coordinator) throws IOException {
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "commit-holding-relay");
      thread.setDaemon(true);
      return thread;
    });
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .build();
    server.setExecutor(executor);
    server.createContext("/", this::relay);
    server.start();
  }

  /** A relay to the coordinator at {@code coordinator}, listening on a free port of 127.0.0.1. */
  static CommitHoldingRelay start(URI coordinator) throws IOException {
    return new CommitHoldingRelay(coordinator);
  }

  /** The base URL to give the applier as its {@code coordinator.url}. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Holds the next commit proposal; the future completes once one is held. Once per relay. */
  CompletableFuture<HeldCommit> holdNextCommit() {
    armed.set(true);
    return held;
  }

  /** Lets the held proposal through to the coordinator and returns the coordinator's answer. */
  Answer release(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    release.countDown();
    return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void relay(HttpExchange exchange) throws IOException {
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String method = exchange.getRequestMethod();
      boolean hold = method.equals("POST") && exchange.getRequestURI().getPath().endsWith("/commits")
          && armed.compareAndSet(true, false);
      if (hold) {
        held.complete(HeldCommit.of(JSON.readTree(body)));
        if (!release.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException("the held commit was never released");
        }
      }
      HttpResponse<byte[]> response;
      try {
        response = forward(exchange, method, body);
      } catch (IOException e) {
        if (hold) {
          answer.completeExceptionally(e);
        }
        throw e;
      }
      if (hold) {
        answer.complete(new Answer(response.statusCode(), JSON.readTree(response.body())));
      }
      response.headers().firstValue("Content-Type")
          .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
      byte[] answered = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answered.length == 0 ? -1 : answered.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answered);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.sendResponseHeaders(503, -1);
    } catch (IOException e) {
      exchange.sendResponseHeaders(502, -1);
    } finally {
      exchange.close();
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, String method, byte[] body)
      throws IOException, InterruptedException {
    String query = exchange.getRequestURI().getRawQuery();
    URI target = coordinator.resolve(exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query));
    HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(FORWARD_TIMEOUT)
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String header : REQUEST_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(header);
      if (value != null) {
        request.header(header, value);
      }
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
