package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AliveKeysTest {
  private static final TableId TABLE = new TableId("pg", "public", "orders");

  private static TableSchema schema(ColumnType... keyTypes) {
    List<Column> columns = new ArrayList<>();
    List<String> key = new ArrayList<>();
    for (int i = 0; i < keyTypes.length; i++) {
      columns.add(new Column("k" + i, keyTypes[i], true));
      key.add("k" + i);
    }
    columns.add(new Column("payload", ColumnType.STRING, true));
    return new TableSchema(TABLE, columns, key);
  }

  @Test
  void aKeyOfOneIntegralColumnIsHeldAsALong() {
    assertThat(AliveKeys.forSchema(schema(ColumnType.LONG))).isInstanceOf(AliveKeys.Integral.class);
    assertThat(AliveKeys.forSchema(schema(ColumnType.INT))).isInstanceOf(AliveKeys.Integral.class);
    assertThat(AliveKeys.forSchema(schema(ColumnType.STRING))).isInstanceOf(AliveKeys.Generic.class);
    assertThat(AliveKeys.forSchema(schema(ColumnType.LONG, ColumnType.LONG))).isInstanceOf(AliveKeys.Generic.class);
  }

  @Test
  void integralKeysBehaveAsASetThroughGrowthAndRemovals() {
    AliveKeys keys = AliveKeys.forSchema(schema(ColumnType.LONG));
    Set<Long> expected = new HashSet<>();
    Random random = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      // A narrow range makes collisions, removals of present keys and re-additions frequent.
      long value = random.nextInt(50_000) - 10_000;
      if (random.nextInt(3) == 0) {
        keys.remove(RowKey.ofValues(value));
        expected.remove(value);
      } else {
        keys.add(RowKey.ofValues(value));
        expected.add(value);
      }
    }
    assertThat(keys.size()).isEqualTo(expected.size());
    for (long value = -10_001; value <= 40_001; value++) {
      assertThat(keys.contains(RowKey.ofValues(value))).as("key %s", value).isEqualTo(expected.contains(value));
    }
  }

  @Test
  void zeroNullAndExtremeKeysAreHeldToo() {
    AliveKeys keys = AliveKeys.forSchema(schema(ColumnType.LONG));
    for (Long value : new Long[] {0L, Long.MIN_VALUE, Long.MAX_VALUE, null}) {
      RowKey key = RowKey.ofValues(value);
      assertThat(keys.contains(key)).isFalse();
      keys.add(key);
      assertThat(keys.contains(key)).isTrue();
    }
    assertThat(keys.size()).isEqualTo(4);
    keys.remove(RowKey.ofValues(0L));
    keys.remove(RowKey.ofValues((Object) null));
    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.contains(RowKey.ofValues(0L))).isFalse();

    keys.clear();
    assertThat(keys.size()).isZero();
    assertThat(keys.contains(RowKey.ofValues(Long.MAX_VALUE))).isFalse();
  }

  @Test
  void intKeysAreHeldByValue() {
    AliveKeys keys = AliveKeys.forSchema(schema(ColumnType.INT));
    keys.add(RowKey.ofValues(7));

    assertThat(keys.contains(RowKey.ofValues(7))).isTrue();
    assertThat(keys.contains(RowKey.ofValues(8))).isFalse();
  }

  @Test
  void otherKeysAreHeldAsRowKeys() {
    AliveKeys keys = AliveKeys.forSchema(schema(ColumnType.STRING, ColumnType.LONG));
    keys.add(RowKey.ofValues("eu", 1L));
    keys.add(RowKey.ofValues("us", 1L));
    keys.remove(RowKey.ofValues("us", 1L));

    assertThat(keys.contains(RowKey.ofValues("eu", 1L))).isTrue();
    assertThat(keys.contains(RowKey.ofValues("us", 1L))).isFalse();
    assertThat(keys.size()).isEqualTo(1);
  }
}
