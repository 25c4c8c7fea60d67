package io.tributary.gateway;

import static io.tributary.gateway.TypeTable.literals;

import io.tributary.gateway.TypeTable.TypeColumn;
import io.tributary.staging.ColumnType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.geometric.PGpoint;
import org.postgresql.util.PGInterval;

/**
 * PostgresTypesIT's table: one column per PostgreSQL type Debezium's connector emits, the staged
 * type docs/sources.md gives for it and how its JDBC value reads as {@link TypeTable}'s canonical
 * text; and the edge values of every column, as SQL literals, in sets that rows are loaded with.
 */
final class PostgresEveryType {
  /** About 100 kB of text, 4-byte characters included. */
  private static final String LONG_TEXT = "repeat('Grüße, 世界 😀 ', 5000)";
  private static final String LONG_BYTES = "decode(repeat('00ff7f80', 25000), 'hex')";

  /** The columns the test fills with long values (in HIGH), stored out of line. */
  static final List<String> TOASTED = List.of("c_text", "c_bytea", "c_json", "c_jsonb", "c_hstore", "c_xml",
      "c_tsvector", "c_int_array", "c_text_array");

  static final TypeTable TABLE = new TypeTable("public.every_type", List.of(
      new TypeColumn("id", "integer", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_smallint", "smallint", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_integer", "integer", ColumnType.INT, TypeTable.TEXT),
      new TypeColumn("c_bigint", "bigint", ColumnType.LONG, TypeTable.TEXT),
      new TypeColumn("c_real", "real", ColumnType.FLOAT, TypeTable.REAL),
      new TypeColumn("c_double", "double precision", ColumnType.DOUBLE, TypeTable.DOUBLE),
      new TypeColumn("c_numeric", "numeric(38,10)", ColumnType.decimal(38, 10), TypeTable.DECIMAL),
      new TypeColumn("c_numeric_small", "numeric(5,2)", ColumnType.decimal(5, 2), TypeTable.DECIMAL),
      new TypeColumn("c_numeric_integral", "numeric(18)", ColumnType.decimal(18, 0), TypeTable.DECIMAL),
      new TypeColumn("c_numeric_wide", "numeric(60,20)", ColumnType.STRING, TypeTable.DECIMAL),
      new TypeColumn("c_numeric_negative_scale", "numeric(6,-2)", ColumnType.decimal(8, 0), TypeTable.DECIMAL),
      new TypeColumn("c_numeric_scale_above", "numeric(3,5)", ColumnType.decimal(5, 5), TypeTable.DECIMAL),
      new TypeColumn("c_numeric_free", "numeric DEFAULT 1.50", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_money", "money", ColumnType.decimal(38, 2), "c_money::numeric", TypeTable.DECIMAL),
      new TypeColumn("c_boolean", "boolean", ColumnType.BOOLEAN, TypeTable.BOOLEAN),
      new TypeColumn("c_char", "char(5)", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_varchar", "varchar(20)", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_text", "text", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_citext", "citext", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_bytea", "bytea", ColumnType.BINARY, TypeTable.BYTES),
      new TypeColumn("c_date", "date DEFAULT '2000-01-02'", ColumnType.DATE, TypeTable.DATE),
      new TypeColumn("c_time0", "time(0)", ColumnType.LONG, TypeTable.MICROS_OF_TIME),
      new TypeColumn("c_time3", "time(3)", ColumnType.LONG, TypeTable.MICROS_OF_TIME),
      new TypeColumn("c_time6", "time", ColumnType.LONG, TypeTable.MICROS_OF_TIME),
      new TypeColumn("c_timetz", "timetz", ColumnType.STRING, PostgresEveryType::timeInUtc),
      new TypeColumn("c_timestamp0", "timestamp(0)", ColumnType.TIMESTAMP_NTZ, TypeTable.LOCAL_DATE_TIME),
      new TypeColumn("c_timestamp3", "timestamp(3)", ColumnType.TIMESTAMP_NTZ, TypeTable.LOCAL_DATE_TIME),
      new TypeColumn("c_timestamp6", "timestamp DEFAULT '2000-01-02 03:04:05'", ColumnType.TIMESTAMP_NTZ,
          TypeTable.LOCAL_DATE_TIME),
      new TypeColumn("c_timestamptz0", "timestamptz(0)", ColumnType.TIMESTAMP, TypeTable.INSTANT),
      new TypeColumn("c_timestamptz6", "timestamptz DEFAULT '2000-01-02 03:04:05+02'", ColumnType.TIMESTAMP,
          TypeTable.INSTANT),
      new TypeColumn("c_interval", "interval DEFAULT '1 day'", ColumnType.LONG, PostgresEveryType::intervalMicros),
      new TypeColumn("c_json", "json", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_jsonb", "jsonb", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_hstore", "hstore", ColumnType.STRING, PostgresEveryType::hstoreJson),
      new TypeColumn("c_uuid", "uuid", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_enum", "mood", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_inet", "inet", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_cidr", "cidr", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_macaddr", "macaddr", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_macaddr8", "macaddr8", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_xml", "xml", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_bit", "bit(1)", ColumnType.BOOLEAN,
          (row, index) -> Boolean.toString(row.getString(index).equals("1"))),
      new TypeColumn("c_bits", "bit(12)", ColumnType.BINARY, PostgresEveryType::bits),
      new TypeColumn("c_varbit", "varbit(16)", ColumnType.BINARY, PostgresEveryType::bits),
      new TypeColumn("c_int4range", "int4range", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_numrange", "numrange", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_daterange", "daterange", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_tsvector", "tsvector", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_ltree", "ltree", ColumnType.STRING, TypeTable.TEXT),
      new TypeColumn("c_oid", "oid", ColumnType.LONG, TypeTable.TEXT),
      // Types without a Delta type, staged as JSON text (source.unsupported-types: string).
      new TypeColumn("c_point", "point", ColumnType.STRING, PostgresEveryType::pointJson),
      new TypeColumn("c_int_array", "integer[]", ColumnType.STRING, PostgresEveryType::arrayJson),
      new TypeColumn("c_text_array", "text[]", ColumnType.STRING, PostgresEveryType::arrayJson)));

  static final Map<String, String> LOW = literals(
      "c_smallint", "-32768", "c_integer", "-2147483648", "c_bigint", "-9223372036854775808",
      "c_real", "'-Infinity'", "c_double", "-1.7976931348623157e308",
      "c_numeric", "-9999999999999999999999999999.9999999999", "c_numeric_small", "-999.99",
      "c_numeric_integral", "-999999999999999999", "c_numeric_wide", "-" + "9".repeat(40) + "." + "9".repeat(20),
      "c_numeric_negative_scale", "-99999900", "c_numeric_scale_above", "-0.00999",
      "c_numeric_free", "-0.000000000000000000000000000001",
      "c_money", "'-92233720368547758.08'", "c_boolean", "false", "c_char", "''", "c_varchar", "''", "c_text", "''",
      "c_citext", "''", "c_bytea", "'\\x'", "c_date", "'0001-01-01'", "c_time0", "'00:00:00'",
      "c_time3", "'00:00:00.001'", "c_time6", "'00:00:00.000001'", "c_timetz", "'00:00:00+15:59'",
      "c_timestamp0", "'0001-01-01 00:00:00'", "c_timestamp3", "'0001-01-01 00:00:00.001'",
      "c_timestamp6", "'0001-01-01 00:00:00.000001'", "c_timestamptz0", "'0001-01-01 00:00:00+00'",
      "c_timestamptz6", "'0001-01-01 00:00:00.000001+00'", "c_interval", "'-1 day -00:00:00.000001'",
      "c_json", "'null'", "c_jsonb", "'{}'", "c_hstore", "''", "c_uuid", "'00000000-0000-0000-0000-000000000000'",
      "c_enum", "'sad'", "c_inet", "'0.0.0.0'", "c_cidr", "'0.0.0.0/0'", "c_macaddr", "'00:00:00:00:00:00'",
      "c_macaddr8", "'00:00:00:00:00:00:00:00'", "c_xml", "'<a/>'", "c_bit", "B'0'", "c_bits", "B'000000000000'",
      "c_varbit", "B''", "c_int4range", "'empty'", "c_numrange", "'(,)'", "c_daterange", "'empty'",
      "c_tsvector", "''", "c_ltree", "''", "c_oid", "0", "c_point", "'(0,0)'", "c_int_array", "'{}'",
      "c_text_array", "'{}'");

  static final Map<String, String> HIGH = literals(
      "c_smallint", "32767", "c_integer", "2147483647", "c_bigint", "9223372036854775807",
      "c_real", "3.4028235e38", "c_double", "'Infinity'",
      "c_numeric", "9999999999999999999999999999.9999999999", "c_numeric_small", "999.99",
      "c_numeric_integral", "999999999999999999", "c_numeric_wide", "9".repeat(40) + "." + "9".repeat(20),
      "c_numeric_negative_scale", "99999900", "c_numeric_scale_above", "0.00999", "c_numeric_free", "1e100",
      "c_money", "'92233720368547758.07'", "c_boolean", "true", "c_char", "'ü😀xyz'",
      "c_varchar", "'ÄÖÜäöüß€😀中文日本語한국어!'", "c_text", LONG_TEXT, "c_citext", "'MiXeD Ünïcödé'",
      "c_bytea", LONG_BYTES,
      "c_date", "'9999-12-31'", "c_time0", "'23:59:59'", "c_time3", "'23:59:59.999'", "c_time6", "'24:00:00'",
      "c_timetz", "'23:59:59.999999-15:59'", "c_timestamp0", "'9999-12-31 23:59:59'",
      "c_timestamp3", "'9999-12-31 23:59:59.999'", "c_timestamp6", "'9999-12-31 23:59:59.999999'",
      "c_timestamptz0", "'9999-12-31 23:59:59+00'", "c_timestamptz6", "'9999-12-31 23:59:59.999999+00'",
      "c_interval", "'1 year 2 mons 3 days 04:05:06.789012'",
      "c_json", "(SELECT json_agg(i)::text || ' ' FROM generate_series(1, 20000) i)::json",
      "c_jsonb", "(SELECT jsonb_agg(md5(i::text) || 'ü😀') FROM generate_series(1, 3000) i)",
      "c_hstore", "hstore('k', repeat('v ü', 40000))", "c_uuid", "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
      "c_enum", "'very happy 😀'",
      "c_inet", "'2001:db8::ff/64'", "c_cidr", "'2001:db8::/32'", "c_macaddr", "'ff:ff:ff:ff:ff:ff'",
      "c_macaddr8", "'ff:ff:ff:ff:ff:ff:ff:ff'",
      "c_xml", "('<doc lang=\"ü\">' || repeat('😀 &amp; text ', 8000) || '</doc>')::xml",
      "c_bit", "B'1'", "c_bits", "B'111111111111'", "c_varbit", "B'1111111111111111'",
      "c_int4range", "'[-2147483648,2147483647)'", "c_numrange", "'[-1.50,2.500]'",
      "c_daterange", "'[0001-01-01,9999-12-31)'",
      "c_tsvector", "(SELECT string_agg(md5(i::text), ' ') FROM generate_series(1, 3000) i)::tsvector",
      "c_ltree", "'top.Science.leaf_1'", "c_oid", "4294967295", "c_point", "'(-1.5e300,1e-300)'",
      "c_int_array", "(SELECT '{-2147483648,NULL,' || string_agg(i::text, ',') || '}'"
          + " FROM generate_series(1, 30000) i)::int[]",
      "c_text_array", "(SELECT array_agg(md5(i::text)) FROM generate_series(1, 3000) i)"
          + " || '{\"a,b\",\"ü😀\",NULL,\"\",\"q\\\"uote\"}'::text[]");

  /** NaN and signed zeros, a leap day, times and timestamps at the daylight saving changes and before 1970. */
  static final Map<String, String> SPECIAL = literals(
      "c_smallint", "0", "c_integer", "-1", "c_bigint", "0", "c_real", "'NaN'", "c_double", "'NaN'",
      "c_numeric", "0", "c_numeric_small", "0.5", "c_numeric_integral", "0", "c_numeric_wide", "0.00000000000000000001",
      "c_numeric_negative_scale", "1234", "c_numeric_scale_above", "0.00001", "c_numeric_free", "'NaN'",
      "c_money", "1.5", "c_boolean", "false",
      "c_char", "'a'", "c_varchar", "' spaces  '", "c_text", "E'line\\nbreak ''quote'' \\\\ tab\\t end'",
      "c_citext", "'a'", "c_bytea", "'\\x00'", "c_date", "'2024-02-29'", "c_time0", "'12:00:00'",
      "c_time3", "'13:45:07.120'", "c_time6", "'13:45:07.123456'", "c_timetz", "'12:00:00.5+05:30'",
      "c_timestamp0", "'2024-03-31 02:30:00'", "c_timestamp3", "'1969-12-31 23:59:59.999'",
      "c_timestamp6", "'2024-10-27 02:30:00.123456'", "c_timestamptz0", "'2024-10-27 02:30:00+02'",
      "c_timestamptz6", "'2024-10-27 02:30:00.000001+01'", "c_interval", "'00:00:00'", "c_json", "'\"\"'",
      "c_jsonb", "'[]'", "c_hstore", "'\"k\"=>NULL'", "c_uuid", "'0e7ac5b6-3a8f-4d3c-9a27-2bd3c7c6f1a1'",
      "c_enum", "'ok'", "c_inet", "'192.168.0.1/24'", "c_cidr", "'10.1.0.0/16'", "c_macaddr", "'08:00:2b:01:02:03'",
      "c_macaddr8", "'08:00:2b:01:02:03:04:05'", "c_xml", "'text only'", "c_bit", "B'0'", "c_bits", "B'100000000001'",
      "c_varbit", "B'0001'", "c_int4range", "'(,)'", "c_numrange", "'empty'", "c_daterange", "'[2024-02-29,)'",
      "c_tsvector", "'ü:1A'", "c_ltree", "'a'", "c_oid", "1", "c_point", "'(1,2)'", "c_int_array", "'{0}'",
      "c_text_array", "'{\"\"}'");

  /** Finite float extremes, signed zeros, pre-1970 instants with microseconds and timestamps in other offsets. */
  static final Map<String, String> FINITE = literals(
      "c_smallint", "-1", "c_integer", "0", "c_bigint", "-1", "c_real", "1.4e-45", "c_double", "'-0'",
      "c_numeric", "0.0000000001", "c_numeric_small", "-0.01", "c_numeric_integral", "1", "c_numeric_wide", "1",
      "c_numeric_negative_scale", "0", "c_numeric_scale_above", "0", "c_numeric_free", "1.500", "c_money", "0",
      "c_boolean", "true",
      "c_char", "'abcde'", "c_varchar", "'x'", "c_text", "'😀'", "c_bytea", "'\\xdeadbeef'", "c_date", "'1969-12-31'",
      "c_time6", "'23:59:59.999999'", "c_timetz", "'00:00:00.000001Z'", "c_timestamp6", "'1969-12-31 23:59:59.999999'",
      "c_timestamptz0", "'2024-06-01 00:00:00-09:30'", "c_timestamptz6", "'1969-12-31 23:59:59.999999+00'",
      "c_interval", "'100 days 00:00:00.000001'", "c_json", "'[1.0e3]'", "c_jsonb", "'1.0e3'");

  /** PostgreSQL's infinities. */
  static final Map<String, String> INFINITE = literals(
      "c_numeric_free", "'Infinity'", "c_date", "'infinity'", "c_timestamp0", "'infinity'",
      "c_timestamp3", "'-infinity'",
      "c_timestamp6", "'infinity'", "c_timestamptz0", "'-infinity'", "c_timestamptz6", "'infinity'");

  /**
   * Before the common era and around the Gregorian calendar's start (1582-10-15), where Java's old
   * date types (Julian before it) and PostgreSQL (proleptic Gregorian) part; the longest intervals.
   */
  static final Map<String, String> ANCIENT = literals(
      "c_numeric_free", "'-Infinity'", "c_date", "'4713-01-01 BC'", "c_timestamp0", "'4713-01-01 00:00:00 BC'",
      "c_timestamp3", "'1582-10-04 23:59:59.999'", "c_timestamp6", "'1582-10-15 00:00:00.000001'",
      "c_timestamptz0", "'4713-01-01 00:00:00+00 BC'", "c_timestamptz6", "'1000-06-15 12:00:00.5+03'",
      "c_interval", "'-100000 years -11 mons -29 days -23:59:59.999999'");

  private PostgresEveryType() {}

  /** {@code literals} with one column's literal replaced. */
  static Map<String, String> with(Map<String, String> literals, String column, String literal) {
    Map<String, String> changed = new LinkedHashMap<>(literals);
    changed.put(column, literal);
    return changed;
  }

  /** A {@code timetz} as Debezium's ZonedTime writes it: the same instant of the day, in UTC. */
  private static String timeInUtc(ResultSet row, int index) throws SQLException {
    String text = row.getString(index);
    int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
    String offset = text.substring(sign);
    return OffsetTime.of(LocalTime.parse(text.substring(0, sign)), ZoneOffset.of(offset))
        .withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_TIME);
  }

