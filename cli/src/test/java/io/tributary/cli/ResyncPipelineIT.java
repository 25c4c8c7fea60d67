package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.cli.internal.DemoWorkload;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A table's resync end to end on real PostgreSQL and Kafka: the table's Delta copy has diverged from
 * its source (changes made while the table was out of the publication never reached it: rows deleted
 * at the source are still there, updated ones are stale, inserted ones missing). A resync requested
 * from the coordinator makes the gateway read the table again as an incremental snapshot (signalled
 * through Debezium's signalling table) while its changes and the other tables' keep streaming; the applier switches the table over at the end, and
 * the table equals its source again, rows deleted while it diverged included.
 */
class ResyncPipelineIT {
  private static final TableId ACCOUNTS = TableId.parse(PipelineFixture.SOURCE + ".public.accounts");
  private static final int ROWS = 3_000;
  /** Rows deleted, updated and inserted at the source while the table is out of the publication. */
  private static final int GHOSTS = 100;
  private static final int STALE = 50;
  private static final int MISSING = 10;

  @Test
  void aResyncReplacesADivergedTableWhileChangesKeepStreaming() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("resync")) {
      fixture.createAccounts(ROWS);
      List<String> tables = new ArrayList<>(DemoWorkload.TABLES);
      tables.add("public.accounts");
      Path config = fixture.writeSignallingConfig(tables);
      StandalonePipeline.Settings settings = fixture.settings(config);
      ExecutorService executor = Executors.newFixedThreadPool(2);
      AtomicBoolean stop = new AtomicBoolean();
      try (StandalonePipeline pipeline = fixture.start(settings);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty())) {
        assertEqual(fixture, settings, tables, Duration.ofMinutes(3));

        diverge(fixture);
        fixture.generate(200);
        List<TableComparison> diverged = Verification.awaitEqual(() -> compare(fixture, settings, DemoWorkload.TABLES),
            Duration.ofMinutes(2), Clock.systemUTC(), () -> {});
        assertThat(diverged).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
        TableComparison accounts = compare(fixture, settings, List.of("public.accounts")).get(0);
        assertThat(accounts.equal()).as("the copy diverged: " + accounts.describe()).isFalse();

        Future<Long> demo = fixture.generateInBackground(executor, 5_000, stop);
        Future<Integer> transfers = executor.submit(() -> changeAccounts(fixture, stop));
        Resync requested = client.requestResync(ACCOUNTS, "changes were lost while out of the publication")
            .resync().orElseThrow();
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() -> client.table(ACCOUNTS)
            .flatMap(TableStatus::resync).map(resync -> !resync.state().inProgress()).orElse(false));
        Resync finished = client.table(ACCOUNTS).flatMap(TableStatus::resync).orElseThrow();
        assertThat(finished.id()).isEqualTo(requested.id());
        assertThat(finished.state()).as(finished.detail()).isEqualTo(Resync.State.DONE);
        stop.set(true);
        assertThat(transfers.get(1, TimeUnit.MINUTES)).isPositive();
        assertThat(demo.get(1, TimeUnit.MINUTES)).isPositive();

        assertEqual(fixture, settings, tables, Duration.ofMinutes(3));
        List<String> steps = client.events(new EventQuery(Optional.of(ACCOUNTS), Set.of(CoordinatorEvent.Type.RESYNC),
            Optional.empty(), Optional.empty(), 0, 50)).stream().map(event -> event.details().get("state")).toList();
        assertThat(steps).contains("REQUESTED", "CAPTURING", "CAPTURED", "DONE");
        assertThat(fixture.counted("tributary.gateway.resync.rows")).isGreaterThanOrEqualTo(ROWS - GHOSTS);
        assertThat(fixture.counted("tributary.applier.resync.rows.removed")).isEqualTo(GHOSTS);
      } finally {
        stop.set(true);
        executor.shutdownNow();
      }
    }
  }

  /**
   * Changes the accounts table while it is out of the publication, so that none of it is captured:
   * the first rows are deleted, the next updated, and new ones inserted.
   */
  private static void diverge(PipelineFixture fixture) throws SQLException {
    try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
      String publication;
      try (ResultSet result = statement.executeQuery("SELECT pubname FROM pg_publication")) {
        assertThat(result.next()).isTrue();
        publication = result.getString(1);
      }
      statement.execute("ALTER PUBLICATION " + publication + " DROP TABLE accounts");
      statement.execute("DELETE FROM accounts WHERE id <= " + GHOSTS);
      statement.execute("UPDATE accounts SET owner = 'changed unseen' WHERE id > " + GHOSTS + " AND id <= "
          + (GHOSTS + STALE));
      statement.execute("INSERT INTO accounts SELECT n, 'unseen ' || n, 0 FROM generate_series(" + (ROWS + 1) + ", "
          + (ROWS + MISSING) + ") AS n");
      statement.execute("ALTER PUBLICATION " + publication + " ADD TABLE accounts");
    }
  }

  /**
   * Updates, inserts and deletes accounts above the diverged ones, one change per transaction at about
   * 200 a second, until {@code stop}; returns how many it made.
   */
  private static int changeAccounts(PipelineFixture fixture, AtomicBoolean stop) throws SQLException {
    Random random = new Random(5);
    try (Connection connection = fixture.postgres.connect("shop");
        PreparedStatement update = connection.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?");
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO accounts VALUES (?, 'new', 0) ON CONFLICT (id) DO NOTHING");
        PreparedStatement delete = connection.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
      int done = 0;
      int nextId = ROWS + MISSING + 1;
      long started = System.nanoTime();
      while (!stop.get() && done < 60_000) {
        int choice = random.nextInt(10);
        if (choice < 7) {
          update.setInt(1, GHOSTS + STALE + 1 + random.nextInt(ROWS - GHOSTS - STALE));
          update.executeUpdate();
        } else if (choice < 9) {
          insert.setInt(1, nextId++);
          insert.executeUpdate();
        } else {
          delete.setInt(1, GHOSTS + STALE + 1 + random.nextInt(ROWS - GHOSTS - STALE));
          delete.executeUpdate();
        }
        done++;
        long ahead = TimeUnit.MILLISECONDS.toNanos(done * 1000L / 200) - (System.nanoTime() - started);
        if (ahead > 0) {
          TimeUnit.NANOSECONDS.sleep(ahead);
        }
      }
      return done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private static List<TableComparison> compare(PipelineFixture fixture, StandalonePipeline.Settings settings,
      List<String> tables) {
    return Verification.compareAll(fixture.postgres.connect("shop"), settings, PipelineFixture.SOURCE, tables);
  }

  private static void assertEqual(PipelineFixture fixture, StandalonePipeline.Settings settings, List<String> tables,
      Duration timeout) {
    List<TableComparison> results = Verification.awaitEqual(() -> compare(fixture, settings, tables), timeout,
        Clock.systemUTC(), () -> {});
    assertThat(results).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
  }
}
