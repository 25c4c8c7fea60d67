package io.tributary.loadtests.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables of the latency benchmark: each change writes a sequence number unique across them, which
 * the Delta tables show once the change is applied.
 */
public final class LatencyTables {
  /** The captured tables, {@code schema.table}. */
  public static final List<String> TABLES = List.of("public.latency_a", "public.latency_b", "public.latency_c");
  /** The column holding each change's sequence number. */
  public static final String SEQUENCE_COLUMN = "seq";

  private LatencyTables() {}

  public static void create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String table : TABLES) {
        statement.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, seq bigint NOT NULL, amount numeric(12, 2)"
            + " NOT NULL, note text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
      }
    }
  }
}
