package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What staged schemas do to a table's layout, without a table. */
class SchemaEvolutionTest {
  private static final TableId TABLE = new TableId("pg", "public", "items");

  private static TableSchema schema(Column... columns) {
    return new TableSchema(TABLE, List.of(columns), List.of("id"));
  }

  private static Column column(String name, ColumnType type) {
    return new Column(name, type, true);
  }

  private static final TableSchema V1 = schema(new Column("id", ColumnType.INT, false), column("qty", ColumnType.INT),
      column("note", ColumnType.STRING));

  @Test
  void theSameSchemaChangesNothing() {
    assertThat(SchemaEvolution.evolve(TableLayout.of(V1), V1)).isInstanceOf(SchemaEvolution.Unchanged.class);
  }

  @Test
  void addedColumnsComeLastAndDroppedOnesStayInactive() {
    TableSchema v2 = schema(new Column("id", ColumnType.INT, false), column("email", ColumnType.STRING),
        column("qty", ColumnType.INT));
    SchemaEvolution.Evolved evolved = (SchemaEvolution.Evolved) SchemaEvolution.evolve(TableLayout.of(V1), v2);

    assertThat(evolved.layout().columns().columns()).extracting(Column::name).containsExactly("id", "qty", "note", "email");
    assertThat(evolved.layout().inactive()).containsExactly("note");
    assertThat(evolved.layout().fingerprint()).isEqualTo(v2.fingerprint());
    assertThat(evolved.changes()).containsExactly(
        new SchemaChange(SchemaChange.Kind.ADDED, "email", Optional.empty(), ColumnType.STRING, 3),
        new SchemaChange(SchemaChange.Kind.DROPPED, "note", Optional.of(ColumnType.STRING), ColumnType.STRING, 2));

    // Back again: the source's rows read null there, the Delta rows not changed since the drop hold the old
    // values, so only a resync makes them equal, with the same type as with another one.
    TableSchema v3 = schema(new Column("id", ColumnType.INT, false), column("email", ColumnType.STRING),
        column("qty", ColumnType.INT), column("note", ColumnType.STRING));
    assertThat(SchemaEvolution.evolve(evolved.layout(), v3)).isEqualTo(new SchemaEvolution.Incompatible(
        "column 'note' was dropped and added back (STRING before, STRING now): the source's existing rows read null or"
            + " the column's default there without any change, while the Delta rows not changed since the drop keep"
            + " the values from before it"));
    TableSchema v4 = schema(new Column("id", ColumnType.INT, false), column("email", ColumnType.STRING),
        column("qty", ColumnType.INT), column("note", ColumnType.LONG));
    assertThat(SchemaEvolution.evolve(evolved.layout(), v4)).isInstanceOf(SchemaEvolution.Incompatible.class);
  }

  @Test
  void onlyANullabilityChangeEvolvesTheFingerprintAlone() {
    TableSchema notNull = schema(new Column("id", ColumnType.INT, false), new Column("qty", ColumnType.INT, false),
        column("note", ColumnType.STRING));
    SchemaEvolution.Evolved evolved = (SchemaEvolution.Evolved) SchemaEvolution.evolve(TableLayout.of(V1), notNull);
    assertThat(evolved.changes()).isEmpty();
    assertThat(evolved.layout().fingerprint()).isEqualTo(notNull.fingerprint());
  }

