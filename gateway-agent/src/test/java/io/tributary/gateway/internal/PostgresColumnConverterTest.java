package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter.Converter;
import io.debezium.spi.converter.RelationalColumn;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.GregorianCalendar;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.TimeZone;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;
import org.postgresql.core.Oid;
import org.postgresql.util.PGInterval;

/**
 * The raw values Debezium's PostgreSQL connector hands a converter: from the snapshot what the JDBC
 * driver's {@code getObject} returns ({@code java.sql.Timestamp}, {@code java.sql.Date},
 * {@code PGInterval}, numerics wrapped in {@code SpecialValueDecimal}), from the stream what its
 * pgoutput decoder makes of the text ({@code Instant}, {@code OffsetDateTime} in UTC,
 * {@code LocalDate}, {@code PGInterval}, {@code SpecialValueDecimal}). The gateway runs in UTC.
 */
class PostgresColumnConverterTest {
  private TimeZone zone;

  @BeforeEach
  void utc() {
    zone = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone(ZoneOffset.UTC));
  }

  @AfterEach
  void restore() {
    TimeZone.setDefault(zone);
  }

  /** What the driver builds for a date and time: its fields with the default (hybrid Julian-Gregorian) calendar. */
  private static Timestamp driverTimestamp(int era, int year, int month, int day, int hour, int nanos) {
    GregorianCalendar calendar = new GregorianCalendar();
    calendar.clear();
    calendar.set(GregorianCalendar.ERA, era);
    calendar.set(year, month - 1, day, hour, 0, 0);
    Timestamp timestamp = new Timestamp(calendar.getTimeInMillis());
    timestamp.setNanos(nanos);
    return timestamp;
  }

  private static long micros(LocalDateTime value) {
    return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), value);
  }

  @Test
  void timestampsReadBySnapshotKeepTheirDateBeforeTheGregorianCalendar() {
    Timestamp firstDay = driverTimestamp(GregorianCalendar.AD, 1, 1, 1, 0, 1000);
    assertThat(PostgresColumnConverter.timestampMicros(firstDay))
        .as("Debezium's conversion is two days earlier").isEqualTo(micros(LocalDateTime.of(1, 1, 1, 0, 0, 0, 1000)));
    Timestamp beforeCommonEra = driverTimestamp(GregorianCalendar.BC, 4713, 1, 1, 12, 0);
    assertThat(PostgresColumnConverter.timestampMicros(beforeCommonEra))
        .isEqualTo(micros(LocalDateTime.of(-4712, 1, 1, 12, 0)));
    Timestamp modern = Timestamp.valueOf("2024-03-31 02:30:00.123456");
    assertThat(PostgresColumnConverter.timestampMicros(modern))
        .isEqualTo(micros(LocalDateTime.of(2024, 3, 31, 2, 30, 0, 123_456_000)));
  }

  @Test
  void timestampsStreamedAreTheirInstantsMicros() {
    Instant instant = LocalDateTime.of(-4712, 1, 1, 12, 0).toInstant(ZoneOffset.UTC).plusNanos(5000);
    assertThat(PostgresColumnConverter.timestampMicros(instant))
        .isEqualTo(micros(LocalDateTime.of(-4712, 1, 1, 12, 0, 0, 5000)));
  }

  @Test
  void timestampInfinitiesAreTheLargestAndSmallestCounts() {
    assertThat(PostgresColumnConverter.timestampMicros(new Timestamp(PGStatement.DATE_POSITIVE_INFINITY)))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(PostgresColumnConverter.timestampMicros(new Timestamp(PGStatement.DATE_NEGATIVE_INFINITY)))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(PostgresColumnConverter.timestampMicros(PostgresValueConverter.POSITIVE_INFINITY_INSTANT))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(PostgresColumnConverter.timestampMicros(PostgresValueConverter.NEGATIVE_INFINITY_INSTANT))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(PostgresColumnConverter.timestampMicros(null)).isNull();
  }

  @Test
  void timestampsWithTimeZoneAreTheirInstantsInUtc() {
    // The driver reads '0001-01-01 00:00:00+00' into the instant of those fields in the hybrid calendar.
    assertThat(PostgresColumnConverter.timestampWithZone(driverTimestamp(GregorianCalendar.AD, 1, 1, 1, 0, 1000)))
        .isEqualTo("0001-01-01T00:00:00.000001Z");
    assertThat(PostgresColumnConverter.timestampWithZone(
        OffsetDateTime.of(2024, 10, 27, 0, 30, 0, 0, ZoneOffset.UTC))).isEqualTo("2024-10-27T00:30:00Z");
    assertThat(PostgresColumnConverter.timestampWithZone(new Timestamp(PGStatement.DATE_POSITIVE_INFINITY)))
        .isEqualTo("infinity");
    assertThat(PostgresColumnConverter.timestampWithZone(PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME))
        .isEqualTo("-infinity");
  }

  @Test
  void datesKeepTheirDayBeforeTheGregorianCalendarAndTheirInfinities() {
    java.sql.Date beforeCommonEra = new java.sql.Date(driverTimestamp(GregorianCalendar.BC, 4713, 1, 1, 0, 0).getTime());
    assertThat(PostgresColumnConverter.epochDays(beforeCommonEra)).isEqualTo((int) LocalDate.of(-4712, 1, 1).toEpochDay());
    assertThat(PostgresColumnConverter.epochDays(LocalDate.of(-4712, 1, 1))).isEqualTo((int) LocalDate.of(-4712, 1, 1)
        .toEpochDay());
    assertThat(PostgresColumnConverter.epochDays(new java.sql.Date(PGStatement.DATE_POSITIVE_INFINITY)))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(PostgresColumnConverter.epochDays(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE))
        .isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void intervalsAreCountedExactly() throws Exception {
    PGInterval longest = new PGInterval("-100000 years -11 mons -29 days -23:59:59.999999");
    // Debezium's double arithmetic answers -3155791519800000000.
    assertThat(PostgresColumnConverter.intervalMicros(longest)).isEqualTo(-3_155_791_519_799_999_999L);
    assertThat(PostgresColumnConverter.intervalMicros(new PGInterval("1 mon"))).as("30.4375 days")
        .isEqualTo(2_629_800_000_000L);
    assertThatThrownBy(() -> PostgresColumnConverter.intervalMicros(new PGInterval("178000000 years")))
        .isInstanceOf(ArithmeticException.class);
  }

  @Test
  void numericsWithoutPrecisionAreTheirTextWithScaleAndSpecialValues() {
    assertThat(PostgresColumnConverter.numericText(new SpecialValueDecimal(new BigDecimal("1.500")))).isEqualTo("1.500");
    assertThat(PostgresColumnConverter.numericText(SpecialValueDecimal.NOT_A_NUMBER)).isEqualTo("NaN");
    assertThat(PostgresColumnConverter.numericText(SpecialValueDecimal.POSITIVE_INF)).isEqualTo("Infinity");
    assertThat(PostgresColumnConverter.numericText(SpecialValueDecimal.NEGATIVE_INF)).isEqualTo("-Infinity");
    assertThat(PostgresColumnConverter.numericText(new SpecialValueDecimal(new BigDecimal("1E+100"))))
        .isEqualTo("1" + "0".repeat(100));
  }

  @Test
  void columnDefaultsArriveConvertedByDebeziumAndArePassedOnInTheConvertersForm() {
    // DEFAULT '2000-01-02' on a date, '2000-01-02 03:04:05.678' on a timestamp(3) and a timestamp,
    // '2000-01-02 03:04:05+02' on a timestamptz, '1 day' on an interval and 1.50 on a numeric.
    PostgresColumnConverter converter = new PostgresColumnConverter();
    converter.configure(new Properties());
    int days = (int) LocalDate.of(2000, 1, 2).toEpochDay();
    long micros = micros(LocalDateTime.of(2000, 1, 2, 3, 4, 5, 678_000_000));
    assertThat(registered(converter, column(Oid.DATE, 0, 0)).converter().convert(days)).isEqualTo(days);
    assertThat(registered(converter, column(Oid.TIMESTAMP, 0, 3)).converter().convert(micros / 1000))
        .as("milliseconds").isEqualTo(micros);
    assertThat(registered(converter, column(Oid.TIMESTAMP, 0, 6)).converter().convert(micros)).isEqualTo(micros);
    assertThat(registered(converter, column(Oid.TIMESTAMPTZ, 0, 6)).converter().convert("2000-01-02T01:04:05Z"))
        .isEqualTo("2000-01-02T01:04:05Z");
    assertThat(registered(converter, column(Oid.INTERVAL, 0, 6)).converter().convert(86_400_000_000L))
        .isEqualTo(86_400_000_000L);
    Schema variable = io.debezium.data.VariableScaleDecimal.builder().build();
    assertThat(registered(converter, column(Oid.NUMERIC, 0, 0)).converter().convert(
        io.debezium.data.VariableScaleDecimal.fromLogical(variable, new BigDecimal("1.50")))).isEqualTo("1.50");
  }

  @Test
  void convertsOnlyTheColumnsWhoseValuesDebeziumChanges() {
    PostgresColumnConverter converter = new PostgresColumnConverter();
    converter.configure(new Properties());
    assertThat(registered(converter, column(Oid.TIMESTAMP, 0, 6)).schema().name())
        .isEqualTo(io.debezium.time.MicroTimestamp.SCHEMA_NAME);
    assertThat(registered(converter, column(Oid.TIMESTAMPTZ, 0, 6)).schema().name())
        .isEqualTo(io.debezium.time.ZonedTimestamp.SCHEMA_NAME);
    assertThat(registered(converter, column(Oid.DATE, 0, 0)).schema().name()).isEqualTo(io.debezium.time.Date.SCHEMA_NAME);
    assertThat(registered(converter, column(Oid.INTERVAL, 0, 6)).schema().name())
        .isEqualTo(io.debezium.time.MicroDuration.SCHEMA_NAME);
    assertThat(registered(converter, column(Oid.NUMERIC, 0, 0)).schema().type()).isEqualTo(Schema.Type.STRING);
    assertThat(registered(converter, column(Oid.NUMERIC, 131089, 0)).schema().type()).isEqualTo(Schema.Type.STRING);
    assertThat(registered(converter, column(Oid.NUMERIC, 12, 2))).as("numeric(12,2)").isNull();
    assertThat(registered(converter, column(Oid.TEXT, 0, 0))).isNull();

    Properties stringIntervals = new Properties();
    stringIntervals.setProperty(PostgresColumnConverter.NUMERIC_INTERVALS, "false");
    converter.configure(stringIntervals);
    assertThat(registered(converter, column(Oid.INTERVAL, 0, 6))).as("interval.handling.mode=string").isNull();
  }

  @Test
  void requiredColumnsMissingFromADeleteBeforeImageGetDebeziumsStandIns() {
    // REPLICA IDENTITY DEFAULT: a delete carries only the key's columns; the others arrive as null.
    PostgresColumnConverter converter = new PostgresColumnConverter();
    converter.configure(new Properties());
    assertThat(registered(converter, column(Oid.TIMESTAMPTZ, 0, 6, false)).converter().convert(null))
        .isEqualTo("1970-01-01T00:00:00Z");
    assertThat(registered(converter, column(Oid.TIMESTAMP, 0, 6, false)).converter().convert(null)).isEqualTo(0L);
    assertThat(registered(converter, column(Oid.DATE, 0, 0, false)).converter().convert(null)).isEqualTo(0);
    assertThat(registered(converter, column(Oid.INTERVAL, 0, 6, false)).converter().convert(null)).isEqualTo(0L);
    assertThat(registered(converter, column(Oid.NUMERIC, 0, 0, false)).converter().convert(null)).isEqualTo("0");
    assertThat(registered(converter, column(Oid.TIMESTAMPTZ, 0, 6, true)).converter().convert(null)).isNull();
    assertThat(registered(converter, column(Oid.NUMERIC, 0, 0, true)).converter().convert(null)).isNull();
  }

  private record Registration(Schema schema, Converter converter) {}

  private static Registration registered(PostgresColumnConverter converter, RelationalColumn column) {
    Map<String, Registration> registered = new HashMap<>();
    converter.converterFor(column, (SchemaBuilder schema, Converter conversion) ->
        registered.put("it", new Registration(schema.build(), conversion)));
    return registered.get("it");
  }

  private static RelationalColumn column(int oid, int length, int scale) {
    return column(oid, length, scale, true);
  }

  private static RelationalColumn column(int oid, int length, int scale, boolean optional) {
    return new RelationalColumn() {
      @Override
      public String name() {
        return "c";
      }

      @Override
      public String dataCollection() {
        return "public.t";
      }

      @Override
      public int jdbcType() {
        return java.sql.Types.OTHER;
      }

      @Override
      public int nativeType() {
        return oid;
      }

      @Override
      public String typeName() {
        return "t" + oid;
      }

      @Override
      public String typeExpression() {
        return typeName();
      }

      @Override
      public OptionalInt length() {
        return length == 0 ? OptionalInt.empty() : OptionalInt.of(length);
      }

      @Override
      public OptionalInt scale() {
        return scale == 0 ? OptionalInt.empty() : OptionalInt.of(scale);
      }

      @Override
      public boolean isOptional() {
        return optional;
      }

      @Override
      public Object defaultValue() {
        return null;
      }

      @Override
      public boolean hasDefaultValue() {
        return false;
      }
    };
  }
}
