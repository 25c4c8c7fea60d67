package io.tributary.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * The one place where Debezium's column schemas meet staging's {@link ColumnType}s: for each column
 * of a change event's row, which type it is staged as and how its Connect value becomes the Java
 * value {@link ColumnType} documents.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>Connect schema</th><th>staged as</th></tr>
 *   <tr><td>int8, int16, int32, {@code io.debezium.time.Year}</td><td>INT</td></tr>
 *   <tr><td>int64</td><td>LONG</td></tr>
 *   <tr><td>float32 / float64</td><td>FLOAT / DOUBLE</td></tr>
 *   <tr><td>boolean</td><td>BOOLEAN</td></tr>
 *   <tr><td>string, and string-valued logical types (Json, Uuid, Enum, Xml, ZonedTime, Interval, ...)</td><td>STRING</td></tr>
 *   <tr><td>bytes (also {@code io.debezium.data.Bits})</td><td>BINARY</td></tr>
 *   <tr><td>{@code Decimal} with {@code connect.decimal.precision} p (38 when absent) and scale s</td><td>DECIMAL(p,s);
 *       DECIMAL(p-s,0) for a negative s, DECIMAL(s,s) for s &gt; p; STRING (plain form, scale kept) beyond 38 digits</td></tr>
 *   <tr><td>{@code io.debezium.data.VariableScaleDecimal} (numeric without precision)</td><td>STRING (plain form)</td></tr>
 *   <tr><td>{@code io.debezium.time.Date}, Connect {@code Date}</td><td>DATE (days)</td></tr>
 *   <tr><td>{@code Timestamp} (ms), {@code MicroTimestamp}, {@code NanoTimestamp}, Connect {@code Timestamp}</td><td>TIMESTAMP_NTZ (µs)</td></tr>
 *   <tr><td>{@code ZonedTimestamp} (ISO-8601 text)</td><td>TIMESTAMP (µs, UTC); {@code infinity} and
 *       {@code -infinity} as the largest and smallest count</td></tr>
 *   <tr><td>{@code Time} (ms), {@code MicroTime}, {@code NanoTime}, Connect {@code Time}</td><td>LONG (µs of the day)</td></tr>
 *   <tr><td>{@code MicroDuration}</td><td>LONG (µs)</td></tr>
 *   <tr><td>struct, array, map (geometry, arrays, ...)</td><td>refused: UNSUPPORTED_TYPE; with
 *       {@code source.unsupported-types: string}, STRING holding the value as JSON text (struct and map as
 *       objects, array as array, bytes as base64)</td></tr>
 * </table>
 */
final class ConnectTypeMapper {
  /** How one column is staged: its staging column and the conversion of its non-null values. */
  public record ColumnMapping(Column column, UnaryOperator<Object> converter) {}

  private static final String PRECISION_PARAMETER = "connect.decimal.precision";
  /** The largest scale a source declares (PostgreSQL's numeric: 1000). */
  private static final int MAX_SOURCE_SCALE = 1000;
  /** How PostgreSQL's 11-bit scale field holds a negative scale s: 2048 + s. */
  private static final int NEGATIVE_SCALE_OFFSET = 2048;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MICROS_PER_MILLI = 1000;
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private ConnectTypeMapper() {}

