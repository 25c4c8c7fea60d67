package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's meters, named {@code tributary.coordinator.*} (Prometheus:
 * {@code tributary_coordinator_*}): commits ratified, commits refused by reason, commit latency,
 * tables registered, and each table's version, epoch and time of its latest commit. {@link #close()}
 * removes them from the registry, which the caller owns.
 *
 * <p>The table gauges read the store, not this coordinator's own commits, so that with several
 * coordinators over one PostgreSQL store each reports the commits ratified by any of them.
 */
public final class CoordinatorMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorMetrics.class);
  private static final Duration TABLES_MAX_AGE = Duration.ofSeconds(1);

  private final MeterRegistry registry;
  private final CoordinatorStore store;
  private final Counter ratified;
  private final Counter exported;
  private final Timer latency;
  private final Map<ErrorCode, Counter> refused = new ConcurrentHashMap<>();
  private final Map<TableId, Counter> rollbacks = new ConcurrentHashMap<>();
  private final Map<String, Counter> groups = new ConcurrentHashMap<>();
  private final Set<TableId> tracked = ConcurrentHashMap.newKeySet();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<TableId, LastCommit> lastCommits = new ConcurrentHashMap<>();
  private final Duration tablesMaxAge;
  private volatile Map<TableId, TableState> tablesSnapshot = Map.of();
  private volatile long tablesReadAt;

  public CoordinatorMetrics(MeterRegistry registry, CoordinatorStore store) {
    this(registry, store, TABLES_MAX_AGE);
  }

  /** @param tablesMaxAge how long one read of the tables serves the gauges */
  CoordinatorMetrics(MeterRegistry registry, CoordinatorStore store, Duration tablesMaxAge) {
    this.registry = requireNonNull(registry, "registry is null");
    this.store = requireNonNull(store, "store is null");
    this.tablesMaxAge = requireNonNull(tablesMaxAge, "tablesMaxAge is null");
    this.ratified = register(Counter.builder("tributary.coordinator.commits.ratified")
        .description("Commits ratified and published")
        .register(registry));
    this.exported = register(Counter.builder("tributary.coordinator.events.exported")
        .description("Events appended to the events Delta table")
        .register(registry));
    this.latency = register(Timer.builder("tributary.coordinator.commit.latency")
        .description("Time to answer a commit proposal, publication included")
        .register(registry));
    register(Gauge.builder("tributary.coordinator.tables.registered", this, metrics -> metrics.tables().size())
        .description("Tables registered with the coordinator")
        .strongReference(true)
        .register(registry));
    // Served at 0 from the start, so that increase() sees the first refusal or group after a restart: a
    // series that appears at its first event has no earlier sample to rise from.
    refusedCounter(ErrorCode.STALE_EPOCH);
    refusedCounter(ErrorCode.COMMIT_CONFLICT);
    groupCounter("ratified");
    groupCounter("refused");
  }

  /** Adds the event log's gauges: the latest event number and the events not written to disk. */
  public void trackEvents(EventLog events) {
    register(Gauge.builder("tributary.coordinator.events.last.sequence", events, EventLog::lastSequence)
        .description("Number of the latest event recorded in the event log")
        .strongReference(true)
        .register(registry));
    register(io.micrometer.core.instrument.FunctionCounter.builder("tributary.coordinator.events.write.failures", events,
            log -> log.writeFailures())
        .description("Events the event log could not record durably")
        .register(registry));
  }

  /** Counts events appended to the events Delta table. */
  public void eventsExported(long count) {
    exported.increment(count);
  }

  void commitRatified() {
    ratified.increment();
  }

  /** Counts a refused commit under its reason, e.g. {@code stale_epoch} or {@code commit_conflict}. */
  void commitRefused(ErrorCode reason) {
    refusedCounter(reason).increment();
  }

  private Counter refusedCounter(ErrorCode reason) {
    return refused.computeIfAbsent(reason, code -> register(Counter.builder("tributary.coordinator.commits.refused")
        .description("Commit proposals refused, by reason")
        .tag("reason", code.name().toLowerCase(Locale.ROOT))
        .register(registry)));
  }

  /** Counts a commit group by its outcome: {@code ratified} or {@code refused}. */
  void commitGroup(boolean ratifiedGroup) {
    groupCounter(ratifiedGroup ? "ratified" : "refused").increment();
  }

  private Counter groupCounter(String outcome) {
    return groups.computeIfAbsent(outcome, tag -> register(Counter.builder("tributary.coordinator.commit.groups")
        .description("Commit groups proposed, by outcome: ratified (every commit of the group) or refused (none)")
        .tag("outcome", tag)
        .register(registry)));
  }

  /** Counts a rollback of {@code tableId}. */
  void rolledBack(TableId tableId) {
    rollbacks.computeIfAbsent(tableId, table -> register(Counter.builder("tributary.coordinator.rollbacks")
        .description("Rollbacks committed: versions that restored an earlier version's content")
        .tag("table", table.canonical())
        .register(registry))).increment();
  }

  /** Starts timing one commit proposal; hand the result to {@link #commitAnswered}. */
  Timer.Sample commitReceived() {
    return Timer.start(registry);
  }

  void commitAnswered(Timer.Sample sample) {
    sample.stop(latency);
  }

  /** Adds the version, epoch and latest commit time gauges of a table, once. */
  void track(TableId tableId) {
    if (!tracked.add(tableId)) {
      return;
    }
    register(Gauge.builder("tributary.coordinator.table.version", this,
            metrics -> Optional.ofNullable(metrics.tables().get(tableId)).map(TableState::version).orElse(-1L))
        .description("Latest ratified Delta version of the table")
        .strongReference(true)
        .tag("table", tableId.canonical())
        .register(registry));
    register(Gauge.builder("tributary.coordinator.table.epoch", this,
            metrics -> Optional.ofNullable(metrics.tables().get(tableId)).map(state -> state.epoch().value()).orElse(0L))
        .description("Current fencing epoch of the table's lease")
        .strongReference(true)
        .tag("table", tableId.canonical())
        .register(registry));
    register(Gauge.builder("tributary.coordinator.table.last.commit.timestamp", this,
            metrics -> metrics.lastCommitSeconds(tableId))
        .description("When the table's latest ratified commit was ratified, in seconds since the epoch (NaN before"
            + " its first commit)")
        .baseUnit("seconds")
        .strongReference(true)
        .tag("table", tableId.canonical())
        .register(registry));
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
    refused.clear();
    tracked.clear();
    lastCommits.clear();
  }

  /**
   * The ratification time of the table's latest version, as the store recorded it with the commit,
   * so that it survives a restart and covers commits other coordinators ratified. It is read from
   * the store once per version. NaN before the first commit, and while a version's commit cannot be
   * read and no earlier time is known.
   */
  private double lastCommitSeconds(TableId tableId) {
    TableState table = tables().get(tableId);
    if (table == null || table.version() < 0) {
      return Double.NaN;
    }
    LastCommit known = lastCommits.get(tableId);
    if (known != null && known.version() == table.version()) {
      return known.epochSeconds();
    }
    try {
      Optional<CommitEntry> commit = store.commit(tableId, table.version());
      if (commit.isEmpty()) {
        // Withdrawn since the tables were read: the next read of the tables has the version before it.
        return known == null ? Double.NaN : known.epochSeconds();
      }
      Instant committedAt = commit.get().record().committedAt();
      LastCommit latest = new LastCommit(table.version(), committedAt.getEpochSecond() + committedAt.getNano() / 1e9);
      lastCommits.put(tableId, latest);
      return latest.epochSeconds();
    } catch (RuntimeException e) {
      LOG.debug("Cannot read the latest commit of {} for metrics: {}", tableId, e.toString());
      return known == null ? Double.NaN : known.epochSeconds();
    }
  }

  /**
   * The tables as of at most {@link #tablesMaxAge} ago: one scrape reads the store once, not once
   * per gauge (with the PostgreSQL store each read is a query). When the store cannot be read the
   * last known tables are reported.
   */
  private Map<TableId, TableState> tables() {
    long now = System.nanoTime();
    if (now - tablesReadAt >= tablesMaxAge.toNanos() || tablesReadAt == 0) {
      try {
        Map<TableId, TableState> read = new HashMap<>();
        store.tables().forEach(table -> read.put(table.tableId(), table));
        tablesSnapshot = Map.copyOf(read);
        tablesReadAt = now;
      } catch (RuntimeException e) {
        LOG.debug("Cannot read the tables for metrics: {}", e.toString());
      }
    }
    return tablesSnapshot;
  }

  private <M extends Meter> M register(M meter) {
    meters.add(meter);
    return meter;
  }

  /** The ratification time of a table's version, in seconds since the epoch. */
  private record LastCommit(long version, double epochSeconds) {}
}
