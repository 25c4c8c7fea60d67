package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.internal.PostgresColumnTypes.ColumnType;
import org.junit.jupiter.api.Test;

/** The types whose columns Debezium's PostgreSQL connector leaves out of its change events (checked in PostgresTypesIT). */
class PostgresColumnTypesTest {
  private static ColumnType builtIn(String element, boolean array) {
    return new ColumnType("c", element, "b", element, true, array, false);
  }

  @Test
  void theBuiltInTypesDebeziumConvertsAreCaptured() {
    for (String type : new String[] {"int4", "numeric", "timestamptz", "interval", "point", "tsvector", "name", "char"}) {
      assertThat(PostgresColumnTypes.captured(builtIn(type, false))).as(type).isTrue();
    }
    for (String type : new String[] {"int4", "text", "numeric", "timestamptz", "uuid", "jsonb", "bytea", "tsvector"}) {
      assertThat(PostgresColumnTypes.captured(builtIn(type, true))).as(type + "[]").isTrue();
    }
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "int4range", "r", "int4range", true, false, false)))
        .isTrue();
  }

  @Test
  void otherBuiltInTypesAndTheArraysDebeziumNamesAsMissingAreNot() {
    for (String type : new String[] {"box", "circle", "line", "lseg", "path", "polygon", "pg_lsn", "tsquery",
        "txid_snapshot", "jsonpath", "regclass"}) {
      assertThat(PostgresColumnTypes.captured(builtIn(type, false))).as(type).isFalse();
    }
    for (String type : new String[] {"interval", "money", "xml", "varbit", "point", "name", "box"}) {
      assertThat(PostgresColumnTypes.captured(builtIn(type, true))).as(type + "[]").isFalse();
    }
  }

  @Test
  void enumsDomainsAndKnownExtensionTypesAreCapturedCompositesAndMultirangesNot() {
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "mood", "e", "mood", false, false, false))).isTrue();
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "mood[]", "e", "mood", false, true, false))).isTrue();
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "hstore", "b", "hstore", false, false, false))).isTrue();
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "cube", "b", "cube", false, false, false))).isFalse();
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "pair", "c", "pair", false, false, false))).isFalse();
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "int4multirange", "m", "int4multirange", true, false,
        false))).isFalse();
    assertThat(PostgresColumnTypes.captured(new ColumnType("c", "email[]", "b", "text", true, true, true)))
        .as("an array of a domain").isFalse();
  }
}
