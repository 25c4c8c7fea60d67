package io.tributary.loadtests.workload;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Makes a {@link WorkloadSpec}'s changes on a real PostgreSQL or MariaDB database: {@link #prepare}
 * creates the tables and loads their first rows, {@link #run} commits transactions of inserts,
 * updates and deletes at the target rate until its count or its time is used up, and reports what it
 * made and the rate it achieved.
 *
 * <p>Each connection runs its share of the rate on a fixed schedule: a transaction is due at its
 * moment, and a connection behind its schedule commits the next one at once, so a rate the database
 * cannot take shows as an achieved rate below the target. Connections own disjoint keys (the initial
 * rows are dealt out among them, and each inserts keys of its own), so their transactions never wait
 * on each other's row locks and a run's outcome depends only on the spec and its seed.
 */
public final class Workload {
  /** Rows of the initial load per batch and per transaction. */
  private static final int LOAD_BATCH = 1_000;
  private static final int LOAD_TRANSACTION = 10_000;

  private final WorkloadSpec spec;
  private final Dialect dialect;
  private final List<String> tables;
  private final int variableLength;
  private final AtomicBoolean ran = new AtomicBoolean();
  /** Set by {@link #stop}, and by a failing connection to end the others. */
  private final AtomicBoolean stop = new AtomicBoolean();

  public Workload(WorkloadSpec spec, Dialect dialect) {
    this.spec = requireNonNull(spec, "spec is null");
    this.dialect = requireNonNull(dialect, "dialect is null");
    this.tables = spec.tableNames().stream().map(dialect::qualified).toList();
    this.variableLength = spec.variableLength();
  }

  /** The tables, qualified as the source's SQL and a gateway's {@code source.tables} name them. */
  public List<String> tables() {
    return tables;
  }

  /**
   * Creates the tables, which must not exist, and inserts {@code initialRows} rows into each, keys 1
   * to {@code initialRows}.
   */
  public void prepare(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    try (Statement statement = connection.createStatement()) {
      for (String table : tables) {
        statement.execute(createTable(table));
      }
      connection.setAutoCommit(false);
      for (int t = 0; t < tables.size(); t++) {
        SplittableRandom random = new SplittableRandom(spec.seed() ^ (0x5DEECE66DL * (t + 1)));
        try (PreparedStatement insert = connection.prepareStatement(insert(tables.get(t)))) {
          for (long key = 1; key <= spec.initialRows(); key++) {
            bindRow(insert, random, key);
            insert.addBatch();
            if (key % LOAD_BATCH == 0 || key == spec.initialRows()) {
              insert.executeBatch();
            }
            if (key % LOAD_TRANSACTION == 0 || key == spec.initialRows()) {
              connection.commit();
            }
          }
        }
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * Makes the changes over {@code spec.connections()} connections from {@code connections}, each
   * closed when its share is done, and returns when every one committed its last transaction. The
   * tables must hold what {@link #prepare} left in them. A workload runs once.
   *
   * @throws SQLException the first failure of any connection; the others stop at their next transaction
   */
  public WorkloadReport run(Supplier<Connection> connections) throws Exception {
    if (!ran.compareAndSet(false, true)) {
      throw new IllegalStateException("a workload runs once: its keys continue from the rows it made");
    }
    int count = spec.connections();
    ExecutorService threads = Executors.newFixedThreadPool(count, task -> {
      Thread thread = new Thread(task, "workload");
      thread.setDaemon(true);
      return thread;
    });
    long start = System.nanoTime();
    long deadline = start + spec.duration().toNanos();
    try {
      List<Future<Share>> futures = new ArrayList<>();
      for (int c = 0; c < count; c++) {
        long quota = spec.maxChanges() / count + (c < spec.maxChanges() % count ? 1 : 0);
        ConnectionLoad load = new ConnectionLoad(c, quota);
        futures.add(threads.submit(() -> load.run(connections, start, deadline, stop)));
      }
      List<Share> shares = new ArrayList<>();
      Exception failure = null;
      for (Future<Share> future : futures) {
        try {
          shares.add(future.get());
        } catch (ExecutionException e) {
          stop.set(true);
          Exception cause = e.getCause() instanceof Exception exception ? exception : e;
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return report(shares, start);
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Asks a running workload to end: each connection commits the transaction it is making and makes
   * no more, and {@link #run} returns its report then (stopped by {@code "stopped"}).
   */
  public void stop() {
    stop.set(true);
  }

  private WorkloadReport report(List<Share> shares, long start) {
    long inserts = 0;
    long updates = 0;
    long deletes = 0;
    long transactions = 0;
    long end = start;
    boolean timeUp = false;
    Map<String, Long> rows = new TreeMap<>();
    Map<String, Long> changes = new TreeMap<>();
    for (Share share : shares) {
      inserts += share.inserts;
      updates += share.updates;
      deletes += share.deletes;
      transactions += share.transactions;
      end = Math.max(end, share.lastCommitNanos);
      timeUp |= share.timeUp;
      for (int t = 0; t < tables.size(); t++) {
        rows.merge(tables.get(t), (long) share.keys[t].size(), Long::sum);
        changes.merge(tables.get(t), share.tableChanges[t], Long::sum);
      }
    }
    long total = inserts + updates + deletes;
    double seconds = (end - start) / 1e9;
    return new WorkloadReport(dialect.name().toLowerCase(Locale.ROOT), spec.describe(), total, inserts, updates,
        deletes, transactions, seconds, seconds > 0 ? total / seconds : 0, spec.rate(),
        timeUp ? "duration" : stop.get() ? "stopped" : "count", rows, changes);
  }

  private String createTable(String table) {
    StringBuilder sql = new StringBuilder("CREATE TABLE ").append(table).append(" (id bigint NOT NULL PRIMARY KEY");
    for (int i = 0; i < spec.columns().size(); i++) {
      ColumnKind kind = spec.columns().get(i);
      sql.append(", ").append(column(i)).append(' ').append(dialect.type(kind, variableLength));
    }
    return sql.append(')').toString();
  }

  private String insert(String table) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (id");
    for (int i = 0; i < spec.columns().size(); i++) {
      sql.append(", ").append(column(i));
    }
    return sql.append(") VALUES (?").append(", ?".repeat(spec.columns().size())).append(')').toString();
  }

  private String update(String table) {
    StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET ");
    for (int i = 0; i < spec.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(column(i)).append(" = ?");
    }
    return sql.append(" WHERE id = ?").toString();
  }

  /** A column's name: its kind and its place, {@code text_3}. */
  private String column(int index) {
    return spec.columns().get(index).name().toLowerCase(Locale.ROOT) + "_" + (index + 1);
  }

  /** Binds key and new values of an insert. */
  private void bindRow(PreparedStatement insert, SplittableRandom random, long key) throws SQLException {
    insert.setLong(1, key);
    bindValues(insert, 2, random);
  }

  private void bindValues(PreparedStatement statement, int first, SplittableRandom random) throws SQLException {
    for (int i = 0; i < spec.columns().size(); i++) {
      spec.columns().get(i).bind(statement, first + i, dialect, random, variableLength);
    }
  }

  /** What one connection made. */
  private static final class Share {
    long inserts;
    long updates;
    long deletes;
    long transactions;
    long lastCommitNanos;
    boolean timeUp;
    LiveKeys[] keys;
    long[] tableChanges;
  }

  /** One connection's share of the changes, with the keys it owns. */
  private final class ConnectionLoad {
    private static final int INSERT = 0;
    private static final int UPDATE = 1;
    private static final int DELETE = 2;

    private final int connection;
    private final long quota;
    private final SplittableRandom random;
    private final Share share = new Share();
    private long nextKey;
    /** The statement whose batch is not yet executed, what kind, and the keys it holds. */
    private PreparedStatement pending;
    private int pendingKind;
    private final List<Long> pendingKeys = new ArrayList<>();
    private String pendingTable;

    ConnectionLoad(int connection, long quota) {
      this.connection = connection;
      this.quota = quota;
      this.random = new SplittableRandom(spec.seed() + (connection + 1) * 0x9E3779B97F4A7C15L);
      share.keys = new LiveKeys[tables.size()];
      share.tableChanges = new long[tables.size()];
      int connections = spec.connections();
      for (int t = 0; t < tables.size(); t++) {
        share.keys[t] = new LiveKeys(spec.keys());
        for (long key = connection + 1; key <= spec.initialRows(); key += connections) {
          share.keys[t].add(key);
        }
      }
      nextKey = spec.initialRows() + connection + 1;
    }

    Share run(Supplier<Connection> connections, long start, long deadline, AtomicBoolean stop) throws SQLException {
      int size = spec.transactionSize();
      long intervalNanos = spec.rate() == 0 ? 0 : (long) (1e9 * size * spec.connections() / spec.rate());
      try (Connection db = connections.get()) {
        db.setAutoCommit(false);
        PreparedStatement[][] statements = new PreparedStatement[tables.size()][];
        for (int t = 0; t < tables.size(); t++) {
          String table = tables.get(t);
          statements[t] = new PreparedStatement[] {db.prepareStatement(insert(table)),
              db.prepareStatement(update(table)), db.prepareStatement("DELETE FROM " + table + " WHERE id = ?")};
        }
        long made = 0;
        for (long tx = 0; made < quota && !stop.get(); tx++) {
          long due = start + tx * intervalNanos;
          long now = System.nanoTime();
          if (due > now) {
            LockSupport.parkNanos(due - now);
            now = System.nanoTime();
          }
          if (now >= deadline) {
            share.timeUp = true;
            break;
          }
          int changes = (int) Math.min(size, quota - made);
          for (int i = 0; i < changes; i++) {
            change(statements);
          }
          flush();
          db.commit();
          share.lastCommitNanos = System.nanoTime();
          share.transactions++;
          made += changes;
        }
      }
      return share;
    }

    /** Adds one change to the transaction: an insert, or an update or delete of a key this connection owns. */
    private void change(PreparedStatement[][] statements) throws SQLException {
      int t = random.nextInt(tables.size());
      LiveKeys keys = share.keys[t];
      int pick = random.nextInt(100);
      int kind = pick < spec.insertPercent() || keys.size() == 0 ? INSERT
          : pick < spec.insertPercent() + spec.updatePercent() ? UPDATE : DELETE;
      PreparedStatement statement = statements[t][kind];
      if (statement != pending) {
        flush();
      }
      long key;
      switch (kind) {
        case INSERT -> {
          key = nextKey;
          nextKey += spec.connections();
          bindRow(statement, random, key);
          keys.add(key);
          share.inserts++;
        }
        case UPDATE -> {
          key = keys.get(keys.choose(random));
          bindValues(statement, 1, random);
          statement.setLong(spec.columns().size() + 1, key);
          share.updates++;
        }
        default -> {
          int index = keys.choose(random);
          key = keys.get(index);
          keys.remove(index);
          statement.setLong(1, key);
          share.deletes++;
        }
      }
      statement.addBatch();
      share.tableChanges[t]++;
      pending = statement;
      pendingKind = kind;
      pendingTable = tables.get(t);
      pendingKeys.add(key);
    }

    /** Executes the pending batch and checks that each statement changed its one row. */
    private void flush() throws SQLException {
      if (pending == null) {
        return;
      }
      int[] counts = pending.executeBatch();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] >= 0 && counts[i] != 1) {
          throw new IllegalStateException(switch (pendingKind) {
            case INSERT -> "insert";
            case UPDATE -> "update";
            default -> "delete";
          } + " of " + pendingTable + " id " + pendingKeys.get(i) + " changed " + counts[i]
              + " rows: the table was changed by something other than this workload");
        }
      }
      pending = null;
      pendingKeys.clear();
    }
  }
}
