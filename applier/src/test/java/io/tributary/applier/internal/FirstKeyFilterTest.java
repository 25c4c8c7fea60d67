package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstKeyFilterTest {

  private static FirstKeyFilter filter(List<?> firstValues) {
    List<RowKey> keys = new ArrayList<>();
    for (Object value : firstValues) {
      keys.add(RowKey.ofValues(value, 1L));
    }
    return FirstKeyFilter.of(keys, keys.size());
  }

  private static long passed(FirstKeyFilter filter, List<?> values, DataType type) {
    ColumnVector vector = VectorUtils.buildColumnVector(new ArrayList<>(values), type);
    long passed = 0;
    for (int row = 0; row < values.size(); row++) {
      if (filter.mayContain(vector, type, row)) {
        passed++;
      }
    }
    return passed;
  }

  @Test
  void everyKeyOfTheBatchPassesWhateverItsType() {
    List<Long> longs = List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 4_000_000_000L);
    assertThat(passed(filter(longs), longs, LongType.LONG)).isEqualTo(longs.size());
    List<Integer> ints = List.of(0, -1, Integer.MIN_VALUE, 77);
    assertThat(passed(filter(ints), ints, IntegerType.INTEGER)).isEqualTo(ints.size());
    List<String> strings = List.of("", "a", "ключ", "😀");
    assertThat(passed(filter(strings), strings, StringType.STRING)).isEqualTo(strings.size());
    List<byte[]> binaries = List.of(new byte[] {1, 2}, new byte[0]);
    // Binary values are equal by content: copies pass.
    List<byte[]> copies = binaries.stream().map(bytes -> Arrays.copyOf(bytes, bytes.length)).toList();
    assertThat(passed(filter(binaries), copies, BinaryType.BINARY)).isEqualTo(binaries.size());
    // A decimal read back with the column's scale is the key the batch holds without trailing zeros.
    List<BigDecimal> decimals = List.of(new BigDecimal("12.50"), new BigDecimal("-3.00"));
    assertThat(passed(filter(List.of(new BigDecimal("12.5"), new BigDecimal("-3"))), decimals, new DecimalType(10, 2)))
        .isEqualTo(decimals.size());
    List<Long> withNull = Arrays.asList(5L, null);
    assertThat(passed(filter(withNull), withNull, LongType.LONG)).isEqualTo(2);
  }

  @Test
  void mostRowsOutsideTheBatchArePassedOver() {
    List<Long> batch = new ArrayList<>();
    for (long key = 0; key < 50_000; key++) {
      batch.add(key * 20);
    }
    List<Long> others = new ArrayList<>();
    for (long key = 0; key < 1_000_000; key++) {
      if (key % 20 != 0) {
        others.add(key);
      }
    }

    long passed = passed(filter(batch), others, LongType.LONG);

    assertThat((double) passed / others.size()).as("share of other keys passed").isLessThan(0.1);
  }
}
