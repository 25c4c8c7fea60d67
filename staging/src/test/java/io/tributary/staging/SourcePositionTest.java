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
  void snapshotPhasePositionsAreThoseWhoseFirstComponentIsTheSnapshotPhase() {
    assertThat(SourcePosition.of(SourcePosition.PHASE_SNAPSHOT, 5, 7).isSnapshotPhase()).isTrue();
    assertThat(SourcePosition.of(SourcePosition.PHASE_SNAPSHOT).isSnapshotPhase()).isTrue();
    assertThat(SourcePosition.of(SourcePosition.PHASE_STREAM, 0, 0).isSnapshotPhase()).isFalse();
    assertThat(new SourcePosition("00000000000000001").isSnapshotPhase()).isFalse();
    assertThat(new SourcePosition("0000000000000000-1").immediatelyAfter().isSnapshotPhase()).isTrue();
  }

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
    for (String malformed : new String[] {"", "-", "-12", "12-", "12--34", "1A", "12 34", "0x12"}) {
      assertThatThrownBy(() -> new SourcePosition(malformed)).as(malformed)
          .hasMessageContaining("Invalid source position '" + malformed + "'");
    }
    assertThat(new SourcePosition("0-abcdef-1").value()).isEqualTo("0-abcdef-1");
    assertThatThrownBy(() -> SourcePosition.of()).hasMessageContaining("at least one component");
  }

  @Test
  void componentsAreSixteenHexDigitsEach() {
    assertThat(SourcePosition.of(0).value()).isEqualTo("0000000000000000");
    assertThat(SourcePosition.of(1, -1L, 0x1234_5678_9abc_def0L).value())
        .isEqualTo("0000000000000001-ffffffffffffffff-123456789abcdef0");
    Random random = new Random(7);
    for (int i = 0; i < 1000; i++) {
      long component = random.nextLong();
      String hex = Long.toHexString(component);
      assertThat(SourcePosition.of(component).value()).isEqualTo("0".repeat(16 - hex.length()) + hex);
    }
  }
}
