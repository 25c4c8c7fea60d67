package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SourcePositionTest {
  @Test
  void textOrderIsNumericOrderOfComponents() {
    Random random = new Random(42);
    List<long[]> tuples = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      tuples.add(new long[] {random.nextInt(2), random.nextLong() >>> 1, random.nextInt(1000), random.nextInt(5)});
    }
    List<SourcePosition> positions = new ArrayList<>();
    tuples.forEach(t -> positions.add(SourcePosition.of(t)));
    Collections.sort(positions);
    tuples.sort((a, b) -> {
      for (int i = 0; i < a.length; i++) {
        int c = Long.compareUnsigned(a[i], b[i]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    });
    for (int i = 0; i < tuples.size(); i++) {
      assertThat(positions.get(i)).isEqualTo(SourcePosition.of(tuples.get(i)));
    }
  }

  @Test
  void snapshotReadsOrderBeforeStreamedChanges() {
    SourcePosition lateSnapshotRow = SourcePosition.of(SourcePosition.PHASE_SNAPSHOT, Long.MAX_VALUE, 0, 1_000_000);
    SourcePosition firstStreamed = SourcePosition.of(SourcePosition.PHASE_STREAM, 1, 1, 0);
    assertThat(firstStreamed.isAfter(lateSnapshotRow)).isTrue();
  }

  @Test
  void rejectsMalformedText() {
    assertThatThrownBy(() -> new SourcePosition("12-XZ")).hasMessageContaining("Invalid source position '12-XZ'");
    assertThatThrownBy(() -> SourcePosition.of()).hasMessageContaining("at least one component");
  }
}
