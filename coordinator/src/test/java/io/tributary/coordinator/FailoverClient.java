package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;

/**
 * A writer's client of several coordinators that share one store, for tests: calls go to the current
 * coordinator and move to the next when it cannot be reached. A commit whose answer was lost is sent
 * again, to the next coordinator, until some coordinator answers it definitely: a proposal the
 * coordinators already ratified is answered with its receipt, so resending is how the outcome is
 * settled. Used by one thread at a time; the clients are shared and not closed here.
 */
final class FailoverClient implements CoordinatorClient {
  private static final Duration PAUSE_AFTER_A_ROUND = Duration.ofMillis(100);

  private final List<HttpCoordinatorClient> coordinators;
  private final List<URI> uris;
  private final int preferred;
  private final Duration patience;
  private final AtomicIntegerArray commitsInFlight;
  private int current;
  private int failovers;
  private int lostAnswers;
  private Optional<URI> lastAnswer = Optional.empty();

  /**
   * @param coordinators the coordinators' clients, in the same order as {@code uris}
   * @param preferred the index of the coordinator to use first
   * @param patience how long one call keeps trying before it gives up with the last failure
   * @param commitsInFlight per coordinator, the commits sent to it and not answered yet (shared by clients)
   */
  FailoverClient(List<HttpCoordinatorClient> coordinators, List<URI> uris, int preferred, Duration patience,
      AtomicIntegerArray commitsInFlight) {
    this.coordinators = List.copyOf(coordinators);
    this.commitsInFlight = requireNonNull(commitsInFlight, "commitsInFlight is null");
    this.uris = List.copyOf(uris);
    this.preferred = preferred;
    this.current = preferred;
    this.patience = requireNonNull(patience, "patience is null");
  }

  /** Goes back to the preferred coordinator, e.g. once it was restarted. */
  void preferAgain() {
    current = preferred;
  }

  /** How many times a call moved to another coordinator. */
  int failovers() {
    return failovers;
  }

  /** How many commits went unanswered (and were sent again). */
  int lostAnswers() {
    return lostAnswers;
  }

  /** The coordinator that answered the last successful call. */
  Optional<URI> lastAnswer() {
    return lastAnswer;
  }

  @Override
  public CommitReceipt commit(CommitProposal proposal) {
    long deadline = System.nanoTime() + patience.toNanos();
    boolean mayHaveArrived = false;
    for (int attempt = 1; ; attempt++) {
      int coordinator = current;
      commitsInFlight.incrementAndGet(coordinator);
      try {
        CommitReceipt receipt = coordinators.get(coordinator).commit(proposal);
        lastAnswer = Optional.of(uris.get(coordinator));
        return receipt;
      } catch (TributaryException e) {
        // Anything else is a definite answer, also to a proposal sent again after a lost answer.
        if (e.code() != ErrorCode.COORDINATOR_UNAVAILABLE && e.code() != ErrorCode.COMMIT_OUTCOME_UNKNOWN) {
          throw e;
        }
        if (e.code() == ErrorCode.COMMIT_OUTCOME_UNKNOWN) {
          mayHaveArrived = true;
          lostAnswers++;
        }
        if (System.nanoTime() - deadline > 0) {
          throw mayHaveArrived && e.code() != ErrorCode.COMMIT_OUTCOME_UNKNOWN
              ? new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "No coordinator settled version "
                  + proposal.version() + " of " + proposal.tableId() + " within " + patience + ": " + e.getMessage(), e)
              : e;
        }
        failover(attempt);
      } finally {
        commitsInFlight.decrementAndGet(coordinator);
      }
    }
  }

  @Override
  public TableStatus register(TableRegistration registration) {
    return call(client -> client.register(registration));
  }

  @Override
  public Optional<TableStatus> table(TableId tableId) {
    return call(client -> client.table(tableId));
  }

  /** Groups are not sent again after a lost answer here: the tests of failover commit one table at a time. */
  @Override
  public List<CommitReceipt> commitGroup(io.tributary.coordinator.CommitGroupProposal group) {
    return call(client -> client.commitGroup(group));
  }

  @Override
  public Optional<io.tributary.coordinator.ConsistentPosition> consistentPosition(String source) {
    return call(client -> client.consistentPosition(source));
  }

  @Override
  public List<TableStatus> pendingResyncs(String source) {
    return call(client -> client.pendingResyncs(source));
  }

  @Override
  public TableStatus reportResync(TableId tableId, String resyncId, io.tributary.coordinator.Resync.State state,
      String detail) {
    return call(client -> client.reportResync(tableId, resyncId, state, detail));
  }

  @Override
  public TableStatus requireResync(TableId tableId, String reason, java.time.Instant stagedUntil) {
    return call(client -> client.requireResync(tableId, reason, stagedUntil));
  }

  @Override
  public PublishedPosition publishedPosition(TableId tableId) {
    return call(client -> client.publishedPosition(tableId));
  }

  @Override
  public List<CommitRecord> history(TableId tableId, long beforeVersion, int limit) {
    return call(client -> client.history(tableId, beforeVersion, limit));
  }

  @Override
  public java.util.Optional<Replay> replay(TableId tableId) {
    return call(client -> client.replay(tableId));
  }

  @Override
  public CoordinatorEvent report(CoordinatorEvent.Report report) {
    return call(client -> client.report(report));
  }

  @Override
  public List<TableStatus> tables() {
    return call(HttpCoordinatorClient::tables);
  }

  @Override
  public Lease acquireLease(TableId tableId, WriterId writer, Duration ttl) {
    return call(client -> client.acquireLease(tableId, writer, ttl));
  }

  @Override
  public Lease renewLease(Lease lease, Duration ttl) {
    return call(client -> client.renewLease(lease, ttl));
  }

  @Override
  public void releaseLease(Lease lease) {
    call(client -> {
      client.releaseLease(lease);
      return null;
    });
  }

  @Override
  public void close() {}

  private <T> T call(Function<HttpCoordinatorClient, T> call) {
    long deadline = System.nanoTime() + patience.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        T result = call.apply(coordinators.get(current));
        lastAnswer = Optional.of(uris.get(current));
        return result;
      } catch (TributaryException e) {
        if (e.code() != ErrorCode.COORDINATOR_UNAVAILABLE || System.nanoTime() - deadline > 0) {
          throw e;
        }
        failover(attempt);
      }
    }
  }

  private void failover(int attempt) {
    current = (current + 1) % coordinators.size();
    failovers++;
    if (attempt % coordinators.size() == 0) {
      // Every coordinator failed once in this call: give them a moment before the next round.
      try {
        TimeUnit.MILLISECONDS.sleep(PAUSE_AFTER_A_ROUND.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE, "Interrupted while failing over", e);
      }
    }
  }
}
