package io.tributary.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code tributary verify} counts, against a real PostgreSQL table: every kind of difference
 * counted exactly (beyond the keys it lists), so that a reconciliation can report rows lost and rows
 * duplicated as figures.
 */
class TableVerifierIT {
  private static final TableSchema ITEMS = new TableSchema(TableId.parse("shop.public.items"),
      List.of(new Column("id", ColumnType.LONG, false), new Column("name", ColumnType.STRING, true)), List.of("id"));

  @Test
  void countsMissingExtraDuplicatedAndDifferentRowsExactly() throws Exception {
    try (PostgresServer postgres = PostgresServer.builder(Path.of("target", "it", "table-verifier", "postgres"))
        .discardDataOnClose().build()) {
      postgres.start();
      postgres.createDatabase("shop");
      postgres.execute("shop", "CREATE TABLE items (id bigint PRIMARY KEY, name text)",
          "INSERT INTO items SELECT n, 'item ' || n FROM generate_series(1, 50) AS n");
      // Delta: keys 1 to 25 (1 to 3 with another name, 4 three times), none of 26 to 50, and 51 to 53.
      List<Object[]> delta = new ArrayList<>();
      for (long id = 1; id <= 25; id++) {
        delta.add(new Object[] {id, id <= 3 ? "renamed " + id : "item " + id});
      }
      delta.add(new Object[] {4L, "item 4"});
      delta.add(new Object[] {4L, "item 4"});
      for (long id = 51; id <= 53; id++) {
        delta.add(new Object[] {id, "item " + id});
      }

      TableComparison comparison;
      try (Connection source = postgres.connect("shop")) {
        comparison = TableVerifier.compare(ITEMS, delta, source);
      }

      assertThat(comparison.equal()).isFalse();
      assertThat(comparison.sourceRows()).isEqualTo(50);
      assertThat(comparison.deltaRows()).isEqualTo(30);
      assertThat(comparison.missing()).as("keys 26 to 50, more than are listed").isEqualTo(25);
      assertThat(comparison.examples().get("missing")).hasSize(TableComparison.MAX_LISTED).startsWith("26", "27");
      assertThat(comparison.extra()).isEqualTo(3);
      assertThat(comparison.examples().get("extra")).containsExactlyInAnyOrder("51", "52", "53");
      assertThat(comparison.duplicated()).isEqualTo(2);
      assertThat(comparison.examples().get("duplicated")).containsExactly("4", "4");
      assertThat(comparison.different()).isEqualTo(3);
      assertThat(comparison.examples().get("different")).containsExactly("1", "2", "3");
      assertThat(comparison.describe()).contains("DIFFERENT (source 50 rows, Delta 30 rows)",
          "missing in Delta: 25 keys", "extra in Delta: 3 keys", "duplicated in Delta: 2 rows beyond one per key",
          "different values: 3 keys");

      JsonNode json = new ObjectMapper().readTree(TableComparison.json(List.of(comparison)));
      assertThat(json.path("equal").asBoolean()).isFalse();
      JsonNode table = json.path("tables").get(0);
      assertThat(table.path("table").asText()).isEqualTo("shop.public.items");
      assertThat(table.path("missing").asLong()).isEqualTo(25);
      assertThat(table.path("extra").asLong()).isEqualTo(3);
      assertThat(table.path("duplicated").asLong()).isEqualTo(2);
      assertThat(table.path("different").asLong()).isEqualTo(3);
      assertThat(table.path("examples").path("different")).hasSize(3);

      try (Connection source = postgres.connect("shop")) {
        List<Object[]> same = new ArrayList<>();
        for (long id = 1; id <= 50; id++) {
          same.add(new Object[] {id, "item " + id});
        }
        TableComparison equal = TableVerifier.compare(ITEMS, same, source);
        assertThat(equal.equal()).as(equal.describe()).isTrue();
        assertThat(equal.examples()).isEmpty();
      }
    }
  }
}
