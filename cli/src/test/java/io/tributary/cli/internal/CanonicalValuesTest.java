package io.tributary.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.ColumnType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CanonicalValuesTest {
  @Test
  void instantsAtTheEdgesOfTheCalendarCountInMicroseconds() {
    Instant first = Instant.parse("0001-01-01T00:00:00Z");
    Instant last = Instant.parse("9999-12-31T23:59:59.999999Z");

    assertThat(CanonicalValues.micros(first)).isEqualTo(-62_135_596_800_000_000L);
    assertThat(CanonicalValues.micros(last)).isEqualTo(253_402_300_799_999_999L);
    assertThat(CanonicalValues.micros(Instant.parse("1969-12-31T23:59:59.999999Z"))).isEqualTo(-1);
    // The same text as the staged value read back from Delta (microseconds since the epoch).
    assertThat(Long.toString(CanonicalValues.micros(first)))
        .isEqualTo(CanonicalValues.ofStaged(ColumnType.TIMESTAMP, -62_135_596_800_000_000L));
  }
}
