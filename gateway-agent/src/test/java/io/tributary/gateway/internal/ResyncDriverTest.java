package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.TableId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ResyncDriverTest {
  private static final TableId ORDERS = new TableId("src", "public", "orders");
  private static final TableId ITEMS = new TableId("src", "public", "items");

  @Test
  void theSignalNamesTheTableWithOrWithoutItsDatabase() {
    String data = ResyncDriver.signalData(new TableId("src", "public", "order_lines"));
    assertThat(data).contains("\"type\":\"incremental\"");
    String pattern = data.replaceAll(".*\"data-collections\":\\[\"(.*)\"\\].*", "$1").replace("\\\\", "\\");
    assertThat(Pattern.compile(pattern).matcher("public.order_lines").matches()).isTrue();
    assertThat(Pattern.compile(pattern).matcher("shop.public.order_lines").matches()).isTrue();
    assertThat(Pattern.compile(pattern).matcher("publicXorder_lines").matches()).as("dots are literal").isFalse();
  }

  @Test
  void aResumedSnapshotIsReadFromTheCommittedOffset() {
    // The shape Debezium 3.5 stores: the collections as JSON text.
    Map<String, Object> offset = Map.of("lsn", 24023128L, ResyncDriver.OFFSET_COLLECTIONS,
        "[{\"incremental_snapshot_collections_id\":\"public.orders\",\"incremental_snapshot_collections_additional_condition\":null}]");
    assertThat(ResyncDriver.resumedTables(List.of(ORDERS, ITEMS), Optional.of(offset))).containsExactly(ORDERS);
    assertThat(ResyncDriver.resumedTables(List.of(ORDERS), Optional.of(Map.of("lsn", 1L)))).isEmpty();
    assertThat(ResyncDriver.resumedTables(List.of(ORDERS), Optional.empty())).isEmpty();
  }
}
