package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.tributary.loadtests.internal.ChildJvm;
import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.HeapSize;
import io.tributary.loadtests.internal.Medians;
import io.tributary.loadtests.internal.OrderRows;
import io.tributary.loadtests.internal.RowParquetWriter;
import io.tributary.loadtests.internal.SparkMergeRun;
import io.tributary.loadtests.internal.TableDigest;
import io.tributary.loadtests.internal.TributaryApplyRun;
import io.tributary.loadtests.internal.UpsertWorkload;
import io.tributary.loadtests.internal.WorkDirectory;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Benchmark {@code apply}: how fast the applier writes Delta tables, against Spark with delta-spark
 * and against plain parquet-java, on the same machine in the same run.
 *
 * <p>Upsert: the applier loads a table (not timed), then applies batches of changes (updates and
 * deletes spread over the key range, inserts of new keys), one Delta commit per batch, ratified by
 * a coordinator in its JVM. Spark ({@code local[2]}) applies the same batches with {@code MERGE INTO}
 * to a copy of the same initial table. Each side runs in a JVM of its own with the same heap and runs
 * every repeat; only the applying of the batches is timed, not JVM or session start, staging, the
 * initial load or the copying of the table. Afterwards both tables must hold the same rows.
 *
 * <p>Insert: the applier writes new rows into an empty table in batches (one segment and one commit
 * each), and parquet-java writes the same rows, batch by batch, to files with the applier's schema,
 * compression and row-group size; both in one JVM, alternating which goes first.
 */
public final class ApplyBenchmark {
  /** The applier's upsert throughput over Spark's it aims at. */
  public static final double UPSERT_TARGET = 5.0;
  /** The applier's insert throughput over parquet-java's it aims at. */
  public static final double INSERT_TARGET = 0.5;
  /** Where the build writes Spark's class path (property {@code tributary.spark.classpath}). */
  public static final String SPARK_CLASSPATH_PROPERTY = "tributary.spark.classpath";
  private static final long SEED = 20_261_122L;
  /**
   * The garbage collector of both sides' JVMs: the Parallel collector, which the applier's deployments
   * run (k8s/components/applier-*), so that the applier is measured as it runs and Spark on the same
   * collector.
   */
  static final String COLLECTOR = "-XX:+UseParallelGC";
  /** What Spark 4 needs opened on Java 17 (the options of Spark's own launcher). */
  private static final List<String> SPARK_JAVA_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true");

