package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.cli.internal.DemoWorkload;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.gateway.RetentionSweeper;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.StagingConfig.UnappliedPastRetention;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Retention forcing a resync, end to end on real PostgreSQL and Kafka: a table's applier is held
 * back (the table paused) while its source changes, so its segments stay unapplied; a retention
 * sweep run with a clock 31 days ahead finds them past the 30-day retention, has the coordinator
 * resync the table, raises an error event and deletes them. Once the table is resumed, its applier
 * skips the announcements whose segments are gone (the resync supersedes them), the resync replaces
 * the table's content, and the table equals its source: the deleted segments' changes, deletes
 * included, are not lost.
 */
class RetentionPipelineIT {
  private static final TableId ACCOUNTS = TableId.parse(PipelineFixture.SOURCE + ".public.accounts");
  private static final int ROWS = 1_000;
  private static final int DELETED = 40;
  private static final int UPDATED = 60;
  private static final int INSERTED = 20;

  @Test
  void unappliedSegmentsPastTheRetentionResyncTheirTableAndNothingIsLost() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("retention")) {
      fixture.createAccounts(ROWS);
      List<String> tables = new ArrayList<>(DemoWorkload.TABLES);
      tables.add("public.accounts");
      Path config = fixture.writeSignallingConfig(tables);
      StandalonePipeline.Settings settings = fixture.settings(config);
      try (StandalonePipeline pipeline = fixture.start(settings);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty());
          StagingStore staging = StagingStore.open(settings.gateway().staging(), Clock.systemUTC())) {
        assertEqual(fixture, settings, tables);

        client.pause(ACCOUNTS, "its applier is held back past the retention");
        changeAccounts(fixture);
        fixture.generate(200);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
            .until(() -> unappliedRows(staging, client) >= DELETED + UPDATED + INSERTED);
        // Once its commit was refused, the applier holds nothing read from the segments: its retry reads them again.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> client.events(
                new EventQuery(Optional.of(ACCOUNTS), Set.of(CoordinatorEvent.Type.ERROR), Optional.empty(),
                    Optional.empty(), 0, 50)).stream()
            .anyMatch(event -> "TABLE_PAUSED".equals(event.details().get("code"))));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RetentionSweeper sweeper = new RetentionSweeper(staging, settings.gateway().source().tables(),
            RetentionSweeper.Coordinator.of(client), Duration.ofDays(30), UnappliedPastRetention.RESYNC,
            Clock.offset(Clock.systemUTC(), Duration.ofDays(31)), registry);
        RetentionSweeper.Sweep sweep = sweeper.sweepOnce();

        assertThat(sweep.resyncsRequired()).as("only the paused table had unapplied segments").isEqualTo(1);
        assertThat(sweep.blocked()).isZero();
        assertThat(registry.get("tributary.gateway.retention.segments.forced").counter().count()).isPositive();
        Resync required = client.table(ACCOUNTS).flatMap(TableStatus::resync).orElseThrow();
        assertThat(required.reason()).contains("reached the staging retention of 30d before any applier applied them");
        List<CoordinatorEvent> errors = client.events(new EventQuery(Optional.of(ACCOUNTS),
            Set.of(CoordinatorEvent.Type.ERROR), Optional.empty(), Optional.empty(), 0, 50));
        assertThat(errors).anySatisfy(event -> {
          assertThat(event.severity()).isEqualTo(CoordinatorEvent.Severity.ERROR);
          assertThat(event.message()).contains("they are deleted and the table is resynced");
          assertThat(event.details()).containsEntry("resync", required.id());
        });

        client.resume(ACCOUNTS, "the applier is back");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> client.table(ACCOUNTS)
            .flatMap(TableStatus::resync).map(resync -> !resync.state().inProgress()).orElse(false));
        Resync finished = client.table(ACCOUNTS).flatMap(TableStatus::resync).orElseThrow();
        assertThat(finished.id()).isEqualTo(required.id());
        assertThat(finished.state()).as(finished.detail()).isEqualTo(Resync.State.DONE);

        assertEqual(fixture, settings, tables);
        assertThat(fixture.counted("tributary.applier.segments.superseded.skipped")).isPositive();
        assertThat(fixture.counted("tributary.applier.resync.rows.removed"))
            .as("the deletes whose segments retention removed").isEqualTo(DELETED);
      }
    }
  }

  /** Deletes, updates and inserts accounts, one transaction per statement. */
  private static void changeAccounts(PipelineFixture fixture) throws Exception {
    try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
      statement.execute("DELETE FROM accounts WHERE id <= " + DELETED);
      statement.execute("UPDATE accounts SET owner = 'changed', balance = 0 WHERE id > " + DELETED + " AND id <= "
          + (DELETED + UPDATED));
      statement.execute("INSERT INTO accounts SELECT n, 'new ' || n, 1 FROM generate_series(" + (ROWS + 1) + ", "
          + (ROWS + INSERTED) + ") AS n");
    }
  }

  /** Rows staged for the accounts table in segments its published position does not cover. */
  private static long unappliedRows(StagingStore staging, HttpCoordinatorClient client) {
    PublishedPosition published = client.publishedPosition(ACCOUNTS);
    long rows = 0;
    for (URI segment : staging.listSegments(ACCOUNTS)) {
      if (!published.covers(StagingStore.lastPositionOf(segment))) {
        try (SegmentReader reader = staging.openSegment(ACCOUNTS, segment)) {
          rows += reader.readAll().size();
        }
      }
    }
    return rows;
  }

  private static void assertEqual(PipelineFixture fixture, StandalonePipeline.Settings settings, List<String> tables) {
    List<TableComparison> results = Verification.awaitEqual(
        () -> Verification.compareAll(fixture.postgres.connect("shop"), settings, PipelineFixture.SOURCE, tables),
        Duration.ofMinutes(3), Clock.systemUTC(), () -> {});
    assertThat(results).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
  }
}
