package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.internal.SegmentRowReader;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Reads the change events of one segment whose checksum has been verified, in the order they
 * were written. Obtained from {@link StagingStore#openSegment(ManifestRecord)}.
 */
public final class SegmentReader implements AutoCloseable {
  private final URI path;
  private final TableSchema schema;
  private final ParquetFileReader file;
  private final InputFile input;
  private final ParquetReadOptions options;
  private final SegmentRowReader rows;
  private boolean closed;

  /**
   * A reader of the open {@code file}, which it closes; {@code input} and {@code options} are what it
   * was opened from, with which each {@link #readRowGroup} opens a reader of its own.
   *
   * @throws TributaryException with {@link ErrorCode#SEGMENT_CORRUPT} if the file's columns are not
   *     the layout of {@code schema}
   */
  SegmentReader(URI path, TableSchema schema, ParquetFileReader file, InputFile input, ParquetReadOptions options) {
    this.path = requireNonNull(path, "path is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.file = requireNonNull(file, "file is null");
    this.input = requireNonNull(input, "input is null");
    this.options = requireNonNull(options, "options is null");
    try {
      this.rows = new SegmentRowReader(schema, file);
    } catch (IllegalArgumentException e) {
      throw new TributaryException(ErrorCode.SEGMENT_CORRUPT, "Segment " + path + " of " + schema.tableId()
          + " is corrupt: its columns do not match its schema: " + e.getMessage(), e);
    }
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
      return Optional.ofNullable(rows.next());
    } catch (IOException | RuntimeException e) {
      throw unreadable(e);
    }
  }

  /** How many row groups the segment has: the units {@link #readRowGroup} reads. */
  public int rowGroups() {
    return file.getRowGroups().size();
  }

  /**
   * The events of the row group at {@code index}, in the order they were written. Each call reads
   * through a reader and stream of its own, so that the row groups of one segment can be decoded on
   * several threads at once (until the segment is closed); it does not move {@link #next()}.
   *
   * @throws TributaryException with {@link ErrorCode#SEGMENT_CORRUPT} if the rows cannot be decoded
   */
  public List<ChangeEvent> readRowGroup(int index) {
    if (index < 0 || index >= rowGroups()) {
      throw new IndexOutOfBoundsException("Row group " + index + " of " + rowGroups() + " in segment " + path);
    }
    try (SeekableInputStream stream = input.newStream();
        ParquetFileReader group = new ParquetFileReader(input, file.getFooter(), options, stream)) {
      return new SegmentRowReader(schema, group).readGroup(group.readRowGroup(index));
    } catch (IOException | RuntimeException e) {
      throw unreadable(e);
    }
  }

  private TributaryException unreadable(Exception e) {
    // parquet-java may wrap the reason in its own exception; the innermost message says what is wrong.
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String reason = cause == e ? e.getMessage() : e.getMessage() + ": " + cause.getMessage();
    return new TributaryException(ErrorCode.SEGMENT_CORRUPT, "Cannot read segment " + path + ": " + reason, e);
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
      file.close();
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot close segment " + path, e);
    }
  }
}
