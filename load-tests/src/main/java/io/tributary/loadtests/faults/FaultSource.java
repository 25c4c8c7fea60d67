package io.tributary.loadtests.faults;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.TableDigest;
import io.tributary.loadtests.workload.Dialect;
import io.tributary.loadtests.workload.Workload;
import io.tributary.loadtests.workload.WorkloadReport;
import io.tributary.loadtests.workload.WorkloadSpec;
import io.tributary.testing.ManagedServer;
import io.tributary.testing.MariaDbServer;
import io.tributary.testing.PostgresServer;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One source database of the run (PostgreSQL or MariaDB, its own server processes, on 127.0.0.1),
 * with the load it takes and its marker table. A marker is a row committed to {@value #MARKS} when a
 * fault ends; the time until it is visible in its Delta table is the time the pipeline took to
 * recover from that fault.
 */
final class FaultSource implements AutoCloseable {
  /** The database the tables are in, on either server. */
  static final String DATABASE = "bench";
  /** The marker table, captured with the load's tables. */
  static final String MARKS = "fault_marks";
  /** The user the gateway captures as on MariaDB (least privileges); PostgreSQL's gateway uses the superuser. */
  private static final String CAPTURE_USER = "capture";

  private final Dialect dialect;
  private final String sourceName;
  private final ManagedServer server;
  private final String user;
  private final String password;
  private final Workload workload;
  private final ExecutorService loadThread = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "fault-run-load");
    thread.setDaemon(true);
    return thread;
  });
  private Future<WorkloadReport> load;
  private long nextMark = 1;

  private FaultSource(Dialect dialect, String sourceName, ManagedServer server, String user, String password,
      Workload workload) {
    this.dialect = dialect;
    this.sourceName = sourceName;
    this.server = server;
    this.user = user;
    this.password = password;
    this.workload = workload;
  }

  /**
   * Starts the server of {@code dialect} under {@code directory} (its distribution unpacked once into
   * {@code binaries}), creates database {@value #DATABASE}, the load's tables with their first rows
   * and the marker table.
   */
  static FaultSource start(Dialect dialect, Path directory, Path binaries, WorkloadSpec spec) throws SQLException {
    String sourceName = dialect == Dialect.POSTGRESQL ? "pg" : "maria";
    Workload workload = new Workload(spec, dialect);
    if (dialect == Dialect.POSTGRESQL) {
      PostgresServer postgres = PostgresServer.builder(directory.resolve("postgres"))
          .binariesDirectory(binaries.resolve("postgres"))
          .serverConfig("max_wal_size", "4GB")
          .startupTimeout(Duration.ofSeconds(60))
          .build();
      postgres.start();
      FaultSource source = new FaultSource(dialect, sourceName, postgres, postgres.superuser(),
          postgres.superuserPassword(), workload);
      return source.prepared(() -> postgres.createDatabase(DATABASE));
    }
    MariaDbServer mariadb = MariaDbServer.builder(directory.resolve("mariadb"))
        .binariesDirectory(binaries.resolve("mariadb"))
        .startupTimeout(Duration.ofMinutes(2))
        .build();
    mariadb.start();
    FaultSource source = new FaultSource(dialect, sourceName, mariadb, CAPTURE_USER, "capture-" + UUID.randomUUID(),
        workload);
    return source.prepared(() -> {
      mariadb.createDatabase(DATABASE);
      mariadb.createCaptureUser(CAPTURE_USER, source.password, DATABASE);
    });
  }

  private FaultSource prepared(Runnable createDatabase) throws SQLException {
    try {
      createDatabase.run();
      try (Connection connection = connect()) {
        workload.prepare(connection);
        connection.createStatement().execute("CREATE TABLE " + qualified(MARKS)
            + " (id bigint NOT NULL PRIMARY KEY, fault integer NOT NULL)");
      }
      return this;
    } catch (SQLException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The source's name in Tributary: the first part of its table ids. */
  String name() {
    return sourceName;
  }

  Dialect dialect() {
    return dialect;
  }

  /** {@code postgresql} or {@code mariadb}, as a gateway's {@code source.connector} names it. */
  String connector() {
    return dialect.name().toLowerCase(Locale.ROOT);
  }

  int port() {
    return server.port();
  }

  /** The user the gateway and {@code tributary verify} connect as. */
  String user() {
    return user;
  }

  String password() {
    return password;
  }

  String jdbcUrl() {
    return dialect == Dialect.POSTGRESQL ? ((PostgresServer) server).jdbcUrl(DATABASE)
        : ((MariaDbServer) server).jdbcUrl(DATABASE);
  }

  /** The tables the gateway captures and the run verifies, as {@code schema.table}: the load's and the marker table. */
  List<String> tables() {
    List<String> tables = new ArrayList<>();
    workload.tables().forEach(table -> tables.add(schemaQualified(table.substring(table.indexOf('.') + 1))));
    tables.add(schemaQualified(MARKS));
    return tables;
  }

  private String schemaQualified(String table) {
    return (dialect == Dialect.POSTGRESQL ? "public." : DATABASE + ".") + table;
  }

  private String qualified(String table) {
    return dialect.qualified(table);
  }

  /** Starts the load on a thread of its own; it runs until {@link #stopLoad}. */
  void startLoad() {
    load = loadThread.submit(() -> workload.run(this::connect));
  }

  /** Whether the load has ended by itself (it failed, or its bounds were reached). */
  boolean loadEnded() {
    return load != null && load.isDone();
  }

  /** Stops the load and returns what it made. */
  WorkloadReport stopLoad() throws Exception {
    workload.stop();
    return load.get(2, TimeUnit.MINUTES);
  }

  /** Commits the next marker row, naming {@code fault}; returns its key. */
  long mark(int fault) throws SQLException {
    long key = nextMark++;
    try (Connection connection = connect();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO " + qualified(MARKS) + " VALUES (?, ?)")) {
      insert.setLong(1, key);
      insert.setInt(2, fault);
      insert.executeUpdate();
    }
    return key;
  }

  /** Whether marker {@code key} is in the marker table's Delta table under {@code tablesRoot}; false while it cannot be read. */
  boolean markVisible(URI tablesRoot, long key) {
    String schema = dialect == Dialect.POSTGRESQL ? "public" : DATABASE;
    URI location = tablesRoot.resolve(sourceName + "/" + schema + "/" + MARKS);
    try {
      long[] keys = TableDigest.of(location).keys();
      return Arrays.binarySearch(keys, key) >= 0;
    } catch (RuntimeException e) {
      // Not created yet, or a commit being written: not visible yet.
      return false;
    }
  }

  /** A new superuser (root) connection to {@value #DATABASE}, in auto-commit mode. */
  Connection connect() {
    return dialect == Dialect.POSTGRESQL ? ((PostgresServer) server).connect(DATABASE)
        : ((MariaDbServer) server).connect(DATABASE);
  }

  @Override
  public void close() {
    loadThread.shutdownNow();
    server.close();
  }
}
