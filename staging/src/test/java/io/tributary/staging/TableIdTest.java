package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableIdTest {
  @Test
  void parsesTheCanonicalForm() {
    TableId id = TableId.parse("shop.public.Order-Lines");
    assertThat(id).isEqualTo(new TableId("shop", "public", "Order-Lines"));
    assertThat(id.canonical()).isEqualTo("shop.public.Order-Lines");
    assertThat(id.qualifiedName()).isEqualTo("public.Order-Lines");
  }

  @Test
  void refusesNamesThatBreakIdsOrPaths() {
    assertThatThrownBy(() -> TableId.parse("shop.public")).hasMessageContaining("expected source.schema.table");
    assertThatThrownBy(() -> new TableId("shop", "public", "a:b"))
        .hasMessageContaining("Invalid table name 'a:b'").hasMessageContaining("':'");
    assertThatThrownBy(() -> new TableId("shop", "sales/2026", "t")).hasMessageContaining("Invalid schema name");
    assertThatThrownBy(() -> new TableId("shop", "public", "two words")).hasMessageContaining("Invalid table name");
    assertThatThrownBy(() -> new TableId("sh:op", "public", "t")).hasMessageContaining("Invalid source name");
  }
}
