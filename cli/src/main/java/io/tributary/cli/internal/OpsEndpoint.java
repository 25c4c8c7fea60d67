package io.tributary.cli.internal;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coordinator.internal.ProbeHandler;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operational HTTP routes of a gateway or applier process: {@code /healthz}, {@code /readyz}
 * and {@code /metrics} (Prometheus). The coordinator serves the same routes beside its API.
 */
public final class OpsEndpoint implements AutoCloseable {
  /** The gateway process's default port for its probes and metrics. */
  public static final int GATEWAY_DEFAULT_PORT = 9451;
  /** The applier process's default port for its probes and metrics. */
  public static final int APPLIER_DEFAULT_PORT = 9452;
  /** Where a process serves its routes ({@code listen-host} and {@code listen-port} of its section). */
  public record Address(String host, int port) {
    public Address {
      requireNonNull(host, "host is null");
    }

    /**
     * Reads {@code listen-host} and {@code listen-port} of {@code section}; problems are recorded in
     * the reader. The keys matter only when the component runs as its own process.
     */
    public static Address from(ConfigReader section, String component, int defaultPort) {
      String host = section.string("listen-host", "127.0.0.1", "Address the " + component
          + " process serves /healthz, /readyz and /metrics on; 0.0.0.0 for scrapes from other machines");
      if (host.isBlank()) {
        section.problem("listen-host", host, "must not be blank");
        host = "127.0.0.1";
      }
      int port = (int) section.longValue("listen-port", defaultPort, 0, 65535,
          "Port of the " + component + " process's /healthz, /readyz and /metrics; 0 picks a free port");
      return new Address(host, port);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final URI uri;

  private OpsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
    this.uri = URI.create("http://" + hostForUri(server.getAddress().getHostString()) + ":" + server.getAddress().getPort());
  }

  /**
   * Starts serving the routes of {@code component}.
   *
   * @throws TributaryException {@code CONFIG_INVALID} if the address cannot be bound
   */
  public static OpsEndpoint start(Address address, String component, Supplier<String> state, BooleanSupplier ready,
      MeterRegistry registry) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 0);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "The " + component + " cannot serve its probes on "
          + address.host() + ":" + address.port() + ": " + e.getMessage() + "; check listen-host and listen-port", e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "tributary-ops-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    ProbeHandler probes = new ProbeHandler(component, state, ready, registry);
    server.createContext("/healthz", probes);
    server.createContext("/readyz", probes);
    server.createContext("/metrics", probes);
    server.start();
    return new OpsEndpoint(server, executor);
  }

  /** The base URI, e.g. {@code http://127.0.0.1:9451}. */
  public URI uri() {
    return uri;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static String hostForUri(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
