package io.tributary.gateway.internal;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.debezium.time.Date;
import io.debezium.time.MicroDuration;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.ZonedTimestamp;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.Properties;
import java.util.TimeZone;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.postgresql.PGStatement;
import org.postgresql.core.Oid;
import org.postgresql.util.PGInterval;

/**
 * Reads the PostgreSQL columns whose values Debezium's own conversion changes, in its place:
 *
 * <ul>
 *   <li>{@code timestamp} and {@code timestamptz}: the snapshot reads them as {@code java.sql.Timestamp}
 *       (Julian calendar before 1582-10-15), which Debezium takes as a proleptic instant, so that a
 *       snapshot read of {@code 0001-01-01} is two days off the same value streamed. Here the
 *       timestamp's calendar fields are kept. Infinities become the largest and smallest
 *       microsecond counts ({@code timestamp}) or {@code infinity} and {@code -infinity}
 *       ({@code timestamptz}, which {@link ConnectTypeMapper} stages as the same counts).</li>
 *   <li>{@code date}: the same for dates before 1582-10-15 in the snapshot; infinities, which Debezium
 *       turns into arbitrary days, become the largest and smallest day counts.</li>
 *   <li>{@code interval} (unless {@code interval.handling.mode} is {@code string}): Debezium counts
 *       microseconds in doubles and loses some of long intervals; here they are counted exactly.</li>
 *   <li>{@code numeric} without precision: Debezium drops trailing fractional zeros ({@code 1.500}
 *       becomes {@code 1.5}) and cannot carry {@code NaN} and {@code ±Infinity}. Here such a column is
 *       a string: the number as PostgreSQL writes it.</li>
 * </ul>
 *
 * <p>Column defaults arrive already converted by Debezium's own conversion (days, microseconds or
 * milliseconds, ISO text, a variable-scale decimal struct): they are passed on in this converter's form.
 *
 * <p>Values keep the schemas {@link ConnectTypeMapper} stages as before (TIMESTAMP_NTZ, TIMESTAMP, DATE
 * and STRING), so tables staged before this converter keep their schema.
 */
public final class PostgresColumnConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {
  /** The name the gateway registers this converter under in Debezium's {@code converters}. */
  static final String NAME = "tributarypg";
  /** The length PostgreSQL's JDBC driver reports for a numeric without precision (pgjdbc#2275), or 0. */
  private static final int VARIABLE_NUMERIC_LENGTH = 131089;
  private static final TimeZone UTC = TimeZone.getTimeZone(ZoneOffset.UTC);

  /** This converter's setting: whether intervals are numeric (Debezium's {@code interval.handling.mode}). */
  static final String NUMERIC_INTERVALS = "numeric.intervals";
  /** Microseconds of a month as Debezium counts them: 365.25 / 12 = 30.4375 days. */
  private static final long MICROS_PER_MONTH = 2_629_800_000_000L;
  private static final long MICROS_PER_DAY = 86_400_000_000L;
  /** What Debezium writes for the epoch in a {@code timestamptz} column. */
  private static final String EPOCH_WITH_ZONE = "1970-01-01T00:00:00Z";

  private boolean numericIntervals = true;

  @Override
  public void configure(Properties properties) {
    numericIntervals = Boolean.parseBoolean(properties.getProperty(NUMERIC_INTERVALS, "true"));
  }