  /**
   * An interval in microseconds as Debezium's MicroDuration counts them: a month is 30.4375 days (the
   * average of a year of 365.25 days), a day 24 hours.
   */
  private static String intervalMicros(ResultSet row, int index) throws SQLException {
    PGInterval interval = row.getObject(index, PGInterval.class);
    BigDecimal months = BigDecimal.valueOf(interval.getYears() * 12L + interval.getMonths());
    BigDecimal days = months.multiply(new BigDecimal("30.4375")).add(BigDecimal.valueOf(interval.getDays()));
    BigDecimal seconds = days.multiply(BigDecimal.valueOf(86_400))
        .add(BigDecimal.valueOf(interval.getHours() * 3600L + interval.getMinutes() * 60L))
        .add(BigDecimal.valueOf(interval.getWholeSeconds()));
    return seconds.multiply(BigDecimal.valueOf(1_000_000)).add(BigDecimal.valueOf(interval.getMicroSeconds()))
        .toBigIntegerExact().toString();
  }

  /** Bits as Debezium's Bits holds them: little-endian bytes, as many as the highest set bit needs. */
  private static String bits(ResultSet row, int index) throws SQLException {
    String text = row.getString(index);
    BitSet bits = new BitSet(text.length());
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(text.length() - 1 - i) == '1') {
        bits.set(i);
      }
    }
    return TypeTable.hex(bits.toByteArray());
  }

  /** An hstore as JSON text (hstore.handling.mode=json); the test's values have at most one key. */
  private static String hstoreJson(ResultSet row, int index) throws SQLException {
    return TypeTable.json(new LinkedHashMap<>((Map<?, ?>) row.getObject(index)));
  }

  /** A point as Debezium's Point struct in JSON: x, y, its well-known binary form and no SRID. */
  private static String pointJson(ResultSet row, int index) throws SQLException {
    PGpoint point = (PGpoint) row.getObject(index);
    byte[] wkb = ByteBuffer.allocate(21).order(ByteOrder.LITTLE_ENDIAN).put((byte) 1).putInt(1).putDouble(point.x)
        .putDouble(point.y).array();
    Map<String, Object> struct = new LinkedHashMap<>();
    struct.put("x", point.x);
    struct.put("y", point.y);
    struct.put("wkb", Base64.getEncoder().encodeToString(wkb));
    struct.put("srid", null);
    return TypeTable.json(struct);
  }

  private static String arrayJson(ResultSet row, int index) throws SQLException {
    return TypeTable.json(Arrays.asList((Object[]) row.getArray(index).getArray()));
  }
}
