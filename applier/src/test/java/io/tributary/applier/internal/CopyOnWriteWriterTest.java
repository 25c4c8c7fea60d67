package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyOnWriteWriterTest {
  private static final Comparator<Object[]> BY_KEY = RowKey.rowOrder(new int[] {0, 1});

  @Test
  void rowsAreSortedByKeyAndALaterRowOfAKeyReplacesAnEarlierOne() {
    List<Object[]> rows = new ArrayList<>(List.of(
        row(2L, "b", "file"), row(5L, "a", "file"), row(9L, "a", "file"),
        row(1L, "z", "file"), row(null, "a", "file"),
        row(5L, "a", "batch"), row(3L, "a", "batch"), row(null, "a", "batch")));

    CopyOnWriteWriter.inKeyOrder(rows, BY_KEY);

    assertThat(rows).extracting(row -> row[0] + "/" + row[1] + "/" + row[2]).containsExactly(
        "null/a/batch", "1/z/file", "2/b/file", "3/a/batch", "5/a/batch", "9/a/file");
  }

  @Test
  void decimalsOfOneValueAreOneKeyWhateverTheirScale() {
    Comparator<Object[]> byDecimal = RowKey.rowOrder(new int[] {0});
    List<Object[]> rows = new ArrayList<>(List.of(
        new Object[] {new BigDecimal("1.50"), "file"}, new Object[] {new BigDecimal("1.5"), "batch"}));

    CopyOnWriteWriter.inKeyOrder(rows, byDecimal);

    assertThat(rows).singleElement().satisfies(row -> assertThat(row[1])
        .isEqualTo("batch"));
  }

  private static Object[] row(Long id, String part, String from) {
    return new Object[] {id, part, from};
  }
}
