package io.tributary.staging.internal;

import static io.tributary.staging.internal.SegmentFormat.Leaf.CAPTURE_MS;
import static io.tributary.staging.internal.SegmentFormat.Leaf.FIRST_VALUE;
import static io.tributary.staging.internal.SegmentFormat.Leaf.OP;
import static io.tributary.staging.internal.SegmentFormat.Leaf.POS;
import static io.tributary.staging.internal.SegmentFormat.Leaf.PRESENT;
import static io.tributary.staging.internal.SegmentFormat.Leaf.TS_MS;
import static io.tributary.staging.internal.SegmentFormat.Leaf.TXID;
import static io.tributary.staging.internal.SegmentFormat.Leaf.UNAVAILABLE;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ColumnType;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Reads the rows of a segment in the {@link SegmentFormat} layout straight from parquet-java's column
 * readers into {@link ChangeEvent}s, a row group at a time: each row takes the next value of every
 * column, with no record assembly and no converter call per value.
 *
 * <p>The file's columns must be exactly the layout's (path, physical type, nesting); a segment whose
 * footer schema does not describe its columns is refused before any row is read. Not thread-safe.
 */
public final class SegmentRowReader {
  private final TableSchema schema;
  private final ParquetFileReader file;
  private final MessageType layout;
  private final List<ColumnDescriptor> columns;
  private final ColumnType.Kind[] kinds;
  private final int[] scales;
  private final String createdBy;
  /** The column readers of the row group {@link #next()} is in. */
  private ColumnReader[] current;
  private long rowsLeftInGroup;
  /** The operation last read, and its code: runs of one operation are the rule. */
  private Binary lastOperationBytes;
  private Operation lastOperation;
  /** The transaction id last read: the changes of one transaction follow each other. */
  private Binary lastTransactionBytes;
  private Optional<String> lastTransaction = Optional.empty();

  /**
   * A reader of {@code file}'s rows as events of {@code schema}.
   *
   * @throws IllegalArgumentException if the file's columns are not the layout of {@code schema}
   */
  public SegmentRowReader(TableSchema schema, ParquetFileReader file) {
    this.schema = requireNonNull(schema, "schema is null");
    this.file = requireNonNull(file, "file is null");
    this.layout = SegmentFormat.messageType(schema);
    this.columns = layout.getColumns();
    checkColumns(file.getFileMetaData().getSchema(), layout);
    this.kinds = new ColumnType.Kind[schema.columns().size()];
    this.scales = new int[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      ColumnType type = schema.columns().get(i).type();
      kinds[i] = type.kind();
      scales[i] = type.kind() == ColumnType.Kind.DECIMAL ? type.scale() : 0;
    }
    this.createdBy = file.getFileMetaData().getCreatedBy();
  }

  private static void checkColumns(MessageType actual, MessageType expected) {
    List<ColumnDescriptor> have = actual.getColumns();
    List<ColumnDescriptor> want = expected.getColumns();
    if (have.size() != want.size()) {
      throw new IllegalArgumentException("it has " + have.size() + " columns, its schema's layout has " + want.size());
    }
    for (int i = 0; i < want.size(); i++) {
      ColumnDescriptor a = have.get(i);
      ColumnDescriptor b = want.get(i);
      PrimitiveType at = a.getPrimitiveType();
      PrimitiveType bt = b.getPrimitiveType();
      if (!a.equals(b) || at.getPrimitiveTypeName() != bt.getPrimitiveTypeName()
          || at.getTypeLength() != bt.getTypeLength() || a.getMaxDefinitionLevel() != b.getMaxDefinitionLevel()
          || a.getMaxRepetitionLevel() != b.getMaxRepetitionLevel()) {
        throw new IllegalArgumentException("column " + (i + 1) + " is " + String.join(".", a.getPath()) + " " + at
            + ", its schema's layout has " + String.join(".", b.getPath()) + " " + bt);
      }
    }
  }

  /**
   * The next event, or null after the last.
   *
   * @throws IOException if the file cannot be read
   * @throws RuntimeException if a value cannot be decoded (parquet-java's own exceptions, or a bad
   *     operation code or position)
   */
  public ChangeEvent next() throws IOException {
    while (rowsLeftInGroup == 0) {
      PageReadStore group = file.readNextRowGroup();
      if (group == null) {
        return null;
      }
      current = columnReaders(group);
      rowsLeftInGroup = group.getRowCount();
    }
    rowsLeftInGroup--;
    return readRow(current);
  }

  /**
   * Every row of {@code group}, a row group of the file read by the caller (apart from {@link #next()}'s
   * progress through the file).
   *
   * @throws RuntimeException if a value cannot be decoded, as {@link #next()}
   */
  public List<ChangeEvent> readGroup(PageReadStore group) {
    ColumnReader[] groupReaders = columnReaders(group);
    long rows = group.getRowCount();
    List<ChangeEvent> events = new ArrayList<>((int) Math.min(rows, Integer.MAX_VALUE));
    for (long row = 0; row < rows; row++) {
      events.add(readRow(groupReaders));
    }
    return events;
  }

