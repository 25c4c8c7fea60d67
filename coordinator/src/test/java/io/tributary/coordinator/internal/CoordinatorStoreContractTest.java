package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CoordinatorStore} promises, run against each implementation: the rules of
 * {@link TableState} on every change, durability across reopening, and atomic checks under concurrent
 * callers.
 */
abstract class CoordinatorStoreContractTest {
  static final TableId TABLE = TableId.parse("pg1.public.orders");
  static final TableId OTHER = TableId.parse("pg1.public.items");
  static final WriterId A = new WriterId("applier-a");
  static final WriterId B = new WriterId("applier-b");
  static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  static final String SHA = "0".repeat(64);
  private static final int RACERS = 8;

  CoordinatorStore store;

  /** A new store with nothing in it. */
  abstract CoordinatorStore newStore();

  /** Closes {@code previous} and opens a store over the same state. */
  abstract CoordinatorStore reopen(CoordinatorStore previous);

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static URI location(String name) {
    return URI.create("file:/data/tables/" + name);
  }

  @Test
  void stateSurvivesReopening() {
    URI location = location("orders");
    store.register(new TableRegistration(TABLE, location, List.of("id")), T0);
    store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    Lease lease = store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));
    store.ratify(entry(store, lease, 0, Optional.empty()));
    store.markPublished(TABLE, 0, staged(store, TABLE, 0), 10, 1000, T0);
    store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(1, 42))));
    store.markPublished(TABLE, 1, staged(store, TABLE, 1), 20, 2000, T0);
    store.renewLease(TABLE, B, lease.epoch(), T0, T0.plusSeconds(60));

    store = reopen(store);

    TableState table = store.table(TABLE).orElseThrow();
    assertThat(table.location()).isEqualTo(TableState.normalizeLocation(location));
    assertThat(table.keyColumns()).containsExactly("id");
    assertThat(table.version()).isEqualTo(1);
    assertThat(table.epoch()).isEqualTo(new Epoch(2));
    assertThat(table.leaseHolder()).contains(B);
    assertThat(table.leaseExpiresAt()).contains(T0.plusSeconds(60));
    assertThat(table.appliedPosition()).contains(SourcePosition.of(1, 42));
    assertThat(store.history(TABLE)).extracting(CommitEntry::version).containsExactly(1L, 0L);
    CommitEntry latest = store.history(TABLE).get(0);
    assertThat(latest.receipt().size()).isEqualTo(20);
    assertThat(latest.receipt().modificationTime()).isEqualTo(2000);
    assertThat(latest).isEqualTo(entry(store, lease, 1, Optional.of(SourcePosition.of(1, 42))).asPublished(20, 2000));
    assertThat(store.commit(TABLE, 0)).contains(store.history(TABLE).get(1));
    assertThat(store.commit(TABLE, 2)).isEmpty();
    assertThat(store.unpublished()).isEmpty();
  }

  @Test
  void unpublishedCommitSurvivesReopeningAsRatified() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    CommitEntry ratified = store.ratify(entry(store, lease, 0, Optional.empty()));
    assertThat(ratified).isEqualTo(entry(store, lease, 0, Optional.empty()));

    store = reopen(store);

    assertThat(store.unpublished()).singleElement()
        .satisfies(entry -> assertThat(entry.record().status()).isEqualTo(CommitRecord.Status.RATIFIED))
        .isEqualTo(ratified);
    assertThat(store.table(TABLE).orElseThrow().version()).isZero();
  }

  @Test
  void withdrawnCommitFreesItsVersionAndRestoresThePosition() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    store.ratify(entry(store, lease, 0, Optional.of(SourcePosition.of(1))));
    store.markPublished(TABLE, 0, staged(store, TABLE, 0), 1, 1, T0);
    store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(2))));
    TableState after = store.withdraw(TABLE, 1, staged(store, TABLE, 1), "target exists", T0);
    assertThat(after.version()).isZero();
    assertThat(after.appliedPosition()).contains(SourcePosition.of(1));
    assertThat(store.unpublished()).isEmpty();

    store = reopen(store);

    assertThat(store.table(TABLE).orElseThrow()).isEqualTo(after);
    assertThat(store.history(TABLE)).hasSize(1);
    // The freed version is the next one again.
    assertThat(store.ratify(entry(store, lease, 1, Optional.empty())).version()).isEqualTo(1);
    assertThat(store.table(TABLE).orElseThrow().appliedPosition()).contains(SourcePosition.of(1));
  }

  @Test
  void aStaleWithdrawalLeavesTheCommitThatTookTheVersionSince() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    CommitEntry lost = store.ratify(entry(store, lease, 0, Optional.of(SourcePosition.of(1))));
    store.withdraw(TABLE, 0, lost.stagedCommit(), "staged file vanished", T0);
    CommitEntry replacement = new CommitEntry(lost.record(), URI.create(lost.stagedCommit().toString()
        .replace("00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111")), lost.sha256(),
        lost.size(), lost.modificationTime());
    store.ratify(replacement);

    // A second coordinator that also found the first commit's staged file missing comes too late.
    TableState after = store.withdraw(TABLE, 0, lost.stagedCommit(), "staged file vanished", T0);
    assertThat(after.version()).isZero();
    assertThat(store.commit(TABLE, 0)).contains(replacement);
    assertInternal(() -> store.markPublished(TABLE, 0, lost.stagedCommit(), 1, 1, T0), "another commit now");
    assertThat(store.markPublished(TABLE, 0, replacement.stagedCommit(), 1, 1, T0).published()).isTrue();
  }

  @Test
  void commitWithStaleEpochOrWrongVersionIsRefused() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease first = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    Lease second = store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));
    TableState before = store.table(TABLE).orElseThrow();

    assertThatThrownBy(() -> store.ratify(entry(store, first, 0, Optional.empty())))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH))
        .hasMessageContaining("applier-a was fenced from table pg1.public.orders")
        .hasMessageContaining("epoch 1, the current epoch is 2");
    assertThatThrownBy(() -> store.ratify(entry(store, second, 1, Optional.empty())))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COMMIT_CONFLICT))
        .hasMessageContaining("Version 1 of table pg1.public.orders")
        .hasMessageContaining("next one must be 0");
    assertThatThrownBy(() -> store.renewLease(TABLE, A, first.epoch(), T0, T0))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));

    assertThat(store.table(TABLE)).contains(before);
    assertThat(store.history(TABLE)).isEmpty();
    assertThat(store.unpublished()).isEmpty();
  }

  @Test
  void aPausedTableRefusesCommitsUntilResumedAndThePauseIsDurable() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    store.ratify(entry(store, lease, 0, Optional.of(SourcePosition.of(1))));

    TableState paused = store.pause(TABLE, "bad data upstream", T0);
    assertThat(paused.pausedReason()).contains("bad data upstream");
    assertThat(paused.status().paused()).isTrue();
    assertThat(store.pause(TABLE, "bad data upstream", T0)).as("pausing again for the same reason").isEqualTo(paused);
    assertThatThrownBy(() -> store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(2)))))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_PAUSED))
        .hasMessageContaining("Table pg1.public.orders is paused (bad data upstream)");
    assertThat(store.table(TABLE).orElseThrow().version()).isZero();

    store = reopen(store);
    assertThat(store.table(TABLE).orElseThrow()).isEqualTo(paused);
    assertThat(store.pause(TABLE, "still bad", T0).pausedReason()).contains("still bad");

    TableState resumed = store.resume(TABLE, T0);
    assertThat(resumed.pausedReason()).isEmpty();
    assertThat(store.resume(TABLE, T0)).isEqualTo(resumed);
    assertThat(store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(2)))).version()).isEqualTo(1);
    store = reopen(store);
    assertThat(store.table(TABLE).orElseThrow().pausedReason()).isEmpty();
    assertThat(store.table(TABLE).orElseThrow().version()).isEqualTo(1);
    assertThatThrownBy(() -> store.pause(TableId.parse("pg1.public.nothing"), "x", T0))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TABLE));
  }

  @Test
  void expiryDoesNotFenceOnlyANewerAcquisitionDoes() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease expired = store.acquireLease(TABLE, A, T0, T0.minusSeconds(1));

    assertThat(store.ratify(entry(store, expired, 0, Optional.empty())).version()).isZero();
    Lease renewed = store.renewLease(TABLE, A, expired.epoch(), T0, T0.plusSeconds(60));
    assertThat(renewed).isEqualTo(new Lease(TABLE, A, expired.epoch(), T0.plusSeconds(60)));
    assertThat(store.table(TABLE).orElseThrow().leaseExpiresAt()).contains(T0.plusSeconds(60));
  }

  @Test
  void releaseFreesTheLeaseOnlyForItsHolder() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease first = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    Lease second = store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));

    assertThat(store.releaseLease(TABLE, A, first.epoch(), T0).leaseHolder()).contains(B);
    TableState released = store.releaseLease(TABLE, B, second.epoch(), T0);
    assertThat(released.leaseHolder()).isEmpty();
    assertThat(released.leaseExpiresAt()).isEmpty();
    assertThat(released.epoch()).isEqualTo(second.epoch());
    assertThat(store.releaseLease(TABLE, B, second.epoch(), T0)).isEqualTo(released);
    assertThatThrownBy(() -> store.ratify(entry(store, second, 0, Optional.empty())))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH))
        .hasMessageContaining("does not hold the lease");
    assertThat(store.acquireLease(TABLE, A, T0, T0.plusSeconds(30)).epoch()).isEqualTo(new Epoch(3));
  }

  @Test
  void registeringAgainIdenticallyIsANoOpAndDifferentlyIsRefused() {
    URI location = location("t");
    TableState registered = store.register(new TableRegistration(TABLE, location, List.of("id")), T0);
    assertThat(registered).isEqualTo(TableState.registered(new TableRegistration(TABLE, location, List.of("id"))));
    // The same directory written another way is the same location.
    URI sameDirectory = URI.create(location + "/");
    assertThat(store.register(new TableRegistration(TABLE, sameDirectory, List.of("id")), T0)).isEqualTo(registered);

    assertThatThrownBy(() -> store.register(new TableRegistration(TABLE, location, List.of("other")), T0))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("already registered");
    assertThatThrownBy(() -> store.register(new TableRegistration(TABLE, location("elsewhere"), List.of("id")), T0))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("already registered");
    assertThat(store.tables()).containsExactly(registered);
  }

  @Test
  void everyCallOnAnUnknownTableIsRefused() {
    store.register(new TableRegistration(OTHER, location("items"), List.of("id")), T0);
    Lease lease = new Lease(TABLE, A, new Epoch(1), T0);
    CommitEntry commit = new CommitEntry(new CommitRecord(TABLE, 0, A, lease.epoch(), Optional.empty(), List.of(), 0, T0,
        URI.create("file:/data/tables/orders/_delta_log/00000000000000000000.json"), CommitRecord.Status.RATIFIED, Optional.empty()),
        URI.create("file:/data/tables/orders/_delta_log/_staged_commits/00000000000000000000."
            + "00000000-0000-0000-0000-000000000000.json"), SHA, 10, OptionalLong.empty());

    assertUnknownTable(() -> store.acquireLease(TABLE, A, T0, T0));
    assertUnknownTable(() -> store.renewLease(TABLE, A, lease.epoch(), T0, T0));
    assertUnknownTable(() -> store.releaseLease(TABLE, A, lease.epoch(), T0));
    assertUnknownTable(() -> store.ratify(commit));
    URI staged = URI.create("file:/t/_delta_log/_staged_commits/x.json");
    assertUnknownTable(() -> store.markPublished(TABLE, 0, staged, 1, 1, T0));
    assertUnknownTable(() -> store.withdraw(TABLE, 0, staged, "test", T0));
    assertUnknownTable(() -> store.history(TABLE));
    assertThat(store.table(TABLE)).isEmpty();
    assertThat(store.commit(TABLE, 0)).isEmpty();
    assertThat(store.tables()).extracting(TableState::tableId).containsExactly(OTHER);
  }

  @Test
  void tablesAreListedByIdAndPendingCommitsByTableAndVersion() {
    TableId first = TableId.parse("a.s.t");
    store.register(new TableRegistration(TABLE, location("orders"), List.of("id")), T0);
    store.register(new TableRegistration(OTHER, location("items"), List.of("id", "line")), T0);
    store.register(new TableRegistration(first, location("t"), List.of("k")), T0);
    Lease orders = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    Lease items = store.acquireLease(OTHER, B, T0, T0.plusSeconds(30));
    store.ratify(entry(store, orders, 0, Optional.empty()));
    store.ratify(entry(store, items, 0, Optional.empty()));
    store.markPublished(OTHER, 0, staged(store, OTHER, 0), 1, 1, T0);
    store.ratify(entry(store, items, 1, Optional.empty()));

    assertThat(store.tables()).extracting(TableState::tableId).containsExactly(first, OTHER, TABLE);
    assertThat(store.table(OTHER).orElseThrow().keyColumns()).containsExactly("id", "line");
    assertThat(store.unpublished()).extracting(entry -> entry.record().tableId() + "@" + entry.version())
        .containsExactly("pg1.public.items@1", "pg1.public.orders@0");
  }

  @Test
  void inconsistentPublicationsAndWithdrawalsAreRefusedAndChangeNothing() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    store.ratify(entry(store, lease, 0, Optional.of(SourcePosition.of(1))));
    store.markPublished(TABLE, 0, staged(store, TABLE, 0), 1, 1, T0);
    store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(2))));
    TableState before = store.table(TABLE).orElseThrow();
    List<CommitEntry> history = store.history(TABLE);

    assertInternal(() -> store.withdraw(TABLE, 0, staged(store, TABLE, 0), "test", T0), "withdrawn but the latest is 1");
    assertInternal(() -> store.markPublished(TABLE, 5, staged(store, TABLE, 5), 1, 1, T0), "ratified");
    store.markPublished(TABLE, 1, staged(store, TABLE, 1), 2, 2, T0);
    assertInternal(() -> store.withdraw(TABLE, 1, staged(store, TABLE, 1), "test", T0), "withdrawn after it was published");

    assertThat(store.table(TABLE)).contains(before);
    assertThat(store.history(TABLE)).hasSize(2).first().isEqualTo(history.get(0).asPublished(2, 2));
  }

  @Test
  void closedStoreRefusesChanges() {
    store.close();
    store.close();
    assertThat(store.healthy()).isFalse();
    assertThatThrownBy(() -> store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.COORDINATOR_UNAVAILABLE));
  }

  @Test
  void openStoreIsHealthy() {
    assertThat(store.healthy()).isTrue();
  }

  @Test
  void ofManyConcurrentRatificationsOfAVersionExactlyOneWins() throws Exception {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    for (long version = 0; version < 5; version++) {
      long proposed = version;
      List<Optional<ErrorCode>> outcomes = race(racer -> attempt(() -> store.ratify(entry(store, lease, proposed,
          Optional.of(SourcePosition.of(proposed, racer))))));

      assertThat(outcomes).filteredOn(Optional::isEmpty).hasSize(1);
      assertThat(outcomes).filteredOn(Optional::isPresent).hasSize(RACERS - 1)
          .allSatisfy(code -> assertThat(code).contains(ErrorCode.COMMIT_CONFLICT));
    }
    assertThat(store.history(TABLE)).extracting(CommitEntry::version).containsExactly(4L, 3L, 2L, 1L, 0L);
  }

  @Test
  void concurrentAcquisitionsEachGetTheirOwnEpoch() throws Exception {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    List<Lease> leases = new ArrayList<>();
    for (Optional<Lease> lease : race(racer -> Optional.of(
        store.acquireLease(TABLE, new WriterId("applier-" + racer), T0, T0.plusSeconds(30))))) {
      leases.add(lease.orElseThrow());
    }

    assertThat(leases).extracting(lease -> lease.epoch().value())
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    Lease newest = leases.stream().filter(lease -> lease.epoch().value() == RACERS).findFirst().orElseThrow();
    assertThat(store.table(TABLE).orElseThrow().lease()).contains(newest);
  }

  /** Runs {@link #RACERS} calls released together by a barrier; returns their results in racer order. */
  <T> List<T> race(Racer<T> racer) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(RACERS);
    try {
      CyclicBarrier go = new CyclicBarrier(RACERS);
      List<Callable<T>> calls = new ArrayList<>();
      for (int i = 0; i < RACERS; i++) {
        int id = i;
        calls.add(() -> {
          go.await(10, TimeUnit.SECONDS);
          return racer.run(id);
        });
      }
      List<T> results = new ArrayList<>();
      for (Future<T> future : executor.invokeAll(calls, 60, TimeUnit.SECONDS)) {
        results.add(future.get());
      }
      return results;
    } finally {
      executor.shutdownNow();
    }
  }

  /** One racer's call. */
  @FunctionalInterface
  interface Racer<T> {
    T run(int racer) throws Exception;
  }

  /** Empty when the call succeeded, the refusal's code otherwise. */
  static Optional<ErrorCode> attempt(Runnable call) {
    try {
      call.run();
      return Optional.empty();
    } catch (TributaryException e) {
      return Optional.of(e.code());
    }
  }

  @Test
  void historyComesInPagesNewestFirst() {
    store.register(new TableRegistration(TABLE, location("orders"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    for (long version = 0; version < 7; version++) {
      store.ratify(entry(store, lease, version, Optional.of(SourcePosition.of(1, version))));
    }
    assertThat(store.history(TABLE, Long.MAX_VALUE, 3)).extracting(CommitEntry::version).containsExactly(6L, 5L, 4L);
    assertThat(store.history(TABLE, 4, 3)).extracting(CommitEntry::version).containsExactly(3L, 2L, 1L);
    assertThat(store.history(TABLE, 1, 3)).extracting(CommitEntry::version).containsExactly(0L);
    assertThat(store.history(TABLE, 0, 3)).isEmpty();
    assertThat(store.history(TABLE, Long.MAX_VALUE, 100)).isEqualTo(store.history(TABLE));
    assertThat(attempt(() -> store.history(OTHER, Long.MAX_VALUE, 3))).contains(ErrorCode.UNKNOWN_TABLE);
  }

  @Test
  void rollbackCommitMovesTheAppliedPositionBackEvenWhilePaused() {
    store.register(new TableRegistration(TABLE, location("orders"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    store.ratify(entry(store, lease, 0, Optional.empty()));
    store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(1, 10))));
    store.ratify(entry(store, lease, 2, Optional.of(SourcePosition.of(1, 20))));
    store.pause(TABLE, "bad batch", T0);
    assertThat(attempt(() -> store.ratify(entry(store, lease, 3, Optional.of(SourcePosition.of(1, 30))))))
        .contains(ErrorCode.TABLE_PAUSED);

    // Back to version 0, which applied nothing: the table is applied up to nothing again.
    CommitEntry rollback = rollbackEntry(store, lease, 3, 0, Optional.empty());
    store.ratify(rollback);
    assertThat(store.table(TABLE).orElseThrow().appliedPosition()).isEmpty();
    assertThat(store.table(TABLE).orElseThrow().version()).isEqualTo(3);

    store = reopen(store);
    assertThat(store.commit(TABLE, 3).orElseThrow().record().rollback())
        .contains(new CommitRecord.Rollback(0, "restore before the bad batch"));
    assertThat(store.table(TABLE).orElseThrow().appliedPosition()).isEmpty();

    // Withdrawn, the rollback leaves the position where it was before it.
    store.withdraw(TABLE, 3, rollback.stagedCommit(), "not published", T0);
    assertThat(store.table(TABLE).orElseThrow().appliedPosition()).contains(SourcePosition.of(1, 20));
    CommitEntry again = rollbackEntry(store, lease, 3, 1, Optional.of(SourcePosition.of(1, 10)));
    store.ratify(again);
    assertThat(store.table(TABLE).orElseThrow().appliedPosition()).contains(SourcePosition.of(1, 10));
  }

  @Test
  void aCommitGroupIsRatifiedAllOrNothingAndSurvivesReopening() {
    store.register(new TableRegistration(TABLE, location("orders"), List.of("id")), T0);
    store.register(new TableRegistration(OTHER, location("items"), List.of("id")), T0);
    Lease orders = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    Lease items = store.acquireLease(OTHER, A, T0, T0.plusSeconds(30));
    SourcePosition cut = SourcePosition.of(1, 50);
    CommitRecord.Group first = new CommitRecord.Group("group-1", cut, 2);

    store.ratifyGroup(List.of(grouped(store, orders, 0, SourcePosition.of(1, 40), first),
        grouped(store, items, 0, cut, first)));
    assertThat(store.table(TABLE).orElseThrow().version()).isZero();
    assertThat(store.table(OTHER).orElseThrow().appliedPosition()).contains(cut);

    // items was taken by another writer: the group is refused as a whole, orders stays at version 0.
    store.acquireLease(OTHER, B, T0, T0.plusSeconds(30));
    CommitRecord.Group second = new CommitRecord.Group("group-2", SourcePosition.of(1, 90), 2);
    assertThatThrownBy(() -> store.ratifyGroup(List.of(grouped(store, orders, 1, SourcePosition.of(1, 60), second),
        grouped(store, items, 1, SourcePosition.of(1, 90), second))))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));
    assertThat(store.table(TABLE).orElseThrow().version()).isZero();
    assertThat(store.table(TABLE).orElseThrow().appliedPosition()).contains(SourcePosition.of(1, 40));
    assertThat(store.commit(TABLE, 1)).isEmpty();
    assertThat(store.unpublished()).extracting(entry -> entry.record().group().orElseThrow().id())
        .containsExactly("group-1", "group-1");

    store = reopen(store);
    assertThat(store.history(TABLE)).singleElement().satisfies(entry -> {
      assertThat(entry.record().group()).contains(first);
      assertThat(entry.record().watermark()).contains(SourcePosition.of(1, 40));
    });
    assertThat(store.history(OTHER)).extracting(entry -> entry.record().group()).containsExactly(Optional.of(first));
    assertThat(store.unpublished()).hasSize(2);
  }

  @Test
  void aResyncMovesThroughItsStatesOnlyForwardAndSurvivesReopening() {
    store.register(new TableRegistration(TABLE, location("orders"), List.of("id")), T0);
    Resync requested = new Resync("r-1", Resync.State.REQUESTED, "diverged", T0, T0, "");
    store.changeResync(TABLE, requested, T0);
    Resync capturing = requested.moved(Resync.State.CAPTURING, T0.plusSeconds(1), "0 of ~1000 rows");
    assertThat(store.changeResync(TABLE, capturing, T0.plusSeconds(1)).resync()).contains(capturing);

    Resync another = new Resync("r-2", Resync.State.REQUESTED, "again", T0, T0, "");
    assertThatThrownBy(() -> store.changeResync(TABLE, another, T0))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESYNC_CONFLICT))
        .hasMessageContaining("is being resynced already (resync r-1, CAPTURING");
    assertThatThrownBy(() -> store.changeResync(TABLE, capturing.moved(Resync.State.REQUESTED, T0, ""), T0))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESYNC_CONFLICT));
    assertThatThrownBy(() -> store.changeResync(TABLE, capturing.moved(Resync.State.DONE, T0, ""), T0))
        .hasMessageContaining("is CAPTURING and cannot become DONE");

    store = reopen(store);
    assertThat(store.table(TABLE).orElseThrow().resync()).contains(capturing);
    Resync done = capturing.moved(Resync.State.CAPTURED, T0.plusSeconds(2), "1000 rows")
        .moved(Resync.State.DONE, T0.plusSeconds(3), "version 7");
    store.changeResync(TABLE, capturing.moved(Resync.State.CAPTURED, T0.plusSeconds(2), "1000 rows"), T0.plusSeconds(2));
    store.changeResync(TABLE, done, T0.plusSeconds(3));
    assertThat(store.changeResync(TABLE, another, T0.plusSeconds(4)).resync()).contains(another);
    store = reopen(store);
    assertThat(store.table(TABLE).orElseThrow().resync()).contains(another);
  }

  static CommitEntry grouped(CoordinatorStore store, Lease lease, long version, SourcePosition watermark,
      CommitRecord.Group group) {
    CommitEntry plain = entry(store, lease, version, Optional.of(watermark));
    CommitRecord record = plain.record();
    return new CommitEntry(new CommitRecord(record.tableId(), version, record.writer(), record.epoch(),
        Optional.of(watermark), record.segments(), 5, T0, record.publishedCommit(), CommitRecord.Status.RATIFIED,
        Optional.empty(), Optional.of(group)), plain.stagedCommit(), SHA, 10, OptionalLong.empty());
  }

  static CommitEntry rollbackEntry(CoordinatorStore store, Lease lease, long version, long toVersion,
      Optional<SourcePosition> position) {
    CommitEntry plain = entry(store, lease, version, position);
    CommitRecord record = plain.record();
    return new CommitEntry(new CommitRecord(record.tableId(), version, record.writer(), record.epoch(), position, List.of(),
        0, T0, record.publishedCommit(), CommitRecord.Status.RATIFIED,
        Optional.of(new CommitRecord.Rollback(toVersion, "restore before the bad batch"))), plain.stagedCommit(), SHA, 10,
        OptionalLong.empty());
  }

  /** A ratifiable commit of {@code version} under {@code lease}, with a segment named after the version. */
  /** The staged file {@link #entry} names for {@code version} of {@code tableId}. */
  static URI staged(CoordinatorStore store, TableId tableId, long version) {
    TableState table = store.table(tableId).orElseThrow(() -> CoordinatorErrors.unknownTable(tableId));
    return URI.create(table.stagedCommitDirectory() + String.format("/%020d.%s.json", version,
        "00000000-0000-0000-0000-000000000000"));
  }

  static CommitEntry entry(CoordinatorStore store, Lease lease, long version, Optional<SourcePosition> watermark) {
    TableState table = store.table(lease.tableId()).orElseThrow();
    CommitRecord record = new CommitRecord(lease.tableId(), version, lease.writer(), lease.epoch(), watermark,
        List.of(URI.create("file:/staging/seg-" + version + ".parquet")), 5, T0, table.publishedCommit(version),
        CommitRecord.Status.RATIFIED, Optional.empty());
    URI staged = URI.create(table.stagedCommitDirectory() + String.format("/%020d.%s.json", version,
        "00000000-0000-0000-0000-000000000000"));
    return new CommitEntry(record, staged, SHA, 10, OptionalLong.empty());
  }

  private static void assertUnknownTable(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TABLE))
        .hasMessageContaining("Table pg1.public.orders is not registered");
  }

  private static void assertInternal(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL))
        .hasMessageContaining("Refusing an inconsistent change to table pg1.public.orders")
        .hasMessageContaining(message);
  }
}
