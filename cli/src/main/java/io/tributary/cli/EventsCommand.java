package io.tributary.cli;

import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The coordinator's event log, filtered, oldest of the selection first; {@code --follow} keeps printing. */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = "Show the coordinator's event log: commits, refusals, leases, errors, snapshot and resync progress.")
final class EventsCommand implements Callable<Integer> {
  private static final Duration FOLLOW_INTERVAL = Duration.ofSeconds(1);

  @Spec
  CommandSpec spec;

  @Mixin
  CoordinatorOptions coordinator;

  @Option(names = "--table", description = "Only events of this table (source.schema.table)")
  String table;

  @Option(names = "--type", split = ",", description = "Only events of these types, e.g. COMMIT,ERROR")
  Set<CoordinatorEvent.Type> types = Set.of();

  @Option(names = "--since", description = "Only events at or after this ISO-8601 instant")
  Instant since;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many events (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--follow", description = "Keep printing new events until stopped (Ctrl-C)")
  boolean follow;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    EventQuery query = new EventQuery(Optional.ofNullable(table).map(TableId::parse), types, Optional.ofNullable(since),
        Optional.empty(), 0, limit);
    try (HttpCoordinatorClient client = coordinator.client()) {
      long last = print(out, client.events(query));
      while (follow) {
        Thread.sleep(FOLLOW_INTERVAL.toMillis());
        last = Math.max(last, print(out, client.events(query.after(last).withLimit(EventQuery.MAX_LIMIT))));
      }
    }
    return 0;
  }

  /** Prints newest-first events oldest first; returns the highest sequence printed (0 if none). */
  private static long print(PrintWriter out, List<CoordinatorEvent> newestFirst) {
    long last = 0;
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      CoordinatorEvent event = newestFirst.get(i);
      out.printf("%8d %s %-7s %-17s %-28s %s%n", event.sequence(), event.at(), event.severity(), event.type(),
          event.tableId().map(TableId::canonical).orElse("-"), event.message());
      last = Math.max(last, event.sequence());
    }
    out.flush();
    return last;
  }
}
