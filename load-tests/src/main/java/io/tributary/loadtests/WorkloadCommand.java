package io.tributary.loadtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tributary.loadtests.internal.WorkDirectory;
import io.tributary.loadtests.workload.ColumnKind;
import io.tributary.loadtests.workload.Dialect;
import io.tributary.loadtests.workload.KeyDistribution;
import io.tributary.loadtests.workload.LocalDatabase;
import io.tributary.loadtests.workload.Workload;
import io.tributary.loadtests.workload.WorkloadReport;
import io.tributary.loadtests.workload.WorkloadSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The workload generator on its own: changes on a PostgreSQL or MariaDB database, given by its JDBC
 * URL or started here on 127.0.0.1, at a target rate, bounded by time and count; prints (and with
 * {@code --report} writes as JSON) what it made and the rate it achieved.
 */
@Command(name = "workload", mixinStandardHelpOptions = true,
    description = "Makes inserts, updates and deletes on PostgreSQL or MariaDB at a target rate; stops by itself.")
final class WorkloadCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  Benchmarks parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--database", defaultValue = "postgresql", description = "postgresql or mariadb (default: ${DEFAULT-VALUE})")
  String database;

  @Option(names = "--jdbc-url", description = "The database to change; by default one is started here on 127.0.0.1")
  String jdbcUrl;

  @Option(names = "--user", description = "The user of --jdbc-url")
  String user;

  @Option(names = "--password-env", description = "Environment variable holding the password of --user")
  String passwordVariable;

  @Option(names = "--tables", defaultValue = "4", description = "Tables (default: ${DEFAULT-VALUE})")
  int tables;

  @Option(names = "--table-prefix", defaultValue = "load_", description = "Start of the tables' names (default: ${DEFAULT-VALUE})")
  String tablePrefix;

  @Option(names = "--initial-rows", defaultValue = "10000", description = "Rows per table before the changes (default: ${DEFAULT-VALUE})")
  long initialRows;

  @Option(names = "--mix", defaultValue = "50,40,10", split = ",",
      description = "Percent of inserts, updates, deletes (default: ${DEFAULT-VALUE})")
  List<Integer> mix;

  @Option(names = "--columns", defaultValue = "int,decimal,text,timestamp,boolean", split = ",",
      description = "Columns beside the bigint key: int, bigint, decimal, double, boolean, date, timestamp, uuid, text,"
          + " bytes, json (default: ${DEFAULT-VALUE})")
  List<String> columns;

  @Option(names = "--row-width", defaultValue = "200", description = "About how many bytes a row has (default: ${DEFAULT-VALUE})")
  int rowWidth;

  @Option(names = "--keys", defaultValue = "uniform",
      description = "Rows updates and deletes choose: sequential, uniform, zipf or zipf:<exponent> (default: ${DEFAULT-VALUE})")
  String keys;

  @Option(names = "--transaction-size", defaultValue = "10", description = "Changes per transaction (default: ${DEFAULT-VALUE})")
  int transactionSize;

  @Option(names = "--rate", defaultValue = "1000", description = "Changes per second, 0 for unpaced (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--duration", defaultValue = "PT60S", description = "Bound on the time (default: ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--max-changes", defaultValue = "10000000", description = "Bound on the changes (default: ${DEFAULT-VALUE})")
  long maxChanges;

  @Option(names = "--connections", defaultValue = "2", description = "Connections side by side (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random values and choices (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--report", description = "Also write the report as JSON to this file")
  Path report;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Dialect dialect;
    WorkloadSpec workloadSpec;
    try {
      dialect = Dialect.parse(database);
      if (mix.size() != 3) {
        throw new IllegalArgumentException("--mix takes three percentages (insert, update, delete): " + mix);
      }
      workloadSpec = new WorkloadSpec(tables, tablePrefix, initialRows, mix.get(0), mix.get(1), mix.get(2),
          columns.stream().map(ColumnKind::parse).toList(), rowWidth, KeyDistribution.parse(keys), transactionSize, rate,
          duration, maxChanges, connections, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Workload workload = new Workload(workloadSpec, dialect);
    WorkloadReport result;
    if (jdbcUrl == null) {
      Path work = WorkDirectory.emptied(parent.work.resolve("workload").toAbsolutePath());
      out.printf("workload: starting %s under %s%n", dialect.name().toLowerCase(Locale.ROOT), work);
      try (LocalDatabase local = LocalDatabase.start(dialect, work.resolve("servers"),
          parent.work.resolve("database-binaries").toAbsolutePath())) {
        result = run(workload, local::connect, out);
      }
    } else {
      String password = passwordVariable == null ? null : System.getenv(passwordVariable);
      if (passwordVariable != null && password == null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--password-env names " + passwordVariable + ", which is not set");
      }
      result = run(workload, () -> open(jdbcUrl, user, password), out);
    }
    out.println("workload: " + result.summary());
    if (report != null) {
      Path parentDirectory = report.toAbsolutePath().getParent();
      Files.createDirectories(parentDirectory);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(report.toFile(), result);
      out.printf("workload: report in %s%n", report);
    }
    return 0;
  }

  private static WorkloadReport run(Workload workload, Supplier<Connection> connections, PrintWriter out)
      throws Exception {
    out.printf("workload: creating %s%n", String.join(", ", workload.tables()));
    try (Connection connection = connections.get()) {
      workload.prepare(connection);
    }
    out.println("workload: changing them");
    return workload.run(connections);
  }

  private static Connection open(String url, String user, String password) {
    try {
      return DriverManager.getConnection(url, user, password);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to " + url + ": " + e.getMessage(), e);
    }
  }
}
