package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.internal.SegmentFormat;
import io.tributary.staging.internal.TableSchemaCodec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentRoundTripTest {
  private static final TableId TABLE = TableId.parse("shop.public.orders");
  private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
      new Column("id", ColumnType.LONG, false),
      new Column("small", ColumnType.INT, true),
      new Column("flag", ColumnType.BOOLEAN, true),
      new Column("ratio", ColumnType.FLOAT, true),
      new Column("score", ColumnType.DOUBLE, true),
      new Column("price", ColumnType.decimal(12, 2), true),
      new Column("big", ColumnType.decimal(38, 10), true),
      new Column("note", ColumnType.STRING, true),
      new Column("blob", ColumnType.BINARY, true),
      new Column("day", ColumnType.DATE, true),
      new Column("at", ColumnType.TIMESTAMP, true),
      new Column("local_at", ColumnType.TIMESTAMP_NTZ, true)), List.of("id"));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC);

  @TempDir
  Path directory;

  @Test
  void writesPublishesAndReadsBackEveryType() {
    List<ChangeEvent> events = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      BitSet unavailable = new BitSet();
      if (i % 10 == 3) {
        unavailable.set(7);
      }
      Object[] values = {(long) i, i % 7 == 0 ? null : i, i % 2 == 0, i / 3f, i * 1.5d, new BigDecimal(i + ".25"),
          new BigDecimal("-1234567890123456789012345678.0123456789"), unavailable.get(7) ? null : "note " + i,
          new byte[] {(byte) i, 0, -1}, 20_000 + i, 1_700_000_000_000_000L + i, -5L};
      Operation operation = i % 5 == 4 ? Operation.DELETE : Operation.UPDATE;
      events.add(new ChangeEvent(TABLE, operation, SourcePosition.of(1, i / 10, i, 0), values, unavailable,
          1_700_000_000_000L + i, i % 3 == 0 ? Optional.empty() : Optional.of("tx" + i / 10), 1_700_000_000_500L));
    }
    SegmentInfo info;
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      SegmentWriter writer = store.newSegmentWriter(SCHEMA, 3);
      events.forEach(writer::append);
      assertThat(writer.rowCount()).isEqualTo(1000);
      info = writer.finish();
      assertThat(info.path().getPath()).contains("/shop/public.orders/2026-11-21/000000000003_");
      assertThat(Files.exists(Path.of(info.path()))).isTrue();
      assertThat(directory.resolve("_spool")).isEmptyDirectory();
      assertThat(store.lastSequence(TABLE)).isEqualTo(3);

      ManifestRecord manifest = ManifestRecord.forSegment(info, 0);
      try (SegmentReader reader = store.openSegment(manifest)) {
        assertThat(reader.schema()).isEqualTo(SCHEMA);
        assertThat(reader.readAll()).containsExactlyElementsOf(events);
      }
    }
  }

  @Test
  void refusesOutOfOrderEventsAndOtherTables() {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK);
        SegmentWriter writer = store.newSegmentWriter(SCHEMA, 0)) {
      writer.append(event(5));
      assertThatThrownBy(() -> writer.append(event(4))).hasMessageContaining("comes before the previous event");
      ChangeEvent other = new ChangeEvent(TableId.parse("shop.public.other"), Operation.INSERT, SourcePosition.of(9),
          new Object[12], new BitSet(), 0, Optional.empty(), 0);
      assertThatThrownBy(() -> writer.append(other)).hasMessageContaining("appended to a segment of shop.public.orders");
    }
    assertThat(directory.resolve("_spool")).isEmptyDirectory();
  }

  @Test
  void aValueOfTheWrongTypeNamesItsColumnAndTheSegmentCannotBeFinished() {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK);
        SegmentWriter writer = store.newSegmentWriter(SCHEMA, 0)) {
      writer.append(event(1));
      ChangeEvent wrong = event(2);
      wrong.values()[7] = 42L;
      assertThatThrownBy(() -> writer.append(wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Column 'note' of shop.public.orders has type STRING but got a Long");
      // Part of that row is in the file: it is never published.
      assertThatThrownBy(writer::finish).hasMessageContaining("holds a row written in part");
      assertThat(store.listSegments(TABLE)).isEmpty();
    }
    assertThat(directory.resolve("_spool")).isEmptyDirectory();
  }

  @Test
  void detectsCorruptionBeforeReading() throws Exception {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      SegmentWriter writer = store.newSegmentWriter(SCHEMA, 1);
      for (int i = 0; i < 10; i++) {
        writer.append(event(i));
      }
      ManifestRecord manifest = ManifestRecord.forSegment(writer.finish(), 0);
      Path file = Path.of(manifest.segmentPath());
      try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
        raw.seek(raw.length() / 2);
        int b = raw.read();
        raw.seek(raw.length() / 2);
        raw.write(b ^ 0xFF);
      }
      assertThatThrownBy(() -> store.openSegment(manifest))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_CORRUPT))
          .hasMessageContaining("its checksum is");

      try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
        raw.setLength(raw.length() - 7);
      }
      assertThatThrownBy(() -> store.openSegment(manifest)).hasMessageContaining("bytes, the manifest announced");
    }
  }

  @Test
  void readsEventsAcrossPagesAndRowGroups() {
    TableSchema schema = new TableSchema(TABLE, List.of(new Column("id", ColumnType.LONG, false),
        new Column("note", ColumnType.STRING, true), new Column("price", ColumnType.decimal(12, 2), true)), List.of("id"));
    List<ChangeEvent> events = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 60_000; i++) {
      BitSet unavailable = new BitSet();
      if (i % 1000 == 7) {
        unavailable.set(1);
      }
      // About 100 random bytes per row, which ZSTD cannot shrink: several pages and row groups.
      String note = unavailable.get(1) ? null : i % 17 == 0 ? "" : randomText(random, 100);
      Object[] values = {(long) i, note, i % 11 == 0 ? null : new BigDecimal(i + ".05")};
      Operation operation = i % 3 == 0 ? Operation.INSERT : i % 3 == 1 ? Operation.UPDATE : Operation.DELETE;
      events.add(new ChangeEvent(TABLE, operation, SourcePosition.of(1, i / 100, i, 0), values, unavailable, i,
          i % 5 == 0 ? Optional.empty() : Optional.of("tx" + i / 100), 2L * i));
    }
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      SegmentWriter writer = store.newSegmentWriter(schema, 1);
      events.forEach(writer::append);
      ManifestRecord manifest = ManifestRecord.forSegment(writer.finish(), 0);
      Path file = Path.of(manifest.segmentPath());
      assertThat(rowGroups(file)).as("row groups").isGreaterThan(1);
      try (SegmentReader reader = store.openSegment(manifest)) {
        assertThat(reader.readAll()).containsExactlyElementsOf(events);
        assertThat(reader.next()).isEmpty();
      }
      // Row group by row group, each through a reader of its own, the last first: the same events.
      try (SegmentReader reader = store.openSegment(manifest)) {
        assertThat(reader.rowGroups()).isEqualTo(rowGroups(file));
        List<List<ChangeEvent>> groups = new ArrayList<>();
        for (int group = reader.rowGroups() - 1; group >= 0; group--) {
          groups.add(0, reader.readRowGroup(group));
        }
        assertThat(groups).allSatisfy(group -> assertThat(group).isNotEmpty());
        assertThat(groups.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(events);
        // Reading row groups leaves the reader's own progress where it was.
        assertThat(reader.next()).contains(events.get(0));
        assertThatThrownBy(() -> reader.readRowGroup(reader.rowGroups())).isInstanceOf(IndexOutOfBoundsException.class);
      }
    }
  }

  /**
   * Column chunks hand their value arrays on to the next chunks, of the same segment or of others,
   * through the store's buffers: nothing written into an array before may show in a later segment.
   */
  @Test
  void segmentsOpenSideBySideAndOneAfterAnotherShareValueArraysAndReadBackExactly() {
    TableId other = TableId.parse("shop.public.customers");
    Random random = new Random(11);
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      assertThat(store.valueBuffers().idleBytes()).isZero();
      List<ChangeEvent> first = textEvents(TABLE, 20_000, 120, random);
      List<ChangeEvent> second = textEvents(other, 15_000, 40, random);
      SegmentWriter firstWriter = store.newSegmentWriter(textSchema(TABLE), 1);
      SegmentWriter secondWriter = store.newSegmentWriter(textSchema(other), 1);
      for (int i = 0; i < first.size(); i++) {
        firstWriter.append(first.get(i));
        if (i < second.size()) {
          secondWriter.append(second.get(i));
        }
      }
      ManifestRecord firstManifest = ManifestRecord.forSegment(firstWriter.finish(), 0);
      assertThat(store.valueBuffers().idleBytes()).as("arrays given back by the finished segment").isPositive();

      // Fewer and shorter values than the arrays it takes over held.
      List<ChangeEvent> third = textEvents(TABLE, 500, 3, random);
      SegmentWriter thirdWriter = store.newSegmentWriter(textSchema(TABLE), 2);
      third.forEach(thirdWriter::append);
      ManifestRecord thirdManifest = ManifestRecord.forSegment(thirdWriter.finish(), 0);
      ManifestRecord secondManifest = ManifestRecord.forSegment(secondWriter.finish(), 0);

      for (Map.Entry<ManifestRecord, List<ChangeEvent>> segment : Map.of(firstManifest, first, secondManifest, second,
          thirdManifest, third).entrySet()) {
        try (SegmentReader reader = store.openSegment(segment.getKey())) {
          assertThat(reader.readAll()).containsExactlyElementsOf(segment.getValue());
        }
      }
    }
  }

  private static TableSchema textSchema(TableId table) {
    return new TableSchema(table, List.of(new Column("id", ColumnType.LONG, false),
        new Column("note", ColumnType.STRING, true), new Column("price", ColumnType.decimal(12, 2), true)), List.of("id"));
  }

  private static List<ChangeEvent> textEvents(TableId table, int count, int textLength, Random random) {
    List<ChangeEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Object[] values = {(long) i, i % 13 == 0 ? null : randomText(random, textLength),
          i % 7 == 0 ? null : new BigDecimal(random.nextInt(1_000_000) + "." + (10 + i % 90))};
      events.add(new ChangeEvent(table, Operation.INSERT, SourcePosition.of(1, i, 0), values, ChangeEvent.NONE_UNAVAILABLE,
          i, Optional.of("tx" + i / 50), 3L * i));
    }
    return events;
  }

  @Test
  void decimalsReadBackExactlyAtEveryWidthAndSign() {
    // 1 byte, 8 bytes (read as a long) and 16 bytes (read as a BigInteger) of unscaled value.
    TableSchema schema = new TableSchema(TABLE, List.of(new Column("id", ColumnType.LONG, false),
        new Column("tiny", ColumnType.decimal(2, 1), true), new Column("wide", ColumnType.decimal(18, 4), true),
        new Column("huge", ColumnType.decimal(38, 0), true)), List.of("id"));
    String[][] cases = {
        {"0.0", "0.0000", "0"},
        {"9.9", "99999999999999.9999", "99999999999999999999999999999999999999"},
        {"-9.9", "-99999999999999.9999", "-99999999999999999999999999999999999999"},
        {"-0.1", "-0.0001", "-1"},
        {"1.2", "-128.0000", "-128"},
        {"-1.2", "255.0255", "65536"}};
    List<ChangeEvent> events = new ArrayList<>();
    for (int i = 0; i < cases.length; i++) {
      Object[] values =
          {(long) i, new BigDecimal(cases[i][0]), new BigDecimal(cases[i][1]), new BigDecimal(cases[i][2])};
      events.add(new ChangeEvent(TABLE, Operation.INSERT, SourcePosition.of(1, i), values, new BitSet(), i,
          Optional.empty(), i));
    }
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      SegmentWriter writer = store.newSegmentWriter(schema, 1);
      events.forEach(writer::append);
      try (SegmentReader reader = store.openSegment(ManifestRecord.forSegment(writer.finish(), 0))) {
        List<ChangeEvent> read = reader.readAll();
        assertThat(read).containsExactlyElementsOf(events);
        // Equal in value and in scale, as the staged decimals are.
        for (int i = 0; i < cases.length; i++) {
          for (int column = 1; column <= 3; column++) {
            assertThat(((BigDecimal) read.get(i).value(column)).toPlainString()).isEqualTo(cases[i][column - 1]);
          }
        }
      }
    }
  }

  @Test
  void aSegmentWhoseColumnsAreNotItsSchemasLayoutIsRefused() throws Exception {
    // The footer names the orders schema; the columns are those of another layout.
    TableSchema other = new TableSchema(TABLE, List.of(new Column("id", ColumnType.STRING, false)), List.of("id"));
    Path file = directory.resolve("mismatched.parquet");
    writeRaw(file, SegmentFormat.messageType(other), SCHEMA, group -> group.append(SegmentFormat.OP, "c")
        .append(SegmentFormat.POS, SourcePosition.of(1, 1).value()).append(SegmentFormat.TS_MS, 0L)
        .append(SegmentFormat.CAPTURE_MS, 0L));
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      assertThatThrownBy(() -> store.openSegment(TABLE, file.toUri()))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_CORRUPT))
          .hasMessageContaining("columns do not match its schema")
          .hasMessageContaining("it has 7 columns, its schema's layout has 18");
    }
  }

  @Test
  void aRowThatCannotBeReadNamesItsReason() throws Exception {
    Path file = directory.resolve("bad-operation.parquet");
    writeRaw(file, SegmentFormat.messageType(SCHEMA), SCHEMA, group -> group.append(SegmentFormat.OP, "x")
        .append(SegmentFormat.POS, SourcePosition.of(1, 1).value()).append(SegmentFormat.TS_MS, 0L)
        .append(SegmentFormat.CAPTURE_MS, 0L).addGroup(SegmentFormat.ROW).append("id", 1L));
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK);
        SegmentReader reader = store.openSegment(TABLE, file.toUri())) {
      assertThatThrownBy(reader::next)
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_CORRUPT))
          .hasMessageContaining("Cannot read segment")
          .hasMessageContaining("x");
      assertThatThrownBy(() -> reader.readRowGroup(0))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_CORRUPT))
          .hasMessageContaining("Cannot read segment")
          .hasMessageContaining("x");
    }
  }

  /** Writes one row of {@code layout} with plain parquet-java, under a footer naming {@code footerSchema}. */
  private static void writeRaw(Path file, MessageType layout, TableSchema footerSchema, Consumer<Group> row)
      throws IOException {
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
        .withType(layout)
        .withExtraMetaData(Map.of(SegmentFormat.META_FORMAT_VERSION, Integer.toString(SegmentFormat.FORMAT_VERSION),
            SegmentFormat.META_SCHEMA, TableSchemaCodec.toJson(footerSchema)))
        .build()) {
      Group group = new SimpleGroupFactory(layout).newGroup();
      row.accept(group);
      writer.write(group);
    }
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) (i % 10 == 9 ? 0x4e00 + random.nextInt(2000) : 'a' + random.nextInt(26)));
    }
    return text.toString();
  }

  private static int rowGroups(Path file) {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return reader.getRowGroups().size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aCorruptSegmentMovedAsideIsNoLongerListedButKeepsItsSequenceNumber() {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      List<ManifestRecord> manifests = new ArrayList<>();
      for (int sequence = 1; sequence <= 2; sequence++) {
        SegmentWriter writer = store.newSegmentWriter(SCHEMA, sequence);
        writer.append(event(sequence));
        manifests.add(ManifestRecord.forSegment(writer.finish(), sequence));
      }
      java.net.URI last = manifests.get(1).segmentPath();

      java.net.URI movedTo = store.quarantine(last);

      assertThat(movedTo).isEqualTo(store.quarantinePath(last));
      assertThat(Path.of(movedTo)).isEqualTo(directory.resolve(".corrupt/shop/public.orders/2026-11-21")
          .resolve(Path.of(last).getFileName()));
      assertThat(Path.of(last)).doesNotExist();
      assertThat(store.listSegments(TABLE)).containsExactly(manifests.get(0).segmentPath());
      assertThat(store.lastSequence(TABLE)).as("a new segment never takes the number of one moved aside").isEqualTo(2);
      assertThatThrownBy(() -> store.quarantine(last))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_MISSING));
      assertThatThrownBy(() -> store.openSegment(manifests.get(1)))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_MISSING));
    }
  }

  @Test
  void stagedFilesAndDirectoriesGiveOthersNoAccess() throws IOException {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory.resolve("staging")), CLOCK)) {
      SegmentWriter writer = store.newSegmentWriter(SCHEMA, 1);
      writer.append(event(1));
      writer.finish();
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(directory.resolve("staging"))) {
      assertThat(paths.toList()).hasSizeGreaterThan(4).allSatisfy(path -> assertThat(Files.getPosixFilePermissions(path))
          .as("permissions of %s", path)
          .doesNotContain(java.nio.file.attribute.PosixFilePermission.OTHERS_READ,
              java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE,
              java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE,
              java.nio.file.attribute.PosixFilePermission.GROUP_WRITE));
    }
  }

  @Test
  void neverOverwritesAPublishedSegment() {
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      SegmentWriter first = store.newSegmentWriter(SCHEMA, 1);
      first.append(event(1));
      first.finish();
      SegmentWriter second = store.newSegmentWriter(SCHEMA, 1);
      second.append(event(1));
      assertThatThrownBy(second::finish).hasMessageContaining("already exists");
    }
    assertThat(directory.resolve("_spool")).isEmptyDirectory();
  }

  private static ChangeEvent event(int i) {
    Object[] values = new Object[12];
    values[0] = (long) i;
    return new ChangeEvent(TABLE, Operation.INSERT, SourcePosition.of(1, i), values, new BitSet(), 0, Optional.empty(), 0);
  }
}
