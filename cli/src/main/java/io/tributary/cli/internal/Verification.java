package io.tributary.cli.internal;

import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Compares source tables with their Delta tables, once or until they are equal. */
public final class Verification {
  private Verification() {}

  /** Where the applier writes a table's Delta table. */
  public static URI tableLocation(StandalonePipeline.Settings settings, TableId tableId) {
    return tableLocation(settings.applier(), tableId);
  }

  public static URI tableLocation(ApplierConfig applier, TableId tableId) {
    return applier.tableLocation(tableId);
  }

  /** Compares each {@code schema.table} of the source with its Delta table; closes the connection. */
  public static List<TableComparison> compareAll(Connection source, StandalonePipeline.Settings settings, String sourceName, List<String> tables) {
    try (source) {
      List<TableComparison> results = new ArrayList<>();
      for (String table : tables) {
        TableId id = TableId.parse(sourceName + "." + table);
        results.add(compare(source, tableLocation(settings, id), id));
      }
      return results;
    } catch (SQLException e) {
      throw new TributaryException(ErrorCode.SOURCE_UNREACHABLE, "Cannot close the source connection: " + e.getMessage(), e);
    }
  }

  /**
   * Compares one source table with the Delta table at {@code location}. Only a table applied row for
   * row (apply mode scd1 without soft delete) can be compared: the rows of the other modes are
   * changes or versions, told by their change metadata columns (named {@code __...}).
   */
  public static TableComparison compare(Connection source, URI location, TableId tableId) {
    DeltaTableContents contents = new DeltaTableReader(Map.of()).read(location);
    if (!contents.schema().tableId().equals(tableId)) {
      throw new TributaryException(ErrorCode.VERIFY_MISMATCH,
          "Delta table at " + location + " holds " + contents.schema().tableId() + ", not " + tableId);
    }
    List<String> metadata = contents.schema().columns().stream().map(column -> column.name())
        .filter(name -> name.startsWith("__")).toList();
    if (!metadata.isEmpty()) {
      throw new TributaryException(ErrorCode.VERIFY_MISMATCH, "The Delta table of " + tableId + " at " + location
          + " has the change metadata columns " + metadata + " of an apply mode other than scd1 (append, scd2 or soft"
          + " delete, see docs/apply-modes.md): its rows are changes or versions, not the source's rows, so it cannot be"
          + " compared with the source. Leave it out of the tables to verify.");
    }
    return TableVerifier.compare(contents.schema(), contents.rows(), source);
  }

  /**
   * Repeats a comparison until every table is equal or the timeout passes (the pipeline is
   * draining), and returns the last result either way.
   */
  public static List<TableComparison> awaitEqual(Supplier<List<TableComparison>> comparison, Duration timeout, Clock clock, Runnable onRetry) {
    long deadline = clock.millis() + timeout.toMillis();
    while (true) {
      List<TableComparison> results;
      try {
        results = comparison.get();
      } catch (TributaryException e) {
        // A table not created yet reads as a failure until its first commit lands.
        if (clock.millis() >= deadline) {
          throw e;
        }
        results = null;
      }
      if (results != null && (results.stream().allMatch(TableComparison::equal) || clock.millis() >= deadline)) {
        return results;
      }
      onRetry.run();
      try {
        Thread.sleep(1000); // polling an external condition with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TributaryException(ErrorCode.INTERNAL, "Interrupted while waiting for the pipeline to catch up", e);
      }
    }
  }
}