  /**
   * @param rows rows of the upsert part's table
   * @param batches batches of changes applied to it
   * @param changesPerBatch changes in each batch
   * @param insertRows rows of the insert part
   * @param insertBatchRows rows in each insert batch (one staged segment, one commit)
   * @param repeats runs of each side
   * @param heap {@code -Xmx} of both sides' JVMs
   * @param timeout bound on each side's JVM
   * @param profile whether the applier's JVM records a flight recording ({@code <part>.jfr} in the work directory)
   */
  public record Settings(long rows, int batches, int changesPerBatch, long insertRows, int insertBatchRows, int repeats,
      String heap, Duration timeout, boolean profile, Path workDirectory, Path sparkClasspath) {
    public Settings {
      if (rows < 20 || batches < 1 || changesPerBatch < 10 || insertRows < 1 || insertBatchRows < 1 || repeats < 1) {
        throw new IllegalArgumentException("rows >= 20, batches >= 1, changes per batch >= 10, insert rows >= 1,"
            + " insert batch rows >= 1 and repeats >= 1 are required");
      }
      HeapSize.parse(heap);
      requireNonNull(timeout, "timeout is null");
      requireNonNull(workDirectory, "workDirectory is null");
      requireNonNull(sparkClasspath, "sparkClasspath is null");
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter progress;
  private final List<Double> loadAverages = new CopyOnWriteArrayList<>();

  /** @param progress where the run says what it is doing */
  public ApplyBenchmark(Settings settings, Clock clock, PrintWriter progress) {
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  public ApplyResult run() throws Exception {
    String startedAt = clock.instant().toString();
    long runStart = System.nanoTime();
    Path work = WorkDirectory.emptied(settings.workDirectory());
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "benchmark-load-average");
      thread.setDaemon(true);
      return thread;
    });
    sampler.scheduleAtFixedRate(() -> loadAverages.add(Environment.loadAverage()), 0, 10, TimeUnit.SECONDS);
    try {
      List<String> problems = new ArrayList<>();
      List<ApplyResult.Run> runs = new ArrayList<>();

      progress.printf("apply: writing %d batches of %,d changes for Spark%n", settings.batches(),
          settings.changesPerBatch());
      Path batchDirectory = work.resolve("batches");
      long expectedRows = writeBatches(batchDirectory);

      Path initial = work.resolve("initial-table");
      progress.printf("apply: applier, upsert: a table of %,d rows, then the batches, %d times%n", settings.rows(),
          settings.repeats());
      ChildOutput tributary = runChild("tributary-upsert", tributaryOptions(work, "upsert"),
          TributaryApplyRun.class.getName(), List.of("upsert", work.toString(), Long.toString(settings.rows()),
              Integer.toString(settings.batches()), Integer.toString(settings.changesPerBatch()),
              Integer.toString(TributaryApplyRun.SEGMENT_MAX_ROWS), Integer.toString(settings.repeats()),
              Long.toString(SEED), initial.toString()), Optional.empty(), work, problems);
      long changes = (long) settings.batches() * settings.changesPerBatch();
      runs.addAll(tributary.runs("tributary", "upsert", changes));

      CompressionCodecName codec = codecOfDataFiles(initial);
      progress.printf("apply: Spark, upsert: MERGE INTO each batch, %d times (data files %s)%n", settings.repeats(),
          codec);
      ChildOutput spark = Files.exists(initial)
          ? runChild("spark-upsert", sparkJvmOptions(), SparkMergeRun.class.getName(), List.of(initial.toString(),
              batchDirectory.toString(), Integer.toString(settings.batches()), Integer.toString(settings.repeats()),
              work.toString(), codec.name().toLowerCase(Locale.ROOT)), Optional.of(sparkClasspath()), work,
              problems)
          : ChildOutput.NONE;
      runs.addAll(spark.runs("spark", "upsert", changes));
      compareUpsertTables(tributary, spark, expectedRows, problems);

      progress.printf("apply: insert: %,d rows in batches of %,d, applier and parquet-java, %d times%n",
          settings.insertRows(), settings.insertBatchRows(), settings.repeats());
      ChildOutput insert = runChild("tributary-insert", tributaryOptions(work, "insert"),
          TributaryApplyRun.class.getName(), List.of("insert", work.toString(), Long.toString(settings.insertRows()),
              Integer.toString(settings.insertBatchRows()), Integer.toString(settings.repeats())), Optional.empty(), work,
          problems);
      runs.addAll(insert.runs("tributary", "insert", settings.insertRows()));
      runs.addAll(insert.runs("parquet", "insert", settings.insertRows()));
      // The insert part describes the applier's data files; parquet-java wrote them alike.
      ChildOutput.Format format = insert.format().orElse(new ChildOutput.Format("unknown", 0, false));
      checkInsertTables(insert, problems);

      Map<String, List<String>> systems = Map.of("upsert", List.of("tributary", "spark"),
          "insert", List.of("tributary", "parquet"));
      systems.forEach((part, sides) -> sides.forEach(system -> {
        long completed = runs.stream().filter(run -> run.part().equals(part) && run.system().equals(system)).count();
        if (completed < settings.repeats()) {
          problems.add(system + " completed " + completed + " of " + settings.repeats() + " " + part + " runs");
        }
      }));
      Map<String, String> versions = versions();
      ApplyResult.Figures figures = figures(runs);
      ApplyResult.Workload workload = new ApplyResult.Workload(settings.rows(), settings.batches(),
          settings.changesPerBatch(), UpsertWorkload.UPDATE_PERCENT, UpsertWorkload.INSERT_PERCENT,
          UpsertWorkload.DELETE_PERCENT, expectedRows, Files.exists(initial) ? TributaryApplyRun.dataFiles(initial).size() : 0,
          settings.insertRows(), settings.insertBatchRows(), OrderRows.COLUMNS.size());
      ApplyResult.Setup setup = new ApplyResult.Setup(method(),
          ChildJvm.withoutDirectories(tributaryOptions(work, "upsert")), ChildJvm.withoutDirectories(sparkJvmOptions()),
          "TableApplier.apply per batch (one staged segment, one Delta commit on Delta Kernel "
              + versions.get("delta-kernel") + "; the table has deletion vectors, so the batch marks the rows it changes and writes its rows as new"
              + " files), each commit ratified by the coordinator in the same JVM"
              + " (embedded file store, HTTP on 127.0.0.1) through CoordinatedCommitter, as tributary standalone runs it",
          "Spark " + versions.get("spark") + " with delta-spark " + versions.get("delta-spark")
              + ", master local[2], driver on 127.0.0.1, UI off, spark.sql.parquet.compression.codec="
              + codec.name().toLowerCase(Locale.ROOT) + " (the applier's), spark.sql.shuffle.partitions and"
              + " spark.databricks.delta.snapshotPartitions " + SparkMergeRun.PARTITIONS + " (from 200 and 50: on 2"
              + " cores the defaults spend a merge scheduling empty tasks), every other setting at its default; its"
              + " table is a copy of the applier's, deletion vectors enabled, so its MERGE writes them too",
          SparkMergeRun.MERGE.formatted("<table>", "<batch>.parquet"),
          "ParquetWriter (parquet-java " + versions.get("parquet") + ") with a WriteSupport handing each value to the"
              + " record consumer, one file per batch, the applier's schema, codec and row-group size",
          format.codec(), format.rowGroupBytes(), format.schemaMatches());
      if (!format.schemaMatches()) {
        problems.add("parquet-java's schema differs from the applier's data files: " + format.schema());
      }
      ApplyResult result = new ApplyResult("apply", startedAt, seconds(System.nanoTime() - runStart),
          Environment.thisMachine(), versions, workload, setup, figures,
          new ApplyResult.Verdict(problems.isEmpty(), problems), runs, loadAverages);
      progress.printf("apply: upsert %,.0f against %,.0f changes/s: ratio %.2f (target %.1f); insert %,.0f against %,.0f"
              + " rows/s: ratio %.2f (target %.1f)%n", figures.tributaryChangesPerSecond(), figures.sparkChangesPerSecond(),
          figures.upsertRatio(), UPSERT_TARGET, figures.tributaryRowsPerSecond(), figures.parquetRowsPerSecond(),
          figures.insertRatio(), INSERT_TARGET);
      problems.forEach(problem -> progress.println("apply: problem: " + problem));
      return result;
    } finally {
      sampler.shutdownNow();
    }
  }

