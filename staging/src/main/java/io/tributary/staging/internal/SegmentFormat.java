package io.tributary.staging.internal;

import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableSchema;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * The Parquet layout of a segment (format version 1): metadata columns, then the table's columns in
 * a group named {@code row} so that they can never clash with the metadata names.
 *
 * <pre>
 * message segment {
 *   required binary _op (STRING);        // c u d r t
 *   required binary _pos (STRING);       // SourcePosition
 *   required int64 _ts_ms;               // source commit time, ms
 *   optional binary _txid (STRING);
 *   required int64 _capture_ms;          // when the gateway read it, ms
 *   optional binary _unavailable (STRING); // comma-separated column indexes the source did not send
 *   required group row { ...table columns, all optional... }
 * }
 * </pre>
 */
public final class SegmentFormat {
  public static final int FORMAT_VERSION = 1;
  public static final String META_FORMAT_VERSION = "tributary.segment.format-version";
  public static final String META_SCHEMA = "tributary.schema";

  public static final String OP = "_op";
  public static final String POS = "_pos";
  public static final String TS_MS = "_ts_ms";
  public static final String TXID = "_txid";
  public static final String CAPTURE_MS = "_capture_ms";
  public static final String UNAVAILABLE = "_unavailable";
  public static final String ROW = "row";

  private SegmentFormat() {}

  /**
   * The leaf columns of the layout by index, as the file's column descriptors list them: the
   * metadata columns in the order above, then the table's from {@link #FIRST_VALUE} on.
   */
  static final class Leaf {
    static final int OP = 0;
    static final int POS = 1;
    static final int TS_MS = 2;
    static final int TXID = 3;
    static final int CAPTURE_MS = 4;
    static final int UNAVAILABLE = 5;
    static final int FIRST_VALUE = 6;
    /**
     * The definition level of a present value in a nullable column ({@code _txid}, {@code _unavailable}
     * and the table's, in the required group {@code row}): they are optional at one level.
     */
    static final int PRESENT = 1;

    private Leaf() {}
  }

  public static MessageType messageType(TableSchema schema) {
    Types.GroupBuilder<GroupType> row = Types.requiredGroup();
    for (Column column : schema.columns()) {
      row.addField(columnType(column));
    }
    return Types.buildMessage()
        .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(OP)
        .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(POS)
        .required(PrimitiveTypeName.INT64).named(TS_MS)
        .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(TXID)
        .required(PrimitiveTypeName.INT64).named(CAPTURE_MS)
        .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(UNAVAILABLE)
        .addField(row.named(ROW))
        .named("segment");
  }

  private static Type columnType(Column column) {
    ColumnType type = column.type();
    Repetition optional = Repetition.OPTIONAL;
    return switch (type.kind()) {
      case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, optional).named(column.name());
      case INT -> Types.primitive(PrimitiveTypeName.INT32, optional).named(column.name());
      case LONG -> Types.primitive(PrimitiveTypeName.INT64, optional).named(column.name());
      case FLOAT -> Types.primitive(PrimitiveTypeName.FLOAT, optional).named(column.name());
      case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, optional).named(column.name());
      case DECIMAL -> Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, optional)
          .length(decimalBytes(type.precision()))
          .as(LogicalTypeAnnotation.decimalType(type.scale(), type.precision()))
          .named(column.name());
      case STRING -> Types.primitive(PrimitiveTypeName.BINARY, optional)
          .as(LogicalTypeAnnotation.stringType()).named(column.name());
      case BINARY -> Types.primitive(PrimitiveTypeName.BINARY, optional).named(column.name());
      case DATE -> Types.primitive(PrimitiveTypeName.INT32, optional)
          .as(LogicalTypeAnnotation.dateType()).named(column.name());
      case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, optional)
          .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named(column.name());
      case TIMESTAMP_NTZ -> Types.primitive(PrimitiveTypeName.INT64, optional)
          .as(LogicalTypeAnnotation.timestampType(false, TimeUnit.MICROS)).named(column.name());
    };
  }

  /** The fewest bytes whose two's complement holds every unscaled value of the precision. */
  public static int decimalBytes(int precision) {
    int bytes = 1;
    while (Math.pow(2, 8 * bytes - 1) < Math.pow(10, precision)) {
      bytes++;
    }
    return bytes;
  }

  static PrimitiveType primitive(MessageType type, String name) {
    return type.getType(name).asPrimitiveType();
  }
}
