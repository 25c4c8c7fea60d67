package io.tributary.cli;

import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Pauses or resumes a table's commits (operator role). */
final class PauseCommand {
  private PauseCommand() {}

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Pause a table: the coordinator refuses its commits (appliers retry) until it is resumed.")
  static final class Pause implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOptions coordinator;

    @Parameters(index = "0", paramLabel = "TABLE", description = "Table id: source.schema.table")
    String table;

    @Option(names = "--reason", required = true, description = "Why; recorded with the pause and shown to operators")
    String reason;

    @Override
    public Integer call() {
      try (HttpCoordinatorClient client = coordinator.client()) {
        TableStatus status = client.pause(TableId.parse(table), reason);
        spec.commandLine().getOut().printf("%s is paused (%s) at version %d%n", status.tableId(),
            status.pausedReason().orElse(reason), status.version());
      }
      return 0;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused table.")
  static final class Resume implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOptions coordinator;

    @Parameters(index = "0", paramLabel = "TABLE", description = "Table id: source.schema.table")
    String table;

    @Option(names = "--reason", defaultValue = "", description = "Why; recorded with the resumption")
    String reason;

    @Override
    public Integer call() {
      try (HttpCoordinatorClient client = coordinator.client()) {
        TableStatus status = client.resume(TableId.parse(table), reason);
        spec.commandLine().getOut().printf("%s takes commits again at version %d%n", status.tableId(), status.version());
      }
      return 0;
    }
  }
}
