package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.internal.SegmentFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Reads the change events of one segment whose checksum has been verified, in the order they
 * were written. Obtained from {@link StagingStore#openSegment(ManifestRecord)}.
 */
public final class SegmentReader implements AutoCloseable {
  private final URI path;
  private final TableSchema schema;
  private final ParquetReader<Group> reader;
  private boolean closed;

  SegmentReader(URI path, TableSchema schema, Configuration hadoop) throws IOException {
    this.path = requireNonNull(path, "path is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.reader = ParquetReader.builder(new GroupReadSupport(), new Path(path)).withConf(hadoop).build();
  }

  public TableSchema schema() {
    return schema;
  }

  public URI path() {
    return path;
  }

  /** The next event, or empty at the end of the segment. */
  public Optional<ChangeEvent> next() {
    Group group;
    try {
      group = reader.read();
    } catch (IOException | RuntimeException e) {
      throw new TributaryException(ErrorCode.SEGMENT_CORRUPT, "Cannot read segment " + path + ": " + e.getMessage(), e);
    }
    if (group == null) {
      return Optional.empty();
    }
    return Optional.of(toEvent(group));
  }

  /** Every remaining event of the segment. */
  public List<ChangeEvent> readAll() {
    List<ChangeEvent> events = new ArrayList<>();
    for (Optional<ChangeEvent> event = next(); event.isPresent(); event = next()) {
      events.add(event.get());
    }
    return events;
  }

  private ChangeEvent toEvent(Group group) {
    try {
      Group row = group.getGroup(SegmentFormat.ROW, 0);
      List<Column> columns = schema.columns();
      Object[] values = new Object[columns.size()];
      for (int i = 0; i < values.length; i++) {
        if (row.getFieldRepetitionCount(i) > 0) {
          values[i] = readValue(row, i, columns.get(i).type());
        }
      }
      BitSet unavailable = new BitSet();
      if (group.getFieldRepetitionCount(SegmentFormat.UNAVAILABLE) > 0) {
        for (String index : group.getString(SegmentFormat.UNAVAILABLE, 0).split(",")) {
          unavailable.set(Integer.parseInt(index));
        }
      }
      Optional<String> transactionId = group.getFieldRepetitionCount(SegmentFormat.TXID) > 0
          ? Optional.of(group.getString(SegmentFormat.TXID, 0))
          : Optional.empty();
      return new ChangeEvent(
          schema.tableId(),
          Operation.fromCode(group.getString(SegmentFormat.OP, 0)),
          new SourcePosition(group.getString(SegmentFormat.POS, 0)),
          values,
          unavailable,
          group.getLong(SegmentFormat.TS_MS, 0),
          transactionId,
          group.getLong(SegmentFormat.CAPTURE_MS, 0));
    } catch (RuntimeException e) {
      throw new TributaryException(ErrorCode.SEGMENT_CORRUPT, "Invalid row in segment " + path + ": " + e.getMessage(), e);
    }
  }

  private static Object readValue(Group row, int field, ColumnType type) {
    return switch (type.kind()) {
      case BOOLEAN -> row.getBoolean(field, 0);
      case INT, DATE -> row.getInteger(field, 0);
      case LONG, TIMESTAMP, TIMESTAMP_NTZ -> row.getLong(field, 0);
      case FLOAT -> row.getFloat(field, 0);
      case DOUBLE -> row.getDouble(field, 0);
      case STRING -> row.getString(field, 0);
      case BINARY -> row.getBinary(field, 0).getBytes();
      case DECIMAL -> new BigDecimal(new BigInteger(row.getBinary(field, 0).getBytes()), type.scale());
    };
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      reader.close();
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot close segment " + path, e);
    }
  }
}
