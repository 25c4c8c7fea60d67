package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the coordinator keeps its state (the {@code coordinator.store} section): the embedded file
 * store, a journal in the coordinator's data directory for one coordinator on one machine, or a
 * PostgreSQL database that several coordinator replicas share.
 *
 * @param type which store
 * @param url JDBC URL of the PostgreSQL database, e.g. {@code jdbc:postgresql://db:5432/tributary};
 *     required for {@link Type#POSTGRESQL}
 * @param user the PostgreSQL user; required for {@link Type#POSTGRESQL}
 * @param password the user's password, when the server asks for one
 * @param schema the schema holding the store's tables, created with them at start when missing
 * @param poolSize the most database connections one coordinator keeps open
 * @param connectTimeout how long a call waits for a database connection before failing as unavailable
 */
public record CoordinatorStoreConfig(
    Type type,
    Optional<String> url,
    Optional<String> user,
    Optional<Secret> password,
    String schema,
    int poolSize,
    Duration connectTimeout) {

  public static final String DEFAULT_SCHEMA = "tributary";
  public static final int DEFAULT_POOL_SIZE = 8;
  public static final int MAX_POOL_SIZE = 1000;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** The pool (HikariCP) waits at least this long for a connection. */
  public static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(250);

  private static final String URL_PREFIX = "jdbc:postgresql:";
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String SCHEMA_RULE =
      "must be a lower-case SQL name: letters, digits and '_', starting with a letter or '_', at most 63 characters";

  /** The kinds of store. */
  public enum Type {
    /** A journal in the coordinator's data directory: one coordinator on one machine. */
    FILE,
    /** A PostgreSQL database: any number of coordinators, stateless over it. */
    POSTGRESQL
  }

  public CoordinatorStoreConfig {
    requireNonNull(type, "type is null");
    requireNonNull(url, "url is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(connectTimeout, "connectTimeout is null");
    if (type == Type.POSTGRESQL && (url.isEmpty() || user.isEmpty())) {
      throw new IllegalArgumentException("a PostgreSQL store needs a url and a user");
    }
    url.ifPresent(CoordinatorStoreConfig::checkUrl);
    if (user.isPresent() && user.get().isBlank()) {
      throw new IllegalArgumentException("user is blank");
    }
    if (!SCHEMA_NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException("Invalid schema '" + schema + "': " + SCHEMA_RULE);
    }
    if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
      throw new IllegalArgumentException("poolSize must be between 1 and " + MAX_POOL_SIZE + ": " + poolSize);
    }
    if (connectTimeout.compareTo(MIN_CONNECT_TIMEOUT) < 0) {
      throw new IllegalArgumentException("connectTimeout must be at least " + MIN_CONNECT_TIMEOUT.toMillis() + " ms: "
          + connectTimeout);
    }
  }

  /** The embedded file store, the default. */
  public static CoordinatorStoreConfig file() {
    return new CoordinatorStoreConfig(Type.FILE, Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_SCHEMA,
        DEFAULT_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT);
  }

  /** A PostgreSQL store in the default schema with the default pool. */
  public static CoordinatorStoreConfig postgresql(String url, String user, Optional<Secret> password) {
    return new CoordinatorStoreConfig(Type.POSTGRESQL, Optional.of(requireNonNull(url, "url is null")),
        Optional.of(requireNonNull(user, "user is null")), password, DEFAULT_SCHEMA, DEFAULT_POOL_SIZE,
        DEFAULT_CONNECT_TIMEOUT);
  }

  /** The same settings in another schema. */
  public CoordinatorStoreConfig withSchema(String newSchema) {
    return new CoordinatorStoreConfig(type, url, user, password, newSchema, poolSize, connectTimeout);
  }

  /** The same settings with another pool size and connection timeout. */
  public CoordinatorStoreConfig withPool(int newPoolSize, Duration newConnectTimeout) {
    return new CoordinatorStoreConfig(type, url, user, password, schema, newPoolSize, newConnectTimeout);
  }

  /**
   * Reads the {@code coordinator.store} section. Problems are recorded in the reader; while there are
   * any, the result is the file store's configuration, so call {@link ConfigReader#throwIfInvalid()}
   * before using it.
   */
  public static CoordinatorStoreConfig from(ConfigReader store) {
    String typeText = store.string("type", "file",
        "Where the coordinator keeps its state: file (a journal in data-dir, for one coordinator) or postgresql"
            + " (a database shared by several coordinators)");
    Optional<Type> type = parseType(typeText);
    if (type.isEmpty()) {
      store.problem("type", typeText, "must be file or postgresql");
    }
    boolean postgresql = type.orElse(Type.FILE) == Type.POSTGRESQL;
    String urlDescription = "JDBC URL of the PostgreSQL store, e.g. jdbc:postgresql://db:5432/tributary"
        + " (required when type is postgresql)";
    String userDescription = "PostgreSQL user of the store (required when type is postgresql)";
    Optional<String> url = postgresql
        ? nonBlank(store.requiredString("url", urlDescription))
        : store.optionalString("url", urlDescription);
    Optional<String> user = postgresql
        ? nonBlank(store.requiredString("user", userDescription))
        : store.optionalString("user", userDescription);
    Optional<Secret> password = store.secret("password", "Password of the PostgreSQL user");
    String schema = store.string("schema", DEFAULT_SCHEMA,
        "Schema holding the store's tables; it and its tables are created at start when missing");
    int poolSize = (int) store.longValue("pool-size", DEFAULT_POOL_SIZE, 1, MAX_POOL_SIZE,
        "Most database connections one coordinator keeps open");
    Duration connectTimeout = store.duration("connect-timeout", DEFAULT_CONNECT_TIMEOUT, MIN_CONNECT_TIMEOUT,
        "How long a call waits for a database connection before failing as unavailable");

    boolean valid = type.isPresent();
    if (url.isPresent()) {
      try {
        checkUrl(url.get());
      } catch (IllegalArgumentException e) {
        store.problem("url", redact(url.get()), "must be a PostgreSQL JDBC URL such as jdbc:postgresql://db:5432/tributary");
        valid = false;
      }
      if (!postgresql && type.isPresent()) {
        store.problem("url", redact(url.get()), "is used only when type is postgresql (type is file); set type: postgresql"
            + " or remove url");
        valid = false;
      }
    }
    if (!SCHEMA_NAME.matcher(schema).matches()) {
      store.problem("schema", schema, SCHEMA_RULE);
      valid = false;
    }
    if (postgresql && (url.isEmpty() || user.isEmpty())) {
      valid = false;
    }
    if (!valid) {
      return file();
    }
    return new CoordinatorStoreConfig(type.get(), url, user, password, schema, poolSize, connectTimeout);
  }

  /** The URL without its parameters (which may hold credentials), for messages and logs. */
  public Optional<String> redactedUrl() {
    return url.map(CoordinatorStoreConfig::redact);
  }

  @Override
  public String toString() {
    return "CoordinatorStoreConfig[type=" + type + ", url=" + redactedUrl().orElse("") + ", user=" + user.orElse("")
        + ", password=" + password.map(Secret::toString).orElse("") + ", schema=" + schema + ", poolSize=" + poolSize
        + ", connectTimeout=" + connectTimeout + "]";
  }

  private static Optional<Type> parseType(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "file" -> Optional.of(Type.FILE);
      case "postgresql" -> Optional.of(Type.POSTGRESQL);
      default -> Optional.empty();
    };
  }

  private static Optional<String> nonBlank(String value) {
    return value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static void checkUrl(String url) {
    if (!url.startsWith(URL_PREFIX + "//") || url.length() <= (URL_PREFIX + "//").length()) {
      throw new IllegalArgumentException("Invalid PostgreSQL store url '" + redact(url)
          + "': must be a JDBC URL such as jdbc:postgresql://db:5432/tributary");
    }
  }

  private static String redact(String url) {
    int parameters = url.indexOf('?');
    return parameters < 0 ? url : url.substring(0, parameters) + "?...";
  }
}
