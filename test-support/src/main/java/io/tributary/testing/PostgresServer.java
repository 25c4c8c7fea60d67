package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky embedded binaries) configured for logical decoding
 * ({@code wal_level=logical}), listening on {@code 127.0.0.1} only, with password
 * (SCRAM) authentication for every role including the superuser.
 *
 * <p>Layout under {@link #directory()}: {@code data/} (PGDATA, created by {@code initdb} on the
 * first start and reused afterwards, also by a later server built on the same directory) and
 * {@code postgres.log} (initdb and server output). The PostgreSQL distribution is unpacked
 * (about 60 MB) into {@code binaries/} there unless {@link Builder#binariesDirectory} says
 * otherwise; zonky remembers the first unpacked copy for the whole JVM and reuses it while it
 * exists, so later servers in the same JVM unpack nothing.
 *
 * <p>When run as root, zonky runs {@code initdb} and {@code postgres} under {@code unshare -U}
 * (PostgreSQL refuses root); files stay owned by root. The server runs with {@code fsync} off:
 * it is a fixture, not a durable database.
 */
public final class PostgresServer extends AbstractManagedServer {

  /** Name of the superuser role created by {@code initdb}. */
  public static final String SUPERUSER = "postgres";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final String MAINTENANCE_DATABASE = "postgres";
  private static final Set<String> RESERVED_SETTINGS = Set.of("listen_addresses", "port", "unix_socket_directories");
  private static final Duration HBA_RELOAD_TIMEOUT = Duration.ofSeconds(10);
  // invalid_password, invalid_authorization_specification, and pgjdbc's "no password supplied".
  private static final Set<String> AUTHENTICATION_FAILURES = Set.of("28P01", "28000", "08004");

  private final int port;
  private final String superuserPassword;
  private final Map<String, String> serverConfig;
  private final Duration startupTimeout;
  private final Path binariesDirectory;
  private final boolean requireTls;
  private volatile EmbeddedPostgres postgres;

  private PostgresServer(Builder builder) {
    super(builder.name, builder.directory, builder.stopTimeout, builder.discardDataOnClose);
    this.port = builder.port != 0 ? builder.port : Loopback.freePort();
    this.superuserPassword = builder.superuserPassword != null ? builder.superuserPassword : randomPassword();
    this.serverConfig = Map.copyOf(builder.serverConfig);
    this.requireTls = builder.requireTls;
    this.startupTimeout = builder.startupTimeout;
    this.binariesDirectory = builder.binariesDirectory != null
        ? builder.binariesDirectory.toAbsolutePath().normalize()
        : directory().resolve("binaries");
  }

  /** Starts building a server whose data and log go under {@code directory} (typically under {@code target/}). */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  @Override
  public int port() {
    return port;
  }

  /** The superuser role name, {@value #SUPERUSER}. */
  public String superuser() {
    return SUPERUSER;
  }

  /** The superuser's password (random unless set on the builder). */
  public String superuserPassword() {
    return superuserPassword;
  }

  /** The JDBC URL of {@code database} on this server, without credentials. */
  public String jdbcUrl(String database) {
    requireNonBlank(database, "database");
    return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
  }

  /** Opens a new superuser connection to {@code database} in auto-commit mode; the caller closes it. */
  public Connection connect(String database) {
    try {
      return DriverManager.getConnection(jdbcUrl(database), connectionProperties(SUPERUSER, superuserPassword));
    } catch (SQLException e) {
      throw new FixtureException("Cannot connect to database '" + database + "' on " + this + ": " + e.getMessage(), e);
    }
  }

  /** Creates database {@code name}, owned by the superuser. */
  public void createDatabase(String name) {
    execute(MAINTENANCE_DATABASE, "CREATE DATABASE " + quoteIdentifier(requireNonBlank(name, "database name")));
  }

  /**
   * Creates a login role {@code name} with {@code password} and the given attributes; grant it
   * privileges with {@link #execute}.
   */
  public void createUser(String name, String password, PostgresRoleOption... options) {
    requireNonBlank(name, "user name");
    requireNonNull(password, "password is null");
    String attributes = Stream.of(options)
        .map(option -> " " + requireNonNull(option, "option is null").sql())
        .collect(Collectors.joining());
    execute(MAINTENANCE_DATABASE,
        "CREATE ROLE " + quoteIdentifier(name) + " LOGIN PASSWORD " + quoteLiteral(password) + attributes);
  }

  /** Runs {@code statements} in order as the superuser on {@code database}, each in its own transaction. */
  public void execute(String database, String... statements) {
    List<String> sql = List.of(statements);
    try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
      for (int i = 0; i < sql.size(); i++) {
        try {
          statement.execute(sql.get(i));
        } catch (SQLException e) {
          // The statement is not quoted: it may hold a password.
          throw new FixtureException("Statement " + (i + 1) + " of " + sql.size() + " failed on database '"
              + database + "' of " + this + ": " + e.getMessage(), e);
        }
      }
    } catch (SQLException e) {
      throw new FixtureException("Cannot run SQL on database '" + database + "' of " + this + ": " + e.getMessage(), e);
    }
  }

  @Override
  List<Path> dataDirectories() {
    return List.of(directory().resolve("data"));
  }

  @Override
  Path logFile() {
    return directory().resolve("postgres.log");
  }

  @Override
  void doStart() throws Exception {
    Path data = directory().resolve("data");
    File log = directory().resolve("postgres.log").toFile();
    Files.createDirectories(directory());
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setOverrideWorkingDirectory(binariesDirectory.toFile())
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setPGStartupWait(startupTimeout)
        .setLocaleConfig("locale", "C")
        .setOutputRedirector(Redirect.appendTo(log))
        .setErrorRedirector(Redirect.appendTo(log))
        .setDataDirectoryCustomizer(dir -> {
          // Runs once zonky holds the directory's lock: a postmaster still running here
          // was orphaned by a JVM that died without closing it.
          killPostmaster(dir.toPath().resolve("postmaster.pid"), "orphaned");
          writeHba(dir.toPath(), true, requireTls);
        });
    serverConfig.forEach(builder::setServerConfig);
    postgres = builder.start();
    requireSuperuserPassword(data);
  }

  @Override
  void doStop() throws Exception {
    EmbeddedPostgres running = postgres;
    postgres = null;
    if (running != null) {
      running.close();
    }
    killPostmaster(directory().resolve("data").resolve("postmaster.pid"), "still running after pg_ctl stop");
  }

  /**
   * zonky's initdb trusts every local login. The server therefore starts with only the superuser
   * trusted (so the superuser can set its password), then switches to passwords for everyone.
   */
  private void requireSuperuserPassword(Path data) throws InterruptedException {
    execute(MAINTENANCE_DATABASE, "ALTER ROLE " + quoteIdentifier(SUPERUSER) + " PASSWORD " + quoteLiteral(superuserPassword));
    writeHba(data, false, requireTls);
    execute(MAINTENANCE_DATABASE, "SELECT pg_reload_conf()");
    // The postmaster reloads pg_hba.conf asynchronously after the SIGHUP.
    long deadline = System.nanoTime() + HBA_RELOAD_TIMEOUT.toNanos();
    while (trustsSuperuser()) {
      if (System.nanoTime() > deadline) {
        throw new FixtureException("PostgreSQL on " + this + " did not reload pg_hba.conf within " + HBA_RELOAD_TIMEOUT);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private boolean trustsSuperuser() {
    try {
      DriverManager.getConnection(jdbcUrl(MAINTENANCE_DATABASE), connectionProperties(SUPERUSER, "")).close();
      return true;
    } catch (SQLException e) {
      if (AUTHENTICATION_FAILURES.contains(e.getSQLState())) {
        return false;
      }
      throw new FixtureException("PostgreSQL on " + this + " failed while switching to password logins: " + e.getMessage(), e);
    }
  }

  private static void writeHba(Path data, boolean trustSuperuser, boolean requireTls) {
    String host = requireTls ? "hostssl" : "host";
    String superuserLines = trustSuperuser
        ? host + " all " + SUPERUSER + " 127.0.0.1/32 trust\n" + host + " replication " + SUPERUSER + " 127.0.0.1/32 trust\n"
        : "";
    String hba = "# Written by " + PostgresServer.class.getName() + ": password logins from 127.0.0.1 only"
        + (requireTls ? ", over TLS only" : "") + ".\n"
        + superuserLines
        + host + " all all 127.0.0.1/32 scram-sha-256\n"
        + host + " replication all 127.0.0.1/32 scram-sha-256\n";
    try {
      Files.writeString(data.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write pg_hba.conf in " + data, e);
    }
  }

  /**
   * Kills the postmaster named in {@code pidFile}, and its backends, if it is still alive: after a
   * failed {@code pg_ctl stop} (zonky logs that failure instead of throwing) or when a previous
   * JVM died without closing the server.
   */
  private static void killPostmaster(Path pidFile, String why) {
    Optional<ProcessHandle> postmaster = readPid(pidFile)
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(process -> process.info().command().map(command -> command.endsWith("/postgres")).orElse(false));
    if (postmaster.isEmpty()) {
      return;
    }
    LOG.warn("Killing PostgreSQL postmaster {} ({}) of {}", postmaster.get().pid(), why, pidFile.getParent());
    List<ProcessHandle> processes = Stream.concat(Stream.of(postmaster.get()), postmaster.get().descendants()).toList();
    processes.forEach(ProcessHandle::destroyForcibly);
    try {
      CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new FixtureException("PostgreSQL postmaster " + postmaster.get().pid() + " of " + pidFile.getParent()
          + " did not exit after SIGKILL", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("Interrupted while killing PostgreSQL postmaster " + postmaster.get().pid(), e);
    }
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      return Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().map(String::trim).map(Long::valueOf);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + pidFile, e);
    }
  }

  private static Properties connectionProperties(String user, String password) {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "tributary-test-support");
    return properties;
  }

  private static String quoteIdentifier(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String quoteLiteral(String literal) {
    return "'" + literal.replace("'", "''") + "'";
  }

  private static String requireNonBlank(String value, String what) {
    requireNonNull(value, what + " is null");
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " is blank");
    }
    return value;
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Settings of a {@link PostgresServer}; every one has a default. */
  public static final class Builder {
    private final Path directory;
    private final Map<String, String> serverConfig = new LinkedHashMap<>();
    private String name = "postgres";
    private int port;
    private String superuserPassword;
    private Path binariesDirectory;
    private Duration startupTimeout = Duration.ofSeconds(30);
    private boolean discardDataOnClose;
    private boolean requireTls;
    private Duration stopTimeout = Duration.ofSeconds(20);

    private Builder(Path directory) {
      this.directory = requireNonNull(directory, "directory is null");
      serverConfig.put("listen_addresses", Loopback.HOST);
      // No Unix-domain socket (default /tmp): TCP on 127.0.0.1 is the only way in.
      serverConfig.put("unix_socket_directories", "''");
      serverConfig.put("wal_level", "logical");
      serverConfig.put("max_replication_slots", "16");
      serverConfig.put("max_wal_senders", "16");
      serverConfig.put("max_connections", "100");
      serverConfig.put("timezone", "UTC");
    }

    /**
     * Deletes the server's data (not its log) when it is closed, for tests whose data nobody
     * reads afterwards; by default the data stays, so that a new server on the directory resumes.
     */
    public Builder discardDataOnClose() {
      this.discardDataOnClose = true;
      return this;
    }

    /** Names the server in logs and thread names instead of {@code "postgres"}. */
    public Builder name(String name) {
      this.name = requireNonBlank(name, "name");
      return this;
    }

    /** Listens on this port instead of a free one. */
    public Builder port(int port) {
      this.port = Loopback.checkPort(port);
      return this;
    }

    /** Sets the superuser's password instead of a random one. */
    public Builder superuserPassword(String password) {
      this.superuserPassword = requireNonBlank(password, "superuser password");
      return this;
    }

    /**
     * Adds or overrides a {@code postgresql.conf} setting. {@code listen_addresses}, {@code port}
     * and {@code unix_socket_directories} are reserved: the server listens on 127.0.0.1 only.
     */
    public Builder serverConfig(String key, String value) {
      requireNonBlank(key, "setting name");
      requireNonNull(value, "value of " + key + " is null");
      if (RESERVED_SETTINGS.contains(key)) {
        throw new IllegalArgumentException("Setting '" + key + "' is fixed by " + PostgresServer.class.getSimpleName());
      }
      serverConfig.put(key, value);
      return this;
    }

    /**
     * Where to unpack the PostgreSQL distribution instead of {@code <directory>/binaries}; a
     * shared place (for example {@code target/postgres-binaries}) avoids unpacking it per run.
     */
    public Builder binariesDirectory(Path directory) {
      this.binariesDirectory = requireNonNull(directory, "binaries directory is null");
      return this;
    }

    /** How long {@code start()} waits for the server to accept connections (default 30 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = requirePositive(timeout, "startupTimeout");
      return this;
    }

    /** How long {@code close()} waits for the server to stop (default 20 s). */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = requirePositive(timeout, "stopTimeout");
      return this;
    }

    /**
     * Serves TLS with {@code certificateChain} and {@code privateKey} (PEM files; the key readable
     * by its owner only) and refuses every connection that does not use it.
     */
    public Builder requireTls(Path certificateChain, Path privateKey) {
      serverConfig.put("ssl", "on");
      serverConfig.put("ssl_cert_file", requireNonNull(certificateChain, "certificateChain is null").toAbsolutePath().toString());
      serverConfig.put("ssl_key_file", requireNonNull(privateKey, "privateKey is null").toAbsolutePath().toString());
      this.requireTls = true;
      return this;
    }

    /** Builds the server (choosing its port now); call {@link PostgresServer#start()} next. */
    public PostgresServer build() {
      return new PostgresServer(this);
    }
  }
}
