package io.tributary.coordinator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.commit.CommitFailedException;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.TestCoordinator;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Delta tables written with Delta Kernel 4.4.0 through {@link CoordinatedCommitter} and a real coordinator. */
class CoordinatedCommitterIT {
  private static final TableId ORDERS = TableId.parse("pg1.public.orders");
  private static final WriterId A = new WriterId("applier-a");
  private static final WriterId B = new WriterId("applier-b");
  private static final Duration TTL = Duration.ofSeconds(30);

  @TempDir
  Path temp;

  private TestCoordinator coordinator;
  private HttpCoordinatorClient client;
  private Path directory;
  private DeltaTestTable table;

  @BeforeEach
  void start() {
    coordinator = TestCoordinator.start(temp.resolve("coordinator"));
    client = coordinator.client();
    directory = temp.resolve("orders");
    table = new DeltaTestTable(directory);
    client.register(new TableRegistration(ORDERS, directory.toUri(), List.of("id")));
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  @Test
  void createsAppendsAndReadsBack() throws IOException {
    Lease lease = client.acquireLease(ORDERS, A, TTL);

    assertThat(table.create(committer(client, lease)).getVersion()).isZero();
    SourcePosition watermark = SourcePosition.of(1, 0x2a, 3);
    List<URI> segments = List.of(URI.create("file:/staging/pg1/public.orders/2026-11-01/000000000001_a_b.parquet"));
    CoordinatedCommitter append = new CoordinatedCommitter(client, lease, Optional.of(watermark), segments, 3);
    assertThat(table.append(append, Map.of(1L, "one", 2L, "two", 3L, "three")).getVersion()).isEqualTo(1);

    assertThat(table.read()).isEqualTo(Map.of(1L, "one", 2L, "two", 3L, "three"));
    assertThat(table.version()).isEqualTo(1);
    TableStatus status = client.table(ORDERS).orElseThrow();
    assertThat(status.version()).isEqualTo(1);
    assertThat(status.appliedPosition()).contains(watermark);
    List<CommitRecord> history = client.history(ORDERS);
    assertThat(history).extracting(CommitRecord::version).containsExactly(1L, 0L);
    assertThat(history.get(0).segments()).isEqualTo(segments);
    assertThat(history.get(0).rowsChanged()).isEqualTo(3);
    assertThat(history).allSatisfy(record -> assertThat(record.status()).isEqualTo(CommitRecord.Status.PUBLISHED));
    assertThat(TestCoordinator.published(directory, 1)).exists();
    assertThat(stagedFiles()).isEmpty();
    try (Stream<Path> log = Files.list(directory.resolve("_delta_log"))) {
      assertThat(log.map(file -> file.getFileName().toString()))
          .containsExactlyInAnyOrder("00000000000000000000.json", "00000000000000000001.json", "_staged_commits");
    }
  }

  @Test
  void fencedWriterIsRefusedAndTheCurrentHolderCommits() throws IOException {
    table.create(committer(client, client.acquireLease(ORDERS, new WriterId("creator"), TTL)));
    Lease leaseA = client.acquireLease(ORDERS, A, TTL);
    Lease leaseB = client.acquireLease(ORDERS, B, TTL);

    assertThatThrownBy(() -> table.append(committer(client, leaseA), Map.of(1L, "from A")))
        .rootCause()
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));
    assertThatThrownBy(() -> table.append(committer(client, leaseA), Map.of(1L, "from A")))
        .cause()
        .isInstanceOfSatisfying(CommitFailedException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.isConflict()).isTrue();
        })
        .hasMessageContaining("Writer applier-a was fenced")
        .hasMessageContaining("version 1 of table pg1.public.orders")
        .hasMessageContaining("epoch 2");
    assertThat(table.version()).isZero();
    assertThat(client.table(ORDERS).orElseThrow().version()).isZero();
    assertThat(TestCoordinator.published(directory, 1)).doesNotExist();
    assertThat(stagedFiles()).isEmpty();

    assertThat(table.append(committer(client, leaseB), Map.of(2L, "from B")).getVersion()).isEqualTo(1);
    assertThat(table.read()).isEqualTo(Map.of(2L, "from B"));
    assertThat(client.history(ORDERS).get(0).writer()).isEqualTo(B);
  }

  @Test
  void versionTakenByAnotherTransactionIsAConflict() {
    Lease lease = client.acquireLease(ORDERS, A, TTL);
    table.create(committer(client, lease));
    // Two transactions read version 0; the coordinator lets only the first become version 1.
    io.delta.kernel.Snapshot snapshot = io.delta.kernel.TableManager.loadSnapshot(directory.toString())
        .withCommitter(committer(client, lease)).build(table.engine());
    table.append(committer(client, lease), Map.of(1L, "first"));

    assertThatThrownBy(() -> snapshot.buildUpdateTableTransaction("test", io.delta.kernel.Operation.WRITE)
        .build(table.engine()).commit(table.engine(), io.delta.kernel.utils.CloseableIterable.emptyIterable()))
        .cause()
        .isInstanceOfSatisfying(CommitFailedException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.isConflict()).isTrue();
          assertThat(e.getCause()).isInstanceOfSatisfying(TributaryException.class,
              cause -> assertThat(cause.code()).isEqualTo(ErrorCode.COMMIT_CONFLICT));
        })
        .hasMessageContaining("The version was taken")
        .hasMessageContaining("version 1 of table pg1.public.orders");
    assertThat(table.read()).isEqualTo(Map.of(1L, "first"));
  }

  @Test
  void staleLeaseCannotCreateTheTable() {
    Lease stale = client.acquireLease(ORDERS, A, TTL);
    client.acquireLease(ORDERS, B, TTL);

    assertThatThrownBy(() -> table.create(committer(client, stale)))
        .rootCause()
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));
    assertThat(TestCoordinator.published(directory, 0)).doesNotExist();
    assertThat(client.table(ORDERS).orElseThrow().version()).isEqualTo(-1);
  }

  @Test
  void unavailableCoordinatorIsRetriedByKernel() throws IOException {
    Lease lease = client.acquireLease(ORDERS, A, TTL);
    ScriptedClient flaky = new ScriptedClient(client);
    flaky.failNext(proposal -> new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE, "Cannot reach the coordinator"));

    assertThat(table.create(committer(flaky, lease)).getVersion()).isZero();

    assertThat(flaky.proposals()).isEqualTo(2);
    assertThat(stagedFiles()).isEmpty();
    assertThat(client.table(ORDERS).orElseThrow().version()).isZero();
  }

  @Test
  void unknownOutcomeIsNotRetriedAndKeepsTheStagedCommit() throws IOException {
    Lease lease = client.acquireLease(ORDERS, A, TTL);
    ScriptedClient lost = new ScriptedClient(client);
    lost.failNext(proposal -> new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "no answer came back"));
    CoordinatedCommitter committer = committer(lost, lease);

    assertThatThrownBy(() -> table.create(committer))
        .cause()
        .isInstanceOfSatisfying(CommitFailedException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.isConflict()).isFalse();
          assertThat(((TributaryException) e.getCause()).code()).isEqualTo(ErrorCode.COMMIT_OUTCOME_UNKNOWN);
        })
        .hasMessageContaining("outcome of committing version 0 of table pg1.public.orders")
        .hasMessageContaining("is unknown");
    assertThat(lost.proposals()).isEqualTo(1);
    assertThat(stagedFiles()).filteredOn(file -> file.getFileName().toString().endsWith(".json")).hasSize(1);

    // Sending the same proposal again settles the outcome: here the first one never arrived.
    assertThat(client.commit(committer.lastProposal().orElseThrow()).version()).isZero();
    assertThat(table.version()).isZero();
    assertThat(stagedFiles()).isEmpty();
  }

  @Test
  void lostAnswerOfACommitThatHappenedShowsInTheTableStatus() {
    Lease lease = client.acquireLease(ORDERS, A, TTL);
    ScriptedClient lost = new ScriptedClient(client);
    lost.failNext(proposal -> {
      client.commit(proposal);
      return new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "no answer came back");
    });

    CoordinatedCommitter committer = committer(lost, lease);
    assertThatThrownBy(() -> table.create(committer)).isInstanceOf(RuntimeException.class);

    // What an applier does next: read the status and find its commit there, or send the proposal again.
    assertThat(client.table(ORDERS).orElseThrow().version()).isZero();
    assertThat(table.version()).isZero();
    CommitReceipt receipt = client.commit(committer.lastProposal().orElseThrow());
    assertThat(receipt.version()).isZero();
    assertThat(client.history(ORDERS)).hasSize(1);
  }

  private static CoordinatedCommitter committer(CoordinatorClient client, Lease lease) {
    return new CoordinatedCommitter(client, lease, Optional.empty(), List.of(), 0);
  }

  /** Every file under {@code _staged_commits}, Hadoop's checksum files included. */
  private List<Path> stagedFiles() throws IOException {
    Path staged = directory.resolve("_delta_log/_staged_commits");
    if (!Files.exists(staged)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(staged)) {
      return files.toList();
    }
  }

  /** Passes calls to a real client, except commits scripted to fail. */
  private static final class ScriptedClient implements CoordinatorClient {
    private final CoordinatorClient delegate;
    private final Deque<Function<CommitProposal, TributaryException>> failures = new ArrayDeque<>();
    private int proposals;

    ScriptedClient(CoordinatorClient delegate) {
      this.delegate = delegate;
    }

    synchronized void failNext(Function<CommitProposal, TributaryException> failure) {
      failures.add(failure);
    }

    synchronized int proposals() {
      return proposals;
    }

    @Override
    public io.tributary.coordinator.PublishedPosition publishedPosition(TableId tableId) {
      return delegate.publishedPosition(tableId);
    }

    @Override
    public List<CommitReceipt> commitGroup(io.tributary.coordinator.CommitGroupProposal group) {
      return delegate.commitGroup(group);
    }

    @Override
    public Optional<io.tributary.coordinator.ConsistentPosition> consistentPosition(String source) {
      return delegate.consistentPosition(source);
    }

    @Override
    public List<TableStatus> pendingResyncs(String source) {
      return delegate.pendingResyncs(source);
    }

    @Override
    public TableStatus reportResync(TableId tableId, String resyncId, io.tributary.coordinator.Resync.State state,
        String detail) {
      return delegate.reportResync(tableId, resyncId, state, detail);
    }

    @Override
    public TableStatus requireResync(TableId tableId, String reason, java.time.Instant stagedUntil) {
      return delegate.requireResync(tableId, reason, stagedUntil);
    }

    @Override
    public List<io.tributary.coordinator.CommitRecord> history(TableId tableId, long beforeVersion, int limit) {
      return delegate.history(tableId, beforeVersion, limit);
    }

    @Override
    public Optional<io.tributary.coordinator.Replay> replay(TableId tableId) {
      return delegate.replay(tableId);
    }

    @Override
    public io.tributary.coordinator.CoordinatorEvent report(io.tributary.coordinator.CoordinatorEvent.Report report) {
      return delegate.report(report);
    }

    @Override
    public synchronized CommitReceipt commit(CommitProposal proposal) {
      proposals++;
      Function<CommitProposal, TributaryException> failure = failures.poll();
      if (failure != null) {
        throw failure.apply(proposal);
      }
      return delegate.commit(proposal);
    }

    @Override
    public TableStatus register(TableRegistration registration) {
      return delegate.register(registration);
    }

    @Override
    public Optional<TableStatus> table(TableId tableId) {
      return delegate.table(tableId);
    }

    @Override
    public List<TableStatus> tables() {
      return delegate.tables();
    }

    @Override
    public Lease acquireLease(TableId tableId, WriterId writer, Duration ttl) {
      return delegate.acquireLease(tableId, writer, ttl);
    }

    @Override
    public Lease renewLease(Lease lease, Duration ttl) {
      return delegate.renewLease(lease, ttl);
    }

    @Override
    public void releaseLease(Lease lease) {
      delegate.releaseLease(lease);
    }

    @Override
    public void close() {}
  }
}
