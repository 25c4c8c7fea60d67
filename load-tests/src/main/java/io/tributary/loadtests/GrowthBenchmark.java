package io.tributary.loadtests;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.engine.Engine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.DeltaEngines;
import io.tributary.applier.FilesConfig;
import io.tributary.applier.internal.ApplierContext;
import io.tributary.applier.internal.ApplierMetrics;
import io.tributary.applier.internal.DeltaFiles;
import io.tributary.applier.internal.ManifestPartition;
import io.tributary.applier.internal.PendingManifest;
import io.tributary.applier.internal.TableApplier;
import io.tributary.applier.internal.TableOpener;
import io.tributary.coordinator.CoordinatorConfig;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.loadtests.internal.Environment;
import io.tributary.loadtests.internal.WorkDirectory;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentWriter;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The growth benchmark: one table grows by inserts of new keys, and at each size a fixed-size batch
 * of changes is applied per key distribution (uniform over the table; Zipf by recency, newest keys
 * hottest; uniform over a fixed number of the newest keys) through the applier's real write path: staged segments, {@link TableApplier} on Delta Kernel,
 * commits ratified by a coordinator on 127.0.0.1. After the batches, compaction runs as the applier
 * runs it between batches. Each batch's files read, rewritten and added, bytes, and time are
 * recorded, and the table's files at each size.
 */
