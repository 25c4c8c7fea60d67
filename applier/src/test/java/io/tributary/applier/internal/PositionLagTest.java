package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.PositionFormat;
import io.tributary.staging.SourcePosition;
import org.junit.jupiter.api.Test;

/** The distance between an applied and an announced position, in each source's own unit. */
class PositionLagTest {
  @Test
  void postgresqlGivesWalBytesBetweenTheChangesLsns() {
    SourcePosition applied = SourcePosition.of(1, 0x1000, 0x1200, 0);
    SourcePosition announced = SourcePosition.of(1, 0x5000, 0x5100, 0);

    assertThat(PositionLag.bytes(PositionFormat.POSTGRESQL, applied, announced)).hasValue(0x5100 - 0x1200);
    assertThat(PositionLag.bytes(PositionFormat.POSTGRESQL, announced, announced)).hasValue(0);
  }

  @Test
  void postgresqlNeverGivesANegativeDistance() {
    // A transaction committed later may have written its changes earlier in the WAL.
    SourcePosition applied = SourcePosition.of(1, 0x1000, 0x2000, 0);
    SourcePosition announced = SourcePosition.of(1, 0x3000, 0x1800, 0);

    assertThat(PositionLag.bytes(PositionFormat.POSTGRESQL, applied, announced)).hasValue(0);
  }

  @Test
  void postgresqlReadsPositionsOfAResyncInTheStream() {
    SourcePosition applied = SourcePosition.of(1, 0x1000, 0x1200, 0, 7L << 40);
    SourcePosition announced = SourcePosition.of(1, 0x1000, 0x1300, 0);

    assertThat(PositionLag.bytes(PositionFormat.POSTGRESQL, applied, announced)).hasValue(0x100);
  }

  @Test
  void aSnapshotReadHasNoDistanceInTheLog() {
    SourcePosition snapshot = SourcePosition.of(0, 0x1000, 1, 42);
    SourcePosition streamed = SourcePosition.of(1, 0x1000, 0x1300, 0);

    assertThat(PositionLag.bytes(PositionFormat.POSTGRESQL, snapshot, streamed)).isEmpty();
    assertThat(PositionLag.bytes(PositionFormat.BINLOG, snapshot, streamed)).isEmpty();
  }

  @Test
  void binlogGivesBytesWithinOneFile() {
    SourcePosition applied = SourcePosition.of(1, 3, 4_000, 2, 0);
    SourcePosition announced = SourcePosition.of(1, 3, 9_500, 0, 5);

    assertThat(PositionLag.bytes(PositionFormat.BINLOG, applied, announced)).hasValue(5_500);
  }

  @Test
  void binlogGivesALowerBoundAcrossARotation() {
    SourcePosition applied = SourcePosition.of(1, 3, 90_000, 0, 0);
    SourcePosition announced = SourcePosition.of(1, 4, 1_200, 0, 0);

    assertThat(PositionLag.bytes(PositionFormat.BINLOG, applied, announced)).hasValue(1_200);
    assertThat(PositionLag.bytes(PositionFormat.BINLOG, announced, applied)).hasValue(0);
  }

  @Test
  void sqlServerLsnsGiveNoBytes() {
    SourcePosition applied = SourcePosition.of(1, 0x2a00000a48L, 3, 0x2a00000a48L, 3, 1);
    SourcePosition announced = SourcePosition.of(1, 0x2b00000010L, 2, 0x2b00000010L, 2, 1);

    assertThat(PositionLag.bytes(PositionFormat.SQLSERVER, applied, announced)).isEmpty();
  }

  @Test
  void aPositionOfAnotherShapeHasNoDistance() {
    SourcePosition shortOne = SourcePosition.of(1, 5);
    SourcePosition unevenText = new SourcePosition("1-abc-def-0");
    SourcePosition announced = SourcePosition.of(1, 0x3000, 0x3100, 0);

    assertThat(PositionLag.bytes(PositionFormat.POSTGRESQL, shortOne, announced)).isEmpty();
    assertThat(PositionLag.bytes(PositionFormat.POSTGRESQL, unevenText, announced)).isEmpty();
    assertThat(PositionLag.bytes(PositionFormat.BINLOG, SourcePosition.of(1, 3, 100, 0), announced)).isEmpty();
  }
}
