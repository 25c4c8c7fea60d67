package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the coordinator server (the {@code coordinator} section).
 *
 * @param listenHost the address to listen on; {@code 127.0.0.1} keeps the API on this machine
 * @param listenPort the port to listen on; {@code 0} picks a free one
 * @param dataDir where the embedded store keeps its journal
 * @param authToken a token holding every role; when it or any role token is set, every {@code /api}
 *     call must carry {@code Authorization: Bearer <token>}
 * @param roleTokens tokens of one role each ({@code tokens.viewer}, {@code tokens.applier}, ...)
 * @param leaseTtl how long a lease lasts when the writer does not say
 * @param hadoopProperties Hadoop file-system settings for publishing to non-local table locations
 * @param events where and how long the event log is kept
 * @param tls the key store of HTTPS; empty serves plain HTTP
 * @param store where the coordinator keeps tables, leases and commits: its own files, or PostgreSQL
 *     shared by several coordinators
 */
public record CoordinatorConfig(
    String listenHost,
    int listenPort,
    Path dataDir,
    Optional<Secret> authToken,
    Map<Role, Secret> roleTokens,
    Duration leaseTtl,
    Map<String, String> hadoopProperties,
    EventLogConfig events,
    Optional<TlsStore> tls,
    CoordinatorStoreConfig store) {

  public CoordinatorConfig {
    requireNonNull(store, "store is null");
    requireNonNull(events, "events is null");
    requireNonNull(tls, "tls is null");
    requireNonNull(listenHost, "listenHost is null");
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(authToken, "authToken is null");
    roleTokens = Map.copyOf(requireNonNull(roleTokens, "roleTokens is null"));
    requireNonNull(leaseTtl, "leaseTtl is null");
    hadoopProperties = Map.copyOf(requireNonNull(hadoopProperties, "hadoopProperties is null"));
    if (listenHost.isBlank()) {
      throw new IllegalArgumentException("listenHost is blank");
    }
    if (listenPort < 0 || listenPort > 65535) {
      throw new IllegalArgumentException("listenPort must be between 0 and 65535: " + listenPort);
    }
    if (leaseTtl.isNegative() || leaseTtl.isZero()) {
      throw new IllegalArgumentException("leaseTtl must be positive: " + leaseTtl);
    }
  }

  /**
   * Reads the {@code coordinator} section. Problems are recorded in the reader;
   * {@code defaultDataDir} is used when {@code data-dir} is not set.
   */
  public static CoordinatorConfig from(ConfigReader coordinator, Path defaultDataDir) {
    String host = coordinator.string("listen-host", "127.0.0.1",
        "Address the coordinator listens on; 0.0.0.0 to accept connections from other machines");
    if (host.isBlank()) {
      coordinator.problem("listen-host", host, "must not be blank");
      host = "127.0.0.1";
    }
    int port = (int) coordinator.longValue("listen-port", 0, 0, 65535,
        "Port the coordinator listens on; 0 picks a free port");
    Path dataDir = Path.of(coordinator.string("data-dir", defaultDataDir.toString(),
        "Directory of the embedded store (its journal)"));
    Optional<Secret> token = coordinator.secret("auth-token",
        "Bearer token required on every coordinator API call; unset means no authentication");
    if (token.isPresent() && token.get().reveal().isBlank()) {
      coordinator.problem("auth-token", "", "must not be blank");
      token = Optional.empty();
    }
    Map<Role, Secret> roleTokens = new EnumMap<>(Role.class);
    ConfigReader tokens = coordinator.section("tokens");
    for (Role role : Role.values()) {
      tokens.secret(role.configName(), "Bearer tokens of the " + role.configName() + " role, separated by commas")
          .ifPresent(secret -> {
            if (secret.reveal().isBlank()) {
              tokens.problem(role.configName(), "", "must not be blank");
            } else {
              roleTokens.put(role, secret);
            }
          });
    }
    Duration leaseTtl = coordinator.duration("lease-ttl", Duration.ofSeconds(30), Duration.ofSeconds(1),
        "How long a writer's table lease lasts when the writer does not ask for a duration");
    Map<String, String> hadoop = coordinator.stringMap("hadoop",
        "Hadoop file-system properties for publishing to table locations, e.g. fs.s3a.endpoint");
    EventLogConfig events = EventLogConfig.from(coordinator.section("events"), dataDir);
    Optional<TlsStore> tls = TlsStore.from(coordinator.section("tls"), "keystore",
        "Certificate and key the coordinator serves HTTPS with; unset serves plain HTTP");
    CoordinatorStoreConfig store = CoordinatorStoreConfig.from(coordinator.section("store"));
    return new CoordinatorConfig(host, port, dataDir, token, roleTokens, leaseTtl, hadoop, events, tls, store);
  }

  /**
   * A coordinator on 127.0.0.1, on a free port, storing its journal in {@code dataDir}, without
   * authentication and without the events Delta table.
   */
  public static CoordinatorConfig local(Path dataDir) {
    return new CoordinatorConfig("127.0.0.1", 0, dataDir, Optional.empty(), Map.of(), Duration.ofSeconds(30), Map.of(),
        EventLogConfig.defaults(dataDir).withoutTable(), Optional.empty(), CoordinatorStoreConfig.file());
  }

  /** The same settings with a bearer token required. */
  public CoordinatorConfig withAuthToken(Secret token) {
    return new CoordinatorConfig(listenHost, listenPort, dataDir, Optional.of(token), roleTokens, leaseTtl,
        hadoopProperties, events, tls, store);
  }

  /** The same settings with the tokens of one role added. */
  public CoordinatorConfig withRoleToken(Role role, Secret token) {
    Map<Role, Secret> tokens = new EnumMap<>(Role.class);
    tokens.putAll(roleTokens);
    tokens.put(role, token);
    return new CoordinatorConfig(listenHost, listenPort, dataDir, authToken, tokens, leaseTtl, hadoopProperties, events,
        tls, store);
  }

  /** The same settings over another store. */
  public CoordinatorConfig withStore(CoordinatorStoreConfig storeConfig) {
    return new CoordinatorConfig(listenHost, listenPort, dataDir, authToken, roleTokens, leaseTtl, hadoopProperties,
        events, tls, storeConfig);
  }

  /** The same settings with another event log configuration. */
  public CoordinatorConfig withEvents(EventLogConfig eventLog) {
    return new CoordinatorConfig(listenHost, listenPort, dataDir, authToken, roleTokens, leaseTtl, hadoopProperties,
        eventLog, tls, store);
  }

  /** The same settings serving HTTPS with {@code store}. */
  public CoordinatorConfig withTls(TlsStore keystore) {
    return new CoordinatorConfig(listenHost, listenPort, dataDir, authToken, roleTokens, leaseTtl, hadoopProperties,
        events, Optional.of(keystore), store);
  }

  /**
   * A token this coordinator accepts for {@code role}: the token of every role if set, else the
   * first token of that role. What a client in the same process (standalone) presents.
   */
  public Optional<Secret> tokenFor(Role role) {
    if (authToken.isPresent()) {
      return authToken;
    }
    return Optional.ofNullable(roleTokens.get(role))
        .flatMap(secret -> AccessTokens.tokensOf(secret).stream().findFirst());
  }

  /** The tokens the API accepts, with their roles. */
  public AccessTokens accessTokens() {
    return AccessTokens.of(authToken, roleTokens);
  }

  /** The same settings on a fixed port. */
  public CoordinatorConfig withListenPort(int port) {
    return new CoordinatorConfig(listenHost, port, dataDir, authToken, roleTokens, leaseTtl, hadoopProperties, events,
        tls, store);
  }

  /** Shows the settings without tokens or the values of secret-like Hadoop properties. */
  @Override
  public String toString() {
    return "CoordinatorConfig[listenHost=" + listenHost + ", listenPort=" + listenPort + ", dataDir=" + dataDir
        + ", authToken=" + authToken + ", roleTokens=" + roleTokens + ", leaseTtl=" + leaseTtl
        + ", hadoopProperties=" + Secret.redacted(hadoopProperties) + ", events=" + events + ", tls=" + tls
        + ", store=" + store + "]";
  }
}
