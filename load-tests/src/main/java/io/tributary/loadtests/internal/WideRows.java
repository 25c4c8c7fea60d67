package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The benchmarks' table, {@code public.wide_rows}: rows of about 200 bytes (a key, a few numbers, a
 * status, a timestamp and a 140-character note), and the loads made on it. Loads run as SQL inside
 * PostgreSQL, so that generating them costs the client nothing and takes little time.
 */
public final class WideRows {
  /** The table, as the gateway's configuration names it. */
  public static final String TABLE = "public.wide_rows";

  /** Each column computed from {@code id}. */
  private static final String ROW = "id, (id % 1000)::int, round((id % 100000) / 100.0, 2),"
      + " (ARRAY['new','paid','packed','shipped','delivered'])[1 + (id % 5)::int],"
      + " timestamptz '2026-01-01 00:00:00+00' + id * interval '1 second',"
      + " 'row ' || id || ' ' || repeat(md5(id::text), 4), 'tag-' || (id % 97)";
  private static final int INSERTS_PER_TRANSACTION = 10;
  private static final int UPDATES_PER_TRANSACTION = 5;
  private static final int DELETES_PER_TRANSACTION = 2;
  /** Transactions per DO block of the mixed load: the unit its time bound is checked at. */
  private static final long TRANSACTIONS_PER_BLOCK = 2_000;

  /** Row changes made by a load, by kind. */
  public record Changes(long inserts, long updates, long deletes, long transactions) {
    public long total() {
      return inserts + updates + deletes;
    }
  }

  private WideRows() {}

  public static void create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE public.wide_rows (
            id bigint PRIMARY KEY, account_id integer NOT NULL, amount numeric(12,2) NOT NULL,
            status text NOT NULL, created_at timestamptz NOT NULL, note text NOT NULL, tags text)""");
    }
  }

  /**
   * Inserts {@code rows} rows and, with {@code update}, updates every one of them, all in one
   * transaction; returns the changes made.
   */
  public static Changes oneTransaction(Connection connection, long rows, boolean update) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      long inserted = statement.executeUpdate("INSERT INTO public.wide_rows SELECT " + ROW
          + " FROM generate_series(1::bigint, " + rows + "::bigint) AS id");
      long updated = update
          ? statement.executeUpdate("UPDATE public.wide_rows SET amount = amount + 1, status = 'updated'") : 0;
      connection.commit();
      return new Changes(inserted, updated, 0, 1);
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * Runs small transactions until at least {@code changes} row changes are made: each inserts 10 new
   * rows, updates 5 rows of the transaction before and deletes 2 rows of the one before that
   * (59 % inserts, 29 % updates, 12 % deletes).
   *
   * @throws IllegalStateException if the load takes longer than {@code timeout}
   */
  public static Changes mixedLoad(Connection connection, long changes, Duration timeout) throws SQLException {
    requireNonNull(timeout, "timeout is null");
    long transactions = transactionsFor(changes);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Statement statement = connection.createStatement()) {
      for (long first = 0; first < transactions; first += TRANSACTIONS_PER_BLOCK) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("The load did not finish within " + timeout.toSeconds() + " s");
        }
        long last = Math.min(transactions, first + TRANSACTIONS_PER_BLOCK) - 1;
        statement.execute(mixedBlock(first, last));
      }
    }
    return mixedChanges(transactions);
  }

  /** The fewest transactions of the mixed load that make at least {@code changes} changes. */
  static long transactionsFor(long changes) {
    long perTransaction = INSERTS_PER_TRANSACTION + UPDATES_PER_TRANSACTION + DELETES_PER_TRANSACTION;
    long transactions = Math.max(1, changes / perTransaction);
    while (transactions > 1 && mixedChanges(transactions - 1).total() >= changes) {
      transactions--;
    }
    while (mixedChanges(transactions).total() < changes) {
      transactions++;
    }
    return transactions;
  }

  /** What {@code transactions} transactions of the mixed load change: the first has no update, the first two no delete. */
  static Changes mixedChanges(long transactions) {
    return new Changes(transactions * INSERTS_PER_TRANSACTION,
        Math.max(0, transactions - 1) * UPDATES_PER_TRANSACTION,
        Math.max(0, transactions - 2) * DELETES_PER_TRANSACTION, transactions);
  }

  private static String mixedBlock(long first, long last) {
    return """
        DO $$
        DECLARE base bigint;
        BEGIN
          FOR t IN %d..%d LOOP
            base := t * %d;
            INSERT INTO public.wide_rows SELECT %s FROM (SELECT base + g AS id FROM generate_series(1, %d) g) s;
            IF t >= 1 THEN
              UPDATE public.wide_rows SET amount = amount + 1, status = 'updated'
                WHERE id BETWEEN base - %d + 1 AND base - %d + %d;
            END IF;
            IF t >= 2 THEN
              DELETE FROM public.wide_rows WHERE id BETWEEN base - %d + 1 AND base - %d + %d;
            END IF;
            COMMIT;
          END LOOP;
        END $$""".formatted(first, last, INSERTS_PER_TRANSACTION, ROW, INSERTS_PER_TRANSACTION,
        INSERTS_PER_TRANSACTION, INSERTS_PER_TRANSACTION, UPDATES_PER_TRANSACTION,
        2 * INSERTS_PER_TRANSACTION, 2 * INSERTS_PER_TRANSACTION, DELETES_PER_TRANSACTION);
  }

  /** The table's size on disk ({@code pg_table_size}: its rows, free space map and TOAST, without indexes). */
  public static long tableBytes(Connection connection) throws SQLException {
    return queryLong(connection, "SELECT pg_table_size('public.wide_rows')");
  }

  /** The average size of a row as PostgreSQL stores it ({@code pg_column_size} of the row), 0 for an empty table. */
  public static long averageRowBytes(Connection connection) throws SQLException {
    return queryLong(connection, "SELECT coalesce(round(avg(pg_column_size(w.*))), 0)::bigint FROM public.wide_rows w");
  }

  /** The current WAL position as a byte offset, to measure how much WAL a load wrote. */
  public static long walPosition(Connection connection) throws SQLException {
    return queryLong(connection, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
  }

  private static long queryLong(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
