package io.tributary.cli;

import io.tributary.coordinator.ConsistentPosition;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A source's consistent cut: the version of each of its tables to read together. */
@Command(name = "consistent-position", mixinStandardHelpOptions = true,
    description = "Show the source position as of which all the source's tables can be read consistently (its gateway"
        + " must roll commit groups), with the Delta version of each table to read. Exit code 4 while there is none.")
final class ConsistentPositionCommand implements Callable<Integer> {
  /** The exit code when the source has no consistent position yet. */
  static final int NONE = 4;

  @Spec
  CommandSpec spec;

  @Mixin
  CoordinatorOptions coordinator;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "Source name: the first part of its table ids")
  String source;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (HttpCoordinatorClient client = coordinator.client()) {
      Optional<ConsistentPosition> cut = client.consistentPosition(source);
      if (cut.isEmpty()) {
        out.printf("Source %s has no consistent position yet: no commit group of it is published (does its gateway set"
            + " gateway.segment.commit-groups: true?)%n", source);
        return NONE;
      }
      out.printf("Source %s is consistent as of position %s (commit group %s, ratified %s)%n", source,
          cut.get().position().value(), cut.get().group(), cut.get().ratifiedAt());
      out.printf("%-48s %s%n", "TABLE", "VERSION");
      for (ConsistentPosition.TableVersion table : cut.get().tables()) {
        out.printf("%-48s %d%n", table.tableId().canonical(), table.version());
      }
    }
    return 0;
  }
}
