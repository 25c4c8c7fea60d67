package io.tributary.cli;

import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Compares source tables with their Delta tables: row count and a per-row hash of every column.
 * Exits 0 only when every table is equal.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Compare source tables with their Delta tables (row count and per-row hash of every column); exit 0 only when equal.")
final class VerifyCommand implements Callable<Integer> {
  @Option(names = "--source", required = true, description = "JDBC URL of the source database, e.g. jdbc:postgresql://127.0.0.1:5432/shop")
  String sourceUrl;

  @Option(names = "--user", required = true, description = "Source database user")
  String user;

  @Option(names = "--password-env", description = "Name of the environment variable holding the source password")
  String passwordVariable;

  @Option(names = "--source-name", required = true, description = "The source's name in Tributary (first part of table ids)")
  String sourceName;

  @Option(names = "--table", required = true, description = "Table to verify as schema.table; repeatable")
  List<String> tables;

  @Option(names = "--tables-location", required = true, description = "Root of the Delta tables (the applier's applier.tables-location)")
  String tablesLocation;

  @Option(names = "--json", description = "Print one JSON document (exact counts of missing, extra, duplicated and"
      + " different rows per table, and example keys) instead of a paragraph per table")
  boolean json;

  @Override
  public Integer call() {
    String password = passwordVariable == null ? "" : System.getenv(passwordVariable);
    if (password == null) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Environment variable " + passwordVariable + " is not set");
    }
    URI root = tablesLocation.contains(":") ? URI.create(tablesLocation) : Path.of(tablesLocation).toAbsolutePath().toUri();
    List<TableComparison> results = new ArrayList<>();
    try (Connection source = DriverManager.getConnection(sourceUrl, user, password)) {
      for (String table : tables) {
        TableId id = TableId.parse(sourceName + "." + table);
        URI location = root.resolve(id.source() + "/" + id.schema() + "/" + id.table());
        results.add(Verification.compare(source, location, id));
      }
    } catch (SQLException e) {
      throw new TributaryException(ErrorCode.SOURCE_UNREACHABLE, "Cannot connect to " + sourceUrl + " as " + user + ": " + e.getMessage(), e);
    }
    boolean equal = results.stream().allMatch(TableComparison::equal);
    if (json) {
      System.out.println(TableComparison.json(results));
    } else {
      results.forEach(result -> System.out.println(result.describe()));
    }
    return equal ? 0 : Main.EXIT_DIFFERENT;
  }

}