  /** Writes each batch of the upsert part as a Parquet file for Spark; returns the rows the table holds after them. */
  private long writeBatches(Path directory) throws IOException {
    Files.createDirectories(directory);
    List<Column> columns = new ArrayList<>(OrderRows.COLUMNS);
    columns.add(new Column("op", ColumnType.STRING, false));
    UpsertWorkload workload = new UpsertWorkload(settings.rows(), settings.changesPerBatch(), SEED);
    Configuration hadoop = new Configuration();
    for (int batch = 1; batch <= settings.batches(); batch++) {
      URI file = directory.resolve(SparkMergeRun.batchFile(batch)).toUri();
      // zstd, as the applier's staged segments are.
      try (ParquetWriter<Object[]> writer = RowParquetWriter.open(file, columns, CompressionCodecName.ZSTD,
          ParquetWriter.DEFAULT_BLOCK_SIZE, hadoop)) {
        for (UpsertWorkload.Change change : workload.nextBatch()) {
          Object[] row = Arrays.copyOf(change.values(), columns.size());
          row[columns.size() - 1] = change.op();
          writer.write(row);
        }
      }
    }
    return workload.aliveRows();
  }

  private ChildOutput runChild(String name, List<String> jvmOptions, String mainClass, List<String> arguments,
      Optional<String> classpath, Path work, List<String> problems) throws Exception {
    Path reportFile = work.resolve(name + ".report");
    jvmOptions = new ArrayList<>(jvmOptions);
    jvmOptions.add("-D" + TributaryApplyRun.REPORT_PROPERTY + "=" + reportFile);
    List<String> command = classpath.isPresent()
        ? ChildJvm.onClassPath(classpath.get(), jvmOptions, mainClass, arguments)
        : ChildJvm.onThisClassPath(jvmOptions, mainClass, arguments);
    Path log = work.resolve(name + ".log");
    try (ChildJvm child = ChildJvm.start(name, command, Map.of(), log)) {
      boolean ended = child.awaitExit(settings.timeout());
      int exitCode = ended ? child.exitCode().orElse(-1) : child.stop(Duration.ofSeconds(10));
      if (!ended) {
        problems.add(name + " did not finish within " + settings.timeout() + " (see " + log.getFileName() + ")");
      } else if (exitCode != 0) {
        problems.add(name + " exited with " + exitCode + " (see " + log.getFileName() + ")");
      }
      ChildOutput output = ChildOutput.parse(Files.exists(reportFile) ? Files.readAllLines(reportFile) : List.of());
      progress.printf("apply: %s %s%n", name, exitCode == 0 ? "done" : "failed, exit code " + exitCode);
      return output;
    }
  }

