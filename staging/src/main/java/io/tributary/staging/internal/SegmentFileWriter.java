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
import io.tributary.staging.Column;
import io.tributary.staging.Operation;
import io.tributary.staging.TableSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes {@link ChangeEvent}s as rows of the {@link SegmentFormat} layout, one Parquet file, handing
 * each value straight to its column's writer. The layout is flat but for the {@code row} group, so
 * every value's levels are known without parquet-java's record-assembly layer, which would cost
 * more than encoding the value; pages, row groups, compression and the footer are parquet-java's.
 * Row groups are cut as parquet-java's record writer cuts them: when the buffered pages near the
 * row group size, checked halfway to where the rows so far say it fills up.
 *
 * <p>Every value is PLAIN ({@link ArrayPlainValuesWriter}), without dictionaries or statistics: a
 * segment is always read whole and in order, so statistics would only cost a comparison per value,
 * and dictionaries a hash lookup per value for little (after ZSTD, plain pages of a typical segment
 * are about 4% larger than dictionary pages).
 *
 * <p>Not thread-safe.
 */
public final class SegmentFileWriter implements AutoCloseable {
  private static final Map<Operation, Binary> OPERATION_CODES = operationCodes();
  private final TableSchema schema;
  private final List<Column> columns;
  private final MessageType layout;
  private final Map<String, String> footer;
  private final ParquetProperties properties;
  private final CodecFactory codecs;
  private final BytesInputCompressor compressor;
  private final ParquetFileWriter file;
  private final long rowGroupSize;
  private long nextRowGroupSize;
  private ColumnChunkPageWriteStore pages;
  private ColumnWriteStore store;
  private ColumnWriter[] writers;
  private long rowGroupRows;
  private long nextSizeCheck;
  private long writtenBytes;
  /** The transaction id last written and its bytes: the changes of one transaction follow each other. */
  private String lastTransaction;
  private Binary lastTransactionBytes;
  private boolean closed;
  /** Whether a write failed part way through a row: the file can then only be aborted. */
  private boolean broken;

  /**
   * Starts the file.
   *
   * @param hadoop the configuration of the codec
   * @param footer the key-value metadata of the footer
   * @param buffers where the column chunks take their value arrays from and give them back to
   */
  public SegmentFileWriter(OutputFile output, Configuration hadoop, TableSchema schema, Map<String, String> footer,
      CompressionCodecName codec, long rowGroupSize, int pageSize, ValueBuffers buffers) throws IOException {
    this.schema = requireNonNull(schema, "schema is null");
    this.columns = schema.columns();
    this.layout = SegmentFormat.messageType(schema);
    this.footer = Map.copyOf(footer);
    this.rowGroupSize = rowGroupSize;
    this.nextRowGroupSize = rowGroupSize;
    this.properties = ParquetProperties.builder()
        .withPageSize(pageSize)
        .withDictionaryEncoding(false)
        .withStatisticsEnabled(false)
        .withSizeStatisticsEnabled(false)
        .withValuesWriterFactory(new ArrayPlainValuesWriter.Factory(buffers))
        .build();
    this.codecs = new CodecFactory(hadoop, properties.getPageSizeThreshold());
    this.compressor = codecs.getCompressor(codec);
    try {
      this.file = new ParquetFileWriter(output, layout, ParquetFileWriter.Mode.CREATE, rowGroupSize,
          ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, properties);
      file.start();
    } catch (IOException | RuntimeException e) {
      codecs.release();
      throw e;
    }
    startRowGroup();
    this.nextSizeCheck = properties.getMinRowCountForPageSizeCheck();
  }

  /**
   * Writes one event as the next row.
   *
   * @throws IllegalArgumentException if the event's values do not fit the table's columns
   */
  public void write(ChangeEvent event) throws IOException {
    if (closed || broken) {
      throw new IllegalStateException("The file of " + schema.tableId() + " is " + (closed ? "closed" : "broken"));
    }
    Object[] values = event.values();
    if (values.length != columns.size()) {
      throw new IllegalArgumentException("Event of " + schema.tableId() + " at " + event.position()
          + " has " + values.length + " values for " + columns.size() + " columns");
    }
    broken = true;
    writers[OP].write(OPERATION_CODES.get(event.operation()), 0, 0);
    writers[POS].write(utf8(event.position().value()), 0, 0);
    writers[TS_MS].write(event.sourceTimestampMillis(), 0, 0);
    if (event.transactionId().isPresent()) {
      String transaction = event.transactionId().get();
      if (!transaction.equals(lastTransaction)) {
        lastTransaction = transaction;
        lastTransactionBytes = utf8(transaction);
      }
      writers[TXID].write(lastTransactionBytes, 0, PRESENT);
    } else {
      writers[TXID].writeNull(0, 0);
    }
    writers[CAPTURE_MS].write(event.captureTimestampMillis(), 0, 0);
    if (event.unavailable().isEmpty()) {
      writers[UNAVAILABLE].writeNull(0, 0);
    } else {
      StringBuilder indexes = new StringBuilder();
      event.unavailable().stream().forEach(i -> indexes.append(indexes.length() == 0 ? "" : ",").append(i));
      writers[UNAVAILABLE].write(utf8(indexes.toString()), 0, PRESENT);
    }
    for (int i = 0; i < values.length; i++) {
      ColumnWriter writer = writers[FIRST_VALUE + i];
      if (values[i] == null) {
        writer.writeNull(0, 0);
      } else {
        writeValue(writer, columns.get(i), values[i]);
      }
    }
    store.endRecord();
    broken = false;
    rowGroupRows++;
    if (rowGroupRows >= nextSizeCheck) {
      checkRowGroupSize();
    }
  }

