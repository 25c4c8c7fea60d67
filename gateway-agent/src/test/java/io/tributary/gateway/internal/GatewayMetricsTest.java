package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId ITEMS = TableId.parse("shop.public.items");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<CoordinatorEvent.Report> reports = new ArrayList<>();
  private final GatewayMetrics metrics = new GatewayMetrics(registry,
      Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC), reports::add);

  @Test
  void incrementalSnapshotsFillTheSnapshotProgressGauges() {
    metrics.snapshotStarting(Map.of(ORDERS, 100L), List.of(ORDERS));
    metrics.incrementalSnapshot(step(Captured.ResyncStep.Kind.STARTED));
    readIncrementally(40);

    assertThat(gauge("tributary.gateway.snapshot.rows.estimated")).isEqualTo(100);
    assertThat(gauge("tributary.gateway.snapshot.progress")).isEqualTo(0.4);
    assertThat(registry.get("tributary.gateway.resync.rows").tag("table", "shop.public.orders").counter().count())
        .isEqualTo(40);

    metrics.incrementalSnapshot(step(Captured.ResyncStep.Kind.CAPTURED));
    assertThat(gauge("tributary.gateway.snapshot.progress")).isEqualTo(1.0);
    assertThat(reports).singleElement().satisfies(report -> {
      assertThat(report.type()).isEqualTo(CoordinatorEvent.Type.SNAPSHOT_PROGRESS);
      assertThat(report.message()).startsWith("Snapshot complete: 40 rows");
    });

    // A later resync of the table reads it again: its progress starts over, with the same estimate.
    metrics.incrementalSnapshot(step(Captured.ResyncStep.Kind.STARTED));
    readIncrementally(10);
    assertThat(gauge("tributary.gateway.snapshot.progress")).isEqualTo(0.1);
    assertThat(registry.get("tributary.gateway.resync.rows").tag("table", "shop.public.orders").counter().count())
        .isEqualTo(50);
  }

  @Test
  void streamedChangesLeaveTheSnapshotProgressAlone() {
    metrics.captured(event(Operation.INSERT, 1), false);
    assertThat(registry.find("tributary.gateway.snapshot.progress").gauge()).isNull();
    assertThat(registry.find("tributary.gateway.resync.rows").counter()).isNull();
  }

  @Test
  void capturedChangesAreCountedByTableAndOperation() {
    for (int i = 0; i < 5; i++) {
      metrics.captured(event(ORDERS, Operation.INSERT, i), false);
    }
    metrics.captured(event(ORDERS, Operation.UPDATE, 5), false);
    metrics.captured(event(ITEMS, Operation.INSERT, 6), false);
    metrics.captured(event(ITEMS, Operation.DELETE, 7), false);
    metrics.captured(event(ORDERS, Operation.INSERT, 8), false);

    assertThat(captured("shop.public.orders", "c")).isEqualTo(6);
    assertThat(captured("shop.public.orders", "u")).isEqualTo(1);
    assertThat(captured("shop.public.items", "c")).isEqualTo(1);
    assertThat(captured("shop.public.items", "d")).isEqualTo(1);
    assertThat(registry.find("tributary.gateway.events.captured").tag("table", "shop.public.items").tag("op", "u")
        .counter()).isNull();
    assertThat(metrics.tables().get(ORDERS).eventsCaptured()).isEqualTo(7);
    assertThat(metrics.tables().get(ITEMS).eventsCaptured()).isEqualTo(2);
  }

  private double captured(String table, String op) {
    return registry.get("tributary.gateway.events.captured").tag("table", table).tag("op", op).counter().count();
  }

  private void readIncrementally(int rows) {
    for (int i = 0; i < rows; i++) {
      metrics.captured(event(Operation.SNAPSHOT_READ, i), false);
    }
  }

  private double gauge(String name) {
    return registry.get(name).tag("table", "shop.public.orders").gauge().value();
  }

  private static Captured.ResyncStep step(Captured.ResyncStep.Kind kind) {
    return new Captured.ResyncStep(kind, List.of(ORDERS), List.of(), kind.name().toLowerCase());
  }

  private static ChangeEvent event(Operation operation, long n) {
    return event(ORDERS, operation, n);
  }

  private static ChangeEvent event(TableId table, Operation operation, long n) {
    return new ChangeEvent(table, operation, SourcePosition.of(SourcePosition.PHASE_STREAM, n), new Object[0],
        new BitSet(), 0, Optional.empty(), 0);
  }
}
