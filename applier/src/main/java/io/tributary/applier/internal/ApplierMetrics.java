package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.tributary.staging.TableId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The applier's meters, named {@code tributary.applier.*} (Prometheus: {@code tributary_applier_*},
 * counters ending in {@code _total}), one set per table, tagged {@code table}. A table's set exists while
 * this applier owns the table and is {@linkplain #forget removed} when the table leaves it, so that the
 * applier never reports a table another applier took over.
 */
public final class ApplierMetrics {
  public static final String PREFIX = "tributary.applier.";

  private final MeterRegistry registry;
  private final Clock clock;
  private final Counter invalidManifests;
  private final Map<TableId, Table> tables = new ConcurrentHashMap<>();
  private final Map<String, Counter> groupsCommitted = new ConcurrentHashMap<>();
  private final Map<String, Counter> groupsRetried = new ConcurrentHashMap<>();

  public ApplierMetrics(MeterRegistry registry, Clock clock) {
    this.registry = requireNonNull(registry, "registry is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.invalidManifests = Counter.builder(PREFIX + "manifests.invalid")
        .description("Manifest records that could not be parsed").register(registry);
  }

  public void invalidManifest() {
    invalidManifests.increment();
  }

  /** Counts a commit group of {@code source} that was ratified ({@code committed}) or must be tried again. */
  public void commitGroup(String source, boolean committed) {
    Map<String, Counter> counters = committed ? groupsCommitted : groupsRetried;
    counters.computeIfAbsent(source, name -> Counter.builder(PREFIX + (committed ? "commit.groups" : "commit.groups.retried"))
        .description(committed ? "Commit groups whose tables were committed all or nothing"
            : "Commit groups refused or abandoned as a whole, to be tried again")
        .tag("source", name)
        .register(registry)).increment();
  }

  /**
   * The meters of a table; the same instance every time, since gauges hold on to it, until {@link #forget}
   * removes them: then a new instance with new meters, its counters from zero.
   */
  public Table forTable(TableId tableId) {
    return tables.computeIfAbsent(tableId, Table::new);
  }

  /**
   * Removes the meters of a table this applier no longer owns (its partition went to another applier,
   * another writer took its lease, or the applier stopped); the meters of other tables and those not
   * tagged by table stay.
   */
  public void forget(TableId tableId) {
    Table table = tables.remove(tableId);
    if (table != null) {
      table.remove();
    }
  }

  /** The meters of one table. */
  public final class Table {
    /** Every meter this instance registered, removed together by {@link #remove}. */
    private final List<Meter> meters = new ArrayList<>();
    private boolean removed;
    private final Counter batchesApplied;
    private final Counter replaysRefused;
    private final Counter segmentsReapplied;
    private final Counter segmentsUnannounced;
    private final Counter segmentsSuperseded;
    private final Counter segmentsCorrupt;
    private final Counter duplicatesDropped;
    private final Counter rowsUpserted;
    private final Counter rowsDeleted;
    private final Counter filesRead;
    private final Counter filesAdded;
    private final Counter filesRemoved;
    private final Counter filesMarked;
    private final Counter bytesWritten;
    private final Counter bytesRewritten;
    private final DistributionSummary rewrittenPerChangedRow;
    private final Counter compactions;
    private final Counter compactionFilesRemoved;
    private final Counter compactionFilesAdded;
    private final Counter compactionBytesRewritten;
    private final Counter compactionsFailed;
    private final Counter segmentsAwaitingResync;
    private final Counter resyncsSwitched;
    private final Counter resyncsFailed;
    private final Counter resyncRowsRemoved;
    private final Timer commitLatency;
    private final Timer batchDuration;
    private final Timer manifestWait;
    private final Tags tags;
    private final Map<String, Counter> schemaChanges = new ConcurrentHashMap<>();
    private final AtomicLong lastCaptureMillis = new AtomicLong(-1);
    private final AtomicLong version = new AtomicLong(-1);
    private final AtomicLong positionKnown = new AtomicLong(0);
    private final DistributionSummary segmentsPerCommit;
    private final AtomicLong segmentsPending = new AtomicLong();
    private final AtomicLong changesPending = new AtomicLong();
    private final AtomicLong positionLagBytes = new AtomicLong(-1);

    private Table(TableId tableId) {
      tags = Tags.of("table", tableId.canonical());
      batchesApplied = counter("batches.applied", "Batches committed to Delta", tags);
      replaysRefused = counter("batches.replay.refused", "Replayed batches Delta Kernel refused as already committed", tags);
      segmentsReapplied = counter("rollback.segments.reapplied",
          "Staged segments applied again after a rollback undid them", tags);
      segmentsUnannounced = counter("segments.unannounced.applied",
          "Staged segments applied although the topic no longer held their manifests (topic retention, topic created anew)",
          tags);
      segmentsSuperseded = counter("segments.superseded.skipped",
          "Announced segments no longer staged (deleted by retention before they were applied) skipped because a"
              + " resync of the table replaces their changes", tags);
      segmentsCorrupt = counter("segments.corrupt",
          "Staged segments that failed their checks (length, checksum, Parquet structure, schema): moved aside under"
              + " .corrupt/ in staging, never applied", tags);
      duplicatesDropped = counter("events.duplicate.dropped", "Change events dropped as already applied or repeated", tags);
      rowsUpserted = counter("rows.upserted", "Rows inserted or updated", tags);
      rowsDeleted = counter("rows.deleted", "Rows deleted", tags);
      filesRead = counter("files.read", "Data files read because their key ranges may hold the batch's keys", tags);
      filesAdded = counter("files.added", "Data files added", tags);
      filesRemoved = counter("files.removed", "Data files removed (rewritten)", tags);
      filesMarked = counter("files.marked", "Data files whose changed rows batches marked deleted in a deletion vector"
          + " instead of rewriting the file", tags);
      bytesWritten = counter("bytes.written", "Bytes of data files and deletion vectors written", tags);
      bytesRewritten = counter("bytes.rewritten",
          "Bytes of the data files a batch removed to write their rows again (copy-on-write)", tags);
      rewrittenPerChangedRow = registered(DistributionSummary.builder(PREFIX + "rewrite.per.changed.row")
          .description("Bytes of data files a batch's commit wrote, per row it inserted, updated or deleted")
          .baseUnit("bytes").tags(tags).register(registry));
      compactions = counter("compactions", "Compaction commits: small or key-overlapping files rewritten into"
          + " target-size ones without changing data", tags);
      compactionFilesRemoved = counter("compaction.files.removed", "Data files a compaction rewrote", tags);
      compactionFilesAdded = counter("compaction.files.added", "Data files a compaction wrote", tags);
      compactionBytesRewritten = counter("compaction.bytes.rewritten", "Bytes of the data files a compaction rewrote",
          tags);
      compactionsFailed = counter("compactions.failed", "Compactions that failed; the table goes on without them", tags);
      segmentsAwaitingResync = counter("segments.resync.awaited.skipped",
          "Segments not applied because an incompatible schema change sent the table to a resync whose snapshot"
              + " replaces their changes", tags);
      resyncsSwitched = counter("resyncs.switched", "Resyncs whose end was applied, the table switched over to them",
          tags);
      resyncsFailed = counter("resyncs.failed",
          "Resync ends applied without removing anything, because staging no longer held the resync's begin", tags);
      resyncRowsRemoved = counter("resync.rows.removed",
          "Rows removed at the end of a resync because the source no longer held them", tags);
      commitLatency = registered(Timer.builder(PREFIX + "commit.latency")
          .description("Time to commit one batch through the coordinator").tags(tags).register(registry));
      batchDuration = registered(Timer.builder(PREFIX + "batch.duration")
          .description("Time to apply one committed batch: read its segments, write its data files, commit")
          .tags(tags).register(registry));
      manifestWait = registered(Timer.builder(PREFIX + "manifest.wait")
          .description("Time from a manifest's announcement (the gateway's clock) to each start of a batch applying it")
          .tags(tags).register(registry));
      registered(Gauge.builder(PREFIX + "applied.lag", this, Table::lagSeconds)
          .description("Seconds between now and the capture of the last applied event").baseUnit("seconds")
          .tags(tags).register(registry));
      registered(Gauge.builder(PREFIX + "table.version", version, AtomicLong::get)
          .description("Latest Delta version of the table").tags(tags).register(registry));
      registered(Gauge.builder(PREFIX + "applied.position.known", positionKnown, AtomicLong::get).description(
          "1 when the applier knows the table's applied source position").tags(tags).register(registry));
      segmentsPerCommit = registered(DistributionSummary.builder(PREFIX + "batch.segments")
          .description("Segments (manifests) applied per commit: small while the table is caught up, up to"
              + " applier.batch.max-segments while it is behind")
          .tags(tags).register(registry));
      registered(Gauge.builder(PREFIX + "segments.pending", segmentsPending, AtomicLong::get).strongReference(true)
          .description("Segments announced and read by the applier, not yet applied").tags(tags).register(registry));
      registered(Gauge.builder(PREFIX + "changes.pending", changesPending, AtomicLong::get).strongReference(true)
          .description("Changes of the segments announced and read by the applier, not yet applied")
          .tags(tags).register(registry));
      registered(Gauge.builder(PREFIX + "applied.position.lag", positionLagBytes,
              lag -> lag.get() < 0 ? Double.NaN : lag.get())
          .strongReference(true).baseUnit("bytes")
          .description("Source log bytes between the applied position and the newest announced one (PostgreSQL WAL,"
              + " MySQL/MariaDB binlog); NaN where the source gives no byte distance")
          .tags(tags).register(registry));
    }

    private Counter counter(String name, String description, Tags tags) {
      return registered(Counter.builder(PREFIX + name).description(description).tags(tags).register(registry));
    }

    private <M extends Meter> M registered(M meter) {
      synchronized (meters) {
        meters.add(meter);
      }
      return meter;
    }

    /** Removes every meter of the table from the registry; what is recorded afterwards goes nowhere. */
    private void remove() {
      synchronized (meters) {
        removed = true;
        meters.forEach(registry::remove);
        meters.clear();
      }
    }

    private double lagSeconds() {
      long capture = lastCaptureMillis.get();
      return capture < 0 ? Double.NaN : Math.max(0, clock.millis() - capture) / 1000.0;
    }

    public void replayRefused() {
      replaysRefused.increment();
    }

    public void segmentsReapplied(int count) {
      segmentsReapplied.increment(count);
    }

    public void segmentSuperseded() {
      segmentsSuperseded.increment();
    }

    public void segmentCorrupt() {
      segmentsCorrupt.increment();
    }

    public void segmentsAwaitingResync(int count) {
      segmentsAwaitingResync.increment(count);
    }

    public void segmentsUnannounced(int count) {
      segmentsUnannounced.increment(count);
    }

    public void duplicatesDropped(long count) {
      duplicatesDropped.increment(count);
    }

    /** Records how long a batch that was committed took, from its start to its commit. */
    public void batchApplied(Duration duration) {
      batchDuration.record(duration);
    }

    /** Records how long a manifest waited between its announcement and the start of the batch applying it. */
    public void manifestWaited(Duration wait) {
      // Another machine's clock may run ahead: a wait below zero is counted as none.
      manifestWait.record(wait.isNegative() ? Duration.ZERO : wait);
    }

    public void committed(long newVersion, CopyOnWriteWriter.Result result, long captureMillis, Duration latency) {
      batchesApplied.increment();
      rowsUpserted.increment(result.upserted());
      rowsDeleted.increment(result.deleted());
      filesRead.increment(result.filesRead());
      filesAdded.increment(result.filesAdded());
      filesRemoved.increment(result.filesRemoved());
      filesMarked.increment(result.filesMarked());
      bytesWritten.increment(result.bytesWritten());
      bytesRewritten.increment(result.bytesRemoved());
      if (result.rowsChanged() > 0) {
        rewrittenPerChangedRow.record((double) result.bytesWritten() / result.rowsChanged());
      }
      commitLatency.record(latency);
      if (captureMillis > 0) {
        lastCaptureMillis.set(captureMillis);
      }
      version.set(newVersion);
    }

    /** Counts a resync switched over, which removed {@code rowsRemoved} rows no longer at the source. */
    public void resyncSwitched(long rowsRemoved) {
      resyncsSwitched.increment();
      resyncRowsRemoved.increment(rowsRemoved);
    }

    /**
     * Counts a schema change applied to the table ({@code added}, {@code dropped}, {@code widened}) or
     * an incompatible one that sent the table to a resync ({@code resync}).
     */
    public void schemaChanged(String kind) {
      synchronized (meters) {
        if (removed) {
          // The table left this applier: registering would bring one of its meters back.
          return;
        }
        schemaChanges.computeIfAbsent(kind, name -> registered(Counter.builder(PREFIX + "schema.changes")
            .description("Schema changes of the source table applied to the Delta table, by kind; 'resync' counts"
                + " incompatible changes that sent the table to a resync")
            .tags(tags).tag("kind", name).register(registry))).increment();
      }
    }

    /** Counts a compaction committed as {@code newVersion}. */
    public void compacted(long newVersion, long filesRemoved, long filesAdded, long bytesRemoved) {
      compactions.increment();
      compactionFilesRemoved.increment(filesRemoved);
      compactionFilesAdded.increment(filesAdded);
      compactionBytesRewritten.increment(bytesRemoved);
      version.set(newVersion);
    }

    public void compactionFailed() {
      compactionsFailed.increment();
    }

    public void resyncFailed() {
      resyncsFailed.increment();
    }

    public void version(long newVersion) {
      version.set(newVersion);
    }

    public void positionKnown(boolean known) {
      positionKnown.set(known ? 1 : 0);
    }

    /** Records a commit of {@code segments} manifests. */
    public void batchCommitted(int segments) {
      segmentsPerCommit.record(segments);
    }

    /**
     * What the table has announced and not applied: segments and their changes, and the distance from
     * its applied position to the newest announced one in the source's log, when there is one.
     */
    public void backlog(int segments, long changes, OptionalLong positionLag) {
      segmentsPending.set(segments);
      changesPending.set(changes);
      positionLagBytes.set(positionLag.orElse(-1));
    }
  }
}
