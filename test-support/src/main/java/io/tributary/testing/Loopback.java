package io.tributary.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The loopback address every fixture binds to and advertises, and the free ports they listen on.
 * Fixtures never bind a wildcard or a non-loopback address.
 */
public final class Loopback {

  /** The one host every fixture binds to and every client connects to. */
  public static final String HOST = "127.0.0.1";

  private static final InetAddress ADDRESS = parse(HOST);
  private static final int MAX_ATTEMPTS = 50;

  // Ports handed out in this JVM: two fixtures built back to back must not both get the port
  // the kernel happened to offer twice before either bound it.
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Loopback() {}

  /** The loopback address as an {@link InetAddress}. */
  public static InetAddress address() {
    return ADDRESS;
  }

  /**
   * Returns a TCP port on {@value #HOST} that is free now and was not returned before in this
   * JVM. The caller should bind it soon: another process may take it in between.
   *
   * @throws FixtureException if no free port was found
   */
  public static int freePort() {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(ADDRESS, 0));
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot bind an ephemeral port on " + HOST, e);
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new FixtureException("No free port on " + HOST + " after " + MAX_ATTEMPTS + " attempts");
  }

  /**
   * Tells whether a server could bind {@code port} on {@value #HOST} right now (with
   * {@code SO_REUSEADDR}, as the fixtures' servers do). Used to check that a closed fixture
   * released its ports.
   */
  public static boolean isBindable(int port) {
    checkPort(port);
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(ADDRESS, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
    }
    return port;
  }

  private static InetAddress parse(String literal) {
    try {
      // A literal address: no name lookup happens.
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