  private void compareUpsertTables(ChildOutput tributary, ChildOutput spark, long expectedRows, List<String> problems) {
    Optional<URI> ours = tributary.lastTable("upsert");
    Optional<URI> theirs = spark.lastTable("upsert");
    if (ours.isEmpty() || theirs.isEmpty()) {
      problems.add("the upsert tables cannot be compared: a side did not finish");
      return;
    }
    TableDigest applier = TableDigest.of(ours.get());
    TableDigest merged = TableDigest.of(theirs.get());
    problems.addAll(applier.differences(merged, "the applier's table", "Spark's table"));
    if (applier.rows() != expectedRows) {
      problems.add("the applier's table holds " + applier.rows() + " rows, " + expectedRows + " expected");
    }
    progress.printf("apply: upsert tables compared: %,d and %,d rows, %s%n", applier.rows(), merged.rows(),
        problems.isEmpty() ? "the same" : "different");
  }

  private void checkInsertTables(ChildOutput insert, List<String> problems) {
    Optional<URI> table = insert.lastTable("insert");
    if (table.isEmpty()) {
      problems.add("the applier's insert table was not written");
      return;
    }
    TableDigest digest = TableDigest.of(table.get());
    if (digest.rows() != settings.insertRows()) {
      problems.add("the applier's insert table holds " + digest.rows() + " rows, " + settings.insertRows() + " expected");
    }
  }

  private ApplyResult.Figures figures(List<ApplyResult.Run> runs) {
    double tributaryUpsert = median(runs, "tributary", "upsert", ApplyResult.Run::perSecond);
    double sparkUpsert = median(runs, "spark", "upsert", ApplyResult.Run::perSecond);
    double tributaryInsert = median(runs, "tributary", "insert", ApplyResult.Run::perSecond);
    double parquetInsert = median(runs, "parquet", "insert", ApplyResult.Run::perSecond);
    return new ApplyResult.Figures(tributaryUpsert, sparkUpsert, sparkUpsert > 0 ? tributaryUpsert / sparkUpsert : 0,
        UPSERT_TARGET, tributaryInsert, parquetInsert,
        median(runs, "tributary", "insert", ApplyResult.Run::megabytesPerSecond),
        median(runs, "parquet", "insert", ApplyResult.Run::megabytesPerSecond),
        parquetInsert > 0 ? tributaryInsert / parquetInsert : 0, INSERT_TARGET);
  }

