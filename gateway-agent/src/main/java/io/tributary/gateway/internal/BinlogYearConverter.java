package io.tributary.gateway.internal;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.time.Year;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * Reads MySQL and MariaDB {@code YEAR} columns as the year the server holds, in place of Debezium's
 * own conversion, which turns the year 0000 (valid in a {@code YEAR} column, beside 1901 to 2155)
 * into 2000 when the snapshot reads it and into 1900 when the binary log carries it.
 *
 * <p>The snapshot reads a {@code YEAR} as a number (the driver option {@code yearIsDateType=false},
 * set with this converter); the binary log's row decoder counts years from 1900, so that 0000
 * arrives as 1900, which no {@code YEAR} column can hold otherwise. Values keep Debezium's schema
 * {@code io.debezium.time.Year} (an int32), so they are staged as INT either way.
 */
public final class BinlogYearConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {
  /** The name the gateway registers this converter under in Debezium's {@code converters}. */
  static final String NAME = "tributaryyear";
  /** What the binary log's row decoder makes of the year 0000. */
  private static final int BINLOG_ZERO_YEAR = 1900;

  @Override
  public void configure(Properties properties) {
    // Nothing to configure.
  }

  @Override
  public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
    if ("YEAR".equals(column.typeName().toUpperCase(Locale.ROOT))) {
      registration.register(io.debezium.time.Year.builder(), BinlogYearConverter::year);
    }
  }

  /** The year a snapshot read ({@code Short}), a binlog event or a column default carries. */
  static Integer year(Object value) {
    int year;
    if (value == null) {
      return null;
    } else if (value instanceof Year javaYear) {
      year = javaYear.getValue();
    } else if (value instanceof java.sql.Date date) {
      year = date.toLocalDate().getYear();
    } else if (value instanceof Number number) {
      year = number.intValue();
    } else {
      year = Integer.parseInt(value.toString().trim());
    }
    return year == BINLOG_ZERO_YEAR ? 0 : year;
  }
}
