package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.coordinator.ConsistentPosition;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * Commit groups end to end on real servers: money moves between accounts while a ledger records
 * every transfer, two tables written in one source transaction. Read at the versions of any
 * consistent position the coordinator answers, the two tables must agree: every balance is the
 * opening balance plus what the ledger says came in minus what went out. A torn read (one table
 * ahead of the other) breaks that for the accounts of the transfers in between.
 */
class CommitGroupsPipelineIT {
  private static final TableId ACCOUNTS = TableId.parse(PipelineFixture.SOURCE + ".public.accounts");
  private static final TableId LEDGER = TableId.parse(PipelineFixture.SOURCE + ".public.ledger");
  private static final int ACCOUNT_COUNT = 20;
  private static final long OPENING_BALANCE = 1_000;
  /** Transfers at most; the load stops earlier once enough cuts were checked. */
  private static final int MAX_TRANSFERS = 30_000;
  private static final int CUTS_TO_CHECK = 6;

  @Test
  void everyConsistentPositionIsACutAtWhichTheTablesAgree() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("commit-groups")) {
      try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL)");
        statement.execute("CREATE TABLE ledger (id bigserial PRIMARY KEY, from_id integer NOT NULL, to_id integer NOT NULL,"
            + " amount bigint NOT NULL)");
        statement.execute("INSERT INTO accounts SELECT n, " + OPENING_BALANCE + " FROM generate_series(1, "
            + ACCOUNT_COUNT + ") AS n");
      }
      Path config = fixture.writeConfig(List.of("public.accounts", "public.ledger"), "");
      Files.writeString(config, Files.readString(config).replace("max-age: 200ms", "max-age: 200ms\n    commit-groups: true"));
      StandalonePipeline.Settings settings = fixture.settings(config);
      DeltaTableReader reader = new DeltaTableReader(Map.of());
      ExecutorService executor = Executors.newSingleThreadExecutor();
      AtomicBoolean stop = new AtomicBoolean();
      try (StandalonePipeline pipeline = fixture.start(settings);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty())) {
        Future<Integer> load = executor.submit(() -> transfer(fixture, stop));
        Set<String> cutsChecked = new HashSet<>();
        // Cuts taken while transfers keep coming (the first is the snapshot's); the load stops once enough were checked.
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100)).until(() -> {
          Optional<ConsistentPosition> cut = client.consistentPosition(PipelineFixture.SOURCE);
          if (cut.isPresent() && cutsChecked.add(cut.get().group())) {
            assertBalances(cut.get(), settings, reader);
          }
          return cutsChecked.size() >= CUTS_TO_CHECK || load.isDone();
        });
        stop.set(true);
        int transfers = load.get(1, TimeUnit.MINUTES);
        assertThat(transfers).isPositive();
        List<TableComparison> results = Verification.awaitEqual(() -> Verification.compareAll(
            fixture.postgres.connect("shop"), settings, PipelineFixture.SOURCE, List.of("public.accounts", "public.ledger")),
            Duration.ofMinutes(3), Clock.systemUTC(), () -> {});
        assertThat(results).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());

        // Once everything is applied, the last cut holds every transfer.
        await().atMost(Duration.ofMinutes(1)).until(() -> client.consistentPosition(PipelineFixture.SOURCE)
            .map(cut -> ledgerRows(cut, settings, reader) == transfers).orElse(false));
        assertBalances(client.consistentPosition(PipelineFixture.SOURCE).orElseThrow(), settings, reader);
        assertThat(cutsChecked).as("distinct consistent positions checked during the load")
            .hasSizeGreaterThanOrEqualTo(CUTS_TO_CHECK);
        LauncherErrorsTest.Result shown = LauncherErrorsTest.run("consistent-position", "--coordinator",
            pipeline.coordinator().uri().toString(), PipelineFixture.SOURCE);
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("consistent as of position").contains(ACCOUNTS.canonical())
            .contains(LEDGER.canonical());
        LauncherErrorsTest.Result none = LauncherErrorsTest.run("consistent-position", "--coordinator",
            pipeline.coordinator().uri().toString(), "nosuchsource");
        assertThat(none.exitCode()).isEqualTo(ConsistentPositionCommand.NONE);
        assertThat(fixture.counted("tributary.gateway.commit.groups")).isGreaterThanOrEqualTo(5);
        assertThat(fixture.counted("tributary.applier.commit.groups")).isGreaterThanOrEqualTo(5);
        assertThat(fixture.counted("tributary.coordinator.commit.groups")).isGreaterThanOrEqualTo(5);
      } finally {
        stop.set(true);
        executor.shutdownNow();
      }
    }
  }

  /** Moves money between random accounts, one transfer per transaction, recording each in the ledger. */
  private static int transfer(PipelineFixture fixture, AtomicBoolean stop) throws SQLException {
    Random random = new Random(11);
    try (Connection connection = fixture.postgres.connect("shop");
        PreparedStatement debit = connection.prepareStatement("UPDATE accounts SET balance = balance - ? WHERE id = ?");
        PreparedStatement credit = connection.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
        PreparedStatement record = connection.prepareStatement(
            "INSERT INTO ledger (from_id, to_id, amount) VALUES (?, ?, ?)")) {
      connection.setAutoCommit(false);
      int done = 0;
      long started = System.nanoTime();
      while (done < MAX_TRANSFERS && !stop.get()) {
        int from = 1 + random.nextInt(ACCOUNT_COUNT);
        int to = 1 + (from + random.nextInt(ACCOUNT_COUNT - 1)) % ACCOUNT_COUNT;
        long amount = 1 + random.nextInt(50);
        debit.setLong(1, amount);
        debit.setInt(2, from);
        debit.executeUpdate();
        credit.setLong(1, amount);
        credit.setInt(2, to);
        credit.executeUpdate();
        record.setInt(1, from);
        record.setInt(2, to);
        record.setLong(3, amount);
        record.executeUpdate();
        connection.commit();
        done++;
        // About 300 transfers a second, so that the load spans many commit groups.
        long ahead = TimeUnit.MILLISECONDS.toNanos(done * 1000L / 300) - (System.nanoTime() - started);
        if (ahead > 0) {
          TimeUnit.NANOSECONDS.sleep(ahead);
        }
      }
      return done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void assertBalances(ConsistentPosition cut, StandalonePipeline.Settings settings,
      DeltaTableReader reader) {
    Map<Long, Long> expected = new HashMap<>();
    for (long id = 1; id <= ACCOUNT_COUNT; id++) {
      expected.put(id, OPENING_BALANCE);
    }
    Optional<DeltaTableContents> ledger = read(cut, LEDGER, settings, reader);
    for (Object[] row : ledger.map(DeltaTableContents::rows).orElse(List.of())) {
      long from = ((Number) row[1]).longValue();
      long to = ((Number) row[2]).longValue();
      long amount = ((Number) row[3]).longValue();
      expected.merge(from, -amount, Long::sum);
      expected.merge(to, amount, Long::sum);
    }
    DeltaTableContents accounts = read(cut, ACCOUNTS, settings, reader).orElseThrow();
    Map<Long, Long> balances = new HashMap<>();
    for (Object[] row : accounts.rows()) {
      balances.put(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }
    assertThat(balances).as("balances at consistent position %s (group %s, versions %s)", cut.position(), cut.group(),
        cut.tables()).isEqualTo(expected);
  }

  private static long ledgerRows(ConsistentPosition cut, StandalonePipeline.Settings settings, DeltaTableReader reader) {
    return read(cut, LEDGER, settings, reader).map(contents -> (long) contents.rows().size()).orElse(0L);
  }

  private static Optional<DeltaTableContents> read(ConsistentPosition cut, TableId table,
      StandalonePipeline.Settings settings, DeltaTableReader reader) {
    return cut.tables().stream().filter(version -> version.tableId().equals(table)).findFirst()
        .map(version -> reader.read(Verification.tableLocation(settings, table), version.version()));
  }
}
