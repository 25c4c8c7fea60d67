package io.tributary.coordinator;

import static io.tributary.coordinator.TestCoordinator.proposal;
import static io.tributary.coordinator.TestCoordinator.published;
import static io.tributary.coordinator.TestCoordinator.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.coordinator.internal.CommitEntry;
import io.tributary.coordinator.internal.CoordinatorMetrics;
import io.tributary.coordinator.internal.CoordinatorService;
import io.tributary.coordinator.internal.DeltaLogPublisher;
import io.tributary.coordinator.internal.FileCoordinatorStore;
import io.tributary.coordinator.internal.FileEventLog;
import io.tributary.coordinator.internal.TableState;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store across restarts of the server, including the crash windows of a commit. */
class CoordinatorRestartIT {
  private static final TableId ORDERS = TableId.parse("pg1.public.orders");
  private static final TableId ITEMS = TableId.parse("pg1.public.items");
  private static final WriterId A = new WriterId("applier-a");
  private static final WriterId B = new WriterId("applier-b");
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @TempDir
  Path temp;

  @Test
  void stateSurvivesARestart() throws IOException {
    Path dataDir = temp.resolve("coordinator");
    Path orders = temp.resolve("orders");
    Lease lease;
    TableStatus before;
    List<CommitRecord> historyBefore;
    try (TestCoordinator coordinator = TestCoordinator.start(dataDir)) {
      coordinator.register(ORDERS, orders);
      coordinator.register(ITEMS, temp.resolve("items"));
      coordinator.client().acquireLease(ORDERS, A, TTL);
      lease = coordinator.client().acquireLease(ORDERS, B, TTL);
      coordinator.client().commit(proposal(lease, 0, stage(orders, 0, "{\"v\":0}\n")));
      coordinator.client().commit(new CommitProposal(ORDERS, B, lease.epoch(), 1, stage(orders, 1, "{\"v\":1}\n"),
          Optional.of(SourcePosition.of(1, 99)), List.of(URI.create("file:/staging/s1.parquet")), 4));
      before = coordinator.client().table(ORDERS).orElseThrow();
      historyBefore = coordinator.client().history(ORDERS);
    }
    // A crash in the middle of the next append leaves a torn last line.
    Files.writeString(dataDir.resolve("journal.jsonl"), "{\"type\":\"lease_acq", StandardOpenOption.APPEND);

    try (TestCoordinator coordinator = TestCoordinator.start(dataDir)) {
      assertThat(coordinator.client().table(ORDERS)).contains(before);
      assertThat(coordinator.client().history(ORDERS)).isEqualTo(historyBefore);
      assertThat(coordinator.client().tables()).extracting(TableStatus::tableId).containsExactly(ITEMS, ORDERS);
      assertThat(before.version()).isEqualTo(1);
      assertThat(before.appliedPosition()).contains(SourcePosition.of(1, 99));
      assertThat(before.leaseHolder()).contains(B);

      // The lease taken before the restart still commits; a new acquisition continues the epochs.
      coordinator.client().commit(proposal(lease, 2, stage(orders, 2, "{\"v\":2}\n")));
      assertThat(coordinator.client().acquireLease(ORDERS, A, TTL).epoch()).isEqualTo(new Epoch(3));
      assertThat(coordinator.registry().scrape())
          .contains("tributary_coordinator_table_version{table=\"pg1.public.orders\"} 2.0")
          .contains("tributary_coordinator_tables_registered 2.0");
    }
  }

  @Test
  void commitRatifiedButNotPublishedBeforeACrashIsPublishedAtStartup() throws IOException {
    Path dataDir = temp.resolve("coordinator");
    Path orders = temp.resolve("orders");
    URI staged = stage(orders, 0, "{\"v\":0}\n");
    crashAfterRatifying(dataDir, orders, staged);

    try (TestCoordinator coordinator = TestCoordinator.start(dataDir)) {
      assertThat(Files.readString(published(orders, 0))).isEqualTo("{\"v\":0}\n");
      assertThat(Path.of(staged)).doesNotExist();
      assertThat(coordinator.client().history(ORDERS)).singleElement()
          .satisfies(record -> assertThat(record.status()).isEqualTo(CommitRecord.Status.PUBLISHED));
      assertThat(coordinator.client().table(ORDERS).orElseThrow().version()).isZero();
    }
  }

  @Test
  void aRunningCoordinatorPublishesACommitAbandonedLongerThanTheGrace() throws IOException {
    Path dataDir = temp.resolve("coordinator");
    Path orders = temp.resolve("orders");
    URI staged = stage(orders, 0, "{\"v\":0}\n");
    crashAfterRatifying(dataDir, orders, staged);
    TestClock clock = new TestClock(T0.plusSeconds(10));

    try (FileCoordinatorStore store = FileCoordinatorStore.open(dataDir);
        DeltaLogPublisher publisher = new DeltaLogPublisher(Map.of());
        FileEventLog events = FileEventLog.open(temp.resolve("events"), clock, Duration.ofDays(1), 100)) {
      CoordinatorService service = new CoordinatorService(store, publisher,
          new CoordinatorMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), store), events, clock,
          Duration.ofSeconds(30));
      service.recoverOlderThan(Duration.ofSeconds(30));
      assertThat(published(orders, 0)).as("too young: its coordinator may be publishing it").doesNotExist();

