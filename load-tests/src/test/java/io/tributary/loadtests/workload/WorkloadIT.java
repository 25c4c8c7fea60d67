package io.tributary.loadtests.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The workload generator on real PostgreSQL and MariaDB: every kind of column, each key
 * distribution, both bounds; the tables end with exactly the rows its report says, and the same
 * spec and seed make the same tables.
 */
class WorkloadIT {
  private static final Path BINARIES = Path.of("target", "database-binaries").toAbsolutePath();

  @Test
  void postgresTablesHoldWhatTheReportSaysAndTheSameSeedMakesTheSameTables() throws Exception {
    try (LocalDatabase database = LocalDatabase.start(Dialect.POSTGRESQL, fresh("workload-postgres"), BINARIES)) {
      WorkloadReport first = runAndCheck(database, Dialect.POSTGRESQL, spec("a_", new KeyDistribution.Zipf(1.1), 2_000));
      WorkloadReport second = runAndCheck(database, Dialect.POSTGRESQL, spec("b_", new KeyDistribution.Zipf(1.1), 2_000));

      assertThat(first.stoppedBy()).isEqualTo("count");
      assertThat(second.rows().values()).containsExactlyElementsOf(first.rows().values());
      for (int t = 1; t <= 3; t++) {
        assertThat(digest(database, "public.b_" + t)).as("table %d", t).isEqualTo(digest(database, "public.a_" + t));
      }
    }
  }

  @Test
  void mariadbTakesEveryColumnKindAndSequentialKeys() throws Exception {
    try (LocalDatabase database = LocalDatabase.start(Dialect.MARIADB, fresh("workload-mariadb"), BINARIES)) {
      WorkloadReport report = runAndCheck(database, Dialect.MARIADB, spec("m_", new KeyDistribution.Sequential(), 1_500));

      assertThat(report.database()).isEqualTo("mariadb");
      assertThat(report.stoppedBy()).isEqualTo("count");
    }
  }

  @Test
  void stopsWhenItsTimeIsUpAndNeverRunsAheadOfItsRate() throws Exception {
    try (LocalDatabase database = LocalDatabase.start(Dialect.POSTGRESQL, fresh("workload-paced"), BINARIES)) {
      WorkloadSpec spec = new WorkloadSpec(2, "p_", 10, 60, 30, 10, List.of(ColumnKind.INT, ColumnKind.TEXT), 64,
          new KeyDistribution.Uniform(), 5, 200, Duration.ofSeconds(2), 1_000_000, 2, 3);
      WorkloadReport report = runAndCheck(database, Dialect.POSTGRESQL, spec);

      assertThat(report.stoppedBy()).isEqualTo("duration");
      // Each connection's transactions are due on a schedule: never more than it allows in the time.
      assertThat(report.changes()).isPositive().isLessThanOrEqualTo(200 * 2 + 2 * 5);
      assertThat(report.targetRate()).isEqualTo(200);
    }
  }

  private static WorkloadSpec spec(String prefix, KeyDistribution keys, long changes) {
    return new WorkloadSpec(3, prefix, 50, 40, 40, 20, Arrays.asList(ColumnKind.values()), 400, keys, 7, 0,
        Duration.ofMinutes(2), changes, 2, 11);
  }

  /** Runs {@code spec} and checks the tables against its report. */
  private static WorkloadReport runAndCheck(LocalDatabase database, Dialect dialect, WorkloadSpec spec)
      throws Exception {
    Workload workload = new Workload(spec, dialect);
    try (Connection connection = database.connect()) {
      workload.prepare(connection);
    }
    WorkloadReport report = workload.run(database::connect);

    assertThat(report.changes()).isEqualTo(report.inserts() + report.updates() + report.deletes());
    assertThat(report.tableChanges().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(report.changes());
    assertThat(report.transactions()).isPositive();
    if (report.stoppedBy().equals("count")) {
      assertThat(report.changes()).isEqualTo(spec.maxChanges());
      assertThat(report.transactions()).isGreaterThanOrEqualTo(spec.maxChanges() / spec.transactionSize());
      assertThat(report.updates()).isPositive();
      assertThat(report.deletes()).isPositive();
    }
    assertThat(report.rows().keySet()).containsExactlyInAnyOrderElementsOf(workload.tables());
    long made = 0;
    for (String table : workload.tables()) {
      long rows = count(database, table);
      assertThat(rows).as(table).isEqualTo(report.rows().get(table));
      made += rows;
    }
    assertThat(made).isEqualTo(spec.tables() * spec.initialRows() + report.inserts() - report.deletes());
    return report;
  }

  private static long count(LocalDatabase database, String table) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** A hash of a table's rows in key order. */
  private static String digest(LocalDatabase database, String table) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM " + table + " t")) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static Path fresh(String name) throws Exception {
    Path directory = Path.of("target", name).toAbsolutePath();
    if (Files.exists(directory)) {
      try (Stream<Path> paths = Files.walk(directory)) {
        paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> path.toFile().delete());
      }
    }
    return directory;
  }
}
