package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the PostgreSQL store's calls, one transaction each, on a connection from the pool, and turns
 * database failures into the store contract's errors: a failure before the commit was sent changed
 * nothing ({@code COORDINATOR_UNAVAILABLE}), a failure while committing leaves the outcome unknown
 * ({@code STORAGE_FAILURE}). Transactions the server aborted as a serialization failure or deadlock,
 * and calls whose connection broke before the commit, are retried a bounded number of times.
 * Thread-safe.
 */
final class PostgresTransactions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresTransactions.class);
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
}
