package io.tributary.staging.internal;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.Operation;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/** Writes {@link ChangeEvent}s as rows of the {@link SegmentFormat} layout. */
public final class ChangeEventWriteSupport extends WriteSupport<ChangeEvent> {
  private static final Map<Operation, Binary> OPERATION_CODES = operationCodes();
  private final TableSchema schema;
  private final MessageType messageType;
  private final Map<String, String> footer;
  private final List<Column> columns;
  private RecordConsumer consumer;
  /** The transaction id last written and its bytes: the changes of one transaction follow each other. */
  private String lastTransaction;
  private Binary lastTransactionBytes;

  public ChangeEventWriteSupport(TableSchema schema, Map<String, String> footer) {
    this.schema = schema;
    this.messageType = SegmentFormat.messageType(schema);
    this.footer = Map.copyOf(footer);
    this.columns = schema.columns();
  }

  @Override
  public WriteContext init(Configuration configuration) {
    return new WriteContext(messageType, footer);
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(ChangeEvent event) {
    consumer.startMessage();
    writeBinary(0, SegmentFormat.OP, OPERATION_CODES.get(event.operation()));
    writeBinary(1, SegmentFormat.POS, utf8Binary(event.position().value()));
    consumer.startField(SegmentFormat.TS_MS, 2);
    consumer.addLong(event.sourceTimestampMillis());
    consumer.endField(SegmentFormat.TS_MS, 2);
    if (event.transactionId().isPresent()) {
      String transaction = event.transactionId().get();
      if (!transaction.equals(lastTransaction)) {
        lastTransaction = transaction;
        lastTransactionBytes = utf8Binary(transaction);
      }
      writeBinary(3, SegmentFormat.TXID, lastTransactionBytes);
    }
    consumer.startField(SegmentFormat.CAPTURE_MS, 4);
    consumer.addLong(event.captureTimestampMillis());
    consumer.endField(SegmentFormat.CAPTURE_MS, 4);
    if (!event.unavailable().isEmpty()) {
      StringBuilder indexes = new StringBuilder();
      event.unavailable().stream().forEach(i -> indexes.append(indexes.length() == 0 ? "" : ",").append(i));
      writeBinary(5, SegmentFormat.UNAVAILABLE, utf8Binary(indexes.toString()));
    }
    consumer.startField(SegmentFormat.ROW, 6);
    consumer.startGroup();
    Object[] values = event.values();
    if (values.length != columns.size()) {
      throw new IllegalArgumentException("Event of " + schema.tableId() + " at " + event.position()
          + " has " + values.length + " values for " + columns.size() + " columns");
    }
    for (int i = 0; i < values.length; i++) {
      Object value = values[i];
      if (value == null) {
        continue;
      }
      Column column = columns.get(i);
      consumer.startField(column.name(), i);
      writeValue(column, value);
      consumer.endField(column.name(), i);
    }
    consumer.endGroup();
    consumer.endField(SegmentFormat.ROW, 6);
    consumer.endMessage();
  }

  private void writeBinary(int index, String field, Binary value) {
    consumer.startField(field, index);
    consumer.addBinary(value);
    consumer.endField(field, index);
  }

  /**
   * The UTF-8 bytes of {@code text} as a Binary on a plain array; cheaper to make and to write than
   * {@link Binary#fromString}'s, which wraps them in a ByteBuffer.
   */
  private static Binary utf8Binary(String text) {
    return Binary.fromConstantByteArray(text.getBytes(StandardCharsets.UTF_8));
  }

  private void writeValue(Column column, Object value) {
    try {
      switch (column.type().kind()) {
        case BOOLEAN -> consumer.addBoolean((Boolean) value);
        case INT, DATE -> consumer.addInteger((Integer) value);
        case LONG, TIMESTAMP, TIMESTAMP_NTZ -> consumer.addLong((Long) value);
        case FLOAT -> consumer.addFloat((Float) value);
        case DOUBLE -> consumer.addDouble((Double) value);
        case STRING -> consumer.addBinary(utf8Binary((String) value));
        case BINARY -> consumer.addBinary(Binary.fromConstantByteArray((byte[]) value));
        case DECIMAL -> consumer.addBinary(Binary.fromConstantByteArray(
            decimalBytes((BigDecimal) value, column)));
      }
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("Column '" + column.name() + "' of " + schema.tableId() + " has type "
          + column.type() + " but got a " + value.getClass().getSimpleName(), e);
    }
  }

  private static byte[] decimalBytes(BigDecimal value, Column column) {
    int scale = column.type().scale();
    BigInteger unscaled = value.setScale(scale, java.math.RoundingMode.UNNECESSARY).unscaledValue();
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
      codes.put(operation, utf8Binary(operation.code()));
    }
    return codes;
  }
}
