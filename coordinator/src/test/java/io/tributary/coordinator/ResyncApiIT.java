package io.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resync requests and their steps through the HTTP API of a real coordinator on 127.0.0.1. */
class ResyncApiIT {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId ITEMS = TableId.parse("shop.public.items");
  private static final TableId LEADS = TableId.parse("crm.public.leads");
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @TempDir
  Path temp;

  private final TestClock clock = new TestClock(T0);
  private TestCoordinator coordinator;
  private HttpCoordinatorClient client;

  @BeforeEach
  void start() {
    coordinator = TestCoordinator.start(CoordinatorConfig.local(temp.resolve("coordinator")), clock);
    client = coordinator.client();
    for (TableId table : List.of(ORDERS, ITEMS, LEADS)) {
      coordinator.register(table, temp.resolve(table.table()));
    }
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  @Test
  void aResyncIsRequestedCapturedAndSwitchedStepByStep() {
    Resync requested = client.requestResync(ORDERS, "rows diverged after a manual fix").resync().orElseThrow();
    assertThat(requested.state()).isEqualTo(Resync.State.REQUESTED);
    assertThat(requested.reason()).isEqualTo("rows diverged after a manual fix");
    assertThat(client.pendingResyncs("shop")).extracting(TableStatus::tableId).containsExactly(ORDERS);
    assertThat(client.pendingResyncs("crm")).isEmpty();
    assertRefused(() -> client.requestResync(ORDERS, "again"), "is being resynced already");

    clock.advance(Duration.ofSeconds(1));
    client.reportResync(ORDERS, requested.id(), Resync.State.CAPTURING, "0 of ~1,000 rows");
    Resync capturing = client.reportResync(ORDERS, requested.id(), Resync.State.CAPTURING, "500 of ~1,000 rows")
        .resync().orElseThrow();
    assertThat(capturing.detail()).isEqualTo("500 of ~1,000 rows");
    assertThat(capturing.updatedAt()).isEqualTo(T0.plusSeconds(1));
    assertRefused(() -> client.reportResync(ORDERS, "someone-else", Resync.State.CAPTURED, ""),
        "is not the table's current resync");
    assertRefused(() -> client.reportResync(ORDERS, requested.id(), Resync.State.DONE, ""), "cannot become DONE");

    client.reportResync(ORDERS, requested.id(), Resync.State.CAPTURED, "1,000 rows");
    assertThat(client.pendingResyncs("shop")).as("captured: the applier's turn").isEmpty();
    Resync done = client.reportResync(ORDERS, requested.id(), Resync.State.DONE, "version 9").resync().orElseThrow();
    assertThat(done.state()).isEqualTo(Resync.State.DONE);
    assertThat(client.table(ORDERS).orElseThrow().resync()).contains(done);

    List<CoordinatorEvent> events = client.events(EventQuery.latest().withTable(ORDERS)
        .withTypes(java.util.Set.of(CoordinatorEvent.Type.RESYNC)));
    assertThat(events).extracting(event -> event.details().get("state"))
        .containsExactly("DONE", "CAPTURED", "CAPTURING", "REQUESTED");
    assertThat(events.get(3).message()).contains("rows diverged after a manual fix");

    // Once done, the table can be resynced again.
    assertThat(client.requestResync(ORDERS, "once more").resync().orElseThrow().id()).isNotEqualTo(requested.id());
  }

  @Test
  void anOperatorCancelsAResyncAndOnlyAnOperatorCan() {
    Resync requested = client.requestResync(ITEMS, "suspicious counts").resync().orElseThrow();
    Resync cancelled = client.cancelResync(ITEMS, requested.id(), "wrong table").resync().orElseThrow();
    assertThat(cancelled.state()).isEqualTo(Resync.State.CANCELLED);
    assertThat(cancelled.detail()).isEqualTo("wrong table");
    assertThat(client.pendingResyncs("shop")).isEmpty();
    assertRefused(() -> client.reportResync(ITEMS, requested.id(), Resync.State.CAPTURING, ""), "it is over");
    assertThatThrownBy(() -> client.requestResync(ITEMS, " "))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("a resync needs a reason");
  }

  @Test
  void aGatewayRequiresAResyncForChangesThatWillNeverBeAppliedOnceOnly() {
    Instant stagedUntil = T0.minus(Duration.ofDays(31));
    Resync required = client.requireResync(ORDERS, "retention deleted 3 unapplied segments", stagedUntil).resync()
        .orElseThrow();
    assertThat(required.state()).isEqualTo(Resync.State.REQUESTED);
    assertThat(required.reason()).isEqualTo("retention deleted 3 unapplied segments");

    clock.advance(Duration.ofHours(1));
    assertThat(client.requireResync(ORDERS, "retention deleted 2 more", stagedUntil).resync()).as("covered already")
        .contains(required);
    assertRefused(() -> client.requireResync(ORDERS, "changes staged after the request", clock.instant()),
        "is being resynced already");
  }

  @Test
  void aRequiredResyncIsNotCoveredByOneThatFailed() {
    Resync operator = client.requestResync(ITEMS, "suspicious counts").resync().orElseThrow();
    client.reportResync(ITEMS, operator.id(), Resync.State.FAILED, "no key");
    Resync required = client.requireResync(ITEMS, "retention deleted 1 unapplied segment", T0.minus(Duration.ofDays(31)))
        .resync().orElseThrow();
    assertThat(required.id()).isNotEqualTo(operator.id());
    assertThat(required.state()).isEqualTo(Resync.State.REQUESTED);
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESYNC_CONFLICT))
        .hasMessageContaining(message);
  }
}