  private ColumnReader[] columnReaders(PageReadStore group) {
    ColumnReadStoreImpl store = new ColumnReadStoreImpl(group, NoConverter.ROOT, layout, createdBy);
    ColumnReader[] columnReaders = new ColumnReader[columns.size()];
    for (int i = 0; i < columnReaders.length; i++) {
      columnReaders[i] = store.getColumnReader(columns.get(i));
    }
    return columnReaders;
  }

  private ChangeEvent readRow(ColumnReader[] readers) {
    Operation operation = operation(readers[OP].getBinary());
    readers[OP].consume();
    SourcePosition position = new SourcePosition(readers[POS].getBinary().toStringUsingUTF8());
    readers[POS].consume();
    long sourceMillis = readers[TS_MS].getLong();
    readers[TS_MS].consume();
    Optional<String> transactionId = transaction(readers[TXID]);
    readers[TXID].consume();
    long captureMillis = readers[CAPTURE_MS].getLong();
    readers[CAPTURE_MS].consume();
    BitSet unavailable = unavailable(readers[UNAVAILABLE]);
    readers[UNAVAILABLE].consume();
    Object[] values = new Object[kinds.length];
    for (int i = 0; i < values.length; i++) {
      ColumnReader reader = readers[FIRST_VALUE + i];
      if (reader.getCurrentDefinitionLevel() == PRESENT) {
        values[i] = value(i, reader);
      }
      reader.consume();
    }
    return new ChangeEvent(schema.tableId(), operation, position, values, unavailable, sourceMillis, transactionId,
        captureMillis);
  }

  private Object value(int index, ColumnReader reader) {
    return switch (kinds[index]) {
      case BOOLEAN -> reader.getBoolean();
      case INT, DATE -> reader.getInteger();
      case LONG, TIMESTAMP, TIMESTAMP_NTZ -> reader.getLong();
      case FLOAT -> reader.getFloat();
      case DOUBLE -> reader.getDouble();
      case STRING -> reader.getBinary().toStringUsingUTF8();
      case BINARY -> reader.getBinary().getBytes();
      case DECIMAL -> decimal(reader.getBinary(), scales[index]);
    };
  }

  /**
   * The decimal of an unscaled value in big-endian two's complement. One of up to 18 digits (8 bytes)
   * is made from a long, as a compact decimal: no {@link BigInteger} or copy of the bytes is kept for
   * each value of a batch.
   */
  private static BigDecimal decimal(Binary unscaled, int scale) {
    int length = unscaled.length();
    if (length > Long.BYTES) {
      return new BigDecimal(new BigInteger(unscaled.getBytes()), scale);
    }
    ByteBuffer bytes = unscaled.toByteBuffer();
    int first = bytes.position();
    // The first byte carries the sign: widened with it, then each further byte shifted in unsigned.
    long value = bytes.get(first);
    for (int i = 1; i < length; i++) {
      value = (value << 8) | (bytes.get(first + i) & 0xFF);
    }
    return BigDecimal.valueOf(value, scale);
  }

  private Operation operation(Binary code) {
    if (!code.equals(lastOperationBytes)) {
      // A copy of its own: the value may be a view of a page buffer the reader moves past.
      lastOperationBytes = Binary.fromConstantByteArray(code.getBytes());
      lastOperation = Operation.fromCode(code.toStringUsingUTF8());
    }
    return lastOperation;
  }

  private Optional<String> transaction(ColumnReader reader) {
    if (reader.getCurrentDefinitionLevel() != PRESENT) {
      return Optional.empty();
    }
    Binary id = reader.getBinary();
    if (!id.equals(lastTransactionBytes)) {
      lastTransactionBytes = Binary.fromConstantByteArray(id.getBytes());
      lastTransaction = Optional.of(id.toStringUsingUTF8());
    }
    return lastTransaction;
  }

  private BitSet unavailable(ColumnReader reader) {
    if (reader.getCurrentDefinitionLevel() != PRESENT) {
      return ChangeEvent.NONE_UNAVAILABLE;
    }
    BitSet unavailable = new BitSet();
    for (String index : reader.getBinary().toStringUsingUTF8().split(",")) {
      unavailable.set(Integer.parseInt(index));
    }
    return unavailable;
  }

  /**
   * The converters parquet-java's column readers are built with: values are taken from the readers
   * themselves, never pushed into a converter.
   */
  private static final class NoConverter extends GroupConverter {
    private static final PrimitiveConverter VALUE = new PrimitiveConverter() {};
    static final NoConverter ROW = new NoConverter(null);
    static final NoConverter ROOT = new NoConverter(ROW);

    /** The converter of the row group (for the root), or null (for the row group itself). */
    private final NoConverter row;

    private NoConverter(NoConverter row) {
      this.row = row;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return row != null && fieldIndex == FIRST_VALUE ? row : VALUE;
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
