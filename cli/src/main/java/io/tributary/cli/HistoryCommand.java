package io.tributary.cli;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A table's lineage: for each Delta version, who committed it and which positions and segments it covers. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Show a table's commits, newest first: version, time, writer, epoch, rows, source watermark, segments.")
final class HistoryCommand extends TableCommand implements Callable<Integer> {
  @Option(names = "--segments", description = "List every segment of each version")
  boolean segments;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many versions, the latest (default: ${DEFAULT-VALUE})")
  int limit;

  @Override
  public Integer call() {
    TableId tableId = tableId();
    PrintWriter out = out();
    try (HttpCoordinatorClient client = coordinator.client()) {
      List<CommitRecord> history = client.history(tableId, limit);
      out.printf("%-8s %-24s %-20s %6s %10s %8s  %s%n", "VERSION", "COMMITTED", "WRITER", "EPOCH", "ROWS", "SEGMENTS",
          "WATERMARK");
      for (CommitRecord record : history) {
        out.printf("%-8d %-24s %-20s %6d %10d %8d  %s%n", record.version(), record.committedAt(), record.writer().value(),
            record.epoch().value(), record.rowsChanged(), record.segments().size(),
            record.watermark().map(SourcePosition::value).orElse("-"));
        record.rollback().ifPresent(rollback -> out.printf("         rollback to the content of version %d: %s%n",
            rollback.toVersion(), rollback.reason()));
        record.group().ifPresent(group -> out.printf("         commit group %s of %d tables, consistent at %s%n",
            group.id(), group.size(), group.cut().value()));
        if (segments) {
          for (URI segment : record.segments()) {
            out.println("         " + segment);
          }
        }
      }
      if (history.isEmpty()) {
        out.println("(no commits yet)");
      }
    }
    return 0;
  }

}
