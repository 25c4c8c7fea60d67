package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.defaults.internal.parquet.ParquetStatsReader;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.staging.internal.SegmentFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Writes rows as one Parquet data file of a Delta table with parquet-java's column writers, each
 * value handed from the row ({@code Object[]} in the staged value types, one element per column of
 * the schema, in its order) to its column's writer, the columns encoded side by side
 * ({@link ParallelParquetWriter}): no columnar batch over the rows and no file-size check per row, as
 * Kernel's default writer has.
 *
 * <p>The file is laid out as Kernel's default writer lays out the same Delta schema (the mapping of
 * {@code ParquetSchemaUtils.toParquetSchema}: INT32 for int, date and decimals up to 9 digits, INT64
 * for long, timestamps in microseconds and decimals up to 18 digits, fixed-length bytes for larger
 * decimals, UTF-8 binary for strings, field ids where column mapping assigns them) and written with
 * the engine's Parquet settings ({@code parquet.compression} and the other {@link ParquetOutputFormat}
 * keys Kernel reads). Its statistics are read back from its footer by Kernel's own reader, so that the
 * add action records exactly what Kernel would.
 */
final class ParquetDataFile {
  private ParquetDataFile() {}

  /**
   * Writes {@code rows} in {@code schema} (the physical schema of the table) as a new file in
   * {@code directory}, with statistics of {@code statsColumns}.
   *
   * @throws IllegalArgumentException if the schema has a type other than the primitive ones Tributary
   *     writes, or a row lacks a value for a non-nullable column or holds a decimal beyond its scale
   */
  static DataFileStatus write(WritingEngine engine, String directory, StructType schema, List<Column> statsColumns,
      List<Object[]> rows) throws IOException {
    requireNonNull(rows, "rows is null");
    Configuration hadoop = engine.hadoop();
    Path file = new Path(directory, UUID.randomUUID() + "-000.parquet");
    MessageType parquetSchema = messageType(schema);
    List<ParallelParquetWriter.ValueWriter> values = new ArrayList<>();
    for (int i = 0; i < schema.length(); i++) {
      values.add(valueWriter(schema.at(i), parquetSchema.getType(i)));
    }
    FileSystem fileSystem = file.getFileSystem(hadoop);
    try {
      // The engine's configuration, not a new one: that would parse Hadoop's default resources on every file.
      ParallelParquetWriter.write(HadoopOutputFile.fromPath(file, hadoop), hadoop, parquetSchema,
          ParallelParquetWriter.Settings.of(hadoop), values, rows);
    } catch (IOException | RuntimeException e) {
      // A file left by a failure is named by no commit: remove it.
      try {
        fileSystem.delete(file, false);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    FileStatus status = fileSystem.getFileStatus(file);
    String path = fileSystem.makeQualified(file).toString();
    DataFileStatistics statistics = statsColumns.isEmpty()
        ? new DataFileStatistics(rows.size(), Map.of(), Map.of(), Map.of(), Optional.empty())
        : ParquetStatsReader.readDataFileStatistics(engine.fileIO().newInputFile(path, status.getLen()), schema,
            statsColumns);
    return new DataFileStatus(path, status.getLen(), status.getModificationTime(), Optional.of(statistics));
  }

  /** The Parquet schema Kernel's default writer gives {@code schema}. */
  static MessageType messageType(StructType schema) {
    List<Type> fields = new ArrayList<>();
    for (StructField field : schema.fields()) {
      Repetition repetition = field.isNullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
      Types.PrimitiveBuilder<?> type = primitive(field, repetition);
      Long id = field.getMetadata().getLong(ColumnMapping.PARQUET_FIELD_ID_KEY);
      if (id != null) {
        type.id(Math.toIntExact(id));
      }
      fields.add((Type) type.named(field.getName()));
    }
    return new MessageType("DefaultKernelSchema", fields);
  }

  private static Types.PrimitiveBuilder<?> primitive(StructField field, Repetition repetition) {
    DataType type = field.getDataType();
    if (type instanceof BooleanType) {
      return Types.primitive(PrimitiveTypeName.BOOLEAN, repetition);
    } else if (type instanceof ByteType || type instanceof ShortType || type instanceof IntegerType) {
      return Types.primitive(PrimitiveTypeName.INT32, repetition);
    } else if (type instanceof LongType) {
      return Types.primitive(PrimitiveTypeName.INT64, repetition);
    } else if (type instanceof FloatType) {
      return Types.primitive(PrimitiveTypeName.FLOAT, repetition);
    } else if (type instanceof DoubleType) {
      return Types.primitive(PrimitiveTypeName.DOUBLE, repetition);
    } else if (type instanceof DecimalType decimal) {
      LogicalTypeAnnotation annotation = LogicalTypeAnnotation.decimalType(decimal.getScale(), decimal.getPrecision());
      if (decimal.getPrecision() <= 9) {
        return Types.primitive(PrimitiveTypeName.INT32, repetition).as(annotation);
      } else if (decimal.getPrecision() <= 18) {
        return Types.primitive(PrimitiveTypeName.INT64, repetition).as(annotation);
      }
      return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition).as(annotation)
          .length(SegmentFormat.decimalBytes(decimal.getPrecision()));
    } else if (type instanceof StringType) {
      return Types.primitive(PrimitiveTypeName.BINARY, repetition).as(LogicalTypeAnnotation.stringType());
    } else if (type instanceof BinaryType) {
      return Types.primitive(PrimitiveTypeName.BINARY, repetition);
    } else if (type instanceof DateType) {
      return Types.primitive(PrimitiveTypeName.INT32, repetition).as(LogicalTypeAnnotation.dateType());
    } else if (type instanceof TimestampType) {
      return Types.primitive(PrimitiveTypeName.INT64, repetition)
          .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS));
    } else if (type instanceof TimestampNTZType) {
      return Types.primitive(PrimitiveTypeName.INT64, repetition)
          .as(LogicalTypeAnnotation.timestampType(false, TimeUnit.MICROS));
    }
    throw new IllegalArgumentException("Column " + field.getName() + " has type " + type
        + ", which Tributary does not write to data files");
  }

  private static ParallelParquetWriter.ValueWriter valueWriter(StructField field, Type parquet) {
    DataType type = field.getDataType();
    if (type instanceof DecimalType decimal) {
      int scale = decimal.getScale();
      return switch (parquet.asPrimitiveType().getPrimitiveTypeName()) {
        case INT32 -> (column, value, level) -> column.write(
            ((BigDecimal) value).movePointRight(scale).intValueExact(), 0, level);
        case INT64 -> (column, value, level) -> column.write(
            ((BigDecimal) value).movePointRight(scale).longValueExact(), 0, level);
        default -> {
          int length = parquet.asPrimitiveType().getTypeLength();
          yield (column, value, level) -> column.write(Binary.fromConstantByteArray(
              fixedLength(((BigDecimal) value).movePointRight(scale).toBigIntegerExact().toByteArray(), length, field)),
              0, level);
        }
      };
    }
    return switch (parquet.asPrimitiveType().getPrimitiveTypeName()) {
      case BOOLEAN -> (column, value, level) -> column.write((Boolean) value, 0, level);
      case INT32 -> (column, value, level) -> column.write(((Number) value).intValue(), 0, level);
      case INT64 -> (column, value, level) -> column.write(((Number) value).longValue(), 0, level);
      case FLOAT -> (column, value, level) -> column.write(((Number) value).floatValue(), 0, level);
      case DOUBLE -> (column, value, level) -> column.write(((Number) value).doubleValue(), 0, level);
      case BINARY -> type instanceof StringType
          // The UTF-8 bytes as an array, not Binary.fromString's buffer over them: the dictionary hashes
          // and compares an array faster, and one object fewer is made per value.
          ? (column, value, level) -> column.write(
              Binary.fromConstantByteArray(((String) value).getBytes(StandardCharsets.UTF_8)), 0, level)
          : (column, value, level) -> column.write(Binary.fromConstantByteArray((byte[]) value), 0, level);
      default -> throw new IllegalArgumentException("Column " + field.getName() + " has no writer for " + parquet);
    };
  }

  /** A two's complement value sign-extended to {@code length} bytes. */
  private static byte[] fixedLength(byte[] bytes, int length, StructField field) {
    if (bytes.length == length) {
      return bytes;
    }
    if (bytes.length > length) {
      throw new ArithmeticException("more digits than " + field.getDataType() + " holds");
    }
    byte[] fixed = new byte[length];
    byte sign = bytes[0] < 0 ? (byte) -1 : 0;
    Arrays.fill(fixed, 0, length - bytes.length, sign);
    System.arraycopy(bytes, 0, fixed, length - bytes.length, bytes.length);
    return fixed;
  }
}
