package io.tributary.loadtests.internal;

import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes rows ({@code Object[]} in the staged value types of {@link ColumnType}) to a Parquet file
 * with plain parquet-java: a {@link ParquetWriter} over a {@link WriteSupport} that hands each value
 * to the record consumer. Columns map to Parquet as Delta Kernel's default engine maps them (bigint
 * INT64, int INT32, double DOUBLE, string BINARY UTF8, decimal up to 18 digits INT64 DECIMAL,
 * timestamp INT64 TIMESTAMP(MICROS, UTC)), every column optional, as in the Delta tables the applier
 * creates (which declare every column nullable).
 */
public final class RowParquetWriter {
  private RowParquetWriter() {}

  /** The Parquet schema of {@code columns}. */
  public static MessageType schema(List<Column> columns) {
    List<Type> fields = new ArrayList<>();
    for (Column column : columns) {
      Type.Repetition repetition = Type.Repetition.OPTIONAL;
      ColumnType type = column.type();
      fields.add(switch (type.kind()) {
        case LONG -> Types.primitive(PrimitiveTypeName.INT64, repetition).named(column.name());
        case INT -> Types.primitive(PrimitiveTypeName.INT32, repetition).named(column.name());
        case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(column.name());
        case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(column.name());
        case STRING -> Types.primitive(PrimitiveTypeName.BINARY, repetition)
            .as(LogicalTypeAnnotation.stringType()).named(column.name());
        case DECIMAL -> {
          if (type.precision() > 18) {
            throw new IllegalArgumentException("decimals of more than 18 digits are not written here: " + column);
          }
          yield Types.primitive(PrimitiveTypeName.INT64, repetition)
              .as(LogicalTypeAnnotation.decimalType(type.scale(), type.precision())).named(column.name());
        }
        case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, repetition)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(column.name());
        default -> throw new IllegalArgumentException("column type not written here: " + column);
      });
    }
    return new MessageType("rows", fields);
  }

  /**
   * A writer of {@code columns} to {@code file} (replaced if it exists) with {@code codec} and row
   * groups of {@code rowGroupBytes}, every other setting at parquet-java's default.
   */
  public static ParquetWriter<Object[]> open(URI file, List<Column> columns, CompressionCodecName codec,
      long rowGroupBytes, Configuration hadoop) throws IOException {
    OutputFile output = HadoopOutputFile.fromPath(new Path(file), hadoop);
    return new Builder(output, schema(columns))
        .withConf(hadoop)
        .withCompressionCodec(codec)
        .withRowGroupSize(rowGroupBytes)
        .withWriteMode(org.apache.parquet.hadoop.ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
    private final MessageType schema;

    Builder(OutputFile file, MessageType schema) {
      super(file);
      this.schema = schema;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(schema);
    }
  }

  private static final class RowWriteSupport extends WriteSupport<Object[]> {
    private final MessageType schema;
    private final PrimitiveTypeName[] types;
    private final boolean[] decimal;
    private RecordConsumer consumer;

    RowWriteSupport(MessageType schema) {
      this.schema = schema;
      this.types = new PrimitiveTypeName[schema.getFieldCount()];
      this.decimal = new boolean[schema.getFieldCount()];
      for (int i = 0; i < types.length; i++) {
        types[i] = schema.getType(i).asPrimitiveType().getPrimitiveTypeName();
        decimal[i] = schema.getType(i).getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
      }
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Object[] row) {
      consumer.startMessage();
      for (int i = 0; i < types.length; i++) {
        Object value = row[i];
        if (value == null) {
          continue;
        }
        String name = schema.getFieldName(i);
        consumer.startField(name, i);
        switch (types[i]) {
          case INT64 -> consumer.addLong(decimal[i] ? ((BigDecimal) value).unscaledValue().longValueExact() : (Long) value);
          case INT32 -> consumer.addInteger((Integer) value);
          case DOUBLE -> consumer.addDouble((Double) value);
          case BOOLEAN -> consumer.addBoolean((Boolean) value);
          case BINARY -> consumer.addBinary(Binary.fromString((String) value));
          default -> throw new IllegalStateException("unexpected type " + types[i]);
        }
        consumer.endField(name, i);
      }
      consumer.endMessage();
    }
  }
}