  static double median(List<ApplyResult.Run> runs, String system, String part, ToDoubleFunction<ApplyResult.Run> figure) {
    return Medians.of(runs.stream().filter(run -> run.system().equals(system) && run.part().equals(part))
        .mapToDouble(figure));
  }

  private List<String> tributaryOptions(Path work, String part) {
    List<String> options = new ArrayList<>(List.of("-Xmx" + settings.heap(), COLLECTOR));
    if (settings.profile()) {
      options.add("-XX:StartFlightRecording=filename=" + work.resolve(part + ".jfr") + ",settings=profile");
    }
    return options;
  }

  private List<String> sparkJvmOptions() {
    List<String> options = new ArrayList<>(List.of("-Xmx" + settings.heap(), COLLECTOR));
    options.addAll(SPARK_JAVA_OPTIONS);
    return options;
  }

  /** Spark's class path as the build wrote it, and the directory of the peer's main class. */
  private String sparkClasspath() throws IOException {
    if (!Files.isRegularFile(settings.sparkClasspath())) {
      throw new IllegalStateException("Spark's class path is not at " + settings.sparkClasspath() + "; the build writes"
          + " it (mvn -pl load-tests -am verify ...)");
    }
    String jars = Files.readString(settings.sparkClasspath()).trim();
    String peer = Path.of(URI.create(SparkMergeRun.class.getProtectionDomain().getCodeSource().getLocation().toString()))
        .toString();
    return peer + File.pathSeparator + jars;
  }

