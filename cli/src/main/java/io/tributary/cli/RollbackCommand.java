package io.tributary.cli;

import io.tributary.coordinator.Replay;
import io.tributary.coordinator.RollbackResult;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Rolls a table back to an earlier version's content (operator role). */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = {"Give a table the content of an earlier version as a new commit, and move its applied position back "
        + "to that version's: its applier then applies the changes made after that version again from staging.",
        "The applier holding the table is fenced for the commit and takes the table back by itself. The staged "
            + "segments to apply again must still exist (staging.retention)."})
final class RollbackCommand extends TableCommand implements Callable<Integer> {
  @Option(names = "--to-version", required = true, paramLabel = "VERSION",
      description = "The version whose content the table gets back (see `tributary history`)")
  long toVersion;

  @Option(names = "--reason", required = true, description = "Why; recorded with the rollback commit and its event")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = out();
    try (HttpCoordinatorClient client = coordinator.client()) {
      RollbackResult result = client.rollback(tableId(), toVersion, reason);
      out.printf("%s rolled back from version %d to the content of version %d, as version %d (%d files removed, %d"
          + " added back)%n", result.tableId(), result.fromVersion(), result.toVersion(), result.version(),
          result.filesRemoved(), result.filesAdded());
      if (result.replay().isPresent()) {
        Replay replay = result.replay().get();
        out.printf("Its applier applies %d staged segments again, up to position %s; follow it with "
            + "`tributary events --table %s --type ROLLBACK`%n", replay.segments().size(), replay.until(), result.tableId());
      } else {
        out.println("No source change was undone: nothing to apply again.");
      }
    }
    return 0;
  }
}
