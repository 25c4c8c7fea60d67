package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;

/**
 * The CPU time of a PostgreSQL server: its main process and every process it started, those that
 * ended meanwhile included ({@link ChildJvm#treeCpuSeconds}). During a streaming capture that is
 * mostly the WAL sender decoding for it; during a snapshot, the server process reading the table.
 */
public final class PostgresCpu {
  /** The server's main process; empty where {@code /proc} cannot tell. */
  private final OptionalLong postmaster;

  private PostgresCpu(OptionalLong postmaster) {
    this.postmaster = requireNonNull(postmaster, "postmaster is null");
  }

  /** The server {@code connection} is connected to: its main process is the parent of the connection's. */
  public static PostgresCpu of(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
      result.next();
      return new PostgresCpu(ChildJvm.parentOf(result.getLong(1)));
    }
  }

  /** Starts counting the server's CPU time from now. */
  public Interval start() {
    return new Interval(postmaster.isPresent() ? ChildJvm.treeCpuSeconds(postmaster.getAsLong()) : Double.NaN);
  }

  /** The server's CPU time from a moment on. */
  public final class Interval {
    private final double start;

    private Interval(double start) {
      this.start = start;
    }

    /** The seconds used since the start; -1 if they cannot be read. */
    public double seconds() {
      if (postmaster.isEmpty() || Double.isNaN(start)) {
        return -1;
      }
      double now = ChildJvm.treeCpuSeconds(postmaster.getAsLong());
      return Double.isNaN(now) ? -1 : now - start;
    }
  }
}
