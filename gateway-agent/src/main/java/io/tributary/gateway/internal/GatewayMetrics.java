package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.gateway.TableProgress;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentInfo;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The gateway's meters, named {@code tributary.gateway.*} (Prometheus: {@code tributary_gateway_*}):
 * events captured by table and operation, snapshot rows by table, segments and bytes staged and
 * manifests published by table, offset commits, and the capture lag (now minus the source commit
 * time of the last captured change). Also keeps the per-table progress {@code GatewayStatus} shows.
 * {@link #close()} removes the meters from the registry, which the caller owns. Thread-safe.
 */
public final class GatewayMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final Clock clock;
  private final Consumer<CoordinatorEvent.Report> events;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<TableId, Timer> timers = new ConcurrentHashMap<>();
  private final Map<TableId, TableCounters> tables = new ConcurrentHashMap<>();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final LongAdder eventsCaptured = new LongAdder();
  private final LongAdder segmentsStaged = new LongAdder();
  private final LongAdder bytesStaged = new LongAdder();
  private final Counter offsetsCommitted;
  private final Counter commitGroups;
  private final Counter commitGroupSegments;
  private final Timer segmentFinish;
  private final Timer manifestPublish;
  private final AtomicLong lastSourceMillis = new AtomicLong();
  private final Map<TableId, SnapshotProgress> snapshots = new ConcurrentHashMap<>();

  private static final class TableCounters {
    /** {@code tributary.gateway.events.captured} by operation: looked up once per change, so without building its key. */
    final Map<Operation, Counter> capturedByOperation = new ConcurrentHashMap<>();
    final LongAdder captured = new LongAdder();
    final LongAdder segments = new LongAdder();
    /** {@code tributary.gateway.snapshot.rows} and {@code .resync.rows}: counted once per row read. */
    private volatile Counter snapshotRows;
    private volatile Counter incrementalRows;

    Counter snapshotRows(Supplier<Counter> made) {
      Counter counter = snapshotRows;
      return counter != null ? counter : (snapshotRows = made.get());
    }

    Counter incrementalRows(Supplier<Counter> made) {
      Counter counter = incrementalRows;
      return counter != null ? counter : (incrementalRows = made.get());
    }
    volatile SourcePosition lastCaptured;
    volatile SourcePosition lastStaged;
  }

  public GatewayMetrics(MeterRegistry registry, Clock clock) {
    this(registry, clock, report -> { });
  }

  /** @param events where events for the coordinator's log go (snapshot completed) */
  public GatewayMetrics(MeterRegistry registry, Clock clock, Consumer<CoordinatorEvent.Report> events) {
    this.events = requireNonNull(events, "events is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.commitGroups = register(Counter.builder("tributary.gateway.commit.groups")
        .description("Commit groups announced: the source's open segments rolled together at a transaction's end")
        .register(registry));
    this.commitGroupSegments = register(Counter.builder("tributary.gateway.commit.group.segments")
        .description("Segments announced as members of commit groups")
        .register(registry));
    this.offsetsCommitted = register(Counter.builder("tributary.gateway.offsets.committed")
        .description("Commits of the capture position after the durable frontier moved")
        .register(registry));
    this.segmentFinish = register(Timer.builder("tributary.gateway.segment.finish")
        .description("Time to make a rolled segment durable and visible in staging: its last pages written, synced"
            + " or uploaded, and moved into place")
        .publishPercentiles(0.5, 0.99)
        .register(registry));
    this.manifestPublish = register(Timer.builder("tributary.gateway.manifest.publish")
        .description("Time for Kafka to acknowledge a segment's manifest")
        .publishPercentiles(0.5, 0.99)
        .register(registry));
    register(TimeGauge.builder("tributary.gateway.capture.lag", this, TimeUnit.MILLISECONDS, GatewayMetrics::lagMillis)
        .description("Now minus the source commit time of the last captured change")
        .register(registry));
  }

  /**
   * Registers the gateway's state, 1 for the current one and 0 for the others, and whether its
   * engine streams (1) or snapshots or is stopped (0).
   */
  public <S extends Enum<S>> void lifecycle(Class<S> states, Supplier<S> current, BooleanSupplier streaming) {
    for (S each : states.getEnumConstants()) {
      register(Gauge.builder("tributary.gateway.state", current, supplier -> supplier.get() == each ? 1 : 0)
          .description("1 for the gateway's current state, 0 for the others")
          .tag("state", each.name())
          .strongReference(true)
          .register(registry));
    }
    register(Gauge.builder("tributary.gateway.streaming", streaming, supplier -> supplier.getAsBoolean() ? 1 : 0)
        .description("1 while the capture engine streams changes (its snapshot complete), 0 while it snapshots or is stopped")
        .strongReference(true)
        .register(registry));
  }

  void captured(ChangeEvent event, boolean snapshot) {
    TableId table = event.tableId();
    TableCounters counters = table(table);
    Counter byOperation = counters.capturedByOperation.get(event.operation());
    if (byOperation == null) {
      // Made once per table and operation; the lookup above builds no key and captures nothing.
      byOperation = counters.capturedByOperation.computeIfAbsent(event.operation(), operation ->
          counter("tributary.gateway.events.captured", "Changes read from the source", table, operation.code()));
    }
    byOperation.increment();
    if (event.operation() == Operation.SNAPSHOT_READ && !snapshot) {
      // Read by an incremental snapshot: an initial load or a resync.
      counters.incrementalRows(() -> counter("tributary.gateway.resync.rows",
          "Rows read by incremental snapshots (incremental initial loads and resyncs)", table, null)).increment();
      read(table);
    }
    if (snapshot) {
      counters.snapshotRows(() -> counter("tributary.gateway.snapshot.rows", "Rows read by snapshots", table, null))
          .increment();
      read(table);
    }
    eventsCaptured.increment();
    counters.captured.increment();
    counters.lastCaptured = event.position();
    lastSourceMillis.set(event.sourceTimestampMillis());
  }

  /** Counts a snapshot's row read of {@code table} towards its progress; reports the progress when due. */
  private void read(TableId table) {
    SnapshotProgress progress = snapshots.computeIfAbsent(table, this::snapshotProgress);
    // Once per row: the report is built only when one is due.
    Optional<String> due = progress.read(clock.millis());
    if (due.isPresent()) {
      events.accept(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.SNAPSHOT_PROGRESS,
          Optional.of(table), CoordinatorEvent.Severity.INFO, "Snapshot: " + due.get(),
          Map.of("rows", Long.toString(progress.rowsRead()), "complete", "false")));
    }
  }

  /**
   * Follows the steps of incremental snapshots (initial loads and resyncs) in the progress gauges: a
   * table's progress starts over when its snapshot starts and is complete when the table was read
   * whole.
   */
  void incrementalSnapshot(Captured.ResyncStep step) {
    switch (step.kind()) {
      case STARTED -> step.tables().forEach(table ->
          snapshots.computeIfAbsent(table, this::snapshotProgress).restart(clock.millis()));
      case CAPTURED -> step.tables().forEach(table -> {
        SnapshotProgress progress = snapshots.computeIfAbsent(table, this::snapshotProgress);
        progress.completed(clock.millis()).ifPresent(summary -> reportCompleted(table, progress, summary));
      });
      default -> { }
    }
  }

  /** @param finishNanos how long making the segment durable took */
  void staged(SegmentInfo segment, long finishNanos) {
    segmentFinish.record(finishNanos, TimeUnit.NANOSECONDS);
    counter("tributary.gateway.segments.staged", "Segments made durable and visible in staging", segment.tableId(), null)
        .increment();
    counter("tributary.gateway.staged", "Bytes of segments staged", segment.tableId(), null, BaseUnits.BYTES)
        .increment(segment.bytes());
    bytesStaged.add(segment.bytes());
  }

  /** Counts a step of a table's resync: {@code started}, {@code captured} or {@code failed}. */
  void resync(TableId table, String outcome) {
    counters.computeIfAbsent("tributary.gateway.resyncs|" + table.canonical() + '|' + outcome,
        key -> register(Counter.builder("tributary.gateway.resyncs")
            .description("Steps of table resyncs: started, captured (the end announced) or failed")
            .tag("table", table.canonical())
            .tag("outcome", outcome)
            .register(registry))).increment();
  }

  /** Counts a commit group of {@code segments} segments, rolled together at a source transaction's end. */
  void groupRolled(int segments) {
    commitGroups.increment();
    commitGroupSegments.increment(segments);
  }

  /**
   * @param lastSourceMillis the source commit time of the segment's last change, 0 if it has none (a
   *     segment of markers only)
   * @param publishNanos how long Kafka took to acknowledge the manifest
   */
  void published(SegmentInfo segment, long lastSourceMillis, long publishNanos) {
    manifestPublish.record(publishNanos, TimeUnit.NANOSECONDS);
    counter("tributary.gateway.manifests.published", "Manifests acknowledged by Kafka", segment.tableId(), null)
        .increment();
    if (lastSourceMillis > 0) {
      durableLag(segment.tableId()).record(Math.max(0, clock.millis() - lastSourceMillis), TimeUnit.MILLISECONDS);
    }
    segmentsStaged.increment();
    TableCounters counters = table(segment.tableId());
    counters.segments.increment();
    counters.lastStaged = segment.lastPosition();
  }

  /**
   * Expects snapshots of these tables, with the source's estimate of their rows where it has one:
   * the progress gauges ({@code tributary.gateway.snapshot.rows.estimated},
   * {@code tributary.gateway.snapshot.progress}) and the progress log lines start from here.
   */
  void snapshotStarting(Map<TableId, Long> estimatedRows, java.util.Collection<TableId> tables) {
    for (TableId table : tables) {
      SnapshotProgress progress = snapshots.computeIfAbsent(table, this::snapshotProgress);
      progress.estimate(estimatedRows.getOrDefault(table, -1L));
    }
  }

  /**
   * Counts a schema change of a table and reports it to the coordinator's event log: the columns and
   * key before and after, and the position of the first change staged with the new schema.
   */
  void schemaChanged(TableSchema before, TableSchema after, SourcePosition at) {
    counter("tributary.gateway.schema.changes", "Schema changes of captured tables: each starts a new segment",
        after.tableId(), null).increment();
    events.accept(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.SCHEMA_CHANGED,
        Optional.of(after.tableId()), CoordinatorEvent.Severity.INFO, "Schema changed from " + describe(before) + " to "
            + describe(after) + " at position " + at.value(),
        Map.of("before", describe(before), "after", describe(after), "before_fingerprint", before.fingerprint(),
            "after_fingerprint", after.fingerprint(), "position", at.value())));
  }

  /**
   * Registers {@code tributary.gateway.tables.missing}: 1 for each captured table the source no longer
   * has (dropped or renamed), 0 for the others.
   */
  void tablesWatched(List<TableId> watched, Predicate<TableId> missing) {
    for (TableId table : watched) {
      register(Gauge.builder("tributary.gateway.tables.missing", table, each -> missing.test(each) ? 1 : 0)
          .description("1 while a captured table no longer exists at the source (dropped or renamed): its changes"
              + " are not captured")
          .tag("table", table.canonical())
          .strongReference(true)
          .register(registry));
    }
  }

  /** Reports to the coordinator's event log that a captured table no longer exists at the source. */
  void tableMissing(TableId table, String message) {
    events.accept(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.ERROR, Optional.of(table),
        CoordinatorEvent.Severity.ERROR, message, Map.of("reason", "table_missing")));
  }

  private static String describe(TableSchema schema) {
    return schema.columns().stream()
        .map(column -> column.name() + " " + column.type()
            + (column.nullable() ? "" : " not null"))
        .collect(java.util.stream.Collectors.joining(", ", "(", ")")) + " key " + schema.keyColumns();
  }

  /** The snapshot ended for every table: logs what it read. */
  void snapshotCompleted() {
    snapshots.forEach((table, progress) -> progress.completed(clock.millis())
        .ifPresent(summary -> reportCompleted(table, progress, summary)));
  }

  private void reportCompleted(TableId table, SnapshotProgress progress, String summary) {
    events.accept(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.SNAPSHOT_PROGRESS,
        Optional.of(table), CoordinatorEvent.Severity.INFO, "Snapshot complete: " + summary,
        Map.of("rows", Long.toString(progress.rowsRead()), "complete", "true")));
  }

  private SnapshotProgress snapshotProgress(TableId table) {
    SnapshotProgress progress = new SnapshotProgress(table, clock.millis());
    register(Gauge.builder("tributary.gateway.snapshot.rows.estimated", progress, SnapshotProgress::estimated)
        .description("Rows the source estimates the table holds (NaN when it has no estimate)")
        .tag("table", table.canonical())
        .register(registry));
    register(Gauge.builder("tributary.gateway.snapshot.progress", progress, SnapshotProgress::fraction)
        .description("Share of the estimated rows read by the snapshot, 0 to 1 (1 once complete)")
        .tag("table", table.canonical())
        .register(registry));
    register(Gauge.builder("tributary.gateway.snapshot.remaining", progress, each -> each.secondsLeft(clock.millis()))
        .description("Seconds until the snapshot has read the estimated rows at its rate so far (0 once complete,"
            + " NaN without an estimate)")
        .baseUnit("seconds")
        .tag("table", table.canonical())
        .register(registry));
    return progress;
  }

  void offsetsCommitted() {
    offsetsCommitted.increment();
  }

  public long eventsCaptured() {
    return eventsCaptured.sum();
  }

  public long segmentsStaged() {
    return segmentsStaged.sum();
  }

  public long bytesStaged() {
    return bytesStaged.sum();
  }

  public long offsetCommits() {
    return (long) offsetsCommitted.count();
  }

  /** Progress of every table that captured at least one change. */
  public Map<TableId, TableProgress> tables() {
    Map<TableId, TableProgress> progress = new TreeMap<>();
    tables.forEach((table, counters) -> progress.put(table, new TableProgress(table, counters.captured.sum(),
        counters.segments.sum(), Optional.ofNullable(counters.lastCaptured), Optional.ofNullable(counters.lastStaged))));
    return progress;
  }

  private double lagMillis() {
    long last = lastSourceMillis.get();
    return last == 0 ? 0 : Math.max(0, clock.millis() - last);
  }

  private Timer durableLag(TableId table) {
    return timers.computeIfAbsent(table, t -> register(Timer.builder("tributary.gateway.durable.lag")
        .description("From the source commit of a segment's last change to the segment durable in staging and"
            + " acknowledged by Kafka")
        .tag("table", t.canonical())
        .publishPercentiles(0.5, 0.99)
        .register(registry)));
  }

  private TableCounters table(TableId table) {
    TableCounters counters = tables.get(table);
    return counters != null ? counters : tables.computeIfAbsent(table, t -> new TableCounters());
  }

  private Counter counter(String name, String description, TableId table, String op) {
    return counter(name, description, table, op, null);
  }

  /** A table's counter, made at its first use; {@code op} and {@code baseUnit} may be null. */
  private Counter counter(String name, String description, TableId table, String op, String baseUnit) {
    String key = name + '|' + table.canonical() + '|' + op;
    return counters.computeIfAbsent(key, k -> {
      Counter.Builder builder = Counter.builder(name).description(description).tag("table", table.canonical())
          .baseUnit(baseUnit);
      if (op != null) {
        builder.tag("op", op);
      }
      return register(builder.register(registry));
    });
  }

  private <M extends Meter> M register(M meter) {
    meters.add(meter);
    return meter;
  }

  @Override
  public void close() {
    for (Meter meter : meters) {
      registry.remove(meter);
    }
    meters.clear();
    counters.clear();
    timers.clear();
    tables.values().forEach(table -> table.capturedByOperation.clear());
  }
}
