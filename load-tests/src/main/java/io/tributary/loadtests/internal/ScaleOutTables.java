package io.tributary.loadtests.internal;

import io.tributary.staging.ManifestSerde;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.utils.Utils;

/**
 * The source of benchmark {@code scale-out}: many tables of one shape (a bigint key, an account, an
 * amount, a note of 32 characters, a revision and a timestamp; about 80 bytes a row), named so that
 * the manifests of each fall on a partition of their own, and a backlog of small transactions spread
 * evenly over them. Each transaction changes one table, the tables in turn: it inserts
 * {@value #INSERTS} rows of new keys, deletes the table's oldest row and updates {@value #UPDATES}
 * other rows, evenly spaced over the rows it holds from a start drawn uniformly.
 */
public final class ScaleOutTables {
  public static final String SCHEMA = "public";
  public static final int INSERTS = 6;
  public static final int UPDATES = 3;
  public static final int DELETES = 1;
  public static final int CHANGES_PER_TRANSACTION = INSERTS + UPDATES + DELETES;
  private static final String PREFIX = "events_";

  private ScaleOutTables() {}

  /** What the load made, and how long it took. */
  public record Load(long transactions, long inserts, long updates, long deletes, double seconds) {
    public long changes() {
      return inserts + updates + deletes;
    }
  }

  /** A table's rows at the source: how many, and the sum of their keys. */
  public record Counts(long rows, long keySum) {}

  /**
   * Names {@code count} tables ({@code schema.table}) of source {@code source} so that table {@code i}'s
   * manifests go to partition {@code i % partitions} of a topic of {@code partitions} partitions: Kafka's
   * default partitioner places a record by the murmur2 hash of its key, the table id.
   */
  public static List<String> names(String source, int count, int partitions) {
    List<String> names = new ArrayList<>();
    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int partition = i % partitions;
      for (int n = 0; ; n++) {
        String name = SCHEMA + "." + PREFIX + n;
        if (!taken.contains(n) && partition(source, name, partitions) == partition) {
          taken.add(n);
          names.add(name);
          break;
        }
      }
    }
    return List.copyOf(names);
  }

  /** The partition the manifests of {@code table} ({@code schema.table}) of {@code source} go to. */
  public static int partition(String source, String table, int partitions) {
    String[] parts = table.split("\\.");
    byte[] key = ManifestSerde.key(new TableId(source, parts[0], parts[1]));
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  /** Creates the tables, empty. */
  public static void create(Connection connection, List<String> tables) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String table : tables) {
        statement.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, account bigint NOT NULL,"
            + " amount numeric(12,2) NOT NULL, note text NOT NULL, revision int NOT NULL, updated_at timestamptz NOT NULL)");
      }
    }
  }

  /**
   * Commits {@code transactions} transactions, the tables in turn, as fast as one connection can; stops
   * early when {@code deadlineNanos} ({@link System#nanoTime()}) passes.
   */
  public static Load load(Connection connection, List<String> tables, long transactions, long deadlineNanos)
      throws SQLException {
    int count = tables.size();
    PreparedStatement[] inserts = new PreparedStatement[count];
    PreparedStatement[] deletes = new PreparedStatement[count];
    PreparedStatement[] updates = new PreparedStatement[count];
    long[] nextKey = new long[count];
    long[] oldestKey = new long[count];
    SplittableRandom random = new SplittableRandom(7);
    boolean autoCommit = connection.getAutoCommit();
    long start = System.nanoTime();
    long made = 0;
    try {
      for (int t = 0; t < count; t++) {
        inserts[t] = connection.prepareStatement("INSERT INTO " + tables.get(t) + " SELECT k, k % 1000,"
            + " (k % 100000) / 100.0, md5(k::text), 0, now() FROM generate_series(?::bigint, ?::bigint) AS k");
        deletes[t] = connection.prepareStatement("DELETE FROM " + tables.get(t) + " WHERE id = ?");
        updates[t] = connection.prepareStatement("UPDATE " + tables.get(t) + " SET amount = amount + 1,"
            + " revision = revision + 1, updated_at = now() WHERE id = ANY (?)");
        nextKey[t] = 1;
        oldestKey[t] = 1;
      }
      connection.setAutoCommit(false);
      for (; made < transactions && System.nanoTime() < deadlineNanos; made++) {
        int t = (int) (made % count);
        inserts[t].setLong(1, nextKey[t]);
        inserts[t].setLong(2, nextKey[t] + INSERTS - 1);
        inserts[t].executeUpdate();
        nextKey[t] += INSERTS;
        deletes[t].setLong(1, oldestKey[t]);
        deletes[t].executeUpdate();
        oldestKey[t]++;
        // Distinct keys among those the table holds: oldestKey to nextKey - 1, at least five of them.
        Long[] keys = new Long[UPDATES];
        long held = nextKey[t] - oldestKey[t];
        long first = random.nextLong(held);
        for (int u = 0; u < UPDATES; u++) {
          keys[u] = oldestKey[t] + (first + u * (held / UPDATES)) % held;
        }
        updates[t].setArray(1, connection.createArrayOf("bigint", keys));
        updates[t].executeUpdate();
        connection.commit();
      }
    } finally {
      for (int t = 0; t < count; t++) {
        close(inserts[t]);
        close(deletes[t]);
        close(updates[t]);
      }
      connection.setAutoCommit(autoCommit);
    }
    return new Load(made, made * INSERTS, made * UPDATES, made * DELETES, (System.nanoTime() - start) / 1e9);
  }

  /** The rows {@code table} holds at the source and the sum of their keys. */
  public static Counts counts(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*), coalesce(sum(id), 0) FROM " + table)) {
      result.next();
      return new Counts(result.getLong(1), result.getLong(2));
    }
  }

  private static void close(PreparedStatement statement) throws SQLException {
    if (statement != null) {
      statement.close();
    }
  }
}
