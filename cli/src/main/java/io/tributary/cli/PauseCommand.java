package io.tributary.cli;

import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Pauses or resumes a table's commits (operator role). */
final class PauseCommand {
  private PauseCommand() {}

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Pause a table: the coordinator refuses its commits (appliers retry) until it is resumed.")
  static final class Pause extends TableCommand implements Callable<Integer> {
    @Option(names = "--reason", required = true, description = "Why; recorded with the pause and shown to operators")
    String reason;

    @Override
    public Integer call() {
      try (HttpCoordinatorClient client = coordinator.client()) {
        TableStatus status = client.pause(tableId(), reason);
        out().printf("%s is paused (%s) at version %d%n", status.tableId(),
            status.pausedReason().orElse(reason), status.version());
      }
      return 0;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused table.")
  static final class Resume extends TableCommand implements Callable<Integer> {
    @Option(names = "--reason", defaultValue = "", description = "Why; recorded with the resumption")
    String reason;

    @Override
    public Integer call() {
      try (HttpCoordinatorClient client = coordinator.client()) {
        TableStatus status = client.resume(tableId(), reason);
        out().printf("%s takes commits again at version %d%n", status.tableId(), status.version());
      }
      return 0;
    }
  }
}
