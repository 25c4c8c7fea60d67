package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Year;
import org.junit.jupiter.api.Test;

/**
 * The raw YEAR values Debezium's MySQL and MariaDB connectors hand a converter: a {@code Short} from
 * the snapshot (with {@code yearIsDateType=false}), the binary log row decoder's year (counted from
 * 1900, so that 0000 arrives as 1900), and column defaults.
 */
class BinlogYearConverterTest {
  @Test
  void theYearZeroIsZeroWhetherReadBySnapshotOrFromTheBinlog() {
    assertThat(BinlogYearConverter.year((short) 0)).as("snapshot").isZero();
    assertThat(BinlogYearConverter.year(1900)).as("binlog").isZero();
    assertThat(BinlogYearConverter.year(Year.of(1900))).as("binlog").isZero();
  }

  @Test
  void otherYearsAreKeptAsTheyAre() {
    // Debezium's own conversion turns 0 to 69 into 2000 to 2069, whatever the server holds.
    assertThat(BinlogYearConverter.year((short) 1901)).isEqualTo(1901);
    assertThat(BinlogYearConverter.year(2155)).isEqualTo(2155);
    assertThat(BinlogYearConverter.year(Year.of(2000))).isEqualTo(2000);
    assertThat(BinlogYearConverter.year(java.sql.Date.valueOf("2024-01-01"))).isEqualTo(2024);
    assertThat(BinlogYearConverter.year("2024")).as("a column default").isEqualTo(2024);
    assertThat(BinlogYearConverter.year(null)).isNull();
  }
}
