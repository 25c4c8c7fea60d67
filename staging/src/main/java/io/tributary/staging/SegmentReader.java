package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.internal.ChangeEventReadSupport;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Reads the change events of one segment whose checksum has been verified, in the order they
 * were written. Obtained from {@link StagingStore#openSegment(ManifestRecord)}.
 */
public final class SegmentReader implements AutoCloseable {
  private final URI path;
  private final TableSchema schema;
  private final ParquetReader<ChangeEvent> reader;
  private boolean closed;

  SegmentReader(URI path, TableSchema schema, Configuration hadoop) throws IOException {
    this.path = requireNonNull(path, "path is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.reader = ParquetReader.builder(new ChangeEventReadSupport(schema), new Path(path)).withConf(hadoop).build();
  }

  public TableSchema schema() {
    return schema;
  }

  public URI path() {
    return path;
  }

  /** The next event, or empty at the end of the segment. */
  public Optional<ChangeEvent> next() {
    try {
      return Optional.ofNullable(reader.read());
    } catch (IOException | RuntimeException e) {
      // parquet-java wraps what a converter threw (a bad operation code, a malformed position) in its own
      // "Can not read value at ..."; the innermost message says what is wrong with the row.
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      String reason = cause == e ? e.getMessage() : e.getMessage() + ": " + cause.getMessage();
      throw new TributaryException(ErrorCode.SEGMENT_CORRUPT, "Cannot read segment " + path + ": " + reason, e);
    }
  }

  /** Every remaining event of the segment. */
  public List<ChangeEvent> readAll() {
    List<ChangeEvent> events = new ArrayList<>();
    for (Optional<ChangeEvent> event = next(); event.isPresent(); event = next()) {
      events.add(event.get());
    }
    return events;
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
