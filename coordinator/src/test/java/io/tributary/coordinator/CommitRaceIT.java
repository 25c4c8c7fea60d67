package io.tributary.coordinator;

import static io.tributary.coordinator.TestCoordinator.proposal;
import static io.tributary.coordinator.TestCoordinator.published;
import static io.tributary.coordinator.TestCoordinator.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrency claims of the commit service: N racers released by a barrier, exactly one wins, every round. */
class CommitRaceIT {
  private static final TableId ORDERS = TableId.parse("pg1.public.orders");
  private static final int RACERS = 8;
  private static final int ROUNDS = 20;
  private static final Duration TTL = Duration.ofSeconds(30);

  @TempDir
  Path temp;

  private TestCoordinator coordinator;
  private HttpCoordinatorClient client;
  private Path table;
  private ExecutorService racers;

  @BeforeEach
  void start() {
    coordinator = TestCoordinator.start(temp.resolve("coordinator"));
    client = coordinator.client();
    table = temp.resolve("orders");
    coordinator.register(ORDERS, table);
    racers = Executors.newFixedThreadPool(RACERS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    racers.shutdownNow();
    assertThat(racers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    coordinator.close();
  }

  @Test
  void onlyTheLastLeaseHolderCommits() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      long version = round;
      CyclicBarrier acquired = new CyclicBarrier(RACERS);
      CyclicBarrier go = new CyclicBarrier(RACERS);
      List<Callable<Result>> attempts = new ArrayList<>();
      for (int racer = 0; racer < RACERS; racer++) {
        WriterId writer = new WriterId("applier-" + racer);
        attempts.add(() -> {
          URI staged = stage(table, version, "{\"writer\":\"" + writer + "\"}\n");
          Lease lease = client.acquireLease(ORDERS, writer, TTL);
          acquired.await(10, TimeUnit.SECONDS);
          go.await(10, TimeUnit.SECONDS);
          return attempt(lease, () -> client.commit(proposal(lease, version, staged)), staged);
        });
      }
      List<Result> results = race(attempts);

      Epoch last = client.table(ORDERS).orElseThrow().epoch();
      assertThat(results).filteredOn(Result::won).singleElement()
          .satisfies(winner -> assertThat(winner.lease().epoch()).isEqualTo(last));
      assertThat(results).filteredOn(result -> !result.won())
          .hasSize(RACERS - 1)
          .allSatisfy(loser -> assertThat(loser.code()).contains(ErrorCode.STALE_EPOCH));
      assertOnlyTheWinnerIsPublished(results, version);
    }
    assertThat(client.table(ORDERS).orElseThrow().version()).isEqualTo(ROUNDS - 1);
    assertThat(client.history(ORDERS)).hasSize(ROUNDS);
  }

  @Test
  void onlyOneProposalPerVersionWins() throws Exception {
    Lease lease = client.acquireLease(ORDERS, new WriterId("applier-0"), TTL);
    for (int round = 0; round < ROUNDS; round++) {
      long version = round;
      CyclicBarrier go = new CyclicBarrier(RACERS);
      List<Callable<Result>> attempts = new ArrayList<>();
      for (int racer = 0; racer < RACERS; racer++) {
        int id = racer;
        attempts.add(() -> {
          URI staged = stage(table, version, "{\"attempt\":" + id + "}\n");
          go.await(10, TimeUnit.SECONDS);
          return attempt(lease, () -> client.commit(proposal(lease, version, staged)), staged);
        });
      }
      List<Result> results = race(attempts);

      assertThat(results).filteredOn(Result::won).hasSize(1);
      assertThat(results).filteredOn(result -> !result.won())
          .hasSize(RACERS - 1)
          .allSatisfy(loser -> assertThat(loser.code()).contains(ErrorCode.COMMIT_CONFLICT));
      assertOnlyTheWinnerIsPublished(results, version);
      assertThat(client.table(ORDERS).orElseThrow().version()).isEqualTo(version);
    }
    Map<Long, Long> versions = client.history(ORDERS).stream()
        .collect(Collectors.groupingBy(CommitRecord::version, Collectors.counting()));
    assertThat(versions).hasSize(ROUNDS).allSatisfy((version, count) -> assertThat(count).isEqualTo(1));
  }

  private List<Result> race(List<Callable<Result>> attempts) throws Exception {
    List<Result> results = new ArrayList<>();
    for (Future<Result> future : racers.invokeAll(attempts, 60, TimeUnit.SECONDS)) {
      results.add(future.get());
    }
    return results;
  }

  private void assertOnlyTheWinnerIsPublished(List<Result> results, long version) throws IOException {
    Result winner = results.stream().filter(Result::won).findFirst().orElseThrow();
    assertThat(Path.of(winner.staged())).doesNotExist();
    String winnerContent = winner.content();
    assertThat(Files.readString(published(table, version))).isEqualTo(winnerContent);
    for (Result loser : results) {
      if (!loser.won()) {
        // A refused proposal's staged file is left to its writer, untouched.
        assertThat(Files.readString(Path.of(loser.staged()))).isNotEqualTo(winnerContent);
      }
    }
  }

  private static Result attempt(Lease lease, Callable<CommitReceipt> commit, URI staged) throws Exception {
    String content = Files.readString(Path.of(staged));
    try {
      commit.call();
      return new Result(lease, staged, content, true, Optional.empty());
    } catch (TributaryException e) {
      return new Result(lease, staged, content, false, Optional.of(e.code()));
    }
  }

  private record Result(Lease lease, URI staged, String content, boolean won, Optional<ErrorCode> code) {}
}
