package io.tributary.coordinator.delta;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.StructType;
import java.math.BigDecimal;
import java.util.List;

/**
 * A Kernel {@link ColumnarBatch} over rows held as {@code Object[]} (values typed as staged
 * {@link io.tributary.staging.ColumnType}s document), so that Kernel's Parquet writer can write them.
 * Column {@code i} of the schema reads element {@code i} of each row.
 */
public final class RowColumnarBatch implements ColumnarBatch {
  private final StructType schema;
  private final List<Object[]> rows;

  public RowColumnarBatch(StructType schema, List<Object[]> rows) {
    this.schema = requireNonNull(schema, "schema is null");
    this.rows = requireNonNull(rows, "rows is null");
  }

  @Override
  public StructType getSchema() {
    return schema;
  }

  @Override
  public ColumnVector getColumnVector(int ordinal) {
    return new RowColumnVector(schema.at(ordinal).getDataType(), rows, ordinal);
  }

  @Override
  public int getSize() {
    return rows.size();
  }

  /** One column of the rows; values are converted from the staged Java types on access. */
  private record RowColumnVector(DataType dataType, List<Object[]> rows, int ordinal) implements ColumnVector {
    @Override
    public DataType getDataType() {
      return dataType;
    }

    @Override
    public int getSize() {
      return rows.size();
    }

    @Override
    public void close() {}

    @Override
    public boolean isNullAt(int rowId) {
      return value(rowId) == null;
    }

    private Object value(int rowId) {
      return rows.get(rowId)[ordinal];
    }

    @Override
    public boolean getBoolean(int rowId) {
      return (Boolean) value(rowId);
    }

    @Override
    public int getInt(int rowId) {
      return ((Number) value(rowId)).intValue();
    }

    @Override
    public long getLong(int rowId) {
      return ((Number) value(rowId)).longValue();
    }

    @Override
    public float getFloat(int rowId) {
      return ((Number) value(rowId)).floatValue();
    }

    @Override
    public double getDouble(int rowId) {
      return ((Number) value(rowId)).doubleValue();
    }

    @Override
    public byte[] getBinary(int rowId) {
      return (byte[]) value(rowId);
    }

    @Override
    public String getString(int rowId) {
      return (String) value(rowId);
    }

    @Override
    public BigDecimal getDecimal(int rowId) {
      return (BigDecimal) value(rowId);
    }
  }
}
