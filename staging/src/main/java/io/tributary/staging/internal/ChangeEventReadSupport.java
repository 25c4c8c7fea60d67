package io.tributary.staging.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;

/**
 * Reads rows of the {@link SegmentFormat} layout straight into {@link ChangeEvent}s: each column's
 * converter stores its value where the event needs it, with no intermediate record per row.
 *
 * <p>The layout asked of the file is the one {@link SegmentFormat} derives from the segment's schema
 * (read from its footer), so parquet-java checks every column's name and type against it.
 */
public final class ChangeEventReadSupport extends ReadSupport<ChangeEvent> {
  private final TableSchema schema;

  public ChangeEventReadSupport(TableSchema schema) {
    this.schema = requireNonNull(schema, "schema is null");
  }

  @Override
  public ReadContext init(InitContext context) {
    return new ReadContext(SegmentFormat.messageType(schema));
  }

  @Override
  public RecordMaterializer<ChangeEvent> prepareForRead(Configuration configuration, Map<String, String> footer,
      MessageType fileSchema, ReadContext context) {
    return new EventMaterializer(schema, context.getRequestedSchema());
  }

  private static final class EventMaterializer extends RecordMaterializer<ChangeEvent> {
    private final EventConverter root;

    EventMaterializer(TableSchema schema, MessageType layout) {
      this.root = new EventConverter(schema, layout);
    }

    @Override
    public ChangeEvent getCurrentRecord() {
      return root.event();
    }

    @Override
    public GroupConverter getRootConverter() {
      return root;
    }
  }

  /** The converter of one whole row: the metadata fields, then the table's values. */
  private static final class EventConverter extends GroupConverter {
    private final TableSchema schema;
    private final Converter[] fields;
    private final RowConverter row;
    private Operation operation;
    private SourcePosition position;
    private long sourceMillis;
    private long captureMillis;
    private Optional<String> transactionId;
    private BitSet unavailable;
    /** The operation last read, and its code. */
    private Binary lastOperationBytes;
    private Operation lastOperation;
    /** The transaction id last read: the changes of one transaction follow each other. */
    private Binary lastTransactionBytes;
    private Optional<String> lastTransaction = Optional.empty();

    EventConverter(TableSchema schema, MessageType layout) {
      this.schema = schema;
      this.row = new RowConverter(schema.columns());
      this.fields = new Converter[layout.getFieldCount()];
      for (int i = 0; i < fields.length; i++) {
        fields[i] = metadataConverter(layout.getFieldName(i));
      }
    }

    private Converter metadataConverter(String name) {
      return switch (name) {
        case SegmentFormat.OP -> new PrimitiveConverter() {
          @Override
          public void addBinary(Binary value) {
            // Runs of one operation are the rule (a snapshot, a load of inserts): decoded when it changes.
            if (!value.equals(lastOperationBytes)) {
              lastOperationBytes = Binary.fromConstantByteArray(value.getBytes());
              lastOperation = Operation.fromCode(value.toStringUsingUTF8());
            }
            operation = lastOperation;
          }
        };
        case SegmentFormat.POS -> new PrimitiveConverter() {
          @Override
          public void addBinary(Binary value) {
            position = new SourcePosition(value.toStringUsingUTF8());
          }
        };
        case SegmentFormat.TS_MS -> new PrimitiveConverter() {
          @Override
          public void addLong(long value) {
            sourceMillis = value;
          }
        };
        case SegmentFormat.CAPTURE_MS -> new PrimitiveConverter() {
          @Override
          public void addLong(long value) {
            captureMillis = value;
          }
        };
        case SegmentFormat.TXID -> new PrimitiveConverter() {
          @Override
          public void addBinary(Binary value) {
            if (!value.equals(lastTransactionBytes)) {
              // A copy of its own: the value may be a view of a page buffer the reader moves past.
              lastTransactionBytes = Binary.fromConstantByteArray(value.getBytes());
              lastTransaction = Optional.of(value.toStringUsingUTF8());
            }
            transactionId = lastTransaction;
          }
        };
        case SegmentFormat.UNAVAILABLE -> new PrimitiveConverter() {
          @Override
          public void addBinary(Binary value) {
            for (String index : value.toStringUsingUTF8().split(",")) {
              unavailable.set(Integer.parseInt(index));
            }
          }
        };
        case SegmentFormat.ROW -> row;
        default -> throw new IllegalArgumentException("unknown segment field " + name);
      };
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return fields[fieldIndex];
    }

    @Override
    public void start() {
      operation = null;
      position = null;
      transactionId = Optional.empty();
      unavailable = new BitSet();
    }

    @Override
    public void end() {}

    ChangeEvent event() {
      if (operation == null || position == null) {
        throw new IllegalStateException("a row lacks its operation or position");
      }
      return new ChangeEvent(schema.tableId(), operation, position, row.values(), unavailable, sourceMillis,
          transactionId, captureMillis);
    }
  }

  /** The converter of the table's values: each column stores into its slot of a fresh array per row. */
  private static final class RowConverter extends GroupConverter {
    private final Converter[] columns;
    private Object[] values;

    RowConverter(List<Column> columns) {
      this.columns = new Converter[columns.size()];
      for (int i = 0; i < columns.size(); i++) {
        this.columns[i] = valueConverter(i, columns.get(i).type());
      }
    }

    private Converter valueConverter(int index, ColumnType type) {
      return switch (type.kind()) {
        case BOOLEAN -> new PrimitiveConverter() {
          @Override
          public void addBoolean(boolean value) {
            values[index] = value;
          }
        };
        case INT, DATE -> new PrimitiveConverter() {
          @Override
          public void addInt(int value) {
            values[index] = value;
          }
        };
        case LONG, TIMESTAMP, TIMESTAMP_NTZ -> new PrimitiveConverter() {
          @Override
          public void addLong(long value) {
            values[index] = value;
          }
        };
        case FLOAT -> new PrimitiveConverter() {
          @Override
          public void addFloat(float value) {
            values[index] = value;
          }
        };
        case DOUBLE -> new PrimitiveConverter() {
          @Override
          public void addDouble(double value) {
            values[index] = value;
          }
        };
        case STRING -> new PrimitiveConverter() {
          @Override
          public void addBinary(Binary value) {
            values[index] = value.toStringUsingUTF8();
          }
        };
        case BINARY -> new PrimitiveConverter() {
          @Override
          public void addBinary(Binary value) {
            values[index] = value.getBytes();
          }
        };
        case DECIMAL -> new PrimitiveConverter() {
          @Override
          public void addBinary(Binary value) {
            values[index] = new BigDecimal(new BigInteger(value.getBytes()), type.scale());
          }
        };
      };
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return columns[fieldIndex];
    }

    @Override
    public void start() {
      values = new Object[columns.length];
    }

    @Override
    public void end() {}

    Object[] values() {
      return values;
    }
  }
}
