package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Writes rows as one Parquet file, the columns of each row group encoded side by side on the file
 * threads ({@link FileWork}), where parquet-java's record writer encodes a row's values one column
 * after the other on one thread. Encoding and compressing take most of the time of writing a file,
 * and no column's encoding depends on another's.
 *
 * <p>Each column goes through a column writer of its own, with the file's page, dictionary,
 * statistics and checksum settings, into compressed pages buffered in memory, as in parquet-java's
 * writer. A row group is written out, its column chunks in schema order, once its buffered size
 * nears the row group size; the size is checked after a first few rows, then halfway to where the
 * rows seen so far say the row group fills up, as parquet-java checks it, and at least every
 * {@value #ROUND_ROWS} rows. Only the page boundaries may differ from that writer's: each column's page
 * size is checked on a schedule of its own.
 */
final class ParallelParquetWriter {
  /**
   * The most rows whose values are encoded in one round, every column side by side. The columns of a
   * round read the same rows: few enough that those rows stay in the cores' caches from one column to
   * the next, where a round of a whole row group reads every row from memory again for each column.
   */
  private static final int ROUND_ROWS = 4096;

  private ParallelParquetWriter() {}

  /**
   * Hands one value (never null) of a column to its column writer, at {@code definitionLevel};
   * throws {@link ArithmeticException} for a value the column cannot hold.
   */
  @FunctionalInterface
  interface ValueWriter {
    void write(ColumnWriter column, Object value, int definitionLevel);
  }

  /** How a file is written: the Parquet settings of a Hadoop configuration, with parquet-java's defaults. */
  record Settings(CompressionCodecName codec, long rowGroupSize, int maxPaddingSize, ParquetProperties properties) {
    Settings {
      requireNonNull(codec, "codec is null");
      requireNonNull(properties, "properties is null");
    }

    /** The {@link ParquetOutputFormat} keys of {@code hadoop} that Kernel's default writer reads. */
    static Settings of(Configuration hadoop) {
      ParquetProperties properties = ParquetProperties.builder()
          .withPageSize(hadoop.getInt(ParquetOutputFormat.PAGE_SIZE, ParquetProperties.DEFAULT_PAGE_SIZE))
          .withDictionaryPageSize(hadoop.getInt(ParquetOutputFormat.DICTIONARY_PAGE_SIZE,
              ParquetProperties.DEFAULT_DICTIONARY_PAGE_SIZE))
          .withDictionaryEncoding(hadoop.getBoolean(ParquetOutputFormat.ENABLE_DICTIONARY,
              ParquetProperties.DEFAULT_IS_DICTIONARY_ENABLED))
          .withWriterVersion(WriterVersion.fromString(hadoop.get(ParquetOutputFormat.WRITER_VERSION,
              ParquetProperties.DEFAULT_WRITER_VERSION.name())))
          .build();
      return new Settings(CompressionCodecName.fromConf(hadoop.get(ParquetOutputFormat.COMPRESSION)),
          hadoop.getLong(ParquetOutputFormat.BLOCK_SIZE, ParquetWriter.DEFAULT_BLOCK_SIZE),
          hadoop.getInt(ParquetOutputFormat.MAX_PADDING_BYTES, ParquetWriter.MAX_PADDING_SIZE_DEFAULT), properties);
    }
  }

  /**
   * Writes {@code rows} (at least one; each an array of the values of {@code schema}'s columns, in
   * its order, null where a value is missing) to {@code file}, which must not exist.
   *
   * @param schema a schema of primitive top-level columns only
   * @param values the writer of each column's values
   * @throws IllegalArgumentException if a row has no value for a required column, or a value writer
   *     refuses a value; the file is then left unfinished, for the caller to remove
   */
  static void write(OutputFile file, Configuration hadoop, MessageType schema, Settings settings,
      List<ValueWriter> values, List<Object[]> rows) throws IOException {
    if (values.size() != schema.getFieldCount() || schema.getColumns().size() != schema.getFieldCount()) {
      throw new IllegalArgumentException("Expected a writer for each of the primitive columns of " + schema);
    }
    try (ParquetFileWriter writer = new ParquetFileWriter(file, schema, ParquetFileWriter.Mode.CREATE,
        settings.rowGroupSize(), settings.maxPaddingSize(), null, settings.properties())) {
      writer.start();
      int from = 0;
      while (from < rows.size()) {
        from = writeRowGroup(writer, hadoop, schema, settings, values, rows, from);
      }
      writer.end(Map.of());
    }
  }

  /** Writes the rows from {@code from} that fit one row group; returns the index of the first row left. */
  private static int writeRowGroup(ParquetFileWriter writer, Configuration hadoop, MessageType schema,
      Settings settings, List<ValueWriter> values, List<Object[]> rows, int from) throws IOException {
    ParquetProperties properties = settings.properties();
    long target = Math.min(writer.getNextRowGroupSize(), settings.rowGroupSize());
    List<ColumnChunk> columns = new ArrayList<>();
    try {
      for (int i = 0; i < schema.getFieldCount(); i++) {
        columns.add(new ColumnChunk(schema, i, values.get(i), hadoop, settings));
      }
      int end = from;
      int take = Math.min(rows.size() - from, properties.getMinRowCountForPageSizeCheck());
      while (true) {
        int start = end;
        end = start + take;
        int until = end;
        FileWork.map(columns, column -> column.encode(rows, start, until));
        long count = end - from;
        long buffered = columns.stream().mapToLong(ColumnChunk::bufferedSize).sum();
        double rowSize = Math.max(1.0, (double) buffered / count);
        if (end == rows.size() || count >= properties.getRowGroupRowCountLimit() || buffered > target - 2 * rowSize) {
          break;
        }
        long fitting = (long) ((target - buffered) / rowSize);
        // Halfway to where the row group fills up, within a round's rows and what is left to write.
        long next = Math.min(ROUND_ROWS, Math.max(properties.getMinRowCountForPageSizeCheck(), fitting / 2));
        take = (int) Math.min(next, Math.min(rows.size() - end, properties.getRowGroupRowCountLimit() - count));
      }
      // The last pages and dictionaries are encoded and compressed side by side too; writing them out is a copy.
      FileWork.map(columns, ColumnChunk::finish);
      writer.startBlock(end - from);
      for (ColumnChunk column : columns) {
        column.writeTo(writer);
      }
      writer.endBlock();
      return end;
    } finally {
      columns.forEach(ColumnChunk::close);
    }
  }

  /** One column of a row group: its column writer and the compressed pages it buffers. */
  private static final class ColumnChunk {
    private final int index;
    private final ValueWriter values;
    private final boolean required;
    private final String name;
    private final ColumnChunkPageWriteStore pages;
    private final ColumnWriteStore store;
    private final ColumnWriter writer;
    private final int definitionLevel;

    ColumnChunk(MessageType schema, int index, ValueWriter values, Configuration hadoop, Settings settings) {
      this.index = index;
      this.values = requireNonNull(values, "values is null");
      ParquetProperties properties = settings.properties();
      // The column's schema alone: its descriptor's path, type and levels are the file's for that column.
      MessageType column = new MessageType(schema.getName(), schema.getType(index));
      ColumnDescriptor descriptor = column.getColumns().get(0);
      this.name = schema.getType(index).getName();
      this.definitionLevel = descriptor.getMaxDefinitionLevel();
      this.required = definitionLevel == 0;
      this.pages = new ColumnChunkPageWriteStore(new ThreadCompressor(hadoop, settings.codec(),
          properties.getPageSizeThreshold()), column,
          properties.getAllocator(), properties.getColumnIndexTruncateLength(),
          properties.getPageWriteChecksumEnabled());
      this.store = properties.newColumnWriteStore(column, pages, pages);
      this.writer = store.getColumnWriter(descriptor);
    }

    /** Encodes the column's values of rows {@code from} (inclusive) to {@code to} (exclusive). */
    Void encode(List<Object[]> rows, int from, int to) {
      for (int i = from; i < to; i++) {
        Object value = rows.get(i)[index];
        if (value != null) {
          try {
            values.write(writer, value, definitionLevel);
          } catch (ArithmeticException e) {
            throw new IllegalArgumentException("Column " + name + " cannot hold the value " + value + ": "
                + e.getMessage(), e);
          }
        } else if (required) {
          throw new IllegalArgumentException("Column " + name + " is not nullable; a row has no value for it");
        } else {
          writer.writeNull(0, 0);
        }
        store.endRecord();
      }
      return null;
    }

    long bufferedSize() {
      return store.getBufferedSize();
    }

    /** Ends the column's last page and writes its dictionary page. */
    Void finish() {
      store.flush();
      return null;
    }

    void writeTo(ParquetFileWriter file) throws IOException {
      pages.flushToFileWriter(file);
    }

    void close() {
      try {
        store.close();
      } finally {
        pages.close();
      }
    }
  }

  /**
   * Compresses on the calling thread's own compressor of the codec. parquet-java's compressors reuse
   * one output buffer, so they are not safe on several threads at once, and a column may be encoded
   * on another thread in each round; a page writer copies each compressed page before it compresses
   * the next, so one compressor per thread is enough. The compressors live as long as their thread
   * and their configuration, one per codec, so that a file does not allocate a page-sized buffer
   * for each column.
   */
  private static final class ThreadCompressor implements BytesInputCompressor {
    private static final ThreadLocal<Map<Configuration, Map<CompressionCodecName, BytesInputCompressor>>> COMPRESSORS =
        ThreadLocal.withInitial(WeakHashMap::new);

    private final Configuration hadoop;
    private final CompressionCodecName codec;
    private final int pageSize;

    ThreadCompressor(Configuration hadoop, CompressionCodecName codec, int pageSize) {
      this.hadoop = requireNonNull(hadoop, "hadoop is null");
      this.codec = requireNonNull(codec, "codec is null");
      this.pageSize = pageSize;
    }

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      return COMPRESSORS.get().computeIfAbsent(hadoop, conf -> new EnumMap<>(CompressionCodecName.class))
          .computeIfAbsent(codec, name -> new CodecFactory(hadoop, pageSize).getCompressor(name))
          .compress(bytes);
    }

    @Override
    public CompressionCodecName getCodecName() {
      return codec;
    }

    @Override
    public void release() {
      // The thread's compressors outlive any one file.
    }
  }
}
