package io.tributary.gateway;

import static io.tributary.gateway.TypeTable.literals;

import io.tributary.gateway.TypeTable.TypeColumn;
import io.tributary.staging.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MariaDbTypesIT's table: one column per MariaDB type Debezium's connector emits, the staged type
 * docs/sources.md gives for it and how its JDBC value reads as {@link TypeTable}'s canonical text;
 * and the edge values of every column, as SQL literals, in sets that rows are loaded with.
 */
final class MariaDbEveryType {
  /** About 100 kB of text, 4-byte characters included. */
  private static final String LONG_TEXT = "REPEAT('Grüße, 世界 😀 ', 5000)";
  private static final String LONG_BYTES = "UNHEX(REPEAT('00FF7F80', 25000))";

  static final TypeTable TABLE = new TypeTable("every_type", List.of(
      new TypeColumn("id", "INT", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_tinyint", "TINYINT", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_tinyint1", "TINYINT(1)", ColumnType.INT, "CAST(c_tinyint1 AS SIGNED)", TypeTable.TEXT),
      new TypeColumn("c_boolean", "BOOLEAN", ColumnType.INT, "CAST(c_boolean AS SIGNED)", TypeTable.TEXT),
      new TypeColumn("c_tinyint_unsigned", "TINYINT UNSIGNED", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_smallint", "SMALLINT", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_smallint_unsigned", "SMALLINT UNSIGNED", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_mediumint", "MEDIUMINT", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_mediumint_unsigned", "MEDIUMINT UNSIGNED", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_int", "INT", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_int_unsigned", "INT UNSIGNED", ColumnType.LONG, TypeTable.TEXT),
      new TypeColumn("c_bigint", "BIGINT", ColumnType.LONG, TypeTable.TEXT),
      new TypeColumn("c_bigint_unsigned", "BIGINT UNSIGNED", ColumnType.decimal(20, 0), TypeTable.DECIMAL),
      new TypeColumn("c_float", "FLOAT", ColumnType.FLOAT, TypeTable.REAL),
      new TypeColumn("c_double", "DOUBLE", ColumnType.DOUBLE, TypeTable.DOUBLE),
      new TypeColumn("c_decimal", "DECIMAL(10,2)", ColumnType.decimal(10, 2), TypeTable.DECIMAL),
      new TypeColumn("c_decimal_max", "DECIMAL(38,10)", ColumnType.decimal(38, 10), TypeTable.DECIMAL),
      new TypeColumn("c_decimal_integral", "DECIMAL(20)", ColumnType.decimal(20, 0), TypeTable.DECIMAL),
      new TypeColumn("c_decimal_wide", "DECIMAL(65,30)", ColumnType.STRING, TypeTable.DECIMAL),
      new TypeColumn("c_bit", "BIT(1)", ColumnType.BOOLEAN, "c_bit + 0",
          (row, index) -> Boolean.toString(row.getInt(index) == 1)),
      new TypeColumn("c_bits", "BIT(12)", ColumnType.BINARY, "c_bits + 0", bits(2)),
      new TypeColumn("c_bits64", "BIT(64)", ColumnType.BINARY, "c_bits64 + 0", bits(8)),
      new TypeColumn("c_char", "CHAR(5)", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_varchar", "VARCHAR(20)", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_latin1", "VARCHAR(20) CHARACTER SET latin1", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_tinytext", "TINYTEXT", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_text", "TEXT", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_mediumtext", "MEDIUMTEXT", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_longtext", "LONGTEXT", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_binary", "BINARY(4)", ColumnType.BINARY, TypeTable.BYTES),
      new TypeColumn("c_varbinary", "VARBINARY(10)", ColumnType.BINARY, TypeTable.BYTES),
      new TypeColumn("c_tinyblob", "TINYBLOB", ColumnType.BINARY, TypeTable.BYTES),
      new TypeColumn("c_blob", "BLOB", ColumnType.BINARY, TypeTable.BYTES),
      new TypeColumn("c_mediumblob", "MEDIUMBLOB", ColumnType.BINARY, TypeTable.BYTES),
      new TypeColumn("c_longblob", "LONGBLOB", ColumnType.BINARY, TypeTable.BYTES),
      new TypeColumn("c_date", "DATE", ColumnType.DATE, "CAST(c_date AS CHAR)", TypeTable.TEXT),
      new TypeColumn("c_time", "TIME", ColumnType.LONG, TypeTable.MICROS_OF_TIME),
      new TypeColumn("c_time3", "TIME(3)", ColumnType.LONG, TypeTable.MICROS_OF_TIME),
      new TypeColumn("c_time6", "TIME(6)", ColumnType.LONG, TypeTable.MICROS_OF_TIME),
      new TypeColumn("c_datetime", "DATETIME", ColumnType.TIMESTAMP_NTZ, "CAST(c_datetime AS CHAR)",
          MariaDbEveryType::localDateTime),
      new TypeColumn("c_datetime3", "DATETIME(3)", ColumnType.TIMESTAMP_NTZ, "CAST(c_datetime3 AS CHAR)",
          MariaDbEveryType::localDateTime),
      new TypeColumn("c_datetime6", "DATETIME(6)", ColumnType.TIMESTAMP_NTZ, "CAST(c_datetime6 AS CHAR)",
          MariaDbEveryType::localDateTime),
      new TypeColumn("c_timestamp", "TIMESTAMP NULL", ColumnType.TIMESTAMP, "UNIX_TIMESTAMP(c_timestamp)",
          MariaDbEveryType::instant),
      new TypeColumn("c_timestamp3", "TIMESTAMP(3) NULL", ColumnType.TIMESTAMP, "UNIX_TIMESTAMP(c_timestamp3)",
          MariaDbEveryType::instant),
      new TypeColumn("c_timestamp6", "TIMESTAMP(6) NULL", ColumnType.TIMESTAMP, "UNIX_TIMESTAMP(c_timestamp6)",
          MariaDbEveryType::instant),
      new TypeColumn("c_year", "YEAR DEFAULT 2024", ColumnType.INT, "CAST(c_year AS SIGNED)", TypeTable.TEXT),
      new TypeColumn("c_enum", "ENUM('a', 'b c', 'ü€')", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_set", "SET('x', 'y', 'z')", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_json", "JSON", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_uuid", "UUID", ColumnType.STRING, TypeTable.TEXT),
      // Geometry has no Delta type: staged as JSON text (source.unsupported-types: string).
      new TypeColumn("c_point", "POINT", ColumnType.STRING,
          "CONCAT(ST_X(c_point), ' ', ST_Y(c_point), ' ', TO_BASE64(ST_AsWKB(c_point)))", MariaDbEveryType::pointJson)));

  static final Map<String, String> LOW = literals(
      "c_tinyint", "-128", "c_tinyint1", "-128", "c_boolean", "0", "c_tinyint_unsigned", "0", "c_smallint", "-32768",
      "c_smallint_unsigned", "0", "c_mediumint", "-8388608", "c_mediumint_unsigned", "0", "c_int", "-2147483648",
      "c_int_unsigned", "0", "c_bigint", "-9223372036854775808", "c_bigint_unsigned", "0",
      "c_float", "-3.40282e38", "c_double", "-1.7976931348623157e308", "c_decimal", "-99999999.99",
      "c_decimal_max", "-9999999999999999999999999999.9999999999", "c_decimal_integral", "-99999999999999999999",
      "c_decimal_wide", "-" + "9".repeat(35) + "." + "9".repeat(30), "c_bit", "b'0'", "c_bits", "b'000000000000'",
      "c_bits64", "b'0'", "c_char", "''", "c_varchar", "''", "c_latin1", "''", "c_tinytext", "''", "c_text", "''",
      "c_mediumtext", "''", "c_longtext", "''", "c_binary", "X'00000000'", "c_varbinary", "X''", "c_tinyblob", "X''",
      "c_blob", "X''", "c_mediumblob", "X''", "c_longblob", "X''", "c_date", "'0001-01-01'",
      "c_time", "'-838:59:59'", "c_time3", "'-838:59:59.999'", "c_time6", "'-838:59:59.999999'",
      "c_datetime", "'0001-01-01 00:00:00'", "c_datetime3", "'0001-01-01 00:00:00.001'",
      "c_datetime6", "'0001-01-01 00:00:00.000001'", "c_timestamp", "'1970-01-01 05:30:01'",
      "c_timestamp3", "'1970-01-01 05:30:00.001'", "c_timestamp6", "'1970-01-01 05:30:00.000001'", "c_year", "1901",
      "c_enum", "'a'", "c_set", "''", "c_json", "'null'", "c_uuid", "'00000000-0000-0000-0000-000000000000'",
      "c_point", "ST_PointFromText('POINT(0 0)')");

  static final Map<String, String> HIGH = literals(
      "c_tinyint", "127", "c_tinyint1", "127", "c_boolean", "1", "c_tinyint_unsigned", "255", "c_smallint", "32767",
      "c_smallint_unsigned", "65535", "c_mediumint", "8388607", "c_mediumint_unsigned", "16777215",
      "c_int", "2147483647", "c_int_unsigned", "4294967295", "c_bigint", "9223372036854775807",
      "c_bigint_unsigned", "18446744073709551615", "c_float", "3.40282e38", "c_double", "1.7976931348623157e308",
      "c_decimal", "99999999.99", "c_decimal_max", "9999999999999999999999999999.9999999999",
      "c_decimal_integral", "99999999999999999999", "c_decimal_wide", "9".repeat(35) + "." + "9".repeat(30),
      "c_bit", "b'1'", "c_bits", "b'111111111111'", "c_bits64", "b'" + "1".repeat(64) + "'", "c_char", "'ü😀xyz'",
      "c_varchar", "'ÄÖÜäöüß€😀中文日本語한국어!'", "c_latin1", "'Grüße àéîõü ÿ'", "c_tinytext", "REPEAT('é', 127)",
      "c_text", "REPEAT('ü', 32767)", "c_mediumtext", LONG_TEXT, "c_longtext", LONG_TEXT, "c_binary", "X'FFFFFFFF'",
      "c_varbinary", "X'00FF00FF00FF00FF00FF'", "c_tinyblob", "UNHEX(REPEAT('FF', 255))",
      "c_blob", "UNHEX(REPEAT('01', 65535))",
      "c_mediumblob", LONG_BYTES, "c_longblob", LONG_BYTES, "c_date", "'9999-12-31'", "c_time", "'838:59:59'",
      "c_time3", "'838:59:59.999'", "c_time6", "'838:59:59.999999'", "c_datetime", "'9999-12-31 23:59:59'",
      "c_datetime3", "'9999-12-31 23:59:59.999'", "c_datetime6", "'9999-12-31 23:59:59.999999'",
      "c_timestamp", "'2038-01-19 08:44:07'", "c_timestamp3", "'2038-01-19 08:44:07.999'",
      "c_timestamp6", "'2038-01-19 08:44:07.999999'", "c_year", "2155", "c_enum", "'ü€'", "c_set", "'x,y,z'",
      "c_json", "'{\"k\": [1, 2.50, \"ü😀\"], \"nested\": {\"a\": null}}'",
      "c_uuid", "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
      "c_point", "ST_PointFromText('POINT(-1.5e300 1e-300)')");

  /** Zeros, the year 0000, datetimes at Central Europe's daylight saving changes, a leap day, quotes. */
  static final Map<String, String> SPECIAL = literals(
      "c_tinyint", "0", "c_tinyint1", "1", "c_boolean", "1", "c_tinyint_unsigned", "1", "c_smallint", "0",
      "c_smallint_unsigned", "1", "c_mediumint", "-1", "c_mediumint_unsigned", "1", "c_int", "0", "c_int_unsigned", "1",
      "c_bigint", "-1", "c_bigint_unsigned", "9223372036854775808", "c_float", "-0", "c_double", "-0",
      "c_decimal", "0.5", "c_decimal_max", "0", "c_decimal_integral", "0",
      "c_decimal_wide", "0.000000000000000000000000000001",
      "c_bit", "b'0'", "c_bits", "b'100000000001'", "c_bits64", "b'1" + "0".repeat(62) + "1'",
      "c_char", "'a'", "c_varchar", "' spaces  '", "c_latin1", "'ÿ'",
      "c_tinytext", "'line\\nbreak ''quote'' \\\\ tab\\t end'",
      "c_text", "'😀'", "c_binary", "X'01'", "c_varbinary", "X'00'", "c_blob", "X'DEADBEEF'", "c_date", "'2024-02-29'",
      "c_time", "'00:00:00'", "c_time3", "'-00:00:00.001'", "c_time6", "'13:45:07.123456'",
      "c_datetime", "'2024-03-31 02:30:00'", "c_datetime3", "'1969-12-31 23:59:59.999'",
      "c_datetime6", "'2024-10-27 02:30:00.123456'", "c_timestamp", "'2024-03-31 07:00:00'",
      "c_timestamp3", "'2024-10-27 06:30:00.500'", "c_timestamp6", "'2024-10-27 07:30:00.000001'", "c_year", "0",
      "c_enum", "'b c'", "c_set", "'z,x'", "c_json", "'[]'", "c_uuid", "'0e7ac5b6-3a8f-4d3c-9a27-2bd3c7c6f1a1'",
      "c_point", "ST_PointFromText('POINT(1 2)')");

  private MariaDbEveryType() {}

  /** A DATETIME as MariaDB writes it, as an ISO local date-time. */
  private static String localDateTime(ResultSet row, int index) throws SQLException {
    return LocalDateTime.parse(row.getString(index).replace(' ', 'T')).toString();
  }

  /** A TIMESTAMP's seconds since the epoch ({@code UNIX_TIMESTAMP}, with its fraction) as an instant. */
  private static String instant(ResultSet row, int index) throws SQLException {
    BigDecimal seconds = row.getBigDecimal(index);
    long micros = seconds.movePointRight(6).longValueExact();
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
        .toString();
  }

  /** A point as Debezium's Point struct in JSON: x, y, its well-known binary form and no SRID. */
  private static String pointJson(ResultSet row, int index) throws SQLException {
    String[] parts = row.getString(index).split(" ");
    Map<String, Object> struct = new LinkedHashMap<>();
    struct.put("x", Double.parseDouble(parts[0]));
    struct.put("y", Double.parseDouble(parts[1]));
    struct.put("wkb", parts[2]);
    struct.put("srid", null);
    return TypeTable.json(struct);
  }

  /** Bits (read as a number) as Debezium's Bits holds them: little-endian, the column's width in bytes. */
  private static TypeTable.SourceText bits(int width) {
    return (row, index) -> {
      BigInteger value = row.getBigDecimal(index).toBigIntegerExact();
      byte[] littleEndian = new byte[width];
      for (int i = 0; i < width; i++) {
        littleEndian[i] = value.shiftRight(8 * i).byteValue();
      }
      return TypeTable.hex(littleEndian);
    };
  }
}
