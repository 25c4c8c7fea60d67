package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.TableId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The applier's meters: a table's exist while the applier owns the table, and go when it leaves. */
class ApplierMetricsTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T00:00:00Z"), ZoneOffset.UTC);
  private static final TableId ORDERS = new TableId("pg", "public", "orders");
  private static final TableId USERS = new TableId("pg", "public", "users");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ApplierMetrics metrics = new ApplierMetrics(registry, CLOCK);

  @Test
  void aTableForgottenHasNoneOfItsMetersLeftWhileTheOtherTablesAndProcessMetersStay() {
    ApplierMetrics.Table orders = metrics.forTable(ORDERS);
    orders.version(7);
    orders.backlog(3, 1200, OptionalLong.of(4096));
    orders.schemaChanged("added");
    metrics.forTable(USERS).version(2);
    metrics.invalidManifest();
    metrics.commitGroup("pg", true);
    int usersMeters = tableMeters(USERS).size();
    assertThat(tableMeters(ORDERS)).hasSize(usersMeters + 1);

    metrics.forget(ORDERS);

    assertThat(tableMeters(ORDERS)).isEmpty();
    assertThat(registry.find(ApplierMetrics.PREFIX + "table.version").tag("table", ORDERS.canonical()).gauge()).isNull();
    assertThat(registry.find(ApplierMetrics.PREFIX + "changes.pending").tag("table", ORDERS.canonical()).gauge())
        .isNull();
    assertThat(tableMeters(USERS)).hasSize(usersMeters);
    assertThat(registry.get(ApplierMetrics.PREFIX + "table.version").tag("table", USERS.canonical()).gauge().value())
        .isEqualTo(2);
    assertThat(registry.get(ApplierMetrics.PREFIX + "manifests.invalid").counter().count()).isEqualTo(1);
    assertThat(registry.get(ApplierMetrics.PREFIX + "commit.groups").tag("source", "pg").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aTableTakenBackHasNewMetersCountingFromZero() {
    ApplierMetrics.Table before = metrics.forTable(ORDERS);
    before.version(7);
    before.segmentCorrupt();
    metrics.forget(ORDERS);

    ApplierMetrics.Table after = metrics.forTable(ORDERS);

    assertThat(after).isNotSameAs(before);
    assertThat(metrics.forTable(ORDERS)).isSameAs(after);
    assertThat(registry.get(ApplierMetrics.PREFIX + "table.version").tag("table", ORDERS.canonical()).gauge().value())
        .isEqualTo(-1);
    assertThat(registry.get(ApplierMetrics.PREFIX + "segments.corrupt").tag("table", ORDERS.canonical()).counter()
        .count()).isZero();
    after.segmentCorrupt();
    after.version(9);
    assertThat(registry.get(ApplierMetrics.PREFIX + "segments.corrupt").tag("table", ORDERS.canonical()).counter()
        .count()).isEqualTo(1);
    assertThat(registry.get(ApplierMetrics.PREFIX + "table.version").tag("table", ORDERS.canonical()).gauge().value())
        .isEqualTo(9);
  }

  @Test
  void whatAForgottenTableRecordsLateBringsNoneOfItsMetersBack() {
    // An applier of the table may still finish a batch after the table left.
    ApplierMetrics.Table orders = metrics.forTable(ORDERS);
    metrics.forget(ORDERS);

    orders.schemaChanged("widened");
    orders.version(8);
    orders.segmentCorrupt();

    assertThat(tableMeters(ORDERS)).isEmpty();
  }

  @Test
  void forgettingATableNeverMetChangesNothing() {
    metrics.forTable(USERS);
    int before = registry.getMeters().size();

    metrics.forget(ORDERS);

    assertThat(registry.getMeters()).hasSize(before);
  }

  private List<Meter> tableMeters(TableId tableId) {
    return registry.getMeters().stream()
        .filter(meter -> tableId.canonical().equals(meter.getId().getTag("table")))
        .toList();
  }
}
