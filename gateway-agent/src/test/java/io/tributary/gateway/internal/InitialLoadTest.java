package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.debezium.engine.DebeziumEngine;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitialLoadTest {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId ITEMS = TableId.parse("shop.public.items");
  private static final List<TableId> TABLES = List.of(ORDERS, ITEMS);

  @TempDir
  Path directory;

  private final List<DebeziumEngine.Signal> signals = new CopyOnWriteArrayList<>();
  private final AtomicBoolean streaming = new AtomicBoolean();
  private StateDirectory state;
  private InitialLoad load;

  @AfterEach
  void close() {
    if (load != null) {
      load.close();
    }
    if (state != null) {
      state.close();
    }
  }

  private InitialLoad start(Optional<Map<String, Object>> committedOffset) {
    if (state == null) {
      state = StateDirectory.open(directory.resolve("state"));
    }
    if (load != null) {
      load.close();
    }
    load = new InitialLoad("shop", TABLES, state, committedOffset, Clock.systemUTC());
    load.start(signals::add, streaming::get);
    return load;
  }

  private static Captured.ResyncStep step(Captured.ResyncStep.Kind kind, TableId table, String detail) {
    return new Captured.ResyncStep(kind, List.of(table), List.of(), detail);
  }

  @Test
  void everyTableIsSignalledOnceTheEngineStreamsAndRecordedWhenReadWhole() {
    start(Optional.empty());
    assertThat(load.loading(ORDERS)).isTrue();
    assertThat(signals).as("nothing before the engine streams").isEmpty();
    streaming.set(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> !signals.isEmpty());
    assertThat(signals).singleElement().satisfies(signal -> {
      assertThat(signal.type()).isEqualTo("execute-snapshot");
      assertThat(signal.id()).startsWith("initial-load-");
      assertThat(signal.data()).contains("\"type\":\"incremental\"").contains("orders").contains("items");
    });

    load.onStep(step(Captured.ResyncStep.Kind.CAPTURED, ORDERS, "10 rows read (SUCCEEDED)"));
    assertThat(load.loading(ORDERS)).isFalse();
    assertThat(load.complete()).isFalse();
    assertThat(state.initiallyLoaded()).containsExactly(ORDERS);

    // A restart before the second table is read: it alone is loaded again.
    signals.clear();
    start(Optional.empty());
    assertThat(load.loading(ORDERS)).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> !signals.isEmpty());
    assertThat(signals).singleElement().satisfies(signal ->
        assertThat(signal.data()).contains("items").doesNotContain("orders"));
    load.onStep(step(Captured.ResyncStep.Kind.CAPTURED, ITEMS, "0 rows read (EMPTY)"));
    assertThat(load.complete()).isTrue();
    assertThat(state.initiallyLoaded()).containsExactlyInAnyOrder(ORDERS, ITEMS);
  }

  @Test
  void aSnapshotTheCommittedOffsetHoldsIsResumedBySourceNotSignalledAgain() {
    streaming.set(true);
    Map<String, Object> offset = Map.of("lsn", 24023128L, ResyncDriver.OFFSET_COLLECTIONS,
        "[{\"incremental_snapshot_collections_id\":\"public.orders\"},"
            + "{\"incremental_snapshot_collections_id\":\"public.items\"}]");
    start(Optional.of(offset));
    // Two polls of the engine's state pass without a signal.
    await().during(Duration.ofMillis(2 * InitialLoad.POLL_MILLIS)).atMost(Duration.ofSeconds(10))
        .until(signals::isEmpty);
    assertThat(signals).isEmpty();
    assertThat(load.loading(ORDERS)).isTrue();
  }

  @Test
  void aFailedScanIsSignalledAgainThenStopsTheGatewayNamingTheTable() {
    streaming.set(true);
    start(Optional.empty());
    await().atMost(Duration.ofSeconds(10)).until(() -> signals.size() == 1);
    for (int attempt = 2; attempt <= ResyncDriver.ATTEMPTS; attempt++) {
      load.onStep(step(Captured.ResyncStep.Kind.FAILED, ORDERS, "the scan ended with SQL_EXCEPTION"));
      int expected = attempt;
      await().atMost(Duration.ofSeconds(10)).until(() -> signals.size() == expected);
      assertThat(signals.get(expected - 1).data()).contains("orders").doesNotContain("items");
    }
    assertThatThrownBy(() -> load.onStep(step(Captured.ResyncStep.Kind.FAILED, ORDERS, "SQL_EXCEPTION")))
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("The initial load of shop.public.orders failed 3 times (SQL_EXCEPTION)")
        .hasMessageContaining("Restarting it loads the table again");
    assertThat(state.initiallyLoaded()).isEmpty();
  }
}