  private static CompressionCodecName codecOfDataFiles(Path table) throws IOException {
    if (!Files.exists(table)) {
      return CompressionCodecName.UNCOMPRESSED;
    }
    Path file = TributaryApplyRun.dataFiles(table).stream().findFirst()
        .orElseThrow(() -> new IllegalStateException("the initial table " + table + " has no data files"));
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return reader.getFooter().getBlocks().get(0).getColumns().get(0).getCodec();
    }
  }

  /** The versions this build runs. */
  static Map<String, String> versions() {
    Properties built = Environment.builtVersions();
    Map<String, String> versions = new LinkedHashMap<>();
    for (String name : List.of("tributary", "delta-kernel", "parquet", "spark", "delta-spark")) {
      versions.put(name, built.getProperty(name, "unknown"));
    }
    return versions;
  }

  private String method() {
    return "Upsert: the applier loads a table of " + String.format("%,d", settings.rows()) + " rows in commits of "
        + String.format("%,d", TributaryApplyRun.SEGMENT_MAX_ROWS) + " (not timed); a copy of it is Spark's initial table."
        + " Then each side applies the same " + settings.batches() + " batches of "
        + String.format("%,d", settings.changesPerBatch()) + " changes, one commit per batch, in a JVM of its own with"
        + " the same heap, " + settings.repeats() + " times (each repeat on a fresh copy of the initial table). Only"
        + " the applying of the batches is timed (the applier: TableApplier.apply of the batch's staged segment, which"
        + " reads the segment, rewrites the files holding its keys and commits; Spark: the MERGE INTO statement over"
        + " the batch's Parquet file); not the JVM or Spark session start, the staging, the initial load or the copy."
        + " Afterwards the last tables of both must hold the same rows. Insert: the applier writes "
        + String.format("%,d", settings.insertRows()) + " new rows into an empty table in batches of "
        + String.format("%,d", settings.insertBatchRows()) + " (one staged segment, one commit each), and"
        + " parquet-java writes the same rows, one file per batch, in the same JVM, alternating which goes first;"
        + " the rows are staged (applier) or made in memory (parquet-java) before the clock starts. Figures are"
        + " medians over the repeats.";
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** What a child JVM reported on its standard output. */
  private record ChildOutput(List<String[]> timed, Map<String, URI> tables, Map<String, long[]> bytes,
      Optional<Format> format) {
    static final ChildOutput NONE = new ChildOutput(List.of(), Map.of(), Map.of(), Optional.empty());

    /** The applier's data files: codec, row-group size, whether parquet-java's schema is the same, and the schema. */
    record Format(String codec, long rowGroupBytes, boolean schemaMatches, String schema) {
      Format(String codec, long rowGroupBytes, boolean schemaMatches) {
        this(codec, rowGroupBytes, schemaMatches, "");
      }
    }

    static ChildOutput parse(List<String> lines) {
      List<String[]> timed = new ArrayList<>();
      Map<String, URI> tables = new LinkedHashMap<>();
      Map<String, long[]> bytes = new LinkedHashMap<>();
      Optional<Format> format = Optional.empty();
      for (String line : lines) {
        String[] words = line.trim().split(" ");
        switch (words[0]) {
          case "TIMED" -> timed.add(words);
          case "TABLE" -> tables.put(words[1] + " " + words[2], URI.create(words[3]));
          case "BYTES" -> bytes.put(words[1] + " " + words[2], new long[] {Long.parseLong(words[3]), Long.parseLong(words[4])});
          case "FORMAT" -> format = Optional.of(new Format(words[1], Long.parseLong(words[2]),
              Boolean.parseBoolean(words[3]), line.substring(line.indexOf(words[3]) + words[3].length()).trim()));
          default -> { }
        }
      }
      return new ChildOutput(timed, tables, bytes, format);
    }

    /** The runs of {@code system} in {@code part} that finished; each applies {@code units} changes or rows. */
    List<ApplyResult.Run> runs(String system, String part, long units) {
      Map<Integer, List<Double>> batches = new LinkedHashMap<>();
      Map<Integer, Double> gcSeconds = new LinkedHashMap<>();
      Map<Integer, Double> cpuSeconds = new LinkedHashMap<>();
      for (String[] words : timed) {
        if (words[1].equals(system) && words[2].equals(part)) {
          int repeat = Integer.parseInt(words[3]);
          batches.computeIfAbsent(repeat, key -> new ArrayList<>()).add(Long.parseLong(words[5]) / 1e9);
          gcSeconds.merge(repeat, Long.parseLong(words[6]) / 1e3, Double::sum);
          // -1 from a JVM that cannot tell its CPU time: the run's figure is then -1 too.
          long cpuMillis = Long.parseLong(words[7]);
          cpuSeconds.merge(repeat, cpuMillis < 0 ? -1 : cpuMillis / 1e3,
              (sum, more) -> sum < 0 || more < 0 ? -1 : sum + more);
        }
      }
      List<ApplyResult.Run> runs = new ArrayList<>();
      batches.forEach((repeat, times) -> {
        double seconds = times.stream().mapToDouble(Double::doubleValue).sum();
        double gc = gcSeconds.get(repeat);
        double cpu = cpuSeconds.get(repeat);
        if (part.equals("upsert")) {
          if (tables.containsKey(part + " " + repeat)) {
            runs.add(new ApplyResult.Run(system, part, repeat, seconds, units / seconds, 0, 0, 0, times, gc, cpu));
          }
        } else {
          long[] written = bytes.get(system + " " + repeat);
          if (written != null) {
            runs.add(new ApplyResult.Run(system, part, repeat, seconds, units / seconds,
                written[0] / 1e6 / seconds, written[0], written[1], times, gc, cpu));
          }
        }
      });
      return runs;
    }

    Optional<URI> lastTable(String part) {
      URI last = null;
      for (Map.Entry<String, URI> table : tables.entrySet()) {
        if (table.getKey().startsWith(part + " ")) {
          last = table.getValue();
        }
      }
      return Optional.ofNullable(last);
    }
  }
}
