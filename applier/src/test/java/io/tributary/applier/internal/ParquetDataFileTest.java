package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FieldMetadata;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import io.tributary.applier.DeltaEngines;
import io.tributary.coordinator.delta.RowColumnarBatch;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applier's data files against the ones Kernel's default writer makes of the same rows. */
class ParquetDataFileTest {
  private final WritingEngine engine = (WritingEngine) DeltaEngines.forWriting(Map.of());

  @TempDir
  Path directory;

  @Test
  void layoutAndStatisticsAreKernelsForEveryTypeWritten() throws IOException {
    StructType schema = new StructType()
        .add("id", LongType.LONG, false)
        .add("flag", BooleanType.BOOLEAN)
        .add("small", IntegerType.INTEGER)
        .add("ratio", FloatType.FLOAT)
        .add("score", DoubleType.DOUBLE)
        .add("price", new DecimalType(7, 2))
        .add("amount", new DecimalType(12, 2))
        .add("big", new DecimalType(38, 10))
        .add("note", StringType.STRING)
        .add("blob", BinaryType.BINARY)
        .add("day", DateType.DATE)
        .add("at", TimestampType.TIMESTAMP)
        .add("local_at", TimestampNTZType.TIMESTAMP_NTZ)
        .add("never", StringType.STRING);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(new Object[] {(long) i - 250, i % 3 == 0 ? null : i % 2 == 0, i, i / 7f, -i * 1.25d,
          new BigDecimal(i + ".05"), new BigDecimal(-i * 1000 + ".5"),
          new BigDecimal("-1234567890123456789012345678.0123456789").add(BigDecimal.valueOf(i)),
          i % 5 == 0 ? null : "note ü " + i, new byte[] {(byte) i, 0, -1}, 19_000 + i, 1_700_000_000_000_000L + i,
          -5L * i, null});
    }
    List<Column> statsColumns = schema.fieldNames().stream().map(Column::new).toList();

    DataFileStatus ours = ParquetDataFile.write(engine, directory.resolve("ours").toString(), schema, statsColumns, rows);
    DataFileStatus kernels = kernelWrite(schema, statsColumns, rows);