public final class GrowthBenchmark {
  static final TableId TABLE = new TableId("bench", "public", "accounts");
  static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
      new Column("id", ColumnType.LONG, false),
      new Column("name", ColumnType.STRING, true),
      new Column("balance", ColumnType.decimal(12, 2), true),
      new Column("note", ColumnType.STRING, true),
      new Column("updated_at", ColumnType.TIMESTAMP, true)), List.of("id"));
  /** Rows per staged segment of the growth inserts. */
  private static final int SEGMENT_ROWS = 50_000;
  private static final ManifestPartition PARTITION = new ManifestPartition("tributary.manifests",
      "R3Jvd3RoQmVuY2htYXJrAA", 0);
  static final List<String> DISTRIBUTIONS = List.of("uniform", "zipf", "recent");

  /**
   * How the benchmark runs.
   *
   * @param hotKeys how many of the newest keys the {@code recent} batches update
   * @param work its work directory, emptied first: staging, Delta table, coordinator store
   */
  public record Settings(long startRows, long endRows, int steps, int changes, double insertShare, double zipfExponent,
      long hotKeys, long targetFileSize, Path work) {
    public Settings {
      requireNonNull(work, "work is null");
      if (startRows < 1 || endRows < startRows || steps < 1 || changes < 1) {
        throw new IllegalArgumentException("need 1 <= startRows <= endRows, steps >= 1, changes >= 1");
      }
      if (insertShare < 0 || insertShare > 1) {
        throw new IllegalArgumentException("insertShare must be between 0 and 1: " + insertShare);
      }
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter out;
  private final Random random = new Random(20261122);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BitSet none = new BitSet();
  private long sequence;
  private long position;
  private long offset;
  private long nextKey;

  public GrowthBenchmark(Settings settings, Clock clock, PrintWriter out) {
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.out = requireNonNull(out, "out is null");
  }

  public GrowthResult run() throws Exception {
    Instant started = clock.instant();
    Path work = WorkDirectory.emptied(settings.work());
    StagingConfig stagingConfig = StagingConfig.local(work.resolve("staging"));
    FilesConfig files = FilesConfig.withTargetSize(settings.targetFileSize()).withCheckInterval(Duration.ZERO);
    ApplierConfig config = new ApplierConfig(work.resolve("delta").toUri(), "growth", new WriterId("growth-benchmark"),
        64, Duration.ZERO, Duration.ofMinutes(10), Map.of(), "127.0.0.1:9092", PARTITION.topic(), stagingConfig,
        ApplierConfig.Mode.CONTINUOUS, ApplierConfig.DEFAULT_TRIGGERED_TIMEOUT, Map.of()).withFiles(files);
    Engine engine = DeltaEngines.forWriting(Map.of());
    List<GrowthResult.Step> steps = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (StagingStore staging = StagingStore.open(stagingConfig, clock);
         CoordinatorServer coordinator = CoordinatorServer.start(CoordinatorConfig.local(work.resolve("coordinator")),
             clock, new SimpleMeterRegistry());
         HttpCoordinatorClient client = HttpCoordinatorClient.create(coordinator.uri(), Optional.empty())) {
      ApplierContext context = new ApplierContext(config, engine, staging, client, CoordinatedCommitter::new,
          new ApplierMetrics(registry, clock), clock);
      TableApplier applier = new TableOpener(context).open(TABLE, SCHEMA, PARTITION);
      String location = config.tableLocation(TABLE).toString();
      long rows = 0;
      for (int step = 0; step <= settings.steps(); step++) {
        long target = settings.startRows() + (settings.endRows() - settings.startRows()) * step / settings.steps();
        while (rows < target) {
          int chunk = (int) Math.min(SEGMENT_ROWS * 4L, target - rows);
          List<ManifestRecord> segments = new ArrayList<>();
          for (int from = 0; from < chunk; from += SEGMENT_ROWS) {
            List<ChangeEvent> events = new ArrayList<>();
            for (int i = from; i < Math.min(chunk, from + SEGMENT_ROWS); i++) {
              events.add(event(Operation.INSERT, nextKey++));
            }
            segments.add(stage(staging, events));
          }
          apply(applier, segments);
          rows += chunk;
        }
        // The growth leaves its own small files; compaction tidies them as it would between batches.
        applier.compactIfDue();
        GrowthResult.Files before = files(engine, location);
        List<GrowthResult.Batch> batches = new ArrayList<>();
        for (String distribution : DISTRIBUTIONS) {
          GrowthResult.Batch batch = changeBatch(engine, location, staging, applier, distribution, rows);
          rows += Math.round(settings.changes() * settings.insertShare());
          batches.add(batch);
          out.printf(Locale.ROOT, "%,d rows, %d files: %s batch changed %,d rows in %.0f ms; read %d files, rewrote %d"
                  + " (%.1f MiB), wrote %d (%.1f MiB): %.0f bytes and %.1f µs per changed row%n", rows, before.count(),
              distribution, batch.rowsChanged(), batch.applyMillis(),
              batch.filesRead(), batch.filesRewritten(), batch.bytesRewritten() / 1048576.0, batch.filesAdded(),
              batch.bytesWritten() / 1048576.0, batch.bytesWrittenPerChangedRow(), batch.microsPerChangedRow());
        }
        GrowthResult.Compaction compaction = compact(applier);
        long stored = rowsOf(engine, location);
        if (stored != rows) {
          problems.add(String.format(Locale.ROOT, "step %d: the table holds %,d rows, expected %,d", step, stored, rows));
        }
        steps.add(new GrowthResult.Step(stored, before, batches, compaction));
      }
    }
    double runSeconds = Duration.between(started, clock.instant()).toMillis() / 1000.0;
    GrowthResult.Workload workload = new GrowthResult.Workload(TABLE.canonical(), settings.startRows(), settings.endRows(),
        settings.steps(), settings.changes(), settings.insertShare(), settings.zipfExponent(), settings.hotKeys(),
        settings.targetFileSize(), DISTRIBUTIONS);
    GrowthResult.Machine machine = GrowthResult.Machine.of(Environment.thisMachine(), Runtime.getRuntime().maxMemory(),
        Environment.loadAverage());
    return new GrowthResult("growth", started.toString(), runSeconds, machine, workload, steps,
        new GrowthResult.Verdict(problems.isEmpty(), problems));
  }

  /** One batch of {@code changes} changes drawn by {@code distribution}, applied and measured. */
  private GrowthResult.Batch changeBatch(Engine engine, String location, StagingStore staging, TableApplier applier,
      String distribution, long rows) {
    int inserts = (int) Math.round(settings.changes() * settings.insertShare());
    List<ChangeEvent> events = new ArrayList<>();
    Set<Long> updated = new LinkedHashSet<>();
    for (int i = 0; i < settings.changes() - inserts; i++) {
      long key = switch (distribution) {
        case "uniform" -> (long) (random.nextDouble() * rows);
        case "zipf" -> zipfKey(rows);
        default -> rows - 1 - (long) (random.nextDouble() * Math.min(rows, settings.hotKeys()));
      };
      updated.add(key);
      events.add(event(Operation.UPDATE, key));
    }
    for (int i = 0; i < inserts; i++) {
      events.add(event(Operation.INSERT, nextKey++));
    }
    ManifestRecord segment = stage(staging, events);
    Map<String, Long> filesBefore = liveFiles(engine, location);
    double read = counter("files.read");
    double marked = counter("files.marked");
    double written = counter("bytes.written");
    long startedNanos = System.nanoTime();
    apply(applier, List.of(segment));
    double millis = (System.nanoTime() - startedNanos) / 1e6;
    Map<String, Long> filesAfter = liveFiles(engine, location);
    long rewritten = 0;
    long bytesRewritten = 0;
    for (Map.Entry<String, Long> file : filesBefore.entrySet()) {
      if (!filesAfter.containsKey(file.getKey())) {
        rewritten++;
        bytesRewritten += file.getValue();
      }
    }
    long added = 0;
    for (String file : filesAfter.keySet()) {
      if (!filesBefore.containsKey(file)) {
        added++;
      }
    }
    long changed = updated.size() + inserts;
    long bytesWritten = (long) (counter("bytes.written") - written);
    return new GrowthResult.Batch(distribution, settings.changes(), changed, millis, (long) (counter("files.read") - read),
        rewritten, (long) (counter("files.marked") - marked), added, bytesRewritten, bytesWritten,
        (double) bytesWritten / changed, millis * 1000 / changed);
  }

  /**
   * A key drawn from a Zipf distribution of exponent {@code zipfExponent} over the table's keys by
   * recency: the newest key is the most likely, the next newest half as likely (exponent 1), and so on.
   */
  private long zipfKey(long rows) {
    double s = settings.zipfExponent();
    double u = random.nextDouble();
    double rank;
    if (Math.abs(s - 1.0) < 1e-9) {
      rank = Math.exp(u * Math.log(rows + 1.0));
    } else {
      double top = Math.pow(rows + 1.0, 1 - s);
      rank = Math.pow(1 + u * (top - 1), 1 / (1 - s));
    }
    long index = Math.min(rows, Math.max(1, (long) rank));
    return rows - index;
  }

  private GrowthResult.Compaction compact(TableApplier applier) {
    double compactions = counter("compactions");
    double in = counter("compaction.files.removed");
    double outFiles = counter("compaction.files.added");
    double bytes = counter("compaction.bytes.rewritten");
    long startedNanos = System.nanoTime();
    applier.compactIfDue();
    double millis = (System.nanoTime() - startedNanos) / 1e6;
    boolean ran = counter("compactions") > compactions;
    return new GrowthResult.Compaction(ran, (int) (counter("compaction.files.removed") - in),
        (int) (counter("compaction.files.added") - outFiles), (long) (counter("compaction.bytes.rewritten") - bytes),
        ran ? millis : 0);
  }

  private void apply(TableApplier applier, List<ManifestRecord> segments) {
    List<PendingManifest> batch = new ArrayList<>();
    for (ManifestRecord segment : segments) {
      batch.add(new PendingManifest(PARTITION.partition(), offset++, segment, clock.millis()));
    }
    applier.apply(batch);
  }

  private ChangeEvent event(Operation operation, long key) {
    long now = clock.millis();
    Object[] values = {key, "customer-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36),
        BigDecimal.valueOf(random.nextInt(10_000_000), 2), note(), now * 1000};
    return new ChangeEvent(TABLE, operation, SourcePosition.of(SourcePosition.PHASE_STREAM, ++position), values, none,
        now, Optional.empty(), now);
  }

  private String note() {
    StringBuilder note = new StringBuilder(40);
    for (int i = 0; i < 40; i++) {
      note.append((char) ('a' + random.nextInt(26)));
    }
    return note.toString();
  }

  private ManifestRecord stage(StagingStore staging, List<ChangeEvent> events) {
    try (SegmentWriter writer = staging.newSegmentWriter(SCHEMA, sequence++)) {
      events.forEach(writer::append);
      return ManifestRecord.forSegment(writer.finish(), clock.millis());
    }
  }

  private static Map<String, Long> liveFiles(Engine engine, String location) {
    Snapshot snapshot = TableManager.loadSnapshot(location).build(engine);
    Map<String, Long> files = new HashMap<>();
    DeltaFiles.forEachFile(engine, snapshot.getScanBuilder().build(),
        file -> files.put(file.add().getPath(), file.add().getSize()));
    return files;
  }

  private static long rowsOf(Engine engine, String location) {
    Snapshot snapshot = TableManager.loadSnapshot(location).build(engine);
    long[] rows = {0};
    DeltaFiles.forEachFile(engine, snapshot.getScanBuilder().build(),
        file -> rows[0] += DeltaFiles.liveRows(file.add()).orElse(0L));
    return rows[0];
  }

  private static GrowthResult.Files files(Engine engine, String location) {
    List<Long> sizes = new ArrayList<>(liveFiles(engine, location).values());
    sizes.sort(null);
    if (sizes.isEmpty()) {
      return new GrowthResult.Files(0, 0, 0, 0, 0);
    }
    return new GrowthResult.Files(sizes.size(), sizes.stream().mapToLong(Long::longValue).sum(), sizes.get(0),
        sizes.get(sizes.size() / 2), sizes.get(sizes.size() - 1));
  }

  private double counter(String name) {
    return registry.counter(ApplierMetrics.PREFIX + name, "table", TABLE.canonical()).count();
  }
}
