package io.tributary.cli;

import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Asks for a table's resync, shows where it stands, or cancels it (operator role to change it). */
@Command(name = "resync", mixinStandardHelpOptions = true,
    description = "Replace a table's content with a fresh snapshot of its source table while the other tables keep"
        + " streaming; --status shows where the table's latest resync stands, --cancel gives it up.")
final class ResyncCommand extends TableCommand implements Callable<Integer> {
  @Option(names = "--reason", description = "Why; recorded with the request and shown to operators")
  String reason;

  @Option(names = "--status", description = "Show the table's latest resync instead of requesting one")
  boolean status;

  @Option(names = "--cancel", description = "Give the table's resync up; the table keeps the content it has")
  boolean cancel;

  @Override
  public Integer call() {
    if (status && cancel) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--status and --cancel exclude each other");
    }
    try (HttpCoordinatorClient client = coordinator.client()) {
      if (status) {
        TableStatus table = client.table(tableId()).orElseThrow(() -> new picocli.CommandLine.ParameterException(
            spec.commandLine(), "Table " + tableId() + " is not registered with the coordinator"));
        if (table.resync().isEmpty()) {
          out().printf("%s was never resynced%n", table.tableId());
        } else {
          print(table.tableId().canonical(), table.resync().get());
        }
        return 0;
      }
      if (cancel) {
        TableStatus table = client.table(tableId()).orElseThrow(() -> new picocli.CommandLine.ParameterException(
            spec.commandLine(), "Table " + tableId() + " is not registered with the coordinator"));
        Resync current = table.resync().filter(resync -> resync.state().inProgress())
            .orElseThrow(() -> new picocli.CommandLine.ParameterException(spec.commandLine(),
                "Table " + tableId() + " has no resync under way"));
        print(table.tableId().canonical(), client.cancelResync(tableId(), current.id(),
            reason == null ? "cancelled by an operator" : reason).resync().orElseThrow());
        return 0;
      }
      if (reason == null || reason.isBlank()) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Requesting a resync needs --reason");
      }
      TableStatus requested = client.requestResync(tableId(), reason);
      print(requested.tableId().canonical(), requested.resync().orElseThrow());
      out().printf("Follow it with: tributary resync %s --status (or tributary events --type RESYNC --follow)%n",
          requested.tableId());
    }
    return 0;
  }

  private void print(String table, Resync resync) {
    out().printf("Resync %s of %s: %s since %s (requested %s: %s)%s%n", resync.id(), table, resync.state(),
        resync.updatedAt(), resync.requestedAt(), resync.reason(), resync.detail().isBlank() ? "" : "; " + resync.detail());
  }
}
