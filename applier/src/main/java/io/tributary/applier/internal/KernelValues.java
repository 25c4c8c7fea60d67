package io.tributary.applier.internal;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
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
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/** Reads Kernel column vectors into rows of Java values typed as staged column types document. */
public final class KernelValues {
  private KernelValues() {}

  /** Hands every selected row of the batch to {@code sink}, as an array following the batch's columns. */
  public static void forEachRow(FilteredColumnarBatch batch, Consumer<Object[]> sink) {
    ColumnarBatch data = batch.getData();
    int columns = data.getSchema().length();
    ColumnVector[] vectors = new ColumnVector[columns];
    DataType[] types = new DataType[columns];
    for (int c = 0; c < columns; c++) {
      vectors[c] = data.getColumnVector(c);
      types[c] = data.getSchema().at(c).getDataType();
    }
    forEachSelected(batch, row -> {
      Object[] values = new Object[columns];
      for (int c = 0; c < columns; c++) {
        values[c] = value(vectors[c], types[c], row);
      }
      sink.accept(values);
    });
  }

  /** Hands the index of every selected row of the batch to {@code sink}. */
  public static void forEachSelected(FilteredColumnarBatch batch, IntConsumer sink) {
    Optional<ColumnVector> selection = batch.getSelectionVector();
    int size = batch.getData().getSize();
    for (int row = 0; row < size; row++) {
      if (selection.isEmpty() || !selection.get().isNullAt(row) && selection.get().getBoolean(row)) {
        sink.accept(row);
      }
    }
  }

  /** The values of row {@code row} of {@code data}, following its columns. */
  public static Object[] row(ColumnarBatch data, int row) {
    int columns = data.getSchema().length();
    Object[] values = new Object[columns];
    for (int c = 0; c < columns; c++) {
      values[c] = value(data.getColumnVector(c), data.getSchema().at(c).getDataType(), row);
    }
    return values;
  }

  /** Collects every selected row of the batch. */
  public static void addRows(FilteredColumnarBatch batch, List<Object[]> rows) {
    forEachRow(batch, rows::add);
  }

  /** The value at {@code row}, or null. */
  public static Object value(ColumnVector vector, DataType type, int row) {
    if (vector.isNullAt(row)) {
      return null;
    }
    if (type instanceof BooleanType) {
      return vector.getBoolean(row);
    } else if (type instanceof IntegerType || type instanceof DateType) {
      return vector.getInt(row);
    } else if (type instanceof LongType || type instanceof TimestampType || type instanceof TimestampNTZType) {
      return vector.getLong(row);
    } else if (type instanceof FloatType) {
      return vector.getFloat(row);
    } else if (type instanceof DoubleType) {
      return vector.getDouble(row);
    } else if (type instanceof DecimalType decimal) {
      BigDecimal value = vector.getDecimal(row);
      // Staged decimals carry the column's scale; Parquet readers may hand back another one.
      return value.setScale(decimal.getScale(), RoundingMode.UNNECESSARY);
    } else if (type instanceof StringType) {
      return vector.getString(row);
    } else if (type instanceof BinaryType) {
      return vector.getBinary(row);
    }
    throw new IllegalArgumentException("Unsupported Delta column type " + type);
  }
}