  @Override
  public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
    switch (column.nativeType()) {
      case Oid.TIMESTAMP -> {
        // Debezium's default value of timestamp(0) to timestamp(3) is in milliseconds (adaptive precision).
        long defaultFactor = column.scale().orElse(6) <= 3 ? 1000 : 1;
        register(registration, column, MicroTimestamp.builder(), 0L, value -> value instanceof Long converted
            ? converted * defaultFactor : timestampMicros(value));
      }
      case Oid.TIMESTAMPTZ -> register(registration, column, ZonedTimestamp.builder(), EPOCH_WITH_ZONE,
          value -> value instanceof String converted ? converted : timestampWithZone(value));
      case Oid.DATE -> register(registration, column, Date.builder(), 0,
          value -> value instanceof Integer converted ? converted : epochDays(value));
      case Oid.INTERVAL -> {
        if (numericIntervals) {
          register(registration, column, MicroDuration.builder(), 0L,
              value -> value instanceof Long converted ? converted : intervalMicros(value));
        }
      }
      case Oid.NUMERIC -> {
        int length = column.length().orElse(0);
        if ((length == 0 || length == VARIABLE_NUMERIC_LENGTH) && column.scale().orElse(0) == 0) {
          register(registration, column, SchemaBuilder.string(), "0", value -> value instanceof Struct converted
              ? numericText(VariableScaleDecimal.toLogical(converted)) : numericText(value));
        }
      }
      default -> {
        // Debezium's conversion is exact.
      }
    }
  }

  /**
   * Registers {@code conversion} for {@code column}, with {@code absent} standing in for the value of
   * a {@code NOT NULL} column that the source did not send. A delete's before-image carries only the
   * key's columns when the table's replica identity is its key; Debezium's own conversions fill the
   * other required fields with such a stand-in (the epoch, zero), and a null there would stop the
   * connector. A delete is applied by its key, so the stand-in is never read as the row's value.
   */
  private static void register(ConverterRegistration<SchemaBuilder> registration, RelationalColumn column,
      SchemaBuilder schema, Object absent, Converter conversion) {
    if (column.isOptional()) {
      registration.register(schema, conversion);
    } else {
      registration.register(schema, value -> value == null ? absent : conversion.convert(value));
    }
  }

  /** A {@code timestamp} as microseconds since 1970-01-01T00:00 of its calendar fields. */
  static Long timestampMicros(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Timestamp timestamp) {
      if (timestamp.getTime() == PGStatement.DATE_POSITIVE_INFINITY) {
        return Long.MAX_VALUE;
      }
      if (timestamp.getTime() == PGStatement.DATE_NEGATIVE_INFINITY) {
        return Long.MIN_VALUE;
      }
      // The driver built the timestamp from its fields with a calendar of the JVM's zone.
      return micros(fields(timestamp, TimeZone.getDefault()));
    }
    if (value instanceof Instant instant) {
      if (instant.equals(PostgresValueConverter.POSITIVE_INFINITY_INSTANT)) {
        return Long.MAX_VALUE;
      }
      if (instant.equals(PostgresValueConverter.NEGATIVE_INFINITY_INSTANT)) {
        return Long.MIN_VALUE;
      }
      return micros(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
    if (value instanceof LocalDateTime local) {
      return micros(local);
    }
    throw new IllegalArgumentException("Unexpected timestamp value " + value + " of " + value.getClass().getName());
  }

  /** A {@code timestamptz} as its instant in ISO-8601 (UTC), or {@code infinity} / {@code -infinity}. */
  static String timestampWithZone(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Timestamp timestamp) {
      if (timestamp.getTime() == PGStatement.DATE_POSITIVE_INFINITY) {
        return "infinity";
      }
      if (timestamp.getTime() == PGStatement.DATE_NEGATIVE_INFINITY) {
        return "-infinity";
      }
      // The driver computed the instant from the fields in UTC.
      return iso(fields(timestamp, UTC).atOffset(ZoneOffset.UTC));
    }
    if (value instanceof OffsetDateTime offsetDateTime) {
      if (offsetDateTime.equals(PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME)) {
        return "infinity";
      }
      if (offsetDateTime.equals(PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME)) {
        return "-infinity";
      }
      return iso(offsetDateTime.withOffsetSameInstant(ZoneOffset.UTC));
    }
    if (value instanceof Instant instant) {
      return iso(instant.atOffset(ZoneOffset.UTC));
    }
    throw new IllegalArgumentException("Unexpected timestamptz value " + value + " of " + value.getClass().getName());
  }

  /** A {@code date} as days since 1970-01-01; infinities as the largest and smallest count. */
  static Integer epochDays(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof java.sql.Date date) {
      if (date.getTime() == PGStatement.DATE_POSITIVE_INFINITY) {
        return Integer.MAX_VALUE;
      }
      if (date.getTime() == PGStatement.DATE_NEGATIVE_INFINITY) {
        return Integer.MIN_VALUE;
      }
      return Math.toIntExact(fields(date, TimeZone.getDefault()).toLocalDate().toEpochDay());
    }
    if (value instanceof LocalDate local) {
      if (local.equals(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE)) {
        return Integer.MAX_VALUE;
      }
      if (local.equals(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE)) {
        return Integer.MIN_VALUE;
      }
      return Math.toIntExact(local.toEpochDay());
    }
    throw new IllegalArgumentException("Unexpected date value " + value + " of " + value.getClass().getName());
  }

  /**
   * An {@code interval} in microseconds, a month counted as 30.4375 days as Debezium counts it, but
   * exactly: Debezium's arithmetic in doubles loses microseconds of long intervals. One that does not
   * fit 64 bits (beyond about 292,000 years) is an error, not the largest count.
   */
  static Long intervalMicros(Object value) {
    if (value == null) {
      return null;
    }
    PGInterval interval;
    try {
      interval = value instanceof PGInterval pgInterval ? pgInterval : new PGInterval(value.toString());
    } catch (SQLException e) {
      throw new IllegalArgumentException("Unexpected interval value " + value, e);
    }
    long months = interval.getYears() * 12L + interval.getMonths();
    long micros = Math.multiplyExact(months, MICROS_PER_MONTH);
    micros = Math.addExact(micros, Math.multiplyExact((long) interval.getDays(), MICROS_PER_DAY));
    long seconds = interval.getHours() * 3600L + interval.getMinutes() * 60L + interval.getWholeSeconds();
    micros = Math.addExact(micros, Math.multiplyExact(seconds, 1_000_000L));
    return Math.addExact(micros, interval.getMicroSeconds());
  }

  /** A {@code numeric} as PostgreSQL writes it: its digits and scale, or NaN, Infinity, -Infinity. */
  static String numericText(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof SpecialValueDecimal special) {
      if (special.getDecimalValue().isPresent()) {
        return special.getDecimalValue().get().toPlainString();
      }
      if (special.equals(SpecialValueDecimal.NOT_A_NUMBER)) {
        return "NaN";
      }
      return special.equals(SpecialValueDecimal.POSITIVE_INF) ? "Infinity" : "-Infinity";
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    // A column default, or the placeholder of an unchanged TOASTed value: already text.
    return value.toString();
  }

  /**
   * The calendar fields (era included) a driver's {@code java.util.Date} was built from in
   * {@code zone}, with the hybrid Julian-Gregorian calendar of {@link GregorianCalendar}: the same
   * date and time in the proleptic calendar PostgreSQL uses.
   */
  private static LocalDateTime fields(java.util.Date value, TimeZone zone) {
    GregorianCalendar calendar = new GregorianCalendar(zone);
    calendar.setTimeInMillis(value.getTime());
    int year = calendar.get(Calendar.ERA) == GregorianCalendar.BC ? 1 - calendar.get(Calendar.YEAR)
        : calendar.get(Calendar.YEAR);
    int nanos = value instanceof Timestamp timestamp ? timestamp.getNanos() : calendar.get(Calendar.MILLISECOND) * 1_000_000;
    return LocalDateTime.of(year, calendar.get(Calendar.MONTH) + 1, calendar.get(Calendar.DAY_OF_MONTH),
        calendar.get(Calendar.HOUR_OF_DAY), calendar.get(Calendar.MINUTE), calendar.get(Calendar.SECOND), nanos);
  }

  private static long micros(LocalDateTime local) {
    return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), local);
  }

  private static String iso(OffsetDateTime utc) {
    return utc.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }
}
