package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.data.Bits;
import io.debezium.data.Json;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.data.Uuid;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.data.Xml;
import io.debezium.data.geometry.Geometry;
import io.debezium.jdbc.JdbcValueConverters.DecimalMode;
import io.debezium.time.Date;
import io.debezium.time.MicroDuration;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.NanoTime;
import io.debezium.time.NanoTimestamp;
import io.debezium.time.Time;
import io.debezium.time.Timestamp;
import io.debezium.time.ZonedTime;
import io.debezium.time.ZonedTimestamp;
import io.tributary.gateway.SourceConfig;
import io.tributary.gateway.internal.ConnectTypeMapper.ColumnMapping;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/**
 * One test per source type, on the schemas Debezium's PostgreSQL value converter builds for it
 * (decimal.handling.mode=precise, time.precision.mode=adaptive unless noted).
 */
class ConnectTypeMapperTest {
  private static final TableId TABLE = new TableId("src", "public", "t");

  private static ColumnMapping map(Schema schema) {
    return ConnectTypeMapper.map(TABLE, new Field("c", 0, schema), SourceConfig.UnsupportedTypes.FAIL);
  }

  private static Object convert(Schema schema, Object value) {
    return map(schema).converter().apply(value);
  }

  @Test
  void smallintAndIntegerAreInt() {
    assertThat(map(SchemaBuilder.int16().build()).column().type()).isEqualTo(ColumnType.INT);
    assertThat(convert(SchemaBuilder.int16().build(), (short) -7)).isEqualTo(-7);
    assertThat(map(SchemaBuilder.int32().build()).column().type()).isEqualTo(ColumnType.INT);
    assertThat(convert(SchemaBuilder.int32().build(), Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void bigintIsLong() {
    assertThat(map(SchemaBuilder.int64().build()).column().type()).isEqualTo(ColumnType.LONG);
    assertThat(convert(SchemaBuilder.int64().build(), Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void realAndDoublePrecision() {
    assertThat(map(SchemaBuilder.float32().build()).column().type()).isEqualTo(ColumnType.FLOAT);
    assertThat(convert(SchemaBuilder.float32().build(), 1.5f)).isEqualTo(1.5f);
    assertThat(map(SchemaBuilder.float64().build()).column().type()).isEqualTo(ColumnType.DOUBLE);
    assertThat(convert(SchemaBuilder.float64().build(), Double.NaN)).isEqualTo(Double.NaN);
  }

  @Test
  void booleanAndBitOne() {
    assertThat(map(SchemaBuilder.bool().build()).column().type()).isEqualTo(ColumnType.BOOLEAN);
    assertThat(convert(SchemaBuilder.bool().build(), true)).isEqualTo(true);
  }

  @Test
  void textTypesAreString() {
    assertThat(map(SchemaBuilder.string().build()).column().type()).isEqualTo(ColumnType.STRING);
    assertThat(convert(SchemaBuilder.string().build(), "héllo")).isEqualTo("héllo");
  }

  @Test
  void jsonUuidEnumXmlAndTimetzAreTheirStringForm() {
    for (Schema schema : new Schema[] {Json.builder().build(), Uuid.builder().build(),
        io.debezium.data.Enum.builder("small,large").build(), Xml.builder().build(), ZonedTime.builder().build()}) {
      assertThat(map(schema).column().type()).as(schema.name()).isEqualTo(ColumnType.STRING);
    }
    assertThat(convert(Json.builder().build(), "{\"a\": 1}")).isEqualTo("{\"a\": 1}");
    assertThat(convert(Uuid.builder().build(), "0e7ac5b6-3a8f-4d3c-9a27-2bd3c7c6f1a1"))
        .isEqualTo("0e7ac5b6-3a8f-4d3c-9a27-2bd3c7c6f1a1");
  }

  @Test
  void byteaAndBitsAreBinary() {
    assertThat(map(SchemaBuilder.bytes().build()).column().type()).isEqualTo(ColumnType.BINARY);
    assertThat((byte[]) convert(SchemaBuilder.bytes().build(), ByteBuffer.wrap(new byte[] {1, 2, 3})))
        .containsExactly(1, 2, 3);
    assertThat((byte[]) convert(SchemaBuilder.bytes().build(), new byte[] {4})).containsExactly(4);
    assertThat(map(Bits.builder(12).build()).column().type()).isEqualTo(ColumnType.BINARY);
  }

  @Test
  void numericWithPrecisionIsDecimal() {
    Schema schema = SpecialValueDecimal.builder(DecimalMode.PRECISE, 12, 2).build();
    assertThat(schema.name()).isEqualTo(Decimal.LOGICAL_NAME);
    assertThat(map(schema).column().type()).isEqualTo(ColumnType.decimal(12, 2));
    assertThat(convert(schema, new BigDecimal("-1234567890.25"))).isEqualTo(new BigDecimal("-1234567890.25"));
  }

  @Test
  void moneyHasNoPrecisionAndBecomesDecimal38() {
    Schema money = Decimal.builder(2).build();
    assertThat(map(money).column().type()).isEqualTo(ColumnType.decimal(38, 2));
  }

  @Test
  void numericWiderThan38DigitsIsItsExactText() {
    Schema schema = SpecialValueDecimal.builder(DecimalMode.PRECISE, 50, 4).build();
    assertThat(map(schema).column().type()).isEqualTo(ColumnType.STRING);
    assertThat(convert(schema, new BigDecimal("123456789012345678901234567890123456789012.3400")))
        .isEqualTo("123456789012345678901234567890123456789012.3400");
  }

  @Test
  void numericWithANegativeScaleIsAnIntegralDecimalWithRoomForItsZeros() {
    // numeric(6,-2): PostgreSQL's JDBC driver reports the scale as 2048 - 2, and Debezium scales values to it.
    Schema schema = SpecialValueDecimal.builder(DecimalMode.PRECISE, 6, 2046).build();
    assertThat(map(schema).column().type()).isEqualTo(ColumnType.decimal(8, 0));
    assertThat(convert(schema, new BigDecimal("-99999900").setScale(2046))).isEqualTo(new BigDecimal("-99999900"));
    Schema wide = SpecialValueDecimal.builder(DecimalMode.PRECISE, 37, 2045).build();
    assertThat(map(wide).column().type()).as("40 digits").isEqualTo(ColumnType.STRING);
    assertThat(convert(wide, new BigDecimal("1234").movePointRight(36).setScale(2045)))
        .isEqualTo("1234" + "0".repeat(36));
  }

  @Test
  void numericWithAScaleAboveItsPrecisionIsADecimalOfItsScale() {
    // numeric(3,5) holds -0.00999 to 0.00999.
    Schema schema = SpecialValueDecimal.builder(DecimalMode.PRECISE, 3, 5).build();
    assertThat(map(schema).column().type()).isEqualTo(ColumnType.decimal(5, 5));
    assertThat(convert(schema, new BigDecimal("-0.00999"))).isEqualTo(new BigDecimal("-0.00999"));
  }

  @Test
  void numericWithoutPrecisionIsItsExactText() {
    Schema schema = VariableScaleDecimal.builder().build();
    assertThat(map(schema).column().type()).isEqualTo(ColumnType.STRING);
    assertThat(convert(schema, VariableScaleDecimal.fromLogical(schema, new BigDecimal("-0.000123450"))))
        .isEqualTo("-0.000123450");
  }

  @Test
  void dateIsDaysSinceTheEpoch() {
    assertThat(map(Date.builder().build()).column().type()).isEqualTo(ColumnType.DATE);
    int days = (int) LocalDate.of(2024, 2, 29).toEpochDay();
    assertThat(convert(Date.builder().build(), days)).isEqualTo(days);
    assertThat(convert(org.apache.kafka.connect.data.Date.SCHEMA, java.util.Date.from(Instant.parse("1969-12-31T00:00:00Z"))))
        .isEqualTo(-1);
  }

  @Test
  void timestampsWithoutZoneAreMicros() {
    long micros = LocalDateTime.of(2024, 5, 1, 12, 34, 56, 789_012_000).toInstant(ZoneOffset.UTC).toEpochMilli() * 1000 + 12;
    assertThat(map(MicroTimestamp.builder().build()).column().type()).isEqualTo(ColumnType.TIMESTAMP_NTZ);
    assertThat(convert(MicroTimestamp.builder().build(), micros)).isEqualTo(micros);
    assertThat(map(Timestamp.builder().build()).column().type()).isEqualTo(ColumnType.TIMESTAMP_NTZ);
    assertThat(convert(Timestamp.builder().build(), 1_714_566_896_789L)).isEqualTo(1_714_566_896_789_000L);
    assertThat(map(NanoTimestamp.builder().build()).column().type()).isEqualTo(ColumnType.TIMESTAMP_NTZ);
    assertThat(convert(NanoTimestamp.builder().build(), -1_500L)).as("floor, also before 1970").isEqualTo(-2L);
    assertThat(convert(org.apache.kafka.connect.data.Timestamp.SCHEMA, new java.util.Date(1_000L))).isEqualTo(1_000_000L);
  }

  @Test
  void timestampWithTimeZoneIsUtcMicros() {
    Schema schema = ZonedTimestamp.builder().build();
    assertThat(map(schema).column().type()).isEqualTo(ColumnType.TIMESTAMP);
    assertThat(convert(schema, "2024-05-01T12:34:56.123456Z"))
        .isEqualTo(Instant.parse("2024-05-01T12:34:56Z").getEpochSecond() * 1_000_000 + 123_456);
    assertThat(convert(schema, "2024-05-01T14:34:56+02:00"))
        .isEqualTo(Instant.parse("2024-05-01T12:34:56Z").getEpochSecond() * 1_000_000);
  }

  @Test
  void timestampWithTimeZoneInfinitiesAreTheLargestAndSmallestCounts() {
    Schema schema = ZonedTimestamp.builder().build();
    assertThat(convert(schema, "infinity")).isEqualTo(Long.MAX_VALUE);
    assertThat(convert(schema, "-infinity")).isEqualTo(Long.MIN_VALUE);
    assertThat(convert(schema, "-4712-01-01T00:00:00Z"))
        .isEqualTo(LocalDateTime.of(-4712, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000);
  }

  @Test
  void utcTimestampsReadByHandEqualTheGeneralParser() {
    java.util.Random random = new java.util.Random(17);
    java.time.format.DateTimeFormatter debezium = java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    for (int i = 0; i < 10_000; i++) {
      long seconds = random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
          Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
      // Whole seconds, milliseconds, microseconds and nanoseconds, as Debezium writes them.
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      String text = Instant.ofEpochSecond(seconds, nanos).atOffset(ZoneOffset.UTC).format(debezium);
      Instant parsed = java.time.OffsetDateTime.parse(text, debezium).toInstant();
      assertThat(ConnectTypeMapper.utcMicros(text)).as(text)
          .hasValue(Math.addExact(Math.multiplyExact(parsed.getEpochSecond(), 1_000_000L), parsed.getNano() / 1000));
    }
    assertThat(ConnectTypeMapper.utcMicros("2024-02-29T23:59:59.9Z")).hasValue(
        Instant.parse("2024-02-29T23:59:59Z").getEpochSecond() * 1_000_000 + 900_000);
    assertThat(ConnectTypeMapper.utcMicros("1969-12-31T23:59:59.5Z")).hasValue(-500_000L);
  }

  @Test
  void otherTimestampFormsAreLeftToTheGeneralParser() {
    for (String text : new String[] {"2024-05-01T14:34:56+02:00", "2024-05-01T12:34:56.Z", "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01 12:34:56Z", "+10000-01-01T00:00:00Z",
        "2024-05-01T12:34:56.1234567890Z", "2024-05-01T12:34:5xZ"}) {
      assertThat(ConnectTypeMapper.utcMicros(text)).as(text).isEmpty();
    }
    assertThat(convert(ZonedTimestamp.builder().build(), "+10000-01-01T00:00:00Z"))
        .isEqualTo(Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond() * 1_000_000);
  }

  @Test
  void timesAreMicrosOfTheDay() {
    long micros = LocalTime.of(13, 14, 15, 16_000).toNanoOfDay() / 1000;
    assertThat(map(MicroTime.builder().build()).column().type()).isEqualTo(ColumnType.LONG);
    assertThat(convert(MicroTime.builder().build(), micros)).isEqualTo(micros);
    assertThat(map(Time.builder().build()).column().type()).isEqualTo(ColumnType.LONG);
    assertThat(convert(Time.builder().build(), 1_500)).isEqualTo(1_500_000L);
    assertThat(convert(NanoTime.builder().build(), 2_000L)).isEqualTo(2L);
    assertThat(convert(org.apache.kafka.connect.data.Time.SCHEMA, new java.util.Date(3L))).isEqualTo(3_000L);
  }

  @Test
  void intervalIsMicros() {
    assertThat(map(MicroDuration.builder().build()).column().type()).isEqualTo(ColumnType.LONG);
    assertThat(convert(MicroDuration.builder().build(), 86_400_000_000L)).isEqualTo(86_400_000_000L);
  }

  @Test
  void nullabilityFollowsTheSchema() {
    assertThat(map(SchemaBuilder.int32().optional().build()).column().nullable()).isTrue();
    assertThat(map(SchemaBuilder.int32().build()).column().nullable()).isFalse();
  }

  @Test
  void geometryIsRefusedNamingTableColumnAndType() {
    assertThatThrownBy(() -> map(Geometry.builder().build()))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
        .hasMessageContaining("Column 'c' of table src.public.t has type io.debezium.data.geometry.Geometry (struct)")
        .hasMessageContaining("source.unsupported-types: string")
        .hasMessageContaining("source.columns.public.t.exclude: [c]");
  }

  @Test
  void arraysAreRefused() {
    assertThatThrownBy(() -> map(SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build()))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
        .hasMessageContaining("has type array");
  }

  @Test
  void withTheStringFallbackStructsArraysAndMapsAreJsonText() {
    Schema point = Geometry.builder().optional().build();
    ConnectTypeMapper.ColumnMapping geometry = ConnectTypeMapper.map(TABLE, new Field("c", 0, point),
        SourceConfig.UnsupportedTypes.STRING);
    assertThat(geometry.column().type()).isEqualTo(ColumnType.STRING);
    assertThat(geometry.column().nullable()).isTrue();
    Struct value = new Struct(point).put("wkb", java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3})).put("srid", 4326);
    assertThat(geometry.converter().apply(value)).isEqualTo("{\"wkb\":\"AQID\",\"srid\":4326}");

    Schema tags = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build();
    assertThat(ConnectTypeMapper.map(TABLE, new Field("c", 0, tags), SourceConfig.UnsupportedTypes.STRING).converter()
        .apply(java.util.Arrays.asList("a", null, "c\"d"))).isEqualTo("[\"a\",null,\"c\\\"d\"]");

    Schema attributes = SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build();
    assertThat(ConnectTypeMapper.map(TABLE, new Field("c", 0, attributes), SourceConfig.UnsupportedTypes.STRING)
        .converter().apply(new java.util.LinkedHashMap<>(java.util.Map.of("n", 7L)))).isEqualTo("{\"n\":7}");
  }

  @Test
  void reservedColumnNamesAreRefused() {
    assertThatThrownBy(() -> ConnectTypeMapper.map(TABLE, new Field("__start_at", 0, Schema.INT32_SCHEMA),
        SourceConfig.UnsupportedTypes.FAIL))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
        .hasMessageContaining("'__start_at'");
  }
}
