package io.tributary.staging;

import static java.util.Objects.requireNonNull;

/**
 * The type of a captured column, independent of the source database. Each source type maps to one
 * of these kinds, and each kind maps to one Parquet type in segments and one Delta type in tables.
 *
 * <p>Java values carried in {@link ChangeEvent}: BOOLEAN {@code Boolean}, INT {@code Integer}, LONG
 * {@code Long}, FLOAT {@code Float}, DOUBLE {@code Double}, DECIMAL {@code BigDecimal} (scale equal
 * to the column's), STRING {@code String}, BINARY {@code byte[]}, DATE {@code Integer} days since
 * 1970-01-01, TIMESTAMP {@code Long} microseconds since the epoch in UTC, TIMESTAMP_NTZ {@code Long}
 * microseconds since 1970-01-01T00:00 without a time zone.
 */
public record ColumnType(Kind kind, int precision, int scale) {
  /** The kinds of column Tributary stages and applies. */
  public enum Kind {
    BOOLEAN,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    DECIMAL,
    STRING,
    BINARY,
    DATE,
    TIMESTAMP,
    TIMESTAMP_NTZ
  }

  /** The largest decimal precision Delta and Parquet accept. */
  public static final int MAX_DECIMAL_PRECISION = 38;

  public static final ColumnType BOOLEAN = new ColumnType(Kind.BOOLEAN, 0, 0);
  public static final ColumnType INT = new ColumnType(Kind.INT, 0, 0);
  public static final ColumnType LONG = new ColumnType(Kind.LONG, 0, 0);
  public static final ColumnType FLOAT = new ColumnType(Kind.FLOAT, 0, 0);
  public static final ColumnType DOUBLE = new ColumnType(Kind.DOUBLE, 0, 0);
  public static final ColumnType STRING = new ColumnType(Kind.STRING, 0, 0);
  public static final ColumnType BINARY = new ColumnType(Kind.BINARY, 0, 0);
  public static final ColumnType DATE = new ColumnType(Kind.DATE, 0, 0);
  public static final ColumnType TIMESTAMP = new ColumnType(Kind.TIMESTAMP, 0, 0);
  public static final ColumnType TIMESTAMP_NTZ = new ColumnType(Kind.TIMESTAMP_NTZ, 0, 0);

  public ColumnType {
    requireNonNull(kind, "kind is null");
    if (kind == Kind.DECIMAL) {
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
        throw new IllegalArgumentException(
            "Invalid decimal precision " + precision + ": must be between 1 and " + MAX_DECIMAL_PRECISION);
      }
      if (scale < 0 || scale > precision) {
        throw new IllegalArgumentException(
            "Invalid decimal scale " + scale + ": must be between 0 and the precision " + precision);
      }
    } else if (precision != 0 || scale != 0) {
      throw new IllegalArgumentException("Only DECIMAL has a precision and scale, not " + kind);
    }
  }

  public static ColumnType decimal(int precision, int scale) {
    return new ColumnType(Kind.DECIMAL, precision, scale);
  }

  /** Parses the form {@link #toString()} writes, e.g. {@code LONG} or {@code DECIMAL(12,2)}. */
  public static ColumnType parse(String text) {
    requireNonNull(text, "text is null");
    if (text.startsWith("DECIMAL(") && text.endsWith(")")) {
      String[] parts = text.substring(8, text.length() - 1).split(",");
      if (parts.length == 2) {
        return decimal(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      }
    }
    try {
      Kind kind = Kind.valueOf(text);
      if (kind != Kind.DECIMAL) {
        return new ColumnType(kind, 0, 0);
      }
    } catch (IllegalArgumentException e) {
      // fall through to the error below, which names the accepted forms
    }
    throw new IllegalArgumentException("Invalid column type '" + text + "'");
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL ? "DECIMAL(" + precision + "," + scale + ")" : kind.name();
  }
}
