package io.tributary.coordinator;

import static io.tributary.coordinator.TestCoordinator.published;
import static io.tributary.coordinator.TestCoordinator.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commit groups and consistent positions through the HTTP API of a real coordinator on 127.0.0.1. */
class CommitGroupIT {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId ITEMS = TableId.parse("shop.public.items");
  private static final TableId CUSTOMERS = TableId.parse("shop.public.customers");
  private static final TableId OTHER_SOURCE = TableId.parse("crm.public.leads");
  private static final WriterId A = new WriterId("applier-a");
  private static final WriterId B = new WriterId("applier-b");
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final Duration TTL = Duration.ofMinutes(1);

  @TempDir
  Path temp;

  private final TestClock clock = new TestClock(T0);
  private TestCoordinator coordinator;
  private HttpCoordinatorClient client;

  @BeforeEach
  void start() {
    coordinator = TestCoordinator.start(CoordinatorConfig.local(temp.resolve("coordinator")), clock);
    client = coordinator.client();
    for (TableId table : List.of(ORDERS, ITEMS, CUSTOMERS, OTHER_SOURCE)) {
      coordinator.register(table, directory(table));
    }
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  @Test
  void aGroupIsRatifiedAllOrNothingAndGivesTheSourceAConsistentPosition() {
    Lease orders = client.acquireLease(ORDERS, A, TTL);
    Lease items = client.acquireLease(ITEMS, A, TTL);
    Lease customers = client.acquireLease(CUSTOMERS, A, TTL);
    assertThat(client.consistentPosition("shop")).isEmpty();

    // customers: changed before the cut only, committed on its own.
    client.commit(proposal(customers, 0, SourcePosition.of(1, 30)));
    CommitGroupProposal first = new CommitGroupProposal("shop", "g-1", SourcePosition.of(1, 50),
        List.of(proposal(orders, 0, SourcePosition.of(1, 40)), proposal(items, 0, SourcePosition.of(1, 50))));
    List<CommitReceipt> receipts = client.commitGroup(first);

    assertThat(receipts).extracting(CommitReceipt::tableId).containsExactly(ORDERS, ITEMS);
    assertThat(published(directory(ORDERS), 0)).exists();
    assertThat(published(directory(ITEMS), 0)).exists();
    assertThat(client.history(ORDERS, Long.MAX_VALUE, 10)).singleElement().satisfies(record ->
        assertThat(record.group()).contains(new CommitRecord.Group("g-1", SourcePosition.of(1, 50), 2)));
    // A group whose answer was lost, sent again, is answered with the same receipts.
    assertThat(client.commitGroup(first)).isEqualTo(receipts);

    // customers moves past the cut on its own: the consistent position still names its version 0.
    client.commit(proposal(customers, 1, SourcePosition.of(1, 70)));
    ConsistentPosition position = client.consistentPosition("shop").orElseThrow();
    assertThat(position.position()).isEqualTo(SourcePosition.of(1, 50));
    assertThat(position.group()).isEqualTo("g-1");
    assertThat(position.tables()).containsExactly(new ConsistentPosition.TableVersion(CUSTOMERS, 0),
        new ConsistentPosition.TableVersion(ITEMS, 0), new ConsistentPosition.TableVersion(ORDERS, 0));
    assertThat(client.consistentPosition("crm")).isEmpty();

    // items is taken by another writer: the next group is refused whole; orders is not committed either.
    client.acquireLease(ITEMS, B, TTL);
    CommitGroupProposal second = new CommitGroupProposal("shop", "g-2", SourcePosition.of(1, 90),
        List.of(proposal(orders, 1, SourcePosition.of(1, 80)), proposal(items, 1, SourcePosition.of(1, 90))));
    assertThatThrownBy(() -> client.commitGroup(second))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH))
        .hasMessageContaining("Commit group g-2 was refused, none of its commits was ratified")
        .hasMessageContaining(ITEMS.toString());
    assertThat(client.table(ORDERS).orElseThrow().version()).isZero();
    assertThat(client.table(ORDERS).orElseThrow().appliedPosition()).contains(SourcePosition.of(1, 40));
    assertThat(published(directory(ORDERS), 1)).doesNotExist();
    assertThat(client.consistentPosition("shop")).contains(position);

    assertThat(client.events(EventQuery.latest().withTable(ORDERS)).stream()
        .filter(event -> event.type() == CoordinatorEvent.Type.COMMIT).findFirst().orElseThrow().details())
        .containsEntry("group", "g-1").containsEntry("cut", SourcePosition.of(1, 50).value());
    assertThat(coordinator.registry().scrape())
        .contains("tributary_coordinator_commit_groups_total{outcome=\"ratified\"} 1.0")
        .contains("tributary_coordinator_commit_groups_total{outcome=\"refused\"} 1.0");
  }

  @Test
  void groupsThatDoNotAddUpAreRefusedBeforeAnythingIsChecked() {
    Lease orders = client.acquireLease(ORDERS, A, TTL);
    Lease leads = client.acquireLease(OTHER_SOURCE, A, TTL);
    assertThatThrownBy(() -> new CommitGroupProposal("shop", "g", SourcePosition.of(1, 50),
        List.of(proposal(orders, 0, SourcePosition.of(1, 40)), proposal(leads, 0, SourcePosition.of(1, 40)))))
        .hasMessageContaining("a table of another source");
    assertThatThrownBy(() -> new CommitGroupProposal("shop", "g", SourcePosition.of(1, 50),
        List.of(proposal(orders, 0, SourcePosition.of(1, 60)))))
        .hasMessageContaining("applies up to");
    CommitGroupProposal unknown = new CommitGroupProposal("shop", "g", SourcePosition.of(1, 50),
        List.of(new CommitProposal(TableId.parse("shop.public.nope"), A, orders.epoch(), 0,
            stage(directory(ORDERS), 0, "{}\n"), Optional.of(SourcePosition.of(1, 1)), List.of(), 1)));
    assertThatThrownBy(() -> client.commitGroup(unknown))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TABLE));
  }

  private CommitProposal proposal(Lease lease, long version, SourcePosition watermark) {
    Path directory = directory(lease.tableId());
    return new CommitProposal(lease.tableId(), lease.writer(), lease.epoch(), version,
        stage(directory, version, "{\"commitInfo\":{\"v\":" + version + "}}\n"), Optional.of(watermark),
        List.of(java.net.URI.create("file:/staging/" + lease.tableId().table() + "-" + version + ".parquet")), 1);
  }

  private Path directory(TableId table) {
    return temp.resolve(table.source() + "-" + table.table());
  }
}
