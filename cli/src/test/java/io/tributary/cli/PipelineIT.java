package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.cli.internal.JvmMeters;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The whole path on real servers: PostgreSQL → gateway → staging + Kafka → applier → coordinator-ratified Delta. */
class PipelineIT {
  private static final String ORDERS = PipelineFixture.SOURCE + ".public.orders";

  @Test
  void tenThousandChangesOverThreeTablesArriveExactlyOnce() throws Exception {
    long versions;
    try (PipelineFixture fixture = new PipelineFixture("pipeline")) {
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(""));
      try (StandalonePipeline pipeline = fixture.start(settings);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty())) {
        // One table is paused while the changes come: its commits wait, the others' go on.
        TableId orders = TableId.parse(ORDERS);
        await().atMost(Duration.ofMinutes(1)).until(() -> client.table(orders).isPresent());
        client.pause(orders, "held back by the test");
        long pausedAt = client.table(orders).orElseThrow().version();
        fixture.generate(10_000);
        assertThat(fixture.workload.changes()).isGreaterThanOrEqualTo(10_000);
        // Updates of a row's key: Debezium makes each a delete and an insert read from one WAL record.
        try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
          assertThat(statement.executeUpdate("UPDATE public.products SET id = id + 1000000 WHERE id <= 3")).isEqualTo(3);
          assertThat(statement.executeUpdate("UPDATE public.customers SET id = -id WHERE id IN (10, 11)")).isEqualTo(2);
        }
        TableId customers = TableId.parse(PipelineFixture.SOURCE + ".public.customers");
        await().atMost(Duration.ofMinutes(1)).until(() -> client.table(customers).orElseThrow().version() >= 1);
        assertThat(client.table(orders).orElseThrow().version()).as("no commit while paused").isEqualTo(pausedAt);
        client.resume(orders, "released by the test");

        List<TableComparison> results = fixture.awaitEqual(settings, Duration.ofMinutes(3));
        assertThat(results).hasSize(3).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());

        // The gateway told the coordinator's event log when each table's snapshot completed.
        assertThat(client.events(EventQuery.latest().withTypes(Set.of(CoordinatorEvent.Type.SNAPSHOT_PROGRESS))))
            .extracting(event -> event.tableId().orElseThrow().table())
            .containsExactlyInAnyOrder("customers", "products", "orders");

        String coordinator = pipeline.coordinator().uri().toString();
        LauncherErrorsTest.Result history = LauncherErrorsTest.run("history", "--coordinator", coordinator, ORDERS);
        assertThat(history.exitCode()).as(history.err()).isZero();
        assertThat(history.out()).startsWith("VERSION").contains(settings.applier().writerId().value()).contains("0000000000000001-");
        LauncherErrorsTest.Result events = LauncherErrorsTest.run("events", "--coordinator", coordinator, "--table", ORDERS,
            "--type", "COMMIT,LEASE_ACQUIRED", "--limit", "5");
        assertThat(events.exitCode()).as(events.err()).isZero();
        assertThat(events.out().lines()).hasSizeBetween(3, 5).allSatisfy(line -> assertThat(line).containsAnyOf("COMMIT", "LEASE"));
        LauncherErrorsTest.Result paused = LauncherErrorsTest.run("pause", "--coordinator", coordinator, ORDERS,
            "--reason", "checking the lineage");
        assertThat(paused.exitCode()).as(paused.err()).isZero();
        assertThat(paused.out()).contains("is paused (checking the lineage)");
        LauncherErrorsTest.Result resumed = LauncherErrorsTest.run("resume", "--coordinator", coordinator, ORDERS);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        // Every meter the three components registered while they ran is in the metrics reference.
        MetricsReference.assertDocumented(fixture.registry);
        // Every metric an alert rule or dashboard queries is served, the JVM's among them as the launcher binds them.
        try (JvmMeters jvm = JvmMeters.bindTo(fixture.registry)) {
          ObservabilityReference.assertServed(fixture.registry.scrape());
        }
        versions = new DeltaTableReader(Map.of()).version(settings.applier().tableLocation(TableId.parse(ORDERS)))
            .orElseThrow();
      }
      // Closing the pipeline exported the last events; every version of the table has its commit event.
      DeltaTableContents exported = new DeltaTableReader(Map.of())
          .read(settings.dataDirectory().resolve("coordinator").resolve("events-table").toUri());
      long commitEvents = exported.rows().stream()
          .filter(row -> "COMMIT".equals(row[2]) && ORDERS.equals(row[3]))
          .count();
      assertThat(commitEvents).isEqualTo(versions + 1);
      // The rows are on local disk: staged segments, Delta tables and the events table give others no access.
      for (String written : List.of("staging", "delta", "coordinator/events-table")) {
        try (Stream<Path> paths = Files.walk(settings.dataDirectory().resolve(written))) {
          assertThat(paths.toList()).as("files under %s", written).hasSizeGreaterThan(3)
              .allSatisfy(path -> assertThat(Files.getPosixFilePermissions(path)).as("permissions of %s", path)
                  .doesNotContain(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.GROUP_WRITE));
        }
      }
    }
  }
}