  @Test
  void wideningsAreTheValueKeepingOnesDeltaDefines() {
    assertThat(SchemaEvolution.isWidening(ColumnType.INT, ColumnType.LONG)).isTrue();
    assertThat(SchemaEvolution.isWidening(ColumnType.INT, ColumnType.DOUBLE)).isTrue();
    assertThat(SchemaEvolution.isWidening(ColumnType.FLOAT, ColumnType.DOUBLE)).isTrue();
    assertThat(SchemaEvolution.isWidening(ColumnType.decimal(10, 2), ColumnType.decimal(12, 2))).isTrue();
    assertThat(SchemaEvolution.isWidening(ColumnType.decimal(10, 2), ColumnType.decimal(12, 4))).isTrue();
    assertThat(SchemaEvolution.isWidening(ColumnType.INT, ColumnType.decimal(12, 2))).isTrue();
    assertThat(SchemaEvolution.isWidening(ColumnType.LONG, ColumnType.decimal(20, 0))).isTrue();

    assertThat(SchemaEvolution.isWidening(ColumnType.LONG, ColumnType.INT)).isFalse();
    assertThat(SchemaEvolution.isWidening(ColumnType.LONG, ColumnType.DOUBLE)).isFalse();
    assertThat(SchemaEvolution.isWidening(ColumnType.decimal(12, 2), ColumnType.decimal(10, 2))).isFalse();
    assertThat(SchemaEvolution.isWidening(ColumnType.decimal(10, 2), ColumnType.decimal(11, 4))).isFalse();
    assertThat(SchemaEvolution.isWidening(ColumnType.INT, ColumnType.decimal(11, 2))).isFalse();
    assertThat(SchemaEvolution.isWidening(ColumnType.DATE, ColumnType.TIMESTAMP_NTZ)).isFalse();
    assertThat(SchemaEvolution.isWidening(ColumnType.INT, ColumnType.STRING)).isFalse();
    assertThat(SchemaEvolution.isWidening(ColumnType.LONG, ColumnType.LONG)).isFalse();

    assertThat(SchemaEvolution.widen(7, ColumnType.INT, ColumnType.LONG)).isEqualTo(7L);
    assertThat(SchemaEvolution.widen(1.5f, ColumnType.FLOAT, ColumnType.DOUBLE)).isEqualTo(1.5d);
    assertThat(SchemaEvolution.widen(7, ColumnType.INT, ColumnType.decimal(12, 2))).isEqualTo(new BigDecimal("7.00"));
    assertThat(SchemaEvolution.widen(new BigDecimal("1.50"), ColumnType.decimal(10, 2), ColumnType.decimal(12, 4)))
        .isEqualTo(new BigDecimal("1.5000"));
  }

  @Test
  void narrowingsOtherTypeChangesAndKeyChangesAreIncompatible() {
    TableLayout widened = ((SchemaEvolution.Evolved) SchemaEvolution.evolve(TableLayout.of(V1),
        schema(new Column("id", ColumnType.INT, false), column("qty", ColumnType.LONG), column("note", ColumnType.STRING))))
        .layout();

    assertThat(SchemaEvolution.evolve(widened, V1)).isEqualTo(new SchemaEvolution.Incompatible(
        "column 'qty' changed type from LONG to INT, a narrowing, which is not a widening Delta can take without"
            + " rewriting the table"));
    assertThat(SchemaEvolution.evolve(TableLayout.of(V1), schema(new Column("id", ColumnType.INT, false),
        column("qty", ColumnType.STRING), column("note", ColumnType.STRING))))
        .isInstanceOf(SchemaEvolution.Incompatible.class);
    assertThat(SchemaEvolution.evolve(TableLayout.of(V1), new TableSchema(TABLE, V1.columns(), List.of("id", "qty"))))
        .isEqualTo(new SchemaEvolution.Incompatible("the primary key changed from [id] to [id, qty]"));
  }

  @Test
  void rowsMoveIntoTheEvolvedLayoutByName() {
    TableLayout evolved = new TableLayout(schema(new Column("id", ColumnType.LONG, true), column("qty", ColumnType.INT),
        column("note", ColumnType.STRING), column("email", ColumnType.STRING)), Set.of("note"), "x");
    LayoutMapping mapping = LayoutMapping.between(V1, evolved.columns());
    assertThat(mapping.isIdentity()).isFalse();
    assertThat(mapping.row(new Object[] {1, 5, "n"})).containsExactly(1L, 5, "n", null);
    assertThat(LayoutMapping.between(V1, V1).row(new Object[] {1, 5, "n"})).containsExactly(1, 5, "n");
  }
}
