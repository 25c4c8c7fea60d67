package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * Commits small transactions at a target rate of changes per second, bounded by a count and a time,
 * and records for each change the moment its transaction's COMMIT returned.
 *
 * <p>Each transaction makes {@value #CHANGES_PER_TRANSACTION} changes spread over the
 * {@link LatencyTables}: inserts of new rows and updates of rows inserted recently (the newest
 * {@value #HOT_ROWS} of each table, as an application updates its recent orders). Every change writes a
 * sequence number unique across the run. Several connections each take an equal share of the rate;
 * each transaction has its moment in a fixed schedule, and a connection behind its schedule commits
 * the next one at once, so a rate the source cannot take shows as an achieved rate below the target.
 */
public final class PacedLoad {
  /** Changes per transaction. */
  public static final int CHANGES_PER_TRANSACTION = 10;
  /** How many of each table's newest rows the updates choose from. */
  public static final int HOT_ROWS = 1000;
  /** Of every ten changes, how many are inserts (the rest update). */
  private static final int INSERTS_PER_TEN = 6;

  /**
   * What one run of the load made.
   *
   * @param firstSequence the sequence number of its first change; its changes are numbered on from there
   * @param commitNanos for each change in sequence order, when its COMMIT returned ({@link System#nanoTime()});
   *     0 for the changes of transactions not made because the time was up (a connection behind its
   *     schedule leaves the last of its share out, while another may have made later ones)
   * @param rowIds for each change in sequence order, the id of the row it wrote
   */
  public record Run(long firstSequence, long[] commitNanos, long[] rowIds, long startNanos, long endNanos,
      long inserts, long updates, long transactions) {
    /** The changes made. */
    public long changes() {
      return Arrays.stream(commitNanos).filter(nanos -> nanos != 0).count();
    }

    /** Whether the change at {@code index} (its sequence number minus the first) was made. */
    public boolean made(int index) {
      return commitNanos[index] != 0;
    }

    /** Changes per second from the start until the last commit. */
    public double achievedRate() {
      double seconds = (endNanos - startNanos) / 1e9;
      return seconds <= 0 ? 0 : changes() / seconds;
    }

    /**
     * When each change became visible, 0 for those not yet, given when each sequence number was seen.
     * A change is visible once it or a later change of its row is: a table applied by key keeps only a
     * row's last change of a batch, so a change followed in the same batch by another of its row never
     * shows its own sequence number.
     */
    public long[] visibleNanos(LongUnaryOperator seen) {
      int[] next = nextOfSameRow();
      long[] visible = new long[commitNanos.length];
      for (int i = visible.length - 1; i >= 0; i--) {
        if (!made(i)) {
          continue;
        }
        long own = seen.applyAsLong(firstSequence + i);
        long later = next[i] < 0 ? 0 : visible[next[i]];
        visible[i] = own == 0 ? later : later == 0 ? own : Math.min(own, later);
      }
      return visible;
    }

    private int[] nextOfSameRow() {
      int[] next = new int[rowIds.length];
      Map<Long, Integer> last = new HashMap<>();
      for (int i = 0; i < rowIds.length; i++) {
        next[i] = -1;
        if (!made(i)) {
          continue;
        }
        Integer previous = last.put(rowIds[i], i);
        if (previous != null) {
          next[previous] = i;
        }
      }
      return next;
    }
  }

  private final Supplier<Connection> connections;
  private final int connectionCount;
  private long nextSequence = 1;

  /** @param connections opens a connection to the source; each connection of a run is closed after it */
  public PacedLoad(Supplier<Connection> connections, int connectionCount) {
    this.connections = requireNonNull(connections, "connections is null");
    if (connectionCount < 1) {
      throw new IllegalArgumentException("connectionCount must be >= 1: " + connectionCount);
    }
    this.connectionCount = connectionCount;
  }

  /** The sequence number the next change will write. */
  public long nextSequence() {
    return nextSequence;
  }

  /**
   * Makes changes at {@code rate} per second for at most {@code duration} and at most {@code maxChanges}
   * changes, and returns when every connection committed its last transaction. Not thread-safe.
   */
  public Run run(double rate, Duration duration, long maxChanges) throws Exception {
    long transactions = Math.max(1, Math.min(maxChanges, (long) (rate * duration.toNanos() / 1e9))
        / CHANGES_PER_TRANSACTION);
    long first = nextSequence;
    long[] commitNanos = new long[Math.toIntExact(transactions * CHANGES_PER_TRANSACTION)];
    long[] rowIds = new long[commitNanos.length];
    long intervalNanos = (long) (1e9 * CHANGES_PER_TRANSACTION * connectionCount / rate);
    ExecutorService threads = Executors.newFixedThreadPool(connectionCount, task -> {
      Thread thread = new Thread(task, "latency-load");
      thread.setDaemon(true);
      return thread;
    });
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    List<Future<long[]>> counts = new ArrayList<>();
    try {
      for (int c = 0; c < connectionCount; c++) {
        int connection = c;
        counts.add(threads.submit(() -> connectionLoad(connection, transactions, start, intervalNanos, deadline, first,
            commitNanos, rowIds)));
      }
      long inserts = 0;
      long updates = 0;
      long made = 0;
      for (Future<long[]> count : counts) {
        long[] result;
        try {
          result = count.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
        made += result[0];
        inserts += result[1];
        updates += result[2];
      }
      long end = Arrays.stream(commitNanos).max().orElse(start);
      nextSequence = first + commitNanos.length;
      return new Run(first, commitNanos, rowIds, start, Math.max(start, end), inserts, updates, made);
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * One connection's share: transactions {@code connection}, {@code connection + connectionCount}, ...
   * Returns {transactions, inserts, updates}.
   */
  private long[] connectionLoad(int connection, long transactions, long start, long intervalNanos, long deadline,
      long firstSequence, long[] commitNanos, long[] rowIds) throws SQLException {
    int tables = LatencyTables.TABLES.size();
    long made = 0;
    long inserts = 0;
    long updates = 0;
    // Per table, the ids this connection inserted and committed, newest last: what its updates choose from.
    long[][] recent = new long[tables][HOT_ROWS];
    int[] recentCount = new int[tables];
    try (Connection db = connections.get()) {
      db.setAutoCommit(false);
      PreparedStatement[] insert = new PreparedStatement[tables];
      PreparedStatement[] update = new PreparedStatement[tables];
      for (int t = 0; t < tables; t++) {
        String table = LatencyTables.TABLES.get(t);
        insert[t] = db.prepareStatement("INSERT INTO " + table + " (id, seq, amount, note) VALUES (?, ?, ?, ?)");
        update[t] = db.prepareStatement("UPDATE " + table + " SET seq = ?, amount = ?, note = ?, updated_at = now()"
            + " WHERE id = ?");
      }
      long[] inserted = new long[CHANGES_PER_TRANSACTION];
      int[] insertedTable = new int[CHANGES_PER_TRANSACTION];
      for (long tx = connection; tx < transactions; tx += connectionCount) {
        long due = start + (tx / connectionCount) * intervalNanos;
        long now = System.nanoTime();
        if (now >= deadline) {
          break;
        }
        if (due > now) {
          LockSupport.parkNanos(due - now);
        }
        boolean[] batched = new boolean[tables * 2];
        int insertedNow = 0;
        for (int i = 0; i < CHANGES_PER_TRANSACTION; i++) {
          long sequence = firstSequence + tx * CHANGES_PER_TRANSACTION + i;
          int t = (int) (sequence % tables);
          BigDecimal amount = BigDecimal.valueOf(sequence % 1_000_000, 2);
          int known = Math.min(recentCount[t], HOT_ROWS);
          if (i < INSERTS_PER_TEN * CHANGES_PER_TRANSACTION / 10 || known == 0) {
            // The sequence number is unique, and so is the id made of it.
            insert[t].setLong(1, sequence);
            insert[t].setLong(2, sequence);
            insert[t].setBigDecimal(3, amount);
            insert[t].setString(4, "order note " + sequence);
            insert[t].addBatch();
            batched[t] = true;
            rowIds[(int) (tx * CHANGES_PER_TRANSACTION + i)] = sequence;
            inserted[insertedNow] = sequence;
            insertedTable[insertedNow++] = t;
            inserts++;
          } else {
            long id = recent[t][(int) Math.floorMod(sequence * 7919, (long) known)];
            update[t].setLong(1, sequence);
            update[t].setBigDecimal(2, amount);
            update[t].setString(3, "updated " + sequence);
            update[t].setLong(4, id);
            rowIds[(int) (tx * CHANGES_PER_TRANSACTION + i)] = id;
            update[t].addBatch();
            batched[tables + t] = true;
            updates++;
          }
        }
        for (int t = 0; t < tables; t++) {
          if (batched[t]) {
            insert[t].executeBatch();
          }
          if (batched[tables + t]) {
            update[t].executeBatch();
          }
        }
        db.commit();
        long committed = System.nanoTime();
        for (int i = 0; i < CHANGES_PER_TRANSACTION; i++) {
          commitNanos[(int) (tx * CHANGES_PER_TRANSACTION + i)] = committed;
        }
        for (int i = 0; i < insertedNow; i++) {
          int t = insertedTable[i];
          recent[t][recentCount[t] % HOT_ROWS] = inserted[i];
          recentCount[t]++;
        }
        made++;
      }
    }
    return new long[] {made, inserts, updates};
  }
}
