package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy for HTTP/1.1 that sits between an S3 client and an S3 API server and injects
 * storage faults into a chosen share of requests: S3's {@code 500 InternalError} and
 * {@code 503 SlowDown} answers, connections dropped without an answer, and delayed requests.
 * It listens on {@value Loopback#HOST} only.
 *
 * <p>Every accepted client connection gets its own upstream connection, opened at its first
 * forwarded request. Requests from the client are read at their boundaries (the header block,
 * then {@code Content-Length} bytes or a chunked body up to its trailers), and a fault is chosen
 * for each one from the current {@link #rates() rates} with a random generator seeded at start,
 * so that a single-threaded client sees the same faults on every run. Answers from the server
 * are piped back unparsed: the proxy relies on clients not pipelining requests, as keep-alive
 * clients (Apache HttpClient, the JDK's) do not. Every fault except {@link Fault#SLOW} ends the
 * connection, and the client has to reconnect.
 *
 * <p>{@code Expect: 100-continue} passes through: the server's interim answer comes back through
 * the pipe. A request answered with an error by the proxy is answered at once when the client
 * waits for {@code 100 Continue}, and otherwise after its body has been read and discarded, so
 * that the client reads the answer instead of failing to write into a closed connection.
 * Protocol upgrades ({@code h2c}, WebSocket), {@code CONNECT} and TLS are not supported.
 */
public final class FaultInjectingProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjectingProxy.class);

  private static final AtomicLong CONNECTION_IDS = new AtomicLong();
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  // After answering with an error, how long the proxy reads what the client still sends before
  // closing: closing a socket with unread input resets the connection, and the client could lose
  // the answer.
  private static final long LINGER_MILLIS = 2_000;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket serverSocket;
  private final int port;
  private final SplittableRandom random;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLongArray injected = new AtomicLongArray(Fault.values().length);
  private final AtomicBoolean closing = new AtomicBoolean();
  // Counted down by close(): wakes requests waiting out a slow fault.
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Rates rates = Rates.none();

  /** A storage fault the proxy injects into a request. */
  public enum Fault {
    /** Answers {@code 500 Internal Server Error} with S3's {@code InternalError}, then closes the connection. */
    ERROR_500,
    /** Answers {@code 503 Slow Down} with S3's {@code SlowDown} (throttling), then closes the connection. */
    ERROR_503,
    /** Closes the connection without answering. */
    DROP,
    /** Delays the request by a random time in the configured range, then forwards it. */
    SLOW
  }

  /**
   * The share of requests, from 0 to 1, that gets each fault; together at most 1. A request
   * gets at most one fault.
   *
   * @param error500 the share answered {@code 500 InternalError}
   * @param error503 the share answered {@code 503 SlowDown}
   * @param drop the share whose connection is closed without an answer
   * @param slow the share delayed by a random time between {@code slowMin} and {@code slowMax}
   * @param slowMin the shortest delay of a slow request
   * @param slowMax the longest delay of a slow request
   */
  public record Rates(double error500, double error503, double drop, double slow, Duration slowMin, Duration slowMax) {
    // Shares such as 0.1 + 0.2 + 0.3 + 0.4 add up to slightly more than 1 in floating point.
    private static final double SUM_TOLERANCE = 1e-9;
    private static final Rates NONE = new Rates(0, 0, 0, 0, Duration.ZERO, Duration.ZERO);

    /**
     * Checks every value and reports every problem at once.
     *
     * @throws IllegalArgumentException if a share is outside [0, 1], the shares add up to more
     *     than 1, a delay is negative or {@code slowMin} exceeds {@code slowMax}
     */
    public Rates {
      requireNonNull(slowMin, "slowMin is null");
      requireNonNull(slowMax, "slowMax is null");
      List<String> problems = new ArrayList<>();
      checkShare(problems, "error500", error500);
      checkShare(problems, "error503", error503);
      checkShare(problems, "drop", drop);
      checkShare(problems, "slow", slow);
      double sum = error500 + error503 + drop + slow;
      if (problems.isEmpty() && sum > 1 + SUM_TOLERANCE) {
        problems.add("the shares add up to " + sum + ": they must add up to at most 1");
      }
      if (slowMin.isNegative()) {
        problems.add("Invalid value " + slowMin + " for slowMin: must not be negative");
      }
      if (slowMax.isNegative()) {
        problems.add("Invalid value " + slowMax + " for slowMax: must not be negative");
      }
      if (slowMin.compareTo(slowMax) > 0) {
        problems.add("slowMin " + slowMin + " exceeds slowMax " + slowMax);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid fault rates: " + String.join("; ", problems));
      }
    }

    /** No faults: every request is forwarded at once. */
    public static Rates none() {
      return NONE;
    }

    /** These rates with {@code share} of the requests answered {@code 500 InternalError}. */
    public Rates withError500(double share) {
      return new Rates(share, error503, drop, slow, slowMin, slowMax);
    }

    /** These rates with {@code share} of the requests answered {@code 503 SlowDown}. */
    public Rates withError503(double share) {
      return new Rates(error500, share, drop, slow, slowMin, slowMax);
    }

    /** These rates with {@code share} of the requests dropped without an answer. */
    public Rates withDrop(double share) {
      return new Rates(error500, error503, share, slow, slowMin, slowMax);
    }

    /** These rates with {@code share} of the requests delayed by a random time in [{@code min}, {@code max}]. */
    public Rates withSlow(double share, Duration min, Duration max) {
      return new Rates(error500, error503, drop, share, min, max);
    }

    private static void checkShare(List<String> problems, String name, double share) {
      // Written so that NaN fails too.
      if (!(share >= 0 && share <= 1)) {
        problems.add("Invalid value " + share + " for " + name + ": must be between 0 and 1");
      }
    }
  }

  private FaultInjectingProxy(String upstreamHost, int upstreamPort, ServerSocket serverSocket, long seed) {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.serverSocket = serverSocket;
    this.port = serverSocket.getLocalPort();
    this.random = new SplittableRandom(seed);
  }

  /**
   * Starts a proxy to {@code upstreamHost:upstreamPort} listening on a free port of
   * {@value Loopback#HOST}, with no faults until {@link #rates(Rates)} sets some. Faults and
   * delays are drawn from a random generator seeded with {@code seed}.
   *
   * @throws FixtureException if the proxy cannot listen
   */
  public static FaultInjectingProxy start(String upstreamHost, int upstreamPort, long seed) {
    requireNonNull(upstreamHost, "upstreamHost is null");
    Loopback.checkPort(upstreamPort);
    ServerSocket serverSocket;
    try {
      serverSocket = new ServerSocket();
      serverSocket.bind(new InetSocketAddress(Loopback.address(), 0));
    } catch (IOException e) {
      throw new FixtureException("Cannot listen on " + Loopback.HOST + " for a proxy to " + upstreamHost + ":"
          + upstreamPort + ": " + e.getMessage(), e);
    }
    FaultInjectingProxy proxy = new FaultInjectingProxy(upstreamHost, upstreamPort, serverSocket, seed);
    proxy.startThread("fault-proxy-accept-" + proxy.port, proxy::acceptConnections);
    return proxy;
  }

  /** The port the proxy listens on. */
  public int port() {
    return port;
  }

  /** The endpoint clients use instead of the server's: {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://" + Loopback.HOST + ":" + port;
  }

  /** Sets the fault rates; they apply from the next request on, on open connections too. */
  public void rates(Rates rates) {
    this.rates = requireNonNull(rates, "rates is null");
  }

  /** The current fault rates. */
  public Rates rates() {
    return rates;
  }

  /** The number of requests whose header block the proxy has read, faulted or not. */
  public long requests() {
    return requests.get();
  }

  /** The number of faults injected so far, by kind; every kind is present. */
  public Map<Fault, Long> injected() {
    Map<Fault, Long> counts = new EnumMap<>(Fault.class);
    for (Fault fault : Fault.values()) {
      counts.put(fault, injected.get(fault.ordinal()));
    }
    return counts;
  }

  /**
   * Stops listening and closes every open connection, then waits a few seconds at most for the
   * proxy's threads to end. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closed.countDown();
    try {
      serverSocket.close();
    } catch (IOException e) {
      LOG.debug("Closing the server socket of {} failed", this, e);
    }
    for (Connection connection : List.copyOf(connections)) {
      connection.close();
    }
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    for (Thread thread : List.copyOf(threads)) {
      if (thread == Thread.currentThread()) {
        // The accepting thread closes the proxy when accepting fails.
        continue;
      }
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMillis <= 0) {
        break;
      }
      try {
        thread.join(remainingMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "FaultInjectingProxy[" + Loopback.HOST + ":" + port + " -> " + upstreamHost + ":" + upstreamPort + "]";
  }

  private boolean isClosed() {
    return closing.get();
  }

  private void startThread(String name, Runnable task) {
    Thread thread = new Thread(() -> {
      try {
        task.run();
      } finally {
        threads.remove(Thread.currentThread());
      }
    }, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private void acceptConnections() {
    while (!isClosed()) {
      Socket client;
      try {
        client = serverSocket.accept();
      } catch (IOException e) {
        if (!isClosed()) {
          LOG.debug("{} stops accepting connections", this, e);
          close();
        }
        return;
      }
      Connection connection = new Connection(CONNECTION_IDS.incrementAndGet(), client);
      connections.add(connection);
      // close() may have taken its snapshot of the connections before this one was added.
      if (isClosed()) {
        connection.close();
        return;
      }
      startThread("fault-proxy-" + connection.id + "-requests", connection::forwardRequests);
    }
  }

  /** The fault for the next request, if any, and the delay of a slow one; one draw per request. */
  private Choice choose(Rates current) {
    synchronized (random) {
      double draw = random.nextDouble();
      long minNanos = current.slowMin().toNanos();
      long maxNanos = current.slowMax().toNanos();
      long delayNanos = maxNanos > minNanos ? random.nextLong(minNanos, maxNanos + 1) : minNanos;
      double bound = current.error500();
      if (draw < bound) {
        return new Choice(Fault.ERROR_500, 0);
      }
      bound += current.error503();
      if (draw < bound) {
        return new Choice(Fault.ERROR_503, 0);
      }
      bound += current.drop();
      if (draw < bound) {
        return new Choice(Fault.DROP, 0);
      }
      bound += current.slow();
      if (draw < bound) {
        return new Choice(Fault.SLOW, delayNanos);
      }
      return new Choice(null, 0);
    }
  }

  /** The fault chosen for a request, null for none, and the delay of a slow request. */
  private record Choice(Fault fault, long delayNanos) {}

  /** One client connection, its upstream connection and the two threads that pump them. */
  private final class Connection {
    private final long id;
    private final Socket client;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    // Guarded by this: close() and the opening of the upstream connection exclude each other.
    private Socket upstream;
    private boolean connectionClosed;

    Connection(long id, Socket client) {
      this.id = id;
      this.client = client;
    }

    void forwardRequests() {
      boolean halfClosed = false;
      try {
        client.setTcpNoDelay(true);
        halfClosed = forwardUntilFaultOrEnd(new BufferedInputStream(client.getInputStream(), BUFFER_BYTES));
      } catch (IOException e) {
        LOG.debug("Connection {} of {} ends: {}", id, FaultInjectingProxy.this, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (!halfClosed) {
          close();
        }
      }
    }

    /** Forwards requests until a fault or the client's end; true if the response side still runs. */
    private boolean forwardUntilFaultOrEnd(InputStream in) throws IOException, InterruptedException {
      while (true) {
        HttpRequestHead head = HttpRequestHead.read(in);
        if (head == null) {
          // The client closed its side between requests: pass that on and let the server finish.
          Socket up = currentUpstream();
          if (up == null) {
            return false;
          }
          up.shutdownOutput();
          return true;
        }
        long number = requests.incrementAndGet();
        Choice choice = choose(rates);
        if (choice.fault() != null) {
          injected.incrementAndGet(choice.fault().ordinal());
          LOG.debug("Request {} ({} {}) on connection {}: {}", number, head.method(), head.target(), id, choice.fault());
        }
        if (choice.fault() == Fault.ERROR_500 || choice.fault() == Fault.ERROR_503) {
          answerWithError(choice.fault(), head, in, number);
          return false;
        }
        if (choice.fault() == Fault.DROP) {
          return false;
        }
        if (choice.fault() == Fault.SLOW && closed.await(choice.delayNanos(), TimeUnit.NANOSECONDS)) {
          return false;
        }
        OutputStream out = upstreamOutput();
        out.write(head.bytes());
        head.copyBody(in, out, buffer);
      }
    }

    private void answerWithError(Fault fault, HttpRequestHead head, InputStream in, long number) throws IOException {
      if (!head.expectsContinue()) {
        head.copyBody(in, OutputStream.nullOutputStream(), buffer);
      }
      OutputStream out = client.getOutputStream();
      out.write(errorResponse(fault, head, number));
      out.flush();
      client.shutdownOutput();
      // Read what the client still sends (a body after all, or nothing until it closes) for a
      // bounded time, so that closing does not reset the connection under the answer.
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
      client.setSoTimeout((int) LINGER_MILLIS);
      try {
        while (System.nanoTime() < deadline && in.read(buffer) >= 0) {
          // Discard.
        }
      } catch (SocketTimeoutException e) {
        LOG.debug("Connection {}: the client did not close within {} ms of an error answer", id, LINGER_MILLIS);
      }
    }

    private OutputStream upstreamOutput() throws IOException {
      Socket up = currentUpstream();
      if (up != null) {
        return up.getOutputStream();
      }
      up = new Socket();
      synchronized (this) {
        if (connectionClosed) {
          throw new SocketException("Connection " + id + " is closed");
        }
        upstream = up;
      }
      // Connected after it is registered, so that close() aborts a connect that hangs.
      up.connect(new InetSocketAddress(upstreamHost, upstreamPort), CONNECT_TIMEOUT_MILLIS);
      up.setTcpNoDelay(true);
      Socket connected = up;
      startThread("fault-proxy-" + id + "-responses", () -> forwardResponses(connected));
      return up.getOutputStream();
    }

    private synchronized Socket currentUpstream() {
      return upstream;
    }

    private void forwardResponses(Socket up) {
      try {
        InputStream in = up.getInputStream();
        OutputStream out = client.getOutputStream();
        byte[] responseBuffer = new byte[BUFFER_BYTES];
        int read;
        while ((read = in.read(responseBuffer)) >= 0) {
          out.write(responseBuffer, 0, read);
        }
      } catch (IOException e) {
        LOG.debug("Upstream of connection {} of {} ends: {}", id, FaultInjectingProxy.this, e.toString());
      } finally {
        // The server closed: nothing more can be answered on this connection.
        close();
      }
    }

    void close() {
      Socket up;
      synchronized (this) {
        if (connectionClosed) {
          return;
        }
        connectionClosed = true;
        up = upstream;
      }
      connections.remove(this);
      closeSocket(client);
      if (up != null) {
        closeSocket(up);
      }
    }

    private void closeSocket(Socket socket) {
      try {
        socket.close();
      } catch (IOException e) {
        LOG.debug("Closing a socket of connection {} failed", id, e);
      }
    }
  }

  private static byte[] errorResponse(Fault fault, HttpRequestHead head, long number) {
    boolean internal = fault == Fault.ERROR_500;
    String requestId = String.format(Locale.ROOT, "%016X", number);
    byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
        + "<Code>" + (internal ? "InternalError" : "SlowDown") + "</Code>"
        + "<Message>" + (internal ? "We encountered an internal error. Please try again." : "Please reduce your request rate.")
        + " (injected by FaultInjectingProxy)</Message>"
        + "<RequestId>" + requestId + "</RequestId>"
        + "</Error>").getBytes(StandardCharsets.UTF_8);
    String header = "HTTP/1.1 " + (internal ? "500 Internal Server Error" : "503 Slow Down") + "\r\n"
        + "Content-Type: application/xml\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + "x-amz-request-id: " + requestId + "\r\n"
        + "Connection: close\r\n"
        + "\r\n";
    ByteArrayOutputStream response = new ByteArrayOutputStream(header.length() + body.length);
    response.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    // An answer to HEAD has the headers of the answer to GET, without its body.
    if (!head.method().equals("HEAD")) {
      response.writeBytes(body);
    }
    return response.toByteArray();
  }
}
