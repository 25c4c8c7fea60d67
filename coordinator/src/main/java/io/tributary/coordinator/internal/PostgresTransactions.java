package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tributary.coordinator.CoordinatorStoreConfig;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL store's connection pool, opened with the schema brought up to date. Runs the store's
 * calls, one transaction each, on a connection from the pool, and turns database failures into the
 * store contract's errors: a failure before the commit was sent changed nothing
 * ({@code COORDINATOR_UNAVAILABLE}), a failure while committing leaves the outcome unknown
 * ({@code STORAGE_FAILURE}). Transactions the server aborted as a serialization failure or deadlock,
 * and calls whose connection broke before the commit, are retried a bounded number of times.
 * Thread-safe.
 */
final class PostgresTransactions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresTransactions.class);
  private static final String APPLICATION_NAME = "tributary-coordinator";
  /** Bounds a call stuck on a lock or a slow server; lock waits give up first. */
  private static final String SESSION_OPTIONS = "-c statement_timeout=30s -c lock_timeout=20s"
      + " -c idle_in_transaction_session_timeout=60s";
  private static final int SOCKET_TIMEOUT_SECONDS = 60;
  /** Attempts per call, the first included. */
  static final int MAX_ATTEMPTS = 3;
  private static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(2);
  /** serialization_failure, deadlock_detected: PostgreSQL rolled the transaction back. */
  private static final Set<String> ROLLED_BACK = Set.of("40001", "40P01");
  /** admin_shutdown, crash_shutdown, cannot_connect_now. */
  private static final Set<String> SERVER_GOING_AWAY = Set.of("57P01", "57P02", "57P03");

  /** One transaction's work; it may run again after a retryable failure, so it only talks to the database. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final HikariDataSource pool;
  private final String store;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReentrantLock healthCheck = new ReentrantLock();
  private volatile boolean healthy = true;
  private volatile long nextHealthCheck;

  PostgresTransactions(HikariDataSource pool, String store) {
    this.pool = requireNonNull(pool, "pool is null");
    this.store = requireNonNull(store, "store is null");
    this.nextHealthCheck = System.nanoTime() + HEALTH_CHECK_INTERVAL.toNanos();
  }

  /**
   * Opens a connection pool to the database of {@code config} and brings the store's schema up to date
   * with {@link SchemaMigrations}.
   *
   * @throws TributaryException {@code COORDINATOR_UNAVAILABLE} if the database cannot be reached,
   *     {@code CONFIG_INVALID} if it refuses the user or the database or the privileges to create the
   *     schema are missing, {@code INTERNAL} if the schema's migrations do not match this coordinator's
   */
  static PostgresTransactions open(CoordinatorStoreConfig config) {
    String store = describe(config);
    HikariDataSource pool = new HikariDataSource(poolConfig(config));
    PostgresTransactions transactions = new PostgresTransactions(pool, store);
    try {
      migrate(pool, config, store);
    } catch (RuntimeException e) {
      transactions.close();
      throw e;
    }
    return transactions;
  }

  /** Names the store in messages: database, address, schema and user, never the password. */
  String store() {
    return store;
  }

  /** Runs a change and commits it. */
  <T> T write(String action, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      Connection connection = connect(action);
      boolean committing = false;
      try {
        T result = work.run(connection);
        committing = true;
        connection.commit();
        return result;
      } catch (SQLException e) {
        if (!committing) {
          rollback(connection, e);
        }
        if (attempt < MAX_ATTEMPTS && (rolledBack(e) || (!committing && connectionFailure(e)))) {
          LOG.info("Retrying '{}' on the coordinator store ({}) after attempt {} of {} failed: {}", action, store, attempt,
              MAX_ATTEMPTS, problem(e));
          continue;
        }
        throw committing && !rolledBack(e)
            ? CoordinatorErrors.storeOutcomeUnknown(store, action, problem(e), e)
            : CoordinatorErrors.storeUnavailable(store, action, problem(e), e);
      } catch (RuntimeException e) {
        if (!committing) {
          rollback(connection, e);
        }
        throw e;
      } finally {
        close(connection);
      }
    }
  }

  /** Runs a read; nothing it does is kept. */
  <T> T read(String action, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      Connection connection = connect(action);
      try {
        T result = work.run(connection);
        connection.rollback();
        return result;
      } catch (SQLException e) {
        if (attempt < MAX_ATTEMPTS && (rolledBack(e) || connectionFailure(e))) {
          LOG.info("Retrying '{}' on the coordinator store ({}) after attempt {} of {} failed: {}", action, store, attempt,
              MAX_ATTEMPTS, problem(e));
          continue;
        }
        throw CoordinatorErrors.storeUnavailable(store, action, problem(e), e);
      } finally {
        close(connection);
      }
    }
  }

  /**
   * Whether the database answers, as last checked: at most one caller checks every
   * {@link #HEALTH_CHECK_INTERVAL}, the others read the last answer without waiting.
   */
  boolean healthy() {
    if (closed.get()) {
      return false;
    }
    if (System.nanoTime() - nextHealthCheck < 0 || !healthCheck.tryLock()) {
      return healthy;
    }
    try {
      if (System.nanoTime() - nextHealthCheck >= 0) {
        boolean now = probe();
        if (now != healthy) {
          if (now) {
            LOG.info("The coordinator store ({}) answers again", store);
          }
          healthy = now;
        }
        nextHealthCheck = System.nanoTime() + HEALTH_CHECK_INTERVAL.toNanos();
      }
      return healthy;
    } finally {
      healthCheck.unlock();
    }
  }

  /** Closes every connection; calls in progress fail. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      pool.close();
    }
  }

  boolean closed() {
    return closed.get();
  }

  /** Whether the failure means the connection (or the server) went away. */
  static boolean connectionFailure(SQLException e) {
    if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException) {
      return true;
    }
    String state = sqlState(e).orElse("");
    return state.startsWith("08") || SERVER_GOING_AWAY.contains(state);
  }

  /** The first SQLState in the chain of causes. */
  static Optional<String> sqlState(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        return Optional.of(sql.getSQLState());
      }
    }
    return Optional.empty();
  }

  /**
   * What went wrong in one line: the driver's message (the pool's timeout with the connection
   * failure behind it) and the SQLState. Neither the driver nor the pool puts passwords in these.
   */
  static String problem(SQLException e) {
    StringBuilder text = new StringBuilder(firstLine(e.getMessage()));
    if (e instanceof SQLTransientConnectionException && e.getCause() != null && e.getCause().getMessage() != null) {
      text.append(": ").append(firstLine(e.getCause().getMessage()));
    }
    sqlState(e).ifPresent(state -> text.append(" (SQLState ").append(state).append(')'));
    return text.toString();
  }

  private static boolean rolledBack(SQLException e) {
    return sqlState(e).map(ROLLED_BACK::contains).orElse(false);
  }

  private Connection connect(String action) {
    if (closed.get()) {
      throw CoordinatorErrors.storeClosed();
    }
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      if (closed.get()) {
        throw CoordinatorErrors.storeClosed();
      }
      throw CoordinatorErrors.storeUnavailable(store, action, problem(e), e);
    }
  }

  private boolean probe() {
    try (Connection connection = pool.getConnection()) {
      connection.rollback();
      return true;
    } catch (SQLException e) {
      if (healthy) {
        LOG.warn("The coordinator store ({}) does not answer: {}", store, problem(e));
      }
      return false;
    }
  }

  private static void rollback(Connection connection, Exception failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // Expected when the connection broke; the server rolls back a transaction whose session ended.
      failure.addSuppressed(e);
    }
  }

  private static void close(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("Cannot return a connection to the coordinator store's pool: {}", e.toString());
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }

  private static HikariConfig poolConfig(CoordinatorStoreConfig config) {
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("coordinator-store");
    pool.setJdbcUrl(config.url().orElseThrow());
    pool.setUsername(config.user().orElseThrow());
    config.password().ifPresent(password -> pool.setPassword(password.reveal()));
    pool.setMaximumPoolSize(config.poolSize());
    pool.setConnectionTimeout(config.connectTimeout().toMillis());
    pool.setValidationTimeout(Math.max(250, config.connectTimeout().toMillis() / 2));
    // Opening checks the connection itself (migrations), with a clearer error than the pool's.
    pool.setInitializationFailTimeout(-1);
    pool.setAutoCommit(false);
    pool.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    pool.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
    pool.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
    pool.addDataSourceProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    pool.addDataSourceProperty("tcpKeepAlive", "true");
    pool.addDataSourceProperty("options", SESSION_OPTIONS);
    return pool;
  }

  private static void migrate(HikariDataSource pool, CoordinatorStoreConfig config, String store) {
    List<SchemaMigrations.Migration> migrations = SchemaMigrations.load();
    try (Connection connection = pool.getConnection()) {
      // A migration may run longer than the socket timeout meant for the store's calls; the pool resets it.
      connection.setNetworkTimeout(Runnable::run, 0);
      SchemaMigrations.Outcome outcome = SchemaMigrations.apply(connection, config.schema(), migrations, store);
      for (SchemaMigrations.Migration migration : outcome.applied()) {
        LOG.info("Coordinator store ({}): applied migration {}", store, migration.label());
      }
      LOG.info("Opened the coordinator store ({}): schema at migration V{}", store, migrations.size());
    } catch (SQLException e) {
      throw openFailure(config, store, e);
    }
  }

  private static TributaryException openFailure(CoordinatorStoreConfig config, String store, SQLException e) {
    String problem = problem(e);
    String state = sqlState(e).orElse("");
    String user = config.user().orElseThrow();
    if (state.startsWith("28")) {
      return CoordinatorErrors.storeCannotOpen(ErrorCode.CONFIG_INVALID, store, problem,
          "Check coordinator.store.user and coordinator.store.password.", e);
    }
    if (state.equals("3D000")) {
      return CoordinatorErrors.storeCannotOpen(ErrorCode.CONFIG_INVALID, store, problem,
          "Check the database named in coordinator.store.url; it must exist.", e);
    }
    if (state.equals("42501")) {
      return CoordinatorErrors.storeCannotOpen(ErrorCode.CONFIG_INVALID, store, problem, "Grant user '" + user
          + "' the right to create schema '" + config.schema() + "' (CREATE on the database) or tables in it.", e);
    }
    if (connectionFailure(e)) {
      return CoordinatorErrors.storeCannotOpen(ErrorCode.COORDINATOR_UNAVAILABLE, store, problem,
          "Check that PostgreSQL runs at the address in coordinator.store.url and accepts connections from here.", e);
    }
    return CoordinatorErrors.storeCannotOpen(ErrorCode.STORAGE_FAILURE, store, problem,
        "The schema was left as it was; fix the cause and start again.", e);
  }

  /** Names the store without its credentials: database, address, schema and user. */
  static String describe(CoordinatorStoreConfig config) {
    String url = config.redactedUrl().orElseThrow();
    String rest = url.substring("jdbc:postgresql://".length());
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    int slash = rest.indexOf('/');
    String address = slash < 0 ? rest : rest.substring(0, slash);
    String database = slash < 0 || slash == rest.length() - 1 ? config.user().orElseThrow() : rest.substring(slash + 1);
    return "PostgreSQL database '" + database + "' at " + address + ", schema '" + config.schema() + "', user '"
        + config.user().orElseThrow() + "'";
  }
}
