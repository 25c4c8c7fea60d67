package io.tributary.staging.internal;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.column.values.factory.ValuesWriterFactory;
import org.apache.parquet.column.values.plain.BooleanPlainValuesWriter;
import org.apache.parquet.io.api.Binary;

/**
 * PLAIN-encoded values of one column's page, in one growing array: the bytes parquet-java's plain
 * writers produce, written with one bounds check and one store per value where theirs write a
 * binary value's length byte by byte through a stream. The array is kept from one page to the next
 * of the same column chunk, so a page costs no new buffers once the first one has grown, and is
 * handed on to a later chunk through {@link ValueBuffers} when the chunk is closed.
 *
 * <p>A page's bytes ({@link #getBytes()}) are valid until {@link #reset()}; parquet-java's page
 * writers compress or copy them before they reset their values writers.
 */
final class ArrayPlainValuesWriter extends ValuesWriter {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Whether values are fixed-length byte arrays, written without a length. */
  private final boolean fixedLength;
  private final ValueBuffers buffers;
  private byte[] bytes;
  private int size;

  private ArrayPlainValuesWriter(boolean fixedLength, ValueBuffers buffers) {
    this.fixedLength = fixedLength;
    this.buffers = buffers;
    this.bytes = buffers.take();
  }

  /**
   * The writers of a file without dictionaries: this one for every type but booleans, which PLAIN
   * packs as bits and parquet-java's own writer keeps.
   */
  static final class Factory implements ValuesWriterFactory {
    private final ValueBuffers buffers;

    Factory(ValueBuffers buffers) {
      this.buffers = requireNonNull(buffers, "buffers is null");
    }

    @Override
    public void initialize(ParquetProperties properties) {}

    @Override
    public ValuesWriter newValuesWriter(ColumnDescriptor descriptor) {
      return switch (descriptor.getPrimitiveType().getPrimitiveTypeName()) {
        case BOOLEAN -> new BooleanPlainValuesWriter();
        case FIXED_LEN_BYTE_ARRAY -> new ArrayPlainValuesWriter(true, buffers);
        case INT32, INT64, FLOAT, DOUBLE, BINARY -> new ArrayPlainValuesWriter(false, buffers);
        case INT96 -> throw new IllegalArgumentException("Segments have no INT96 columns: " + descriptor);
      };
    }
  }

  @Override
  public void writeInteger(int value) {
    ensureRoom(Integer.BYTES);
    INT.set(bytes, size, value);
    size += Integer.BYTES;
  }

  @Override
  public void writeLong(long value) {
    ensureRoom(Long.BYTES);
    LONG.set(bytes, size, value);
    size += Long.BYTES;
  }

  @Override
  public void writeFloat(float value) {
    writeInteger(Float.floatToIntBits(value));
  }

  @Override
  public void writeDouble(double value) {
    writeLong(Double.doubleToLongBits(value));
  }

  @Override
  public void writeBytes(Binary value) {
    int length = value.length();
    if (fixedLength) {
      ensureRoom(length);
    } else {
      ensureRoom(Integer.BYTES + length);
      INT.set(bytes, size, length);
      size += Integer.BYTES;
    }
    // The array itself when the value spans all of it, as the segment writer's values do: no copy.
    System.arraycopy(value.getBytesUnsafe(), 0, bytes, size, length);
    size += length;
  }

  private void ensureRoom(int more) {
    if (bytes.length - size < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }

  @Override
  public long getBufferedSize() {
    return size;
  }

  @Override
  public BytesInput getBytes() {
    return BytesInput.from(bytes, 0, size);
  }

  @Override
  public Encoding getEncoding() {
    return Encoding.PLAIN;
  }

  @Override
  public void reset() {
    size = 0;
  }

  /** Ends the chunk: its pages are written, and the array goes back to the buffers. */
  @Override
  public void close() {
    byte[] released = bytes;
    bytes = ValueBuffers.empty();
    size = 0;
    buffers.give(released);
  }

  @Override
  public long getAllocatedSize() {
    return bytes.length;
  }

  @Override
  public String memUsageString(String prefix) {
    return prefix + " plain values: " + size + " of " + bytes.length + " bytes";
  }
}
