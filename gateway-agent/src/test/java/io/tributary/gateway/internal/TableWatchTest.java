package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableWatchTest {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId CUSTOMERS = TableId.parse("shop.public.customers");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<CoordinatorEvent.Report> reports = new ArrayList<>();
  private final GatewayMetrics metrics = new GatewayMetrics(registry, Clock.systemUTC(), reports::add);
  private List<TableId> absent = List.of();
  private SQLException failure;

  @Test
  void aTableThatDisappearsIsReportedOnceAndClearedWhenItIsBack() {
    TableWatch watch = new TableWatch(source(), tables -> lookUp(), metrics);
    watch.check();
    assertThat(gauge(ORDERS)).isZero();
    assertThat(gauge(CUSTOMERS)).isZero();

    absent = List.of(ORDERS);
    watch.check();
    watch.check();
    assertThat(gauge(ORDERS)).isEqualTo(1);
    assertThat(gauge(CUSTOMERS)).isZero();
    assertThat(reports).singleElement().satisfies(report -> {
      assertThat(report.type()).isEqualTo(CoordinatorEvent.Type.ERROR);
      assertThat(report.severity()).isEqualTo(CoordinatorEvent.Severity.ERROR);
      assertThat(report.tableId()).contains(ORDERS);
      assertThat(report.details()).containsEntry("reason", "table_missing");
      assertThat(report.message()).contains("Captured table public.orders no longer exists",
          "add the new name to source.tables", "resync");
    });

    absent = List.of();
    watch.check();
    assertThat(gauge(ORDERS)).isZero();
    absent = List.of(ORDERS);
    watch.check();
    assertThat(reports).hasSize(2);
  }

  @Test
  void aFailedLookUpChangesNothing() {
    TableWatch watch = new TableWatch(source(), tables -> lookUp(), metrics);
    absent = List.of(ORDERS);
    watch.check();
    failure = new SQLException("connection refused");
    watch.check();
    assertThat(watch.missing()).containsExactly(ORDERS);
    assertThat(reports).hasSize(1);
  }

  private List<TableId> lookUp() throws SQLException {
    if (failure != null) {
      throw failure;
    }
    return absent;
  }

  private double gauge(TableId table) {
    return registry.get("tributary.gateway.tables.missing").tag("table", table.canonical()).gauge().value();
  }

  private static SourceConfig source() {
    ConfigReader root = ConfigReader.fromYaml("""
        source:
          name: shop
          host: 127.0.0.1
          database: shop
          user: capture
          password: secret
          tables: [public.orders, public.customers]
        kafka:
          bootstrap-servers: 127.0.0.1:9092
        """, "test.yaml", name -> null);
    GatewayConfig config = GatewayConfig.from(root, Path.of("target", "table-watch"));
    root.throwIfInvalid();
    return config.source();
  }
}
