package io.tributary.loadtests.internal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.internal.ApplierContext;
import io.tributary.applier.internal.ApplierMetrics;
import io.tributary.applier.internal.BatchResult;
import io.tributary.applier.internal.ManifestPartition;
import io.tributary.applier.internal.PendingManifest;
import io.tributary.applier.internal.TableApplier;
import io.tributary.applier.internal.TableOpener;
import io.tributary.coordinator.CoordinatorConfig;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentInfo;
import io.tributary.staging.SegmentWriter;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * The applier's side of benchmark {@code apply}, run in its own JVM: Tributary's table applier
 * ({@link TableApplier} on Delta Kernel) applying staged segments, each commit ratified
 * by a coordinator running in the same JVM with its embedded file store and reached over HTTP on
 * 127.0.0.1, as {@code tributary standalone} runs them. In the insert part, plain parquet-java writes
 * the same rows too, in the same JVM.
 *
 * <p>Every repeat starts anew: a coordinator, a staging area and a table of its own. Staging the
 * segments and loading the initial table come first and are not timed; then each batch's
 * {@link TableApplier#apply} is timed on its own. The process reports to the file named by the system
 * property {@link #REPORT_PROPERTY}, one line per fact:
 * {@code TIMED <system> <part> <repeat> <batch> <nanos> <gcMillis> <cpuMillis>} (see {@link JvmTime}),
 * {@code TABLE <part> <repeat> <uri>}, {@code BYTES <system> <repeat> <bytes> <files>},
 * {@code FORMAT <codec> <rowGroupBytes> <schemaMatches>}.
 *
 * <p>Arguments: {@code upsert <work> <rows> <batches> <changesPerBatch> <loadBatchRows> <repeats>
 * <seed> <initialCopy>} or {@code insert <work> <rows> <batchRows> <repeats>}.
 */
public final class TributaryApplyRun {
  /** The segment the gateway rolls at most (its {@code segment.max-rows} default). */
  public static final int SEGMENT_MAX_ROWS = 100_000;
  /** The system property naming the file a benchmark child reports to. */
  public static final String REPORT_PROPERTY = "tributary.benchmark.report";
  private static final ManifestPartition PARTITION = new ManifestPartition("tributary.manifests",
      "Mm3VbC5ZQ0yHC7x2xwwNqA", 0);

  private final Clock clock = Clock.systemUTC();
  private final PrintStream report;
  private long position;
  private long offset;

  public static void main(String[] args) throws Exception {
    TributaryApplyRun run = new TributaryApplyRun(new PrintStream(new FileOutputStream(
        System.getProperty(REPORT_PROPERTY)), true, StandardCharsets.UTF_8));
    Path work = Path.of(args[1]);
    switch (args[0]) {
      case "upsert" -> run.upsert(work, Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]), Integer.parseInt(args[6]), Long.parseLong(args[7]), Path.of(args[8]));
      case "insert" -> run.insert(work, Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("unknown part " + args[0]);
    }
    run.report.println("DONE");
    System.exit(0);
  }

  private TributaryApplyRun(PrintStream report) {
    this.report = report;
  }

  /** One applier over its own coordinator and staging area. */
  private final class Applier implements AutoCloseable {
    final CoordinatorServer server;
    final HttpCoordinatorClient client;
    final StagingStore staging;
    final ApplierContext context;
    final SegmentSink segments;

    Applier(Path directory) {
      server = CoordinatorServer.start(CoordinatorConfig.local(directory.resolve("coordinator")), clock,
          new SimpleMeterRegistry());
      client = HttpCoordinatorClient.create(server.uri(), Optional.empty());
      StagingConfig stagingConfig = StagingConfig.local(directory.resolve("staging"));
      staging = StagingStore.open(stagingConfig, clock);
      ApplierConfig config = new ApplierConfig(directory.resolve("tables").toUri(), "benchmark",
          new WriterId("benchmark-applier"), 64, Duration.ofMillis(200), Duration.ofHours(1), Map.of(), "127.0.0.1:9",
          PARTITION.topic(), stagingConfig);
      context = new ApplierContext(config, DeltaEngines.forWriting(Map.of()), staging, client,
          CoordinatedCommitter::new, new ApplierMetrics(new SimpleMeterRegistry(), clock), clock);
      segments = new SegmentSink(staging, clock);
    }

    URI location() {
      return context.config().tableLocation(OrderRows.TABLE);
    }

    TableApplier open(ManifestRecord first) {
      return new TableOpener(context).open(OrderRows.TABLE, first, PARTITION);
    }

    @Override
    public void close() {
      staging.close();
      client.close();
      server.close();
    }
  }

  /** Writes segments the way the gateway does, numbered from 0. */
  private static final class SegmentSink {
    private final StagingStore staging;
    private long sequence;

    private final Clock clock;

    SegmentSink(StagingStore staging, Clock clock) {
      this.staging = staging;
      this.clock = clock;
    }

    ManifestRecord write(List<ChangeEvent> events) {
      try (SegmentWriter writer = staging.newSegmentWriter(OrderRows.SCHEMA, sequence++)) {
        events.forEach(writer::append);
        SegmentInfo info = writer.finish();
        return ManifestRecord.forSegment(info, clock.millis());
      }
    }
  }

  private ChangeEvent event(Operation operation, Object[] values) {
    long now = clock.millis();
    return new ChangeEvent(OrderRows.TABLE, operation, SourcePosition.of(SourcePosition.PHASE_STREAM, ++position),
        values, new BitSet(), now, Optional.empty(), now);
  }

  private PendingManifest pending(ManifestRecord manifest) {
    return new PendingManifest(PARTITION.partition(), offset++, manifest, clock.millis());
  }

  private static void committed(BatchResult result) {
    if (result.outcome() != BatchResult.Outcome.COMMITTED) {
      throw new IllegalStateException("a batch was not committed: " + result);
    }
  }

  private void upsert(Path work, long rows, int batches, int changesPerBatch, int loadBatchRows, int repeats, long seed,
      Path initialCopy) throws IOException {
    for (int repeat = 1; repeat <= repeats; repeat++) {
      position = 0;
      offset = 0;
      try (Applier applier = new Applier(work.resolve("tributary-upsert-" + repeat))) {
        // The initial table: inserts in segments of loadBatchRows, one commit each (not timed).
        List<ManifestRecord> load = new ArrayList<>();
        for (long from = 0; from < rows; from += loadBatchRows) {
          List<ChangeEvent> events = new ArrayList<>();
          for (long key = from; key < Math.min(rows, from + loadBatchRows); key++) {
            events.add(event(Operation.INSERT, OrderRows.row(key, 0)));
          }
          load.add(applier.segments.write(events));
        }
        TableApplier table = applier.open(load.get(0));
        for (ManifestRecord manifest : load) {
          committed(table.apply(List.of(pending(manifest))));
        }
        if (repeat == 1) {
          WorkDirectory.copy(Path.of(applier.location()), initialCopy);
          report.println("INITIAL " + initialCopy.toUri());
        }
        // The batches, staged before any is applied.
        UpsertWorkload workload = new UpsertWorkload(rows, changesPerBatch, seed);
        List<ManifestRecord> staged = new ArrayList<>();
        for (int batch = 0; batch < batches; batch++) {
          List<ChangeEvent> events = new ArrayList<>();
          for (UpsertWorkload.Change change : workload.nextBatch()) {
            events.add(event(Operation.fromCode(change.op()), change.values()));
          }
          staged.add(applier.segments.write(events));
        }
        System.gc();
        for (int batch = 0; batch < batches; batch++) {
          PendingManifest manifest = pending(staged.get(batch));
          JvmTime before = JvmTime.now();
          long start = System.nanoTime();
          BatchResult result = table.apply(List.of(manifest));
          long nanos = System.nanoTime() - start;
          JvmTime used = JvmTime.now().since(before);
          committed(result);
          report.printf("TIMED tributary upsert %d %d %d %d %d%n", repeat, batch + 1, nanos, used.gcMillis(),
              used.cpuMillis());
        }
        report.println("TABLE upsert " + repeat + " " + applier.location());
      }
    }
  }

  private void insert(Path work, long rows, int batchRows, int repeats) throws IOException {
    Optional<CompressionCodecName> codec = Optional.empty();
    long rowGroupBytes = ParquetWriter.DEFAULT_BLOCK_SIZE;
    for (int repeat = 1; repeat <= repeats; repeat++) {
      boolean tributaryFirst = repeat % 2 == 1;
      for (int turn = 0; turn < 2; turn++) {
        if ((turn == 0) == tributaryFirst) {
          Path table = insertTributary(work.resolve("tributary-insert-" + repeat), rows, batchRows, repeat);
          if (codec.isEmpty()) {
            codec = Optional.of(describeFormat(table));
          }
        } else {
          insertParquet(work.resolve("parquet-insert-" + repeat), rows, batchRows, repeat,
              codec.orElseThrow(() -> new IllegalStateException("the applier's codec is not known yet")), rowGroupBytes);
        }
      }
    }
  }

  private Path insertTributary(Path directory, long rows, int batchRows, int repeat) throws IOException {
    position = 0;
    offset = 0;
    try (Applier applier = new Applier(directory)) {
      List<ManifestRecord> staged = new ArrayList<>();
      for (long from = 0; from < rows; from += batchRows) {
        List<ChangeEvent> events = new ArrayList<>();
        for (long key = from; key < Math.min(rows, from + batchRows); key++) {
          events.add(event(Operation.INSERT, OrderRows.row(key, 0)));
        }
        staged.add(applier.segments.write(events));
      }
      // Opening creates the empty table (version 0): not timed, as the upsert part's initial load is not.
      TableApplier table = applier.open(staged.get(0));
      System.gc();
      for (int batch = 0; batch < staged.size(); batch++) {
        PendingManifest manifest = pending(staged.get(batch));
        JvmTime before = JvmTime.now();
        long start = System.nanoTime();
        BatchResult result = table.apply(List.of(manifest));
        long nanos = System.nanoTime() - start;
        JvmTime used = JvmTime.now().since(before);
        committed(result);
        report.printf("TIMED tributary insert %d %d %d %d %d%n", repeat, batch + 1, nanos, used.gcMillis(),
            used.cpuMillis());
      }
      Path location = Path.of(applier.location());
      List<Path> files = dataFiles(location);
      report.printf("BYTES tributary %d %d %d%n", repeat, size(files), files.size());
      report.println("TABLE insert " + repeat + " " + applier.location());
      return location;
    }
  }

  private void insertParquet(Path directory, long rows, int batchRows, int repeat, CompressionCodecName codec,
      long rowGroupBytes) throws IOException {
    Files.createDirectories(directory);
    Configuration hadoop = new Configuration();
    System.gc();
    int batch = 0;
    List<Path> files = new ArrayList<>();
    for (long from = 0; from < rows; from += batchRows) {
      batch++;
      // The rows are made before the clock starts: the applier's are staged before it starts too.
      List<Object[]> batchRowsList = new ArrayList<>();
      for (long key = from; key < Math.min(rows, from + batchRows); key++) {
        batchRowsList.add(OrderRows.row(key, 0));
      }
      Path file = directory.resolve(String.format("part-%05d.parquet", batch));
      JvmTime before = JvmTime.now();
      long start = System.nanoTime();
      try (ParquetWriter<Object[]> writer = RowParquetWriter.open(file.toUri(), OrderRows.COLUMNS, codec, rowGroupBytes,
          hadoop)) {
        for (Object[] row : batchRowsList) {
          writer.write(row);
        }
      }
      long nanos = System.nanoTime() - start;
      JvmTime used = JvmTime.now().since(before);
      files.add(file);
      report.printf("TIMED parquet insert %d %d %d %d %d%n", repeat, batch, nanos, used.gcMillis(),
          used.cpuMillis());
    }
    report.printf("BYTES parquet %d %d %d%n", repeat, size(files), files.size());
  }

  /** Reports the codec, row group size and schema of the applier's data files; returns the codec. */
  private CompressionCodecName describeFormat(Path table) throws IOException {
    Path file = dataFiles(table).get(0);
    Configuration hadoop = new Configuration();
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), hadoop))) {
      ParquetMetadata footer = reader.getFooter();
      CompressionCodecName codec = footer.getBlocks().get(0).getColumns().get(0).getCodec();
      boolean schemaMatches = footer.getFileMetaData().getSchema().getFields()
          .equals(RowParquetWriter.schema(OrderRows.COLUMNS).getFields());
      report.printf("FORMAT %s %d %s %s%n", codec, ParquetWriter.DEFAULT_BLOCK_SIZE, schemaMatches,
          footer.getFileMetaData().getSchema().toString().replace('\n', ' '));
      return codec;
    }
  }

  /** The table's data files (not its log, not checksum files), in name order. */
  public static List<Path> dataFiles(Path table) throws IOException {
    try (Stream<Path> paths = Files.walk(table)) {
      return paths.filter(path -> !table.relativize(path).toString().startsWith("_delta_log"))
          .filter(path -> path.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  private static long size(List<Path> files) throws IOException {
    long bytes = 0;
    for (Path file : files) {
      bytes += Files.size(file);
    }
    return bytes;
  }
}
