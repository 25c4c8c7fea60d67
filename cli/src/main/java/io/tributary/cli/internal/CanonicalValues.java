package io.tributary.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.staging.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One canonical text per value, whichever side it comes from: a JDBC result set of the source or a
 * row read back from Delta (Java values as {@link ColumnType} documents them). Two values are equal
 * for verification exactly when their canonical texts are.
 */
final class CanonicalValues {
  static final String NULL = "\u2400";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CanonicalValues() {}

  /** The canonical text of a value read from Delta. */
  static String ofStaged(ColumnType type, Object value) {
    if (value == null) {
      return NULL;
    }
    return switch (type.kind()) {
      case DECIMAL -> ((BigDecimal) value).setScale(type.scale(), RoundingMode.UNNECESSARY).toPlainString();
      case BINARY -> HexFormat.of().formatHex((byte[]) value);
      case FLOAT -> Float.toString(((Number) value).floatValue());
      case DOUBLE -> Double.toString(((Number) value).doubleValue());
      default -> value.toString();
    };
  }

  /** The canonical text of column {@code index} (1-based) of the current source row. */
  static String ofSource(ColumnType type, ResultSet row, int index) throws SQLException {
    Object raw = row.getObject(index);
    if (raw == null) {
      return NULL;
    }
    return switch (type.kind()) {
      case BOOLEAN -> Boolean.toString(row.getBoolean(index));
      case INT -> Integer.toString(row.getInt(index));
      // Times of day are staged as microseconds of the day.
      case LONG -> raw instanceof java.sql.Time || raw instanceof LocalTime
          ? Long.toString(row.getObject(index, LocalTime.class).toNanoOfDay() / 1000)
          : Long.toString(row.getLong(index));
      case FLOAT -> Float.toString(row.getFloat(index));
      case DOUBLE -> Double.toString(row.getDouble(index));
      case DECIMAL -> row.getBigDecimal(index).setScale(type.scale(), RoundingMode.UNNECESSARY).toPlainString();
      // A source array staged with source.unsupported-types: string is JSON text in Delta.
      case STRING -> raw instanceof java.sql.Array array ? arrayJson(array) : row.getString(index);
      case BINARY -> HexFormat.of().formatHex(row.getBytes(index));
      case DATE -> Long.toString(row.getObject(index, LocalDate.class).toEpochDay());
      case TIMESTAMP -> Long.toString(micros(row.getObject(index, OffsetDateTime.class).toInstant()));
      case TIMESTAMP_NTZ -> Long.toString(micros(row.getObject(index, LocalDateTime.class)));
    };
  }

  private static String arrayJson(java.sql.Array array) throws SQLException {
    Object[] elements = (Object[]) array.getArray();
    List<Object> values = new ArrayList<>(elements.length);
    for (Object element : elements) {
      values.add(element instanceof Number || element instanceof Boolean || element == null ? element : element.toString());
    }
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot write a source array as JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Microseconds since the epoch. Not {@code ChronoUnit.MICROS.between}, which counts nanoseconds first
   * and overflows for instants more than 292 years from the epoch (0001-01-01, 9999-12-31).
   */
  static long micros(Instant value) {
    return Math.addExact(Math.multiplyExact(value.getEpochSecond(), 1_000_000L), value.getNano() / 1000);
  }

  private static long micros(LocalDateTime value) {
    return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), value);
  }
}
