package io.tributary.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.testing.FaultInjectingProxy.Fault;
import io.tributary.testing.FaultInjectingProxy.Rates;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultInjectingProxyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final long SEED = 7;

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private ExecutorService upstreamExecutor;
  private HttpServer upstream;

  @BeforeEach
  void startUpstream() throws IOException {
    upstreamExecutor = Executors.newCachedThreadPool();
    upstream = HttpServer.create(new InetSocketAddress(Loopback.address(), 0), 0);
    upstream.setExecutor(upstreamExecutor);
    upstream.createContext("/", this::answer);
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
    upstreamExecutor.shutdownNow();
  }

  @Test
  void forwardsRequestsAndAnswersIntactOverOneKeepAliveConnection() throws Exception {
    byte[] object = randomBytes(100 * 1024, 1);
    FaultInjectingProxy proxy = startProxy();
    try (proxy; RawConnection connection = new RawConnection(proxy.port())) {
      Response get = connection.request("GET", "/objects/200000", new byte[0]);
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.body()).isEqualTo(content(200_000));

      Response put = connection.request("PUT", "/objects/a", object);
      assertThat(put.status()).isEqualTo(200);
      assertThat(put.body()).isEqualTo(object);

      Response head = connection.request("HEAD", "/objects/a", new byte[0]);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("x-request")).isEqualTo("HEAD /objects/a");
      assertThat(head.body()).isEmpty();

      // A body of unknown length, in chunks, one with an extension.
      connection.send("POST /objects/chunked HTTP/1.1\r\nHost: upstream\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n7;part=2\r\n, world\r\n0\r\n\r\n");
      Response chunked = connection.readResponse("POST");
      assertThat(chunked.status()).isEqualTo(200);
      assertThat(new String(chunked.body(), UTF_8)).isEqualTo("hello, world");

      // The client sends the body only once the server's interim answer came through the proxy.
      connection.send("PUT /objects/b HTTP/1.1\r\nHost: upstream\r\nContent-Length: " + object.length
          + "\r\nExpect: 100-continue\r\n\r\n");
      assertThat(connection.readResponse("PUT").status()).isEqualTo(100);
      connection.send(object);
      Response continued = connection.readResponse("PUT");
      assertThat(continued.status()).isEqualTo(200);
      assertThat(continued.body()).isEqualTo(object);
    }

    assertThat(received).extracting(Received::request).containsExactly(
        "GET /objects/200000", "PUT /objects/a", "HEAD /objects/a", "POST /objects/chunked", "PUT /objects/b");
    assertThat(received.get(1).body()).isEqualTo(object);
    assertThat(new String(received.get(3).body(), UTF_8)).isEqualTo("hello, world");
    assertThat(received.get(4).body()).isEqualTo(object);
    assertThat(received).extracting(Received::clientPort).containsOnly(received.get(0).clientPort());
    assertThat(proxy.requests()).isEqualTo(5);
    assertThat(proxy.injected()).isEqualTo(counts(Fault.SLOW, 0));
  }

  @Test
  void findsTheEndOfAChunkedBodyWithTrailers() throws Exception {
    // "A" is 10 bytes of data that contain a CRLF of their own; trailer fields follow the last chunk.
    String first = "POST /upload HTTP/1.1\r\nHost: upstream\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        + "4;name=value\r\nWiki\r\nA\r\npedia in\r\n\r\n0\r\nChecksum: abc\r\nExpires: never\r\n\r\n";
    String second = "GET /next HTTP/1.1\r\nHost: upstream\r\n\r\n";
    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (ServerSocket rawUpstream = new ServerSocket(0, 50, Loopback.address());
        FaultInjectingProxy proxy = FaultInjectingProxy.start(Loopback.HOST, rawUpstream.getLocalPort(), SEED);
        RawConnection connection = new RawConnection(proxy.port())) {
      Future<String> seen = executor.submit(() -> {
        try (Socket socket = rawUpstream.accept()) {
          socket.setSoTimeout((int) TIMEOUT.toMillis());
          InputStream in = socket.getInputStream();
          OutputStream out = socket.getOutputStream();
          byte[] firstSeen = in.readNBytes(first.length());
          out.write(ok.getBytes(ISO_8859_1));
          byte[] secondSeen = in.readNBytes(second.length());
          out.write(ok.getBytes(ISO_8859_1));
          return new String(firstSeen, ISO_8859_1) + new String(secondSeen, ISO_8859_1);
        }
      });

      connection.send(first);
      assertThat(new String(connection.readResponse("POST").body(), ISO_8859_1)).isEqualTo("ok");
      connection.send(second);
      assertThat(new String(connection.readResponse("GET").body(), ISO_8859_1)).isEqualTo("ok");

      assertThat(seen.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(first + second);
      assertThat(proxy.requests()).isEqualTo(2);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void answersSlowDownWith503AndClosesTheConnection() throws Exception {
    FaultInjectingProxy proxy = startProxy();
    try (proxy) {
      proxy.rates(Rates.none().withError503(1));
      try (RawConnection connection = new RawConnection(proxy.port())) {
        assertS3Error(connection.request("GET", "/objects/10", new byte[0]), 503, "Slow Down", "SlowDown");
        assertThat(connection.readToEnd()).isEmpty();
      }
      // A body sent at once is read before the answer.
      try (RawConnection connection = new RawConnection(proxy.port())) {
        assertS3Error(connection.request("PUT", "/objects/a", randomBytes(100 * 1024, 2)), 503, "Slow Down", "SlowDown");
        assertThat(connection.readToEnd()).isEmpty();
      }
      // A body that waits for 100 Continue is never asked for.
      try (RawConnection connection = new RawConnection(proxy.port())) {
        connection.send("PUT /objects/b HTTP/1.1\r\nHost: upstream\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
        assertS3Error(connection.readResponse("PUT"), 503, "Slow Down", "SlowDown");
        assertThat(connection.readToEnd()).isEmpty();
      }
      // An answer to HEAD has the length of the error document but not the document.
      try (RawConnection connection = new RawConnection(proxy.port())) {
        Response head = connection.request("HEAD", "/objects/a", new byte[0]);
        assertThat(head.status()).isEqualTo(503);
        assertThat(Integer.parseInt(head.header("content-length"))).isPositive();
        assertThat(connection.readToEnd()).isEmpty();
      }
    }
    assertThat(received).isEmpty();
    assertThat(proxy.requests()).isEqualTo(4);
    assertThat(proxy.injected()).isEqualTo(counts(Fault.ERROR_503, 4));
  }

  @Test
  void answersInternalErrorWith500() throws Exception {
    FaultInjectingProxy proxy = startProxy();
    try (proxy) {
      proxy.rates(Rates.none().withError500(1));
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create(proxy.endpoint() + "/objects/10")).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.headers().firstValue("content-type")).hasValue("application/xml");
      assertThat(response.body()).contains("<Error><Code>InternalError</Code><Message>");

      try (RawConnection connection = new RawConnection(proxy.port())) {
        assertS3Error(connection.request("PUT", "/objects/a", randomBytes(1000, 3)), 500, "Internal Server Error",
            "InternalError");
        assertThat(connection.readToEnd()).isEmpty();
      }
    }
    assertThat(received).isEmpty();
    assertThat(proxy.requests()).isEqualTo(2);
    assertThat(proxy.injected()).isEqualTo(counts(Fault.ERROR_500, 2));
  }

  @Test
  void dropClosesTheConnectionWithoutAnAnswer() throws Exception {
    FaultInjectingProxy proxy = startProxy();
    try (proxy) {
      proxy.rates(Rates.none().withDrop(1));
      try (RawConnection connection = new RawConnection(proxy.port())) {
        connection.send("GET /objects/10 HTTP/1.1\r\nHost: upstream\r\n\r\n");
        assertThat(connection.readToEnd()).isEmpty();
      }
      try (RawConnection connection = new RawConnection(proxy.port())) {
        connection.send("PUT /objects/a HTTP/1.1\r\nHost: upstream\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
        assertThat(connection.readToEnd()).isEmpty();
      }
    }
    assertThat(received).isEmpty();
    assertThat(proxy.requests()).isEqualTo(2);
    assertThat(proxy.injected()).isEqualTo(counts(Fault.DROP, 2));
  }

  @Test
  void slowDelaysRequestsThenForwardsThem() throws Exception {
    Duration delay = Duration.ofMillis(200);
    FaultInjectingProxy proxy = startProxy();
    try (proxy; RawConnection connection = new RawConnection(proxy.port())) {
      proxy.rates(Rates.none().withSlow(1, delay, delay));
      for (int i = 0; i < 2; i++) {
        long start = System.nanoTime();
        Response response = connection.request("GET", "/objects/1000", new byte[0]);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content(1000));
        assertThat(elapsed).isGreaterThanOrEqualTo(delay);
      }
    }
    // Both went over the same connection: a slow request does not end it.
    assertThat(received).hasSize(2).extracting(Received::clientPort).containsOnly(received.get(0).clientPort());
    assertThat(proxy.injected()).isEqualTo(counts(Fault.SLOW, 2));
  }

  @Test
  void newRatesApplyToTheNextRequestOfAnOpenConnection() throws Exception {
    FaultInjectingProxy proxy = startProxy();
    try (proxy) {
      try (RawConnection connection = new RawConnection(proxy.port())) {
        assertThat(connection.request("GET", "/objects/10", new byte[0]).status()).isEqualTo(200);
        Rates failing = Rates.none().withError500(1);
        proxy.rates(failing);
        assertThat(proxy.rates()).isEqualTo(failing);
        assertS3Error(connection.request("GET", "/objects/10", new byte[0]), 500, "Internal Server Error", "InternalError");
        assertThat(connection.readToEnd()).isEmpty();
      }
      proxy.rates(Rates.none());
      try (RawConnection connection = new RawConnection(proxy.port())) {
        assertThat(connection.request("GET", "/objects/10", new byte[0]).status()).isEqualTo(200);
      }
    }
    // The fault closed the first upstream connection too; the second client connection has its own.
    assertThat(received).hasSize(2);
    assertThat(received.get(1).clientPort()).isNotEqualTo(received.get(0).clientPort());
    assertThat(proxy.requests()).isEqualTo(3);
    assertThat(proxy.injected()).isEqualTo(counts(Fault.ERROR_500, 1));
  }

  @Test
  void theSameSeedInjectsTheSameFaults() throws Exception {
    Rates rates = Rates.none().withError500(0.25).withError503(0.25);
    List<Integer> first = statuses(42, rates, 30);
    List<Integer> second = statuses(42, rates, 30);
    assertThat(first).isEqualTo(second).contains(200, 500, 503);
  }

  @Test
  void closingTheConnectionOnEitherSideIsPassedOn() throws Exception {
    try (FaultInjectingProxy proxy = startProxy()) {
      // The server closes after its answer.
      try (RawConnection connection = new RawConnection(proxy.port())) {
        connection.send("GET /objects/10 HTTP/1.1\r\nHost: upstream\r\nConnection: close\r\n\r\n");
        assertThat(connection.readResponse("GET").body()).isEqualTo(content(10));
        assertThat(connection.readToEnd()).isEmpty();
      }
      // The client closes its side after its request and still gets the answer.
      try (RawConnection connection = new RawConnection(proxy.port())) {
        connection.send("GET /objects/20 HTTP/1.1\r\nHost: upstream\r\n\r\n");
        connection.shutdownOutput();
        assertThat(connection.readResponse("GET").body()).isEqualTo(content(20));
        assertThat(connection.readToEnd()).isEmpty();
      }
    }
  }

  @Test
  void ratesRejectInvalidValuesNamingEachProblem() {
    assertThatThrownBy(() -> new Rates(1.5, 0, 0, 0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid fault rates: Invalid value 1.5 for error500: must be between 0 and 1");
    assertThatThrownBy(() -> Rates.none().withDrop(-0.1))
        .hasMessageContaining("Invalid value -0.1 for drop: must be between 0 and 1");
    assertThatThrownBy(() -> Rates.none().withError503(Double.NaN))
        .hasMessageContaining("Invalid value NaN for error503: must be between 0 and 1");
    assertThatThrownBy(() -> new Rates(0.5, 0.3, 0.2, 0.1, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("they must add up to at most 1");
    assertThatThrownBy(() -> Rates.none().withSlow(0.1, Duration.ofMillis(-1), Duration.ofMillis(5)))
        .hasMessageContaining("Invalid value PT-0.001S for slowMin: must not be negative");
    assertThatThrownBy(() -> Rates.none().withSlow(0.1, Duration.ofMillis(300), Duration.ofMillis(200)))
        .hasMessageContaining("slowMin PT0.3S exceeds slowMax PT0.2S");
    assertThatThrownBy(() -> new Rates(2, -1, 0, 0, Duration.ofMillis(2), Duration.ofMillis(1)))
        .hasMessage("Invalid fault rates: Invalid value 2.0 for error500: must be between 0 and 1;"
            + " Invalid value -1.0 for error503: must be between 0 and 1; slowMin PT0.002S exceeds slowMax PT0.001S");
    assertThatThrownBy(() -> new Rates(0, 0, 0, 0, null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("slowMin is null");

    // 0.1 + 0.2 + 0.3 + 0.4 is slightly more than 1 in binary floating point.
    assertThat(new Rates(0.1, 0.2, 0.3, 0.4, Duration.ZERO, Duration.ZERO).slow()).isEqualTo(0.4);
    assertThat(Rates.none()).isEqualTo(new Rates(0, 0, 0, 0, Duration.ZERO, Duration.ZERO));
    assertThat(Rates.none().withError500(0.1).withError503(0.2).withDrop(0.3).withSlow(0.4, Duration.ZERO, Duration.ofSeconds(1)))
        .isEqualTo(new Rates(0.1, 0.2, 0.3, 0.4, Duration.ZERO, Duration.ofSeconds(1)));
  }

  @Test
  void closeClosesOpenConnectionsAndStopsListening() throws Exception {
    FaultInjectingProxy proxy = startProxy();
    assertThat(proxy.endpoint()).isEqualTo("http://127.0.0.1:" + proxy.port());
    try (RawConnection used = new RawConnection(proxy.port()); RawConnection idle = new RawConnection(proxy.port())) {
      assertThat(used.request("GET", "/objects/10", new byte[0]).status()).isEqualTo(200);

      proxy.close();

      assertThat(used.readToEnd()).isEmpty();
      assertThat(idle.readToEnd()).isEmpty();
    }
    assertThatThrownBy(() -> new Socket(Loopback.address(), proxy.port()).close()).isInstanceOf(ConnectException.class);
    proxy.close();
    await().atMost(TIMEOUT).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(thread -> thread.getName().startsWith("fault-proxy-")));
  }

  private FaultInjectingProxy startProxy() {
    return FaultInjectingProxy.start(Loopback.HOST, upstream.getAddress().getPort(), SEED);
  }

  private List<Integer> statuses(long seed, Rates rates, int count) throws IOException {
    List<Integer> statuses = new ArrayList<>();
    try (FaultInjectingProxy proxy = FaultInjectingProxy.start(Loopback.HOST, upstream.getAddress().getPort(), seed)) {
      proxy.rates(rates);
      for (int i = 0; i < count; i++) {
        try (RawConnection connection = new RawConnection(proxy.port())) {
          statuses.add(connection.request("GET", "/objects/10", new byte[0]).status());
        }
      }
    }
    return statuses;
  }

  /** The upstream server: records each request; answers GET /objects/N with N known bytes, others with their body. */
  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      received.add(new Received(request, exchange.getRemoteAddress().getPort(), body));
      exchange.getResponseHeaders().set("X-Request", request);
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      byte[] answer = exchange.getRequestMethod().equals("GET")
          ? content(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)))
          : body;
      exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  private static void assertS3Error(Response response, int status, String reason, String code) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.reason()).isEqualTo(reason);
    assertThat(response.header("content-type")).isEqualTo("application/xml");
    assertThat(response.header("connection")).isEqualTo("close");
    assertThat(response.header("content-length")).isEqualTo(String.valueOf(response.body().length));
    assertThat(new String(response.body(), UTF_8))
        .startsWith("<?xml")
        .contains("<Error><Code>" + code + "</Code><Message>")
        .endsWith("</Error>");
  }

  private static Map<Fault, Long> counts(Fault fault, long count) {
    Map<Fault, Long> counts = new EnumMap<>(Fault.class);
    for (Fault each : Fault.values()) {
      counts.put(each, 0L);
    }
    counts.put(fault, count);
    return counts;
  }

  private static byte[] content(int size) {
    return randomBytes(size, size);
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** A request as the upstream server saw it. */
  private record Received(String request, int clientPort, byte[] body) {}

  /** An answer as the client saw it; header names in lower case. */
  private record Response(int status, String reason, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  /** One client connection, written and read by hand the way a keep-alive HTTP/1.1 client does. */
  private static final class RawConnection implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
      socket = new Socket(Loopback.address(), port);
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    /** Sends a request with a {@code Content-Length} body (none if empty) and reads its answer. */
    Response request(String method, String path, byte[] body) throws IOException {
      String head = method + " " + path + " HTTP/1.1\r\nHost: upstream\r\n"
          + (body.length > 0 ? "Content-Length: " + body.length + "\r\n" : "") + "\r\n";
      send(head);
      send(body);
      return readResponse(method);
    }

    void send(String text) throws IOException {
      send(text.getBytes(ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    void shutdownOutput() throws IOException {
      socket.shutdownOutput();
    }

    Response readResponse(String method) throws IOException {
      String[] status = readLine().split(" ", 3);
      Map<String, String> headers = new TreeMap<>();
      for (String line = readLine(); !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      int code = Integer.parseInt(status[1]);
      byte[] body;
      if (method.equals("HEAD") || code < 200) {
        body = new byte[0];
      } else if ("chunked".equals(headers.get("transfer-encoding"))) {
        body = readChunked();
      } else {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      }
      return new Response(code, status.length > 2 ? status[2] : "", headers, body);
    }

    /** Reads until the proxy closes the connection; what came before, if it was reset. */
    byte[] readToEnd() throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          bytes.write(buffer, 0, read);
        }
      } catch (SocketException e) {
        // Connection reset: closed as well.
      }
      return bytes.toByteArray();
    }

    private byte[] readChunked() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(readLine(), 16); size > 0; size = Integer.parseInt(readLine(), 16)) {
        body.write(in.readNBytes(size));
        readLine();
      }
      readLine();
      return body.toByteArray();
    }

    private String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int next = in.read(); next != '\n'; next = in.read()) {
        if (next < 0) {
          throw new EOFException("connection closed within a line of the answer");
        }
        if (next != '\r') {
          line.write(next);
        }
      }
      return line.toString(ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