  /**
   * The mapping of one field of a row schema.
   *
   * @throws io.tributary.staging.TributaryException with UNSUPPORTED_TYPE naming table, column and type
   */
  public static ColumnMapping map(TableId table, Field field, SourceConfig.UnsupportedTypes unsupported) {
    String name = field.name();
    if (name.startsWith("__")) {
      throw GatewayErrors.reservedColumnName(table, name);
    }
    Schema schema = field.schema();
    boolean nullable = schema.isOptional();
    String logical = schema.name() == null ? "" : schema.name();
    switch (logical) {
      case Decimal.LOGICAL_NAME:
        return decimal(name, schema, nullable);
      case io.debezium.data.VariableScaleDecimal.LOGICAL_NAME:
        return new ColumnMapping(new Column(name, ColumnType.STRING, nullable), ConnectTypeMapper::variableScaleDecimal);
      case io.debezium.time.Date.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.DATE, nullable), value -> ((Number) value).intValue());
      case org.apache.kafka.connect.data.Date.LOGICAL_NAME:
        return new ColumnMapping(new Column(name, ColumnType.DATE, nullable),
            value -> (int) Math.floorDiv(((java.util.Date) value).getTime(), MILLIS_PER_DAY));
      case io.debezium.time.Timestamp.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.TIMESTAMP_NTZ, nullable),
            value -> Math.multiplyExact(((Number) value).longValue(), MICROS_PER_MILLI));
      case io.debezium.time.MicroTimestamp.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.TIMESTAMP_NTZ, nullable), value -> ((Number) value).longValue());
      case io.debezium.time.NanoTimestamp.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.TIMESTAMP_NTZ, nullable),
            value -> Math.floorDiv(((Number) value).longValue(), 1000L));
      case org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME:
        return new ColumnMapping(new Column(name, ColumnType.TIMESTAMP_NTZ, nullable),
            value -> Math.multiplyExact(((java.util.Date) value).getTime(), MICROS_PER_MILLI));
      case io.debezium.time.ZonedTimestamp.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.TIMESTAMP, nullable), ConnectTypeMapper::zonedTimestamp);
      case io.debezium.time.Time.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.LONG, nullable),
            value -> ((Number) value).longValue() * MICROS_PER_MILLI);
      case io.debezium.time.MicroTime.SCHEMA_NAME, io.debezium.time.MicroDuration.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.LONG, nullable), value -> ((Number) value).longValue());
      case io.debezium.time.NanoTime.SCHEMA_NAME:
        return new ColumnMapping(new Column(name, ColumnType.LONG, nullable),
            value -> Math.floorDiv(((Number) value).longValue(), 1000L));
      case org.apache.kafka.connect.data.Time.LOGICAL_NAME:
        return new ColumnMapping(new Column(name, ColumnType.LONG, nullable),
            value -> ((java.util.Date) value).getTime() * MICROS_PER_MILLI);
      default:
        return byConnectType(table, name, schema, nullable, unsupported);
    }
  }

  /** A readable name of a field's type for error messages: logical name and Connect type. */
  static String describe(Schema schema) {
    return schema.name() == null ? schema.type().getName() : schema.name() + " (" + schema.type().getName() + ")";
  }

  private static ColumnMapping byConnectType(TableId table, String name, Schema schema, boolean nullable,
      SourceConfig.UnsupportedTypes unsupported) {
    return switch (schema.type()) {
      // INT32 and INT64 values are already the Integer and Long staged: no unboxing and boxing again.
      case INT8, INT16 -> new ColumnMapping(new Column(name, ColumnType.INT, nullable),
          value -> ((Number) value).intValue());
      case INT32 -> new ColumnMapping(new Column(name, ColumnType.INT, nullable),
          value -> value instanceof Integer ? value : ((Number) value).intValue());
      case INT64 -> new ColumnMapping(new Column(name, ColumnType.LONG, nullable),
          value -> value instanceof Long ? value : ((Number) value).longValue());
      case FLOAT32 -> new ColumnMapping(new Column(name, ColumnType.FLOAT, nullable), value -> ((Number) value).floatValue());
      case FLOAT64 -> new ColumnMapping(new Column(name, ColumnType.DOUBLE, nullable), value -> ((Number) value).doubleValue());
      case BOOLEAN -> new ColumnMapping(new Column(name, ColumnType.BOOLEAN, nullable), value -> (Boolean) value);
      case STRING -> new ColumnMapping(new Column(name, ColumnType.STRING, nullable), value -> (String) value);
      case BYTES -> new ColumnMapping(new Column(name, ColumnType.BINARY, nullable), ConnectTypeMapper::bytes);
      case STRUCT, ARRAY, MAP -> {
        if (unsupported != SourceConfig.UnsupportedTypes.STRING) {
          throw GatewayErrors.unsupportedType(table, name, describe(schema));
        }
        yield new ColumnMapping(new Column(name, ColumnType.STRING, nullable), ConnectTypeMapper::json);
      }
    };
  }

  /** A struct, array or map value as JSON text: structs and maps as objects, arrays as arrays, bytes as base64. */
  static String json(Object value) {
    try {
      return JSON.writeValueAsString(plain(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: " + e.getMessage(), e);
    }
  }

  private static Object plain(Object value) {
    if (value instanceof Struct struct) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Field field : struct.schema().fields()) {
        fields.put(field.name(), plain(struct.getWithoutDefault(field.name())));
      }
      return fields;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(ConnectTypeMapper::plain).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> entries = new LinkedHashMap<>();
      map.forEach((key, entry) -> entries.put(String.valueOf(key), plain(entry)));
      return entries;
    }
    if (value instanceof ByteBuffer || value instanceof byte[]) {
      return Base64.getEncoder().encodeToString(bytes(value));
    }
    if (value == null || value instanceof Number || value instanceof Boolean || value instanceof String) {
      return value;
    }
    return value.toString();
  }

  private static ColumnMapping decimal(String name, Schema schema, boolean nullable) {
    Map<String, String> parameters = schema.parameters() == null ? Map.of() : schema.parameters();
    int scale = Integer.parseInt(parameters.getOrDefault(Decimal.SCALE_FIELD, "0"));
    if (scale > MAX_SOURCE_SCALE) {
      // PostgreSQL keeps a numeric's scale in 11 bits, negative ones (numeric(6,-2)) as 2048 + s,
      // which is what its JDBC driver, and so Debezium, reports; Debezium scales the values to it.
      scale -= NEGATIVE_SCALE_OFFSET;
    }
    String precisionText = parameters.get(PRECISION_PARAMETER);
    int precision = precisionText == null ? ColumnType.MAX_DECIMAL_PRECISION : Integer.parseInt(precisionText);
    // A negative scale s rounds to 10^-s: p digits and -s zeros before the point, none after it. A
    // scale above the precision (numeric(3,5)) leaves s - p zeros after the point.
    int stagedScale = Math.max(scale, 0);
    int stagedPrecision = Math.max(precision - Math.min(scale, 0), stagedScale);
    if (stagedPrecision > ColumnType.MAX_DECIMAL_PRECISION) {
      // Delta and Parquet decimals stop at 38 digits; the exact text keeps every digit of the wider
      // PostgreSQL numerics and MySQL decimals.
      return new ColumnMapping(new Column(name, ColumnType.STRING, nullable),
          value -> ((BigDecimal) value).setScale(stagedScale, RoundingMode.UNNECESSARY).toPlainString());
    }
    return new ColumnMapping(new Column(name, ColumnType.decimal(stagedPrecision, stagedScale), nullable),
        value -> ((BigDecimal) value).setScale(stagedScale, RoundingMode.UNNECESSARY));
  }

  private static Object variableScaleDecimal(Object value) {
    Struct struct = (Struct) value;
    Integer scale = struct.getInt32(io.debezium.data.VariableScaleDecimal.SCALE_FIELD);
    byte[] unscaled = bytes(struct.get(io.debezium.data.VariableScaleDecimal.VALUE_FIELD));
    return new BigDecimal(new BigInteger(unscaled), scale == null ? 0 : scale).toPlainString();
  }

  private static Object zonedTimestamp(Object value) {
    String text = (String) value;
    // PostgreSQL's timestamptz infinities, as Debezium (and PostgresColumnConverter) write them.
    if ("infinity".equals(text)) {
      return Long.MAX_VALUE;
    }
    if ("-infinity".equals(text)) {
      return Long.MIN_VALUE;
    }
    OptionalLong utc = utcMicros(text);
    if (utc.isPresent()) {
      return utc.getAsLong();
    }
    Instant instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /**
   * Microseconds since the epoch of the form Debezium writes timestamps with time zone in,
   * {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} (UTC, years 0 to 9999), read without the general
   * parser, which costs more than the rest of a row's mapping; empty for any other form.
   */
  static OptionalLong utcMicros(String text) {
    int length = text.length();
    if (length < 20 || length == 21 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
        || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
        || (length > 20 && text.charAt(19) != '.')) {
      return OptionalLong.empty();
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int fraction = length > 20 ? digits(text, 20, length - 1) : 0;
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > YearMonth.of(year, month).lengthOfMonth()
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || fraction < 0) {
      return OptionalLong.empty();
    }
    long micros = fraction;
    for (int scale = length - 21; scale < 6; scale++) {
      micros *= 10;
    }
    for (int scale = length - 21; scale > 6; scale--) {
      micros /= 10;
    }
    long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
    return OptionalLong.of(seconds * 1_000_000L + micros);
  }

  /** The decimal number in {@code text} from {@code start} to {@code end}, or -1 if it holds another character. */
  private static int digits(String text, int start, int end) {
    int number = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      number = number * 10 + (c - '0');
    }
    return number;
  }

  static byte[] bytes(Object value) {
    if (value instanceof byte[] array) {
      return array;
    }
    ByteBuffer buffer = ((ByteBuffer) value).duplicate();
    byte[] array = new byte[buffer.remaining()];
    buffer.get(array);
    return array;
  }
}
