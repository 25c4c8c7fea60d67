package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCoordinatorStoreTest {
  private static final TableId TABLE = TableId.parse("pg1.public.orders");
  private static final WriterId A = new WriterId("applier-a");
  private static final WriterId B = new WriterId("applier-b");
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final String SHA = "0".repeat(64);

  @TempDir
  Path directory;

  @Test
  void stateSurvivesReopening() {
    URI location = directory.resolve("orders").toUri();
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      store.register(new TableRegistration(TABLE, location, List.of("id")), T0);
      store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
      Lease lease = store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));
      store.ratify(entry(store, lease, 0, Optional.empty()));
      store.markPublished(TABLE, 0, 10, 1000, T0);
      store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(1, 42))));
      store.markPublished(TABLE, 1, 20, 2000, T0);
      store.renewLease(TABLE, B, lease.epoch(), T0, T0.plusSeconds(60));
    }

    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      TableState table = store.table(TABLE).orElseThrow();
      assertThat(table.location()).isEqualTo(TableState.normalizeLocation(location));
      assertThat(table.version()).isEqualTo(1);
      assertThat(table.epoch()).isEqualTo(new Epoch(2));
      assertThat(table.leaseHolder()).contains(B);
      assertThat(table.leaseExpiresAt()).contains(T0.plusSeconds(60));
      assertThat(table.appliedPosition()).contains(SourcePosition.of(1, 42));
      assertThat(store.history(TABLE)).extracting(CommitEntry::version).containsExactly(1L, 0L);
      assertThat(store.history(TABLE).get(0).receipt().size()).isEqualTo(20);
      assertThat(store.history(TABLE).get(0).receipt().modificationTime()).isEqualTo(2000);
      assertThat(store.unpublished()).isEmpty();
    }
  }

  @Test
  void unpublishedCommitSurvivesReopeningAsRatified() {
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      store.register(new TableRegistration(TABLE, directory.resolve("t").toUri(), List.of("id")), T0);
      Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
      store.ratify(entry(store, lease, 0, Optional.empty()));
    }
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      assertThat(store.unpublished()).singleElement()
          .satisfies(entry -> assertThat(entry.record().status()).isEqualTo(CommitRecord.Status.RATIFIED));
      assertThat(store.table(TABLE).orElseThrow().version()).isZero();
    }
  }

  @Test
  void withdrawnCommitFreesItsVersionAndRestoresThePosition() {
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      store.register(new TableRegistration(TABLE, directory.resolve("t").toUri(), List.of("id")), T0);
      Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
      store.ratify(entry(store, lease, 0, Optional.of(SourcePosition.of(1))));
      store.markPublished(TABLE, 0, 1, 1, T0);
      store.ratify(entry(store, lease, 1, Optional.of(SourcePosition.of(2))));
      TableState after = store.withdraw(TABLE, 1, "target exists", T0);
      assertThat(after.version()).isZero();
      assertThat(after.appliedPosition()).contains(SourcePosition.of(1));
    }
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      assertThat(store.table(TABLE).orElseThrow().version()).isZero();
      assertThat(store.history(TABLE)).hasSize(1);
    }
  }

  @Test
  void commitWithStaleEpochOrWrongVersionIsRefused() {
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      store.register(new TableRegistration(TABLE, directory.resolve("t").toUri(), List.of("id")), T0);
      Lease first = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
      Lease second = store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));

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
    }
  }

  @Test
  void releaseFreesTheLeaseOnlyForItsHolder() {
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      store.register(new TableRegistration(TABLE, directory.resolve("t").toUri(), List.of("id")), T0);
      Lease first = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
      Lease second = store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));

      assertThat(store.releaseLease(TABLE, A, first.epoch(), T0).leaseHolder()).contains(B);
      assertThat(store.releaseLease(TABLE, B, second.epoch(), T0).leaseHolder()).isEmpty();
      assertThatThrownBy(() -> store.ratify(entry(store, second, 0, Optional.empty())))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH))
          .hasMessageContaining("does not hold the lease");
    }
  }

  @Test
  void registeringAgainIdenticallyIsANoOpAndDifferentlyIsRefused() {
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      URI location = directory.resolve("t").toUri();
      store.register(new TableRegistration(TABLE, location, List.of("id")), T0);
      // The same directory written another way is the same location.
      URI sameDirectory = URI.create(location.toString().replaceAll("/$", "") + "/");
      assertThat(store.register(new TableRegistration(TABLE, sameDirectory, List.of("id")), T0).version()).isEqualTo(-1);

      assertThatThrownBy(() -> store.register(new TableRegistration(TABLE, location, List.of("other")), T0))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("already registered");
    }
  }

  @Test
  void tornLastJournalLineIsIgnored() throws IOException {
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      store.register(new TableRegistration(TABLE, directory.resolve("t").toUri(), List.of("id")), T0);
      store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    }
    Path journal = directory.resolve(FileCoordinatorStore.JOURNAL_FILE);
    Files.writeString(journal, "{\"type\":\"lease_acquired\",\"at\":\"2026-11-01T10:00:00Z\",\"table_id\":\"pg1.pu",
        StandardOpenOption.APPEND);

    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      assertThat(store.table(TABLE).orElseThrow().epoch()).isEqualTo(new Epoch(1));
      store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));
    }
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      assertThat(store.table(TABLE).orElseThrow().leaseHolder()).contains(B);
    }
  }

  @Test
  void journalThatDoesNotAddUpFailsStartup() throws IOException {
    try (FileCoordinatorStore store = FileCoordinatorStore.open(directory)) {
      store.register(new TableRegistration(TABLE, directory.resolve("t").toUri(), List.of("id")), T0);
    }
    Path journal = directory.resolve(FileCoordinatorStore.JOURNAL_FILE);
    Files.writeString(journal, "{\"type\":\"lease_acquired\",\"at\":\"2026-11-01T10:00:00Z\",\"table_id\":\"pg1.public.orders\","
        + "\"writer\":\"w\",\"epoch\":5,\"expires_at\":\"2026-11-01T10:00:30Z\"}\n", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> FileCoordinatorStore.open(directory))
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining(journal.toString())
        .hasMessageContaining("line 3")
        .hasMessageContaining("acquired at epoch 5, expected 1");
  }

  @Test
  void closedStoreRefusesChanges() {
    FileCoordinatorStore store = FileCoordinatorStore.open(directory);
    store.close();
    store.close();
    assertThat(store.healthy()).isFalse();
    assertThatThrownBy(() -> store.register(new TableRegistration(TABLE, directory.toUri(), List.of("id")), T0))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.COORDINATOR_UNAVAILABLE));
  }

  private static CommitEntry entry(CoordinatorStore store, Lease lease, long version, Optional<SourcePosition> watermark) {
    TableState table = store.table(lease.tableId()).orElseThrow();
    CommitRecord record = new CommitRecord(lease.tableId(), version, lease.writer(), lease.epoch(), watermark,
        List.of(URI.create("file:/staging/seg-" + version + ".parquet")), 5, T0, table.publishedCommit(version),
        CommitRecord.Status.RATIFIED);
    URI staged = URI.create(table.stagedCommitDirectory() + String.format("/%020d.%s.json", version,
        "00000000-0000-0000-0000-000000000000"));
    return new CommitEntry(record, staged, SHA, 10, OptionalLong.empty());
  }
}