  /** The bytes of the row groups written so far and of the pages buffered for the current one. */
  public long dataSize() {
    return writtenBytes + store.getBufferedSize();
  }

  /**
   * Writes the last row group and the footer, and closes the file.
   *
   * @throws IllegalStateException if a write failed part way through a row; the file is aborted
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    if (broken) {
      abort();
      throw new IllegalStateException("The file of " + schema.tableId() + " holds a row written in part");
    }
    closed = true;
    try {
      flushRowGroup();
      file.end(footer);
    } finally {
      codecs.release();
      file.close();
    }
  }

  /** Closes the file as it stands, unfinished: for a file about to be deleted. */
  public void abort() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      store.close();
      pages.close();
    } finally {
      codecs.release();
      file.close();
    }
  }

  private void startRowGroup() {
    pages = new ColumnChunkPageWriteStore(compressor, layout, properties.getAllocator(),
        properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
    store = properties.newColumnWriteStore(layout, pages, pages);
    List<ColumnDescriptor> leaves = layout.getColumns();
    writers = new ColumnWriter[leaves.size()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = store.getColumnWriter(leaves.get(i));
    }
  }

  /** Parquet-java's record writer's schedule: the size is asked of every column, so not after every row. */
  private void checkRowGroupSize() throws IOException {
    long buffered = store.getBufferedSize();
    long rowSize = buffered / rowGroupRows;
    if (rowGroupRows >= properties.getRowGroupRowCountLimit() || buffered > nextRowGroupSize - 2 * rowSize) {
      long rows = rowGroupRows;
      flushRowGroup();
      startRowGroup();
      writtenBytes = file.getPos();
      nextSizeCheck = Math.min(Math.max(properties.getMinRowCountForPageSizeCheck(), rows / 2),
          properties.getMaxRowCountForPageSizeCheck());
    } else {
      long fitting = (long) (nextRowGroupSize / (float) Math.max(1, rowSize));
      nextSizeCheck = Math.min(Math.max(properties.getMinRowCountForPageSizeCheck(), (rowGroupRows + fitting) / 2),
          rowGroupRows + properties.getMaxRowCountForPageSizeCheck());
    }
  }

  private void flushRowGroup() throws IOException {
    try {
      if (rowGroupRows > 0) {
        file.startBlock(rowGroupRows);
        store.flush();
        pages.flushToFileWriter(file);
        file.endBlock();
        rowGroupRows = 0;
        nextRowGroupSize = Math.min(file.getNextRowGroupSize(), rowGroupSize);
      }
    } finally {
      store.close();
      pages.close();
    }
  }

  private void writeValue(ColumnWriter writer, Column column, Object value) {
    try {
      switch (column.type().kind()) {
        case BOOLEAN -> writer.write((Boolean) value, 0, PRESENT);
        case INT, DATE -> writer.write((Integer) value, 0, PRESENT);
        case LONG, TIMESTAMP, TIMESTAMP_NTZ -> writer.write((Long) value, 0, PRESENT);
        case FLOAT -> writer.write((Float) value, 0, PRESENT);
        case DOUBLE -> writer.write((Double) value, 0, PRESENT);
        case STRING -> writer.write(utf8((String) value), 0, PRESENT);
        case BINARY -> writer.write(Binary.fromConstantByteArray((byte[]) value), 0, PRESENT);
        case DECIMAL -> writer.write(Binary.fromConstantByteArray(decimalBytes((BigDecimal) value, column)), 0,
            PRESENT);
      }
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("Column '" + column.name() + "' of " + schema.tableId() + " has type "
          + column.type() + " but got a " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * The UTF-8 bytes of {@code text} as a Binary on a plain array; cheaper to make and to write than
   * {@link Binary#fromString}'s, which wraps them in a ByteBuffer.
   */
  private static Binary utf8(String text) {
    return Binary.fromConstantByteArray(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] decimalBytes(BigDecimal value, Column column) {
    int scale = column.type().scale();
    BigInteger unscaled = value.setScale(scale, RoundingMode.UNNECESSARY).unscaledValue();
    byte[] minimal = unscaled.toByteArray();
    int length = SegmentFormat.decimalBytes(column.type().precision());
    if (minimal.length > length) {
      throw new IllegalArgumentException("Value " + value + " of column '" + column.name()
          + "' does not fit " + column.type());
    }
    byte[] padded = new byte[length];
    byte fill = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
    int pad = length - minimal.length;
    for (int i = 0; i < pad; i++) {
      padded[i] = fill;
    }
    System.arraycopy(minimal, 0, padded, pad, minimal.length);
    return padded;
  }

  private static Map<Operation, Binary> operationCodes() {
    Map<Operation, Binary> codes = new EnumMap<>(Operation.class);
    for (Operation operation : Operation.values()) {
      codes.put(operation, utf8(operation.code()));
    }
    return codes;
  }
}
