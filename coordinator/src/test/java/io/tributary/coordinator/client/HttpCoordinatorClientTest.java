package io.tributary.coordinator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** How the client classifies failures, against hand-written misbehaving servers. */
class HttpCoordinatorClientTest {
  private static final TableId TABLE = TableId.parse("pg1.public.orders");
  private static final CommitProposal PROPOSAL = new CommitProposal(TABLE, new WriterId("w"), new Epoch(1), 0,
      URI.create("file:/t/_delta_log/_staged_commits/00000000000000000000.00000000-0000-0000-0000-000000000000.json"),
      Optional.empty(), List.of(), 0);

  @Test
  void refusedConnectionIsUnavailableEvenForACommit() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    try (HttpCoordinatorClient client = client(URI.create("http://127.0.0.1:" + port))) {
      assertFailure(() -> client.commit(PROPOSAL), ErrorCode.COORDINATOR_UNAVAILABLE, "Cannot reach the coordinator");
      assertFailure(client::tables, ErrorCode.COORDINATOR_UNAVAILABLE, "Cannot reach the coordinator");
    }
  }

  @Test
  void unansweredCommitHasAnUnknownOutcome() throws IOException {
    try (SilentServer server = new SilentServer(false);
        HttpCoordinatorClient client = client(server.uri())) {
      assertFailure(() -> client.commit(PROPOSAL), ErrorCode.COMMIT_OUTCOME_UNKNOWN, "no answer came back");
      assertFailure(client::tables, ErrorCode.COORDINATOR_UNAVAILABLE, "No answer from the coordinator");
    }
  }

  @Test
  void commitWhoseConnectionDropsHasAnUnknownOutcome() throws IOException {
    try (SilentServer server = new SilentServer(true);
        HttpCoordinatorClient client = client(server.uri())) {
      assertFailure(() -> client.commit(PROPOSAL), ErrorCode.COMMIT_OUTCOME_UNKNOWN, "do not delete anything");
      assertFailure(() -> client.table(TABLE), ErrorCode.COORDINATOR_UNAVAILABLE, "No answer from the coordinator");
    }
  }

  @Test
  void bareServerErrorOnACommitHasAnUnknownOutcome() throws IOException {
    HttpServer server = answering(500, "");
    try (HttpCoordinatorClient client = client(uri(server))) {
      assertFailure(() -> client.commit(PROPOSAL), ErrorCode.COMMIT_OUTCOME_UNKNOWN, "outcome of the commit is unknown");
      assertFailure(client::tables, ErrorCode.INTERNAL, "HTTP 500");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void explicitRefusalsKeepTheirCode() throws IOException {
    HttpServer server = answering(503, "{\"code\":\"COORDINATOR_UNAVAILABLE\",\"message\":\"not ready\"}");
    try (HttpCoordinatorClient client = client(uri(server))) {
      assertFailure(() -> client.commit(PROPOSAL), ErrorCode.COORDINATOR_UNAVAILABLE, "not ready");
    } finally {
      server.stop(0);
    }
    server = answering(409, "{\"code\":\"STALE_EPOCH\",\"message\":\"fenced\"}");
    try (HttpCoordinatorClient client = client(uri(server))) {
      assertFailure(() -> client.commit(PROPOSAL), ErrorCode.STALE_EPOCH, "fenced");
    } finally {
      server.stop(0);
    }
    server = answering(502, "<html>bad gateway</html>");
    try (HttpCoordinatorClient client = client(uri(server))) {
      assertFailure(client::tables, ErrorCode.COORDINATOR_UNAVAILABLE, "HTTP 502");
      assertFailure(() -> client.commit(PROPOSAL), ErrorCode.COMMIT_OUTCOME_UNKNOWN, "HTTP 502");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void closedClientRefusesCalls() {
    HttpCoordinatorClient client = client(URI.create("http://127.0.0.1:9"));
    client.close();
    client.close();
    assertThatThrownBy(client::tables).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  private static HttpCoordinatorClient client(URI uri) {
    return HttpCoordinatorClient.create(CoordinatorClientConfig.of(uri, Optional.empty())
        .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500)));
  }

  private static void assertFailure(ThrowingCallable call, ErrorCode code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static HttpServer answering(int status, String body) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
          exchange.getResponseBody().write(bytes);
        }
      }
    });
    server.start();
    return server;
  }

  private static URI uri(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Accepts connections and reads requests but never answers; optionally hangs up after reading. */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentServer(boolean hangUp) throws IOException {
      socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            Socket connection = socket.accept();
            connections.add(connection);
            if (hangUp) {
              InputStream in = connection.getInputStream();
              // Read the request head, then drop the connection without a word.
              byte[] buffer = new byte[8192];
              int read = in.read(buffer);
              if (read > 0) {
                connection.close();
              }
            }
          } catch (IOException e) {
            return;
          }
        }
      }, "silent-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket connection : connections) {
        connection.close();
      }
    }
  }
}
