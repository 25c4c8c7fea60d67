package io.tributary.applier.internal;

import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps staged column types to Delta types and back. Every Delta column is nullable: a column
 * whose value a source did not send (TOAST) may have no old value to keep, and later schema
 * evolution keeps dropped columns as nullable.
 *
 * <p>TIMESTAMP_NTZ maps to {@link TimestampNTZType}: Kernel 4.4 writes it and enables the
 * {@code timestampNtz} table feature (reader 3, writer 7) on its own when the schema has one.
 */
public final class DeltaTypes {
  private DeltaTypes() {}

  public static DataType toDataType(ColumnType type) {
    return switch (type.kind()) {
      case BOOLEAN -> BooleanType.BOOLEAN;
      case INT -> IntegerType.INTEGER;
      case LONG -> LongType.LONG;
      case FLOAT -> FloatType.FLOAT;
      case DOUBLE -> DoubleType.DOUBLE;
      case DECIMAL -> new DecimalType(type.precision(), type.scale());
      case STRING -> StringType.STRING;
      case BINARY -> BinaryType.BINARY;
      case DATE -> DateType.DATE;
      case TIMESTAMP -> TimestampType.TIMESTAMP;
      case TIMESTAMP_NTZ -> TimestampNTZType.TIMESTAMP_NTZ;
    };
  }

  /** The staged type of a Delta type, for the types {@link #toDataType} produces. */
  public static ColumnType toColumnType(DataType type) {
    if (type instanceof BooleanType) {
      return ColumnType.BOOLEAN;
    } else if (type instanceof IntegerType) {
      return ColumnType.INT;
    } else if (type instanceof LongType) {
      return ColumnType.LONG;
    } else if (type instanceof FloatType) {
      return ColumnType.FLOAT;
    } else if (type instanceof DoubleType) {
      return ColumnType.DOUBLE;
    } else if (type instanceof DecimalType decimal) {
      return ColumnType.decimal(decimal.getPrecision(), decimal.getScale());
    } else if (type instanceof StringType) {
      return ColumnType.STRING;
    } else if (type instanceof BinaryType) {
      return ColumnType.BINARY;
    } else if (type instanceof DateType) {
      return ColumnType.DATE;
    } else if (type instanceof TimestampType) {
      return ColumnType.TIMESTAMP;
    } else if (type instanceof TimestampNTZType) {
      return ColumnType.TIMESTAMP_NTZ;
    }
    throw new IllegalArgumentException("Delta type " + type + " has no Tributary column type");
  }

  /** The Delta schema of a staged table: the same columns, in the same order, all nullable. */
  public static StructType toStructType(TableSchema schema) {
    StructType struct = new StructType();
    for (Column column : schema.columns()) {
      struct = struct.add(column.name(), toDataType(column.type()), true);
    }
    return struct;
  }

  /** The staged schema of a Delta table written by Tributary. */
  public static TableSchema toTableSchema(TableId tableId, StructType struct, List<String> keyColumns) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : struct.fields()) {
      columns.add(new Column(field.getName(), toColumnType(field.getDataType()), field.isNullable()));
    }
    return new TableSchema(tableId, columns, keyColumns);
  }

  /** Whether a staged schema writes exactly the columns, in order and with the types, of a Delta schema. */
  public static boolean sameColumns(TableSchema schema, StructType struct) {
    if (schema.columns().size() != struct.length()) {
      return false;
    }
    for (int i = 0; i < struct.length(); i++) {
      Column column = schema.columns().get(i);
      StructField field = struct.at(i);
      if (!column.name().equals(field.getName()) || !toDataType(column.type()).equivalent(field.getDataType())) {
        return false;
      }
    }
    return true;
  }
}
