package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.internal.ChecksummingOutputFile;
import io.tributary.staging.internal.SegmentFileWriter;
import io.tributary.staging.internal.SegmentFormat;
import io.tributary.staging.internal.TableSchemaCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes one segment: change events of one table and one schema, in position order, to a local
 * spool file. Rows go to disk as Parquet pages fill, so memory stays bounded whatever the size of
 * a transaction. {@link #finish()} makes the segment durable and visible under its final name;
 * {@link #abort()} discards it. Not thread-safe: one writer per table, owned by one thread.
 */
public final class SegmentWriter implements AutoCloseable {
  /**
   * Pages wait on the heap until their row group is written out: small row groups bound the heap
   * each open segment holds (a gateway has one per table with changes) and keep those pages
   * short-lived.
   */
  private static final long ROW_GROUP_BYTES = 4L * 1024 * 1024;
  private static final int PAGE_BYTES = 256 * 1024;
  private final StagingStore store;
  private final TableSchema schema;
  private final long sequence;
  private final LocalDate day;
  private final Path spoolFile;
  private final ChecksummingOutputFile output;
  private final SegmentFileWriter writer;
  private SourcePosition firstPosition;
  private SourcePosition lastPosition;
  private long rowCount;
  private long lastSourceTimestampMillis;
  private boolean done;

  SegmentWriter(StagingStore store, TableSchema schema, long sequence, LocalDate day, Path spoolFile, Configuration hadoop) {
    this.store = requireNonNull(store, "store is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.sequence = sequence;
    this.day = requireNonNull(day, "day is null");
    this.spoolFile = requireNonNull(spoolFile, "spoolFile is null");
    this.output = new ChecksummingOutputFile(spoolFile);
    Map<String, String> footer = Map.of(
        SegmentFormat.META_FORMAT_VERSION, Integer.toString(SegmentFormat.FORMAT_VERSION),
        SegmentFormat.META_SCHEMA, TableSchemaCodec.toJson(schema));
    try {
      this.writer = new SegmentFileWriter(output, hadoop, schema, footer, CompressionCodecName.ZSTD, ROW_GROUP_BYTES,
          PAGE_BYTES, store.valueBuffers());
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot create spool file " + spoolFile + " for " + schema.tableId(), e);
    }
  }

  /**
   * Appends one event.
   *
   * @throws IllegalArgumentException if the event belongs to another table or comes before the
   *     previous one
   */
  public void append(ChangeEvent event) {
    if (done) {
      throw new IllegalStateException("Segment " + sequence + " of " + schema.tableId() + " is already finished");
    }
    if (!event.tableId().equals(schema.tableId())) {
      throw new IllegalArgumentException("Event of " + event.tableId() + " appended to a segment of " + schema.tableId());
    }
    if (lastPosition != null && lastPosition.isAfter(event.position())) {
      throw new IllegalArgumentException("Event of " + schema.tableId() + " at " + event.position()
          + " comes before the previous event at " + lastPosition + ": segments are written in source order");
    }
    try {
      writer.write(event);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot write to spool file " + spoolFile, e);
    }
    if (firstPosition == null) {
      firstPosition = event.position();
    }
    lastPosition = event.position();
    lastSourceTimestampMillis = event.sourceTimestampMillis();
    rowCount++;
  }

  public TableSchema schema() {
    return schema;
  }

  public long sequence() {
    return sequence;
  }

  public long rowCount() {
    return rowCount;
  }

  /** The bytes written so far, including buffered pages not yet on disk: what rolling by size uses. */
  public long estimatedBytes() {
    return writer.dataSize();
  }

  public Optional<SourcePosition> firstPosition() {
    return Optional.ofNullable(firstPosition);
  }

  /** The source commit time of the last event appended, 0 before the first. */
  public long lastSourceTimestampMillis() {
    return lastSourceTimestampMillis;
  }

  public Optional<SourcePosition> lastPosition() {
    return Optional.ofNullable(lastPosition);
  }

  /**
   * Completes the Parquet file, forces it to disk and publishes it under its final name. After this
   * returns the segment is durable and visible; announcing it is the caller's next step.
   */
  public SegmentInfo finish() {
    if (done) {
      throw new IllegalStateException("Segment " + sequence + " of " + schema.tableId() + " is already finished");
    }
    if (rowCount == 0) {
      throw new IllegalStateException("Segment " + sequence + " of " + schema.tableId() + " is empty; abort it instead");
    }
    done = true;
    try {
      writer.close();
    } catch (IOException e) {
      deleteSpool();
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot complete spool file " + spoolFile, e);
    } catch (RuntimeException e) {
      deleteSpool();
      throw e;
    }
    SegmentInfo segment = new SegmentInfo(
        schema.tableId(),
        sequence,
        store.segmentPath(schema.tableId(), day, sequence, firstPosition, lastPosition),
        rowCount,
        output.length(),
        output.checksum(),
        firstPosition,
        lastPosition,
        schema.fingerprint());
    try {
      return store.publish(spoolFile, segment);
    } catch (RuntimeException e) {
      deleteSpool();
      throw e;
    }
  }

  /** Discards the segment. Idempotent; does nothing after {@link #finish()}. */
  public void abort() {
    if (done) {
      return;
    }
    done = true;
    try {
      writer.abort();
    } catch (IOException | RuntimeException e) {
      // The file is deleted below; a failure to close it changes nothing.
    }
    deleteSpool();
  }

  @Override
  public void close() {
    abort();
  }

  private void deleteSpool() {
    try {
      Files.deleteIfExists(spoolFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete spool file " + spoolFile, e);
    }
  }
}