      clock.advance(Duration.ofSeconds(21));
      service.recoverOlderThan(Duration.ofSeconds(30));
      assertThat(Files.readString(published(orders, 0))).isEqualTo("{\"v\":0}\n");
      assertThat(store.unpublished()).isEmpty();
    }
  }

  @Test
  void onlyPublishedCommitsCountTowardsThePublishedPosition() throws IOException {
    Path dataDir = temp.resolve("coordinator");
    Path orders = temp.resolve("orders");
    try (TestCoordinator coordinator = TestCoordinator.start(dataDir)) {
      coordinator.register(ORDERS, orders);
      Lease lease = coordinator.client().acquireLease(ORDERS, A, TTL);
      assertThat(coordinator.client().publishedPosition(ORDERS).position()).isEmpty();
      coordinator.client().commit(new CommitProposal(ORDERS, A, lease.epoch(), 0, stage(orders, 0, "{\"v\":0}\n"),
          Optional.of(SourcePosition.of(7)), List.of(), 1));
      PublishedPosition published = coordinator.client().publishedPosition(ORDERS);
      assertThat(published.version()).isZero();
      assertThat(published.position()).contains(SourcePosition.of(7));
      assertThat(published.covers(SourcePosition.of(7))).isTrue();
      assertThat(published.covers(SourcePosition.of(8))).isFalse();
    }

    // Version 1 ratified, then the coordinator dies before publishing it.
    URI staged = stage(orders, 1, "{\"v\":1}\n");
    TestClock clock = new TestClock(T0);
    try (FileCoordinatorStore store = FileCoordinatorStore.open(dataDir);
        DeltaLogPublisher publisher = new DeltaLogPublisher(Map.of());
        FileEventLog events = FileEventLog.open(temp.resolve("events"), clock, Duration.ofDays(1), 100)) {
      DeltaLogPublisher.Content content = publisher.inspect(staged);
      TableState table = store.table(ORDERS).orElseThrow();
      store.ratify(new CommitEntry(new CommitRecord(ORDERS, 1, A, table.epoch(), Optional.of(SourcePosition.of(9)),
          List.of(), 1, T0, table.publishedCommit(1), CommitRecord.Status.RATIFIED, Optional.empty()), staged, content.sha256(),
          content.size(), OptionalLong.empty()));
      CoordinatorService service = new CoordinatorService(store, publisher,
          new CoordinatorMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), store), events, clock,
          Duration.ofSeconds(30));
      assertThat(store.table(ORDERS).orElseThrow().appliedPosition()).contains(SourcePosition.of(9));
      assertThat(service.publishedPosition(ORDERS).position()).as("ratified is not yet published")
          .contains(SourcePosition.of(7));

      service.recover();
      assertThat(service.publishedPosition(ORDERS)).isEqualTo(new PublishedPosition(ORDERS, 1,
          Optional.of(SourcePosition.of(9))));
    }
  }

  @Test
  void commitPublishedButNotMarkedBeforeACrashIsMarkedAtStartup() throws IOException {
    Path dataDir = temp.resolve("coordinator");
    Path orders = temp.resolve("orders");
    URI staged = stage(orders, 0, "{\"v\":0}\n");
    crashAfterRatifying(dataDir, orders, staged);
    // The crash came after the log entry was written and the staged file removed.
    Files.move(Path.of(staged), published(orders, 0));

    try (TestCoordinator coordinator = TestCoordinator.start(dataDir)) {
      assertThat(coordinator.client().history(ORDERS)).singleElement()
          .satisfies(record -> assertThat(record.status()).isEqualTo(CommitRecord.Status.PUBLISHED));
      Lease lease = coordinator.client().table(ORDERS).orElseThrow().leaseHolder()
          .map(holder -> coordinator.client().acquireLease(ORDERS, holder, TTL)).orElseThrow();
      assertThat(coordinator.client().commit(proposal(lease, 1, stage(orders, 1, "{}\n"))).version()).isEqualTo(1);
    }
  }

  @Test
  void ratifiedCommitWhoseVersionWasTakenIsWithdrawnAtStartup() throws IOException {
    Path dataDir = temp.resolve("coordinator");
    Path orders = temp.resolve("orders");
    URI staged = stage(orders, 0, "{\"v\":0}\n");
    crashAfterRatifying(dataDir, orders, staged);
    Files.writeString(published(orders, 0), "{\"someone\":\"else\"}\n");

    try (TestCoordinator coordinator = TestCoordinator.start(dataDir)) {
      assertThat(coordinator.client().history(ORDERS)).isEmpty();
      assertThat(coordinator.client().table(ORDERS).orElseThrow().version()).isEqualTo(-1);
      assertThat(Files.readString(published(orders, 0))).isEqualTo("{\"someone\":\"else\"}\n");
    }
    try (TestCoordinator coordinator = TestCoordinator.start(dataDir)) {
      assertThat(coordinator.client().table(ORDERS).orElseThrow().version()).isEqualTo(-1);
    }
  }

  /** Leaves the store as a crash between ratifying a commit and publishing it would. */
  private static void crashAfterRatifying(Path dataDir, Path orders, URI staged) throws IOException {
    DeltaLogPublisher.Content content;
    try (DeltaLogPublisher publisher = new DeltaLogPublisher(Map.of())) {
      content = publisher.inspect(staged);
    }
    try (FileCoordinatorStore store = FileCoordinatorStore.open(dataDir)) {
      TableState table = store.register(new TableRegistration(ORDERS, orders.toUri(), List.of("id")), T0);
      Lease lease = store.acquireLease(ORDERS, A, T0, T0.plus(TTL));
      CommitRecord record = new CommitRecord(ORDERS, 0, A, lease.epoch(), Optional.empty(), List.of(), 0, T0,
          table.publishedCommit(0), CommitRecord.Status.RATIFIED, Optional.empty());
      store.ratify(new CommitEntry(record, staged, content.sha256(), content.size(), OptionalLong.empty()));
    }
  }
}