    assertThat(footer(ours).getFileMetaData().getSchema()).isEqualTo(footer(kernels).getFileMetaData().getSchema());
    // As the add actions record them (binary bounds compare by identity in the objects).
    assertThat(ours.getStatistics().orElseThrow().serializeAsJson(schema))
        .isEqualTo(kernels.getStatistics().orElseThrow().serializeAsJson(schema));
    assertThat(ours.getStatistics().orElseThrow().getNumRecords()).isEqualTo(500);
    assertThat(footer(ours).getBlocks().get(0).getColumns().get(0).getCodec())
        .isEqualTo(footer(kernels).getBlocks().get(0).getColumns().get(0).getCodec());
  }

  @Test
  void physicalNamesCarryTheirFieldIds() throws IOException {
    StructType schema = new StructType()
        .add("col-1a", LongType.LONG, FieldMetadata.builder().putLong(ColumnMapping.PARQUET_FIELD_ID_KEY, 1).build())
        .add("col-2b", StringType.STRING, FieldMetadata.builder().putLong(ColumnMapping.PARQUET_FIELD_ID_KEY, 2).build());
    List<Object[]> rows = List.<Object[]>of(new Object[] {1L, "a"}, new Object[] {2L, null});
    List<Column> statsColumns = List.of(new Column("col-1a"), new Column("col-2b"));

    DataFileStatus ours = ParquetDataFile.write(engine, directory.resolve("ours").toString(), schema, statsColumns, rows);

    assertThat(footer(ours).getFileMetaData().getSchema())
        .isEqualTo(footer(kernelWrite(schema, statsColumns, rows)).getFileMetaData().getSchema());
    assertThat(footer(ours).getFileMetaData().getSchema().getType("col-2b").getId().intValue()).isEqualTo(2);
  }

  @Test
  void rowsBeyondTheRowGroupSizeGoToSeveralRowGroupsInOrder() throws IOException {
    WritingEngine small = (WritingEngine) DeltaEngines.forWriting(Map.of("parquet.block.size", "262144"));
    StructType schema = new StructType()
        .add("id", LongType.LONG, false)
        .add("note", StringType.STRING)
        .add("amount", new DecimalType(12, 2));
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      String note = i % 11 == 0 ? null : "note " + (i * 7919L % 100_003);
      rows.add(new Object[] {(long) i, note, new BigDecimal(i + ".25")});
    }
    List<Column> statsColumns = schema.fieldNames().stream().map(Column::new).toList();

    DataFileStatus ours = ParquetDataFile.write(small, directory.resolve("ours").toString(), schema, statsColumns,
        rows);

    ParquetMetadata footer = footer(ours);
    assertThat(footer.getBlocks()).hasSizeGreaterThan(1);
    assertThat(footer.getBlocks().stream().mapToLong(block -> block.getRowCount()).sum()).isEqualTo(30_000);
    // Each row group near the row group size: none holds it several times over.
    assertThat(footer.getBlocks()).allSatisfy(block -> assertThat(block.getTotalByteSize()).isLessThan(2 * 262_144));
    assertThat(readBack(ours, schema)).containsExactlyElementsOf(
        rows.stream().map(row -> List.of(row[0], String.valueOf(row[1]), row[2].toString())).toList());
    assertThat(ours.getStatistics().orElseThrow().serializeAsJson(schema))
        .isEqualTo(kernelWrite(schema, statsColumns, rows).getStatistics().orElseThrow().serializeAsJson(schema));
  }

  @Test
  void aDecimalBeyondItsScaleOrAMissingRequiredValueIsRefusedAndLeavesNoFile() throws IOException {
    StructType schema = new StructType().add("id", LongType.LONG, false).add("price", new DecimalType(7, 2));
    String target = directory.resolve("bad").toString();

    assertThatThrownBy(() -> ParquetDataFile.write(engine, target, schema, List.of(),
        List.<Object[]>of(new Object[] {1L, BigDecimal.ONE}, new Object[] {2L, new BigDecimal("1.005")})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Column price cannot hold the value 1.005");
    assertThatThrownBy(() -> ParquetDataFile.write(engine, target, schema, List.of(),
        List.<Object[]>of(new Object[] {null, BigDecimal.ONE}))).hasMessageContaining("Column id is not nullable");
    // No partial file is left behind.
    try (Stream<Path> left = Files.list(Path.of(target))) {
      assertThat(left.filter(file -> file.toString().endsWith(".parquet"))).isEmpty();
    }
  }

  private DataFileStatus kernelWrite(StructType schema, List<Column> statsColumns, List<Object[]> rows)
      throws IOException {
    Path target = Files.createDirectories(directory.resolve("kernel-" + System.nanoTime()));
    FilteredColumnarBatch batch = new FilteredColumnarBatch(new RowColumnarBatch(schema, rows), Optional.empty());
    try (CloseableIterator<DataFileStatus> written = engine.getParquetHandler().writeParquetFiles(target.toString(),
        Utils.toCloseableIterator(List.of(batch).iterator()), statsColumns)) {
      return written.next();
    }
  }

  /** The rows of a file of (bigint, string, decimal) columns, each as its id, note (or "null") and amount text. */
  private List<List<Object>> readBack(DataFileStatus file, StructType schema) throws IOException {
    List<List<Object>> rows = new ArrayList<>();
    try (CloseableIterator<FileReadResult> batches = engine.getParquetHandler().readParquetFiles(
        Utils.singletonCloseableIterator(FileStatus.of(file.getPath(), file.getSize(), 0)), schema, Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next().getData();
        for (int i = 0; i < batch.getSize(); i++) {
          ColumnVector note = batch.getColumnVector(1);
          rows.add(List.of(batch.getColumnVector(0).getLong(i), note.isNullAt(i) ? "null" : note.getString(i),
              batch.getColumnVector(2).getDecimal(i).toString()));
        }
      }
    }
    return rows;
  }

  private static ParquetMetadata footer(DataFileStatus file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.getPath()), new Configuration()))) {
      return reader.getFooter();
    }
  }
}
