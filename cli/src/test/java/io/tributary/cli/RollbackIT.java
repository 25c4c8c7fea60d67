package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.engine.Engine;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.applier.internal.DeltaFiles;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Rollback and replay on real servers: a table rolled back while changes keep coming has exactly the
 * content of the version it was rolled back to in the rollback commit, and then catches up with the
 * source from staging alone.
 */
class RollbackIT {
  private static final TableId ORDERS = TableId.parse(PipelineFixture.SOURCE + ".public.orders");
  private static final String REASON = "a bad batch found by the test";

  @Test
  void rolledBackTableHasTheEarlierContentThenCatchesUpFromStaging() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("rollback")) {
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(""));
      ExecutorService executor = Executors.newSingleThreadExecutor();
      try (StandalonePipeline pipeline = fixture.start(settings);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty())) {
        // Three rounds of changes, each applied before the next: at least three versions of streamed changes.
        for (int round = 1; round <= 3; round++) {
          fixture.generate(1_000L * round);
          assertAllEqual(fixture.awaitEqual(settings, Duration.ofMinutes(3)));
        }
        URI location = settings.applier().tableLocation(ORDERS);
        DeltaTableReader reader = new DeltaTableReader(Map.of());

        // The first version of streamed changes (its watermark is past the snapshot phase) with rows marked
        // deleted in a file's deletion vector: the rollback must give that file back with that vector.
        List<CommitRecord> history = client.history(ORDERS);
        CommitRecord target = history.stream()
            .filter(record -> record.watermark().map(position -> position.value().startsWith("0000000000000001-")).orElse(false))
            .filter(record -> marksRows(location, record.version()))
            .reduce((newer, older) -> older)
            .orElseThrow(() -> new AssertionError("no version of streamed changes has a deletion vector: " + history));
        assertThat(history.get(0).version() - target.version()).as("versions undone").isGreaterThanOrEqualTo(2);
        List<List<Object>> then = rows(reader.read(location, target.version()));
        assertThat(then).as("the version rolled back to differs from the latest").isNotEqualTo(rows(reader.read(location)));

        // Changes keep coming while the table is rolled back.
        AtomicBoolean stop = new AtomicBoolean();
        Future<Long> load = fixture.generateInBackground(executor, fixture.workload.changes() + 1_500, stop);
        String coordinator = pipeline.coordinator().uri().toString();
        LauncherErrorsTest.Result rolledBack = LauncherErrorsTest.run("rollback", "--coordinator", coordinator,
            ORDERS.canonical(), "--to-version", Long.toString(target.version()), "--reason", REASON);
        assertThat(rolledBack.exitCode()).as(rolledBack.err()).isZero();
        assertThat(rolledBack.out()).contains("to the content of version " + target.version())
            .contains("staged segments again");

        CommitRecord rollback = client.history(ORDERS).stream().filter(record -> record.rollback().isPresent())
            .findFirst().orElseThrow();
        assertThat(rollback.rollback()).contains(new CommitRecord.Rollback(target.version(), REASON));
        assertThat(rollback.watermark()).as("the position of the restored version").isEqualTo(target.watermark());
        assertThat(rows(reader.read(location, rollback.version()))).as("content of the rollback commit").isEqualTo(then);

        load.get(2, TimeUnit.MINUTES);
        assertAllEqual(fixture.awaitEqual(settings, Duration.ofMinutes(3)));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.replay(ORDERS).isEmpty());
        List<CommitRecord> after = client.history(ORDERS);
        assertThat(after.stream().filter(record -> record.version() > rollback.version() && !record.segments().isEmpty()))
            .as("commits that applied the undone segments again").isNotEmpty();

        // The metrics count the rollback and the segments applied again; the event log tells both.
        assertThat(fixture.counted("tributary.coordinator.rollbacks")).isEqualTo(1);
        assertThat(fixture.counted("tributary.applier.rollback.segments.reapplied"))
            .isGreaterThanOrEqualTo(rollbackResultSegments(rolledBack.out()));
        List<CoordinatorEvent> events = client.events(EventQuery.latest().withTable(ORDERS)
            .withTypes(Set.of(CoordinatorEvent.Type.ROLLBACK)));
        assertThat(events).extracting(CoordinatorEvent::message)
            .anySatisfy(message -> assertThat(message).startsWith("Rolled back from version").endsWith(REASON))
            .anySatisfy(message -> assertThat(message).contains("applied again what the rollback undid"));
        LauncherErrorsTest.Result lineage = LauncherErrorsTest.run("history", "--coordinator", coordinator,
            ORDERS.canonical());
        assertThat(lineage.out()).contains("rollback to the content of version " + target.version() + ": " + REASON);

        // A version that is not an earlier one is refused with the range to choose from; nothing changes.
        long version = client.table(ORDERS).orElseThrow().version();
        LauncherErrorsTest.Result refused = LauncherErrorsTest.run("rollback", "--coordinator", coordinator,
            ORDERS.canonical(), "--to-version", Long.toString(version + 5), "--reason", REASON);
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("choose a version from 0 to " + (version - 1));
        assertThat(client.table(ORDERS).orElseThrow().version()).isEqualTo(version);
      } finally {
        executor.shutdownNow();
      }
    }
  }

  /** The number of segments the rollback command said would be applied again. */
  /** Whether a file live at {@code version} of the table has rows marked deleted in a deletion vector. */
  private static boolean marksRows(URI location, long version) {
    Engine engine = DeltaEngines.forWriting(Map.of());
    Snapshot snapshot = TableManager.loadSnapshot(location.toString()).atVersion(version).build(engine);
    boolean[] marked = {false};
    DeltaFiles.forEachFile(engine, snapshot.getScanBuilder().build(),
        file -> marked[0] |= file.add().getDeletionVector().isPresent());
    return marked[0];
  }

  private static int rollbackResultSegments(String out) {
    java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("applies (\\d+) staged segments again").matcher(out);
    assertThat(matcher.find()).as(out).isTrue();
    return Integer.parseInt(matcher.group(1));
  }

  private static void assertAllEqual(List<TableComparison> results) {
    assertThat(results).hasSize(3).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
  }

  private static List<List<Object>> rows(DeltaTableContents contents) {
    return contents.rows().stream().map(row -> Arrays.asList(row)).toList();
  }
}
