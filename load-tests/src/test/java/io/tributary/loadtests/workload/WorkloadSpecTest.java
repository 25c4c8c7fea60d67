package io.tributary.loadtests.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadSpecTest {
  @Test
  void variableColumnsShareTheWidthTheFixedOnesLeave() {
    WorkloadSpec spec = spec(List.of(ColumnKind.INT, ColumnKind.TEXT, ColumnKind.BYTES), 1012, 50, 40, 10);
    // 1012 - 8 (key) - 4 (int) = 1000, over two variable columns.
    assertThat(spec.variableLength()).isEqualTo(500);
    assertThat(spec.tableNames()).containsExactly("load_1", "load_2");
    assertThat(spec.describe()).containsEntry("columns", List.of("int", "text", "bytes")).containsEntry("keys", "zipf:1.0");
  }

  @Test
  void namesEveryProblemAtOnce() {
    assertThatThrownBy(() -> spec(List.of(ColumnKind.INT), 200, 50, 40, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("adding up to 100: 50,40,20")
        .hasMessageContaining("needs a text, bytes or json column");
    assertThatThrownBy(() -> spec(List.of(ColumnKind.UUID, ColumnKind.TEXT), 10, 100, 0, 0))
        .hasMessageContaining("at least 24 bytes; the row width is 10");
    assertThatThrownBy(() -> spec(List.of(), 8, 100, 0, 0)).hasMessageContaining("at least one column");
  }

  @Test
  void readsColumnKindsAndDatabases() {
    assertThat(ColumnKind.parse("Decimal")).isEqualTo(ColumnKind.DECIMAL);
    assertThatThrownBy(() -> ColumnKind.parse("money")).hasMessageContaining("unknown column kind 'money'");
    assertThat(Dialect.parse("MySQL")).isEqualTo(Dialect.MARIADB);
    assertThat(Dialect.POSTGRESQL.qualified("load_1")).isEqualTo("public.load_1");
    assertThat(Dialect.MARIADB.qualified("load_1")).isEqualTo("load_1");
    assertThatThrownBy(() -> Dialect.parse("oracle")).hasMessageContaining("expected postgresql or mariadb");
  }

  private static WorkloadSpec spec(List<ColumnKind> columns, int width, int inserts, int updates, int deletes) {
    return new WorkloadSpec(2, "load_", 0, inserts, updates, deletes, columns, width, new KeyDistribution.Zipf(1.0),
        10, 100, Duration.ofSeconds(10), 1_000, 1, 1);
  }
}
