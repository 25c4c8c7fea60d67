package io.tributary.coordinator.client;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.TlsStore;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How a gateway or applier reaches the coordinator (read from the {@code coordinator} section).
 *
 * @param url the coordinator's base URL; required unless the coordinator runs in the same process
 *     ({@code standalone}), where the launcher supplies it
 * @param authToken the bearer token the coordinator requires, if any
 * @param connectTimeout how long to wait for a connection
 * @param requestTimeout how long to wait for an answer once connected
 * @param truststore the certificates to trust for an {@code https://} URL, when the coordinator's
 *     certificate is not signed by a CA the JVM trusts
 */
public record CoordinatorClientConfig(
    Optional<URI> url,
    Optional<Secret> authToken,
    Duration connectTimeout,
    Duration requestTimeout,
    Optional<TlsStore> truststore) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  public CoordinatorClientConfig {
    requireNonNull(url, "url is null");
    requireNonNull(authToken, "authToken is null");
    requireNonNull(connectTimeout, "connectTimeout is null");
    requireNonNull(requestTimeout, "requestTimeout is null");
    requireNonNull(truststore, "truststore is null");
    url.ifPresent(CoordinatorClientConfig::checkUrl);
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
    }
  }

  /** Reads the {@code coordinator} section; problems are recorded in the reader. */
  public static CoordinatorClientConfig from(ConfigReader coordinator) {
    Optional<String> urlText = coordinator.optionalString("url",
        "Base URL of the coordinator, e.g. http://coordinator:7070 (required unless running standalone)");
    Optional<URI> url = Optional.empty();
    if (urlText.isPresent()) {
      try {
        URI parsed = new URI(urlText.get().trim());
        checkUrl(parsed);
        url = Optional.of(parsed);
      } catch (URISyntaxException | IllegalArgumentException e) {
        coordinator.problem("url", urlText.get(), "must be an http:// or https:// URL such as http://coordinator:7070");
      }
    }
    Optional<Secret> token = coordinator.secret("auth-token",
        "Bearer token required on every coordinator API call; unset means no authentication");
    if (token.isPresent() && token.get().reveal().isBlank()) {
      coordinator.problem("auth-token", "", "must not be blank");
      token = Optional.empty();
    }
    Duration connect = coordinator.duration("connect-timeout", DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(1),
        "How long a client waits to connect to the coordinator");
    Duration request = coordinator.duration("request-timeout", DEFAULT_REQUEST_TIMEOUT, Duration.ofMillis(1),
        "How long a client waits for the coordinator's answer to one call");
    Optional<TlsStore> truststore = TlsStore.from(coordinator.section("tls"), "truststore",
        "Certificates a client trusts for an https coordinator url; unset trusts the JVM's CAs");
    return new CoordinatorClientConfig(url, token, connect, request, truststore);
  }

  /** A client of the coordinator at {@code url} with default timeouts. */
  public static CoordinatorClientConfig of(URI url, Optional<Secret> authToken) {
    return new CoordinatorClientConfig(Optional.of(url), authToken, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
        Optional.empty());
  }

  /** The same settings with other timeouts. */
  public CoordinatorClientConfig withTimeouts(Duration connect, Duration request) {
    return new CoordinatorClientConfig(url, authToken, connect, request, truststore);
  }

  /** The same settings trusting the certificates of {@code store}. */
  public CoordinatorClientConfig withTruststore(TlsStore store) {
    return new CoordinatorClientConfig(url, authToken, connectTimeout, requestTimeout, Optional.of(store));
  }

  private static void checkUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException("Invalid coordinator url '" + url + "': must be an http:// or https:// URL");
    }
  }
}
