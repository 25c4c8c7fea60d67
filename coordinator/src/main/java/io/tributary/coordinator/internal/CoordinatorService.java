package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Timer;
import io.tributary.coordinator.CommitGroupProposal;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.ConsistentPosition;
import io.tributary.coordinator.CoordinatorEvent.Severity;
import io.tributary.coordinator.CoordinatorEvent.Type;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.coordinator.Replay;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.RollbackResult;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit service's rules in motion: registration, leases and commit ratification with
 * publication. All changes to one table run one at a time under that table's lock, so a commit is
 * checked, ratified, published and recorded before anything else touches the table.
 *
 * <p>Commit order, for crash safety: the commit is recorded as ratified (durably) before its log
 * entry is published, then marked published; a ratified commit found unpublished (after a crash or
 * a failed publication) is published again before the table's next commit and at startup.
 */
public final class CoordinatorService {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorService.class);
  private static final Pattern STAGED_NAME = Pattern.compile("(\\d{20})\\.[0-9a-fA-F-]{36}\\.json");
  static final Duration MAX_LEASE_TTL = Duration.ofDays(1);
  /** The most commits one history page holds. */
  public static final int MAX_HISTORY_PAGE = 10_000;
  /** Who holds a table's lease while the coordinator rolls it back. */
  public static final WriterId ROLLBACK_WRITER = new WriterId("tributary-coordinator-rollback");
  private static final Duration ROLLBACK_LEASE = Duration.ofMinutes(10);

  private final CoordinatorStore store;
  private final DeltaLogPublisher publisher;
  private final CoordinatorMetrics metrics;
  private final EventLog events;
  private final Clock clock;
  private final Duration defaultLeaseTtl;
  private final ConcurrentHashMap<TableId, ReentrantLock> tableLocks = new ConcurrentHashMap<>();

  public CoordinatorService(CoordinatorStore store, DeltaLogPublisher publisher, CoordinatorMetrics metrics,
      EventLog events, Clock clock, Duration defaultLeaseTtl) {
    this.store = requireNonNull(store, "store is null");
    this.publisher = requireNonNull(publisher, "publisher is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.events = requireNonNull(events, "events is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.defaultLeaseTtl = checkTtl(requireNonNull(defaultLeaseTtl, "defaultLeaseTtl is null"));
    store.tables().forEach(table -> metrics.track(table.tableId()));
  }

  public TableStatus register(TableRegistration registration) {
    TableId tableId = registration.tableId();
    return locked(tableId, () -> {
      boolean known = store.table(tableId).isPresent();
      TableState state = store.register(registration, clock.instant());
      if (!known) {
        LOG.info("Registered table {} at {} with key {}", tableId, state.location(), state.keyColumns());
        record(Type.TABLE_REGISTERED, tableId, Severity.INFO, "Registered at " + state.location(),
            Map.of("location", state.location().toString(), "key_columns", String.join(",", state.keyColumns())));
      }
      metrics.track(tableId);
      return state.status();
    });
  }

  /**
   * Pauses a table: its commits are refused with {@code TABLE_PAUSED} (appliers retry later) until it
   * is resumed. What is already committed stays.
   */
  public TableStatus pause(TableId tableId, String reason) {
    if (reason.isBlank()) {
      throw CoordinatorErrors.invalidRequest("a pause needs a reason");
    }
    return lockedExisting(tableId, () -> {
      boolean wasPaused = store.table(tableId).orElseThrow().pausedReason().isPresent();
      TableState paused = store.pause(tableId, reason, clock.instant());
      LOG.warn("Table {} {}paused: {}", tableId, wasPaused ? "still " : "", reason);
      record(Type.TABLE_PAUSED, tableId, Severity.WARNING, "Paused: " + reason, Map.of("reason", reason));
      return paused.status();
    });
  }

  /** Resumes a paused table; resuming a table that is not paused changes nothing. */
  public TableStatus resume(TableId tableId, String reason) {
    return lockedExisting(tableId, () -> {
      boolean wasPaused = store.table(tableId).orElseThrow().pausedReason().isPresent();
      TableState resumed = store.resume(tableId, clock.instant());
      if (wasPaused) {
        LOG.info("Table {} resumed: {}", tableId, reason);
        record(Type.TABLE_RESUMED, tableId, Severity.INFO, "Resumed" + (reason.isBlank() ? "" : ": " + reason),
            Map.of("reason", reason));
      }
      return resumed.status();
    });
  }

  /**
   * Asks for a table's resync: its gateway captures a fresh snapshot of the source table while the
   * other tables keep streaming, and its applier replaces the table's content with it. Refused with
   * {@code RESYNC_CONFLICT} while another resync of the table is under way.
   */
  public TableStatus requestResync(TableId tableId, String reason) {
    if (reason.isBlank()) {
      throw CoordinatorErrors.invalidRequest("a resync needs a reason");
    }
    return lockedExisting(tableId, () -> newResync(tableId, reason));
  }

  /**
   * Asks for a table's resync on behalf of a gateway whose changes staged before
   * {@code stagedUntil} will never be applied. A resync that supersedes them is answered as is, so
   * that a gateway repeating the call after a lost answer does not start a second one.
   */
  public TableStatus requireResync(TableId tableId, String reason, Instant stagedUntil) {
    if (reason.isBlank()) {
      throw CoordinatorErrors.invalidRequest("a resync needs a reason");
    }
    return lockedExisting(tableId, () -> {
      TableState before = store.table(tableId).orElseThrow();
      if (before.resync().filter(resync -> resync.supersedes(stagedUntil)).isPresent()) {
        return before.status();
      }
      return newResync(tableId, reason);
    });
  }

  private TableStatus newResync(TableId tableId, String reason) {
    Instant now = clock.instant();
    Resync requested = new Resync(UUID.randomUUID().toString(), Resync.State.REQUESTED, reason, now, now, "");
    TableState table = store.changeResync(tableId, requested, now);
    LOG.warn("Resync {} of {} requested: {}", requested.id(), tableId, reason);
    recordResync(tableId, requested, Severity.WARNING, "Resync requested: " + reason);
    return table.status();
  }

  /**
   * Moves a table's resync on: the gateway reports capturing and captured, the applier done, either
   * failed; an operator cancels. A step that does not follow the current state, or names another
   * resync, is refused with {@code RESYNC_CONFLICT}; repeating the current state (progress while
   * capturing) updates its detail.
   */
  public TableStatus changeResync(TableId tableId, String id, Resync.State state, String detail) {
    if (state == Resync.State.REQUESTED) {
      throw CoordinatorErrors.invalidRequest("a resync is requested with its own call, not as a step");
    }
    return lockedExisting(tableId, () -> {
      TableState before = store.table(tableId).orElseThrow();
      Resync current = before.resync().filter(resync -> resync.id().equals(id))
          .orElseThrow(() -> CoordinatorErrors.resyncUnknown(tableId, id, before.resync()));
      Resync next = current.moved(state, clock.instant(), detail);
      TableState table = store.changeResync(tableId, next, next.updatedAt());
      if (state != current.state()) {
        LOG.info("Resync {} of {}: {} -> {}{}", id, tableId, current.state(), state, detail.isBlank() ? "" : " (" + detail + ")");
        recordResync(tableId, next, state == Resync.State.FAILED ? Severity.ERROR : Severity.INFO,
            "Resync " + state.name().toLowerCase(Locale.ROOT) + (detail.isBlank() ? "" : ": " + detail));
      }
      return table.status();
    });
  }

  /** The tables of a source whose resync waits for its gateway (requested or being captured). */
  public List<TableStatus> pendingResyncs(String source) {
    return store.tables().stream()
        .filter(table -> table.tableId().source().equals(source))
        .filter(table -> table.resync().map(resync -> resync.state().awaitsGateway()).orElse(false))
        .map(TableState::status)
        .toList();
  }

  private void recordResync(TableId tableId, Resync resync, Severity severity, String message) {
    record(Type.RESYNC, tableId, severity, message, Map.of("resync", resync.id(), "state", resync.state().name(),
        "reason", resync.reason(), "detail", resync.detail()));
  }

  /**
   * Gives a table the content of an earlier version as a new commit, and moves its applied position
   * back to that version's, so that the changes after it are applied again from staging by the
   * table's applier ({@link #replay}). The coordinator takes the table's lease for the commit, which
   * fences the applier that held it; that applier takes the table again once the lease is free.
   * Paused tables can be rolled back (and stay paused).
   *
   * @throws TributaryException {@code CONFIG_INVALID} for a version that is not an earlier one, or
   *     whose data files or the segments to apply again are gone; {@code COMMIT_CONFLICT} when the
   *     table moved meanwhile (retry)
   */
  public RollbackResult rollback(TableId tableId, long toVersion, String reason) {
    if (reason.isBlank()) {
      throw CoordinatorErrors.invalidRequest("a rollback needs a reason");
    }
    return lockedExisting(tableId, () -> rollbackLocked(tableId, toVersion, reason));
  }

  private RollbackResult rollbackLocked(TableId tableId, long toVersion, String reason) {
    finishPending(tableId);
    TableState table = store.table(tableId).orElseThrow();
    long fromVersion = table.version();
    if (toVersion < 0 || toVersion >= fromVersion) {
      throw CoordinatorErrors.invalidRequest("cannot roll " + tableId + " back to version " + toVersion + ": it is at"
          + " version " + fromVersion + (fromVersion > 0 ? "; choose a version from 0 to " + (fromVersion - 1) : ""));
    }
    List<CommitRecord> history = history(tableId);
    Optional<SourcePosition> position = Lineage.positionAt(history, toVersion);
    Optional<Replay> replay = Lineage.replayAfter(tableId, history, fromVersion + 1, toVersion, position);
    requireStaged(tableId, toVersion, replay);
    Instant now = clock.instant();
    DeltaRestore.Plan plan = DeltaRestore.plan(publisher.engine(), tableId, table.location(), fromVersion, toVersion,
        now.toEpochMilli());
    Lease lease = store.acquireLease(tableId, ROLLBACK_WRITER, now, now.plus(ROLLBACK_LEASE));
    String fenced = table.leaseHolder().map(holder -> ", fencing " + holder + " (epoch " + table.epoch() + ")").orElse("");
    record(Type.LEASE_ACQUIRED, tableId, Severity.INFO, "Lease taken for a rollback at epoch " + lease.epoch().value()
        + fenced, Map.of("writer", ROLLBACK_WRITER.value(), "epoch", Long.toString(lease.epoch().value()),
            "previous_holder", table.leaseHolder().map(WriterId::value).orElse("")));
    long version;
    try {
      CommitRecord.Rollback rollback = new CommitRecord.Rollback(toVersion, reason);
      version = DeltaRestore.commit(publisher.engine(), tableId, table.location(), plan, new CoordinatedCommitter(
          proposal -> commitLocked(proposal, Optional.of(rollback)), lease, position, List.of(), plan.rowsTouched()));
    } catch (RuntimeException e) {
      throw rollbackFailed(tableId, toVersion, e);
    } finally {
      try {
        store.releaseLease(tableId, ROLLBACK_WRITER, lease.epoch(), clock.instant());
      } catch (RuntimeException e) {
        LOG.warn("Cannot release the rollback's lease of {}; it expires in {}: {}", tableId, ROLLBACK_LEASE, e.toString());
      }
    }
    LOG.warn("Rolled {} back from version {} to the content of version {} as version {} ({} files removed, {} added "
        + "back): {}. {}", tableId, fromVersion, toVersion, version, plan.filesRemoved(), plan.filesAdded(), reason,
        replay.map(r -> r.segments().size() + " staged segments are applied again, up to position " + r.until())
            .orElse("No source change to apply again."));
    metrics.rolledBack(tableId);
    record(Type.ROLLBACK, tableId, Severity.WARNING, "Rolled back from version " + fromVersion + " to the content of"
        + " version " + toVersion + " as version " + version + ": " + reason, Map.of(
            "from_version", Long.toString(fromVersion), "to_version", Long.toString(toVersion),
            "version", Long.toString(version), "reason", reason,
            "files_removed", Integer.toString(plan.filesRemoved()), "files_added", Integer.toString(plan.filesAdded()),
            "replay_segments", Integer.toString(replay.map(r -> r.segments().size()).orElse(0))));
    return new RollbackResult(tableId, fromVersion, toVersion, version, plan.filesRemoved(), plan.filesAdded(),
        replay.map(r -> new Replay(tableId, version, toVersion, r.from(), r.until(), r.segments())));
  }

  /** Refuses a rollback whose changes could not be applied again: their staged segments are gone. */
  private void requireStaged(TableId tableId, long toVersion, Optional<Replay> replay) {
    for (URI segment : replay.map(Replay::segments).orElse(List.of())) {
      boolean staged;
      try {
        staged = publisher.exists(segment);
      } catch (IOException e) {
        throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot roll " + tableId + " back to version " + toVersion
            + ": cannot check staged segment " + segment + ": " + e.getMessage(), e);
      }
      if (!staged) {
        throw CoordinatorErrors.invalidRequest("cannot roll " + tableId + " back to version " + toVersion + ": segment "
            + segment + ", whose changes would have to be applied again, is no longer staged (deleted by retention?);"
            + " choose a later version or resync the table");
      }
    }
  }

  private static TributaryException rollbackFailed(TableId tableId, long toVersion, RuntimeException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof TributaryException known) {
        return known;
      }
    }
    return new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot roll " + tableId + " back to version " + toVersion
        + ": " + e.getMessage(), e);
  }

  /**
   * What the table's applier must apply again after the latest rollback before anything new; empty
   * when there was none or the table is applied past it.
   */
  public Optional<Replay> replay(TableId tableId) {
    TableState table = store.table(tableId).orElseThrow(() -> CoordinatorErrors.unknownTable(tableId));
    return Lineage.pendingReplay(tableId, history(tableId), table.appliedPosition());
  }

  /** Records an event reported by a gateway or applier. */
  public CoordinatorEvent report(CoordinatorEvent.Report report) {
    return events.append(report);
  }

  /** The recorded events matching {@code query}, newest first. */
  public List<CoordinatorEvent> events(EventQuery query) {
    return events.query(query);
  }

  private void recordCommit(CommitProposal proposal, Optional<CommitGroupProposal> group) {
    Map<String, String> details = new java.util.LinkedHashMap<>();
    details.put("version", Long.toString(proposal.version()));
    details.put("writer", proposal.writer().value());
    details.put("epoch", Long.toString(proposal.epoch().value()));
    details.put("rows_changed", Long.toString(proposal.rowsChanged()));
    details.put("segments", Integer.toString(proposal.segments().size()));
    details.put("watermark", proposal.watermark().map(SourcePosition::value).orElse(""));
    group.ifPresent(ratified -> {
      details.put("group", ratified.id());
      details.put("cut", ratified.cut().value());
    });
    record(Type.COMMIT, proposal.tableId(), Severity.INFO, "Version " + proposal.version() + " by " + proposal.writer()
        + ": " + proposal.rowsChanged() + " rows changed from " + proposal.segments().size() + " segments"
        + group.map(ratified -> ", in commit group " + ratified.id() + " of " + ratified.commits().size() + " tables")
            .orElse(""), details);
  }

  private void record(Type type, TableId tableId, Severity severity, String message, Map<String, String> details) {
    try {
      events.append(new CoordinatorEvent.Report(clock.instant(), type, Optional.of(tableId), severity, message, details));
    } catch (RuntimeException e) {
      LOG.warn("Cannot record a {} event of {}: {}", type, tableId, e.toString());
    }
  }

  public Optional<TableStatus> table(TableId tableId) {
    return store.table(tableId).map(TableState::status);
  }

  public List<TableStatus> tables() {
    return store.tables().stream().map(TableState::status).toList();
  }

  /** Gives the lease to {@code writer} at the next epoch; the newest acquirer always wins. */
  public Lease acquireLease(TableId tableId, WriterId writer, Optional<Duration> ttl) {
    Duration leaseTtl = checkTtl(ttl.orElse(defaultLeaseTtl));
    return lockedExisting(tableId, () -> {
      TableState before = store.table(tableId).orElseThrow();
      Instant now = clock.instant();
      Lease lease = store.acquireLease(tableId, writer, now, now.plus(leaseTtl));
      String fenced = before.leaseHolder().map(holder -> ", fencing " + holder + " (epoch " + before.epoch() + ")").orElse("");
      LOG.info("Writer {} acquired the lease of {} at epoch {}{}", writer, tableId, lease.epoch(), fenced);
      record(Type.LEASE_ACQUIRED, tableId, Severity.INFO, "Lease taken by " + writer + " at epoch " + lease.epoch().value()
          + fenced, Map.of("writer", writer.value(), "epoch", Long.toString(lease.epoch().value()),
              "previous_holder", before.leaseHolder().map(WriterId::value).orElse("")));
      return lease;
    });
  }

  public Lease renewLease(TableId tableId, WriterId writer, Epoch epoch, Optional<Duration> ttl) {
    Duration leaseTtl = checkTtl(ttl.orElse(defaultLeaseTtl));
    return lockedExisting(tableId, () -> {
      Instant now = clock.instant();
      return store.renewLease(tableId, writer, epoch, now, now.plus(leaseTtl));
    });
  }

  /** Frees the lease if {@code writer} still holds it at {@code epoch}; otherwise changes nothing. */
  public TableStatus releaseLease(TableId tableId, WriterId writer, Epoch epoch) {
    return lockedExisting(tableId, () -> {
      TableState before = store.table(tableId).orElseThrow();
      TableState after = store.releaseLease(tableId, writer, epoch, clock.instant());
      if (before.leaseHolder().isPresent() && after.leaseHolder().isEmpty()) {
        LOG.info("Writer {} released the lease of {} at epoch {}", writer, tableId, epoch);
        record(Type.LEASE_RELEASED, tableId, Severity.INFO, "Lease released by " + writer + " at epoch " + epoch.value(),
            Map.of("writer", writer.value(), "epoch", Long.toString(epoch.value())));
      } else {
        LOG.info("Writer {} released the lease of {} at epoch {}, which it no longer held (epoch {}, holder {})",
            writer, tableId, epoch, after.epoch(), after.leaseHolder().map(WriterId::value).orElse("nobody"));
      }
      return after.status();
    });
  }

  /**
   * Ratifies, publishes and records one commit. Refusals ({@code STALE_EPOCH}, {@code COMMIT_CONFLICT},
   * {@code CONFIG_INVALID}, {@code UNKNOWN_TABLE}, {@code STORAGE_FAILURE}, {@code COORDINATOR_UNAVAILABLE})
   * mean the version was not taken by this proposal; {@code COMMIT_OUTCOME_UNKNOWN} means it may have been.
   * Proposing the very same commit again after it was published returns its receipt.
   */
  public CommitReceipt commit(CommitProposal proposal) {
    Timer.Sample sample = metrics.commitReceived();
    try {
      CommitReceipt receipt = lockedExisting(proposal.tableId(), () -> commitLocked(proposal, Optional.empty()));
      metrics.commitRatified();
      recordCommit(proposal, Optional.empty());
      return receipt;
    } catch (TributaryException e) {
      metrics.commitRefused(e.code());
      record(Type.COMMIT_REFUSED, proposal.tableId(),
          e.code() == ErrorCode.COMMIT_OUTCOME_UNKNOWN || e.code() == ErrorCode.STORAGE_FAILURE ? Severity.ERROR
              : Severity.WARNING,
          "Version " + proposal.version() + " by " + proposal.writer() + " refused: " + e.getMessage(),
          Map.of("version", Long.toString(proposal.version()), "writer", proposal.writer().value(),
              "epoch", Long.toString(proposal.epoch().value()), "code", e.code().name()));
      if (e.code() == ErrorCode.COMMIT_OUTCOME_UNKNOWN) {
        LOG.warn("Version {} of {} from writer {} at epoch {} failed: {}", proposal.version(), proposal.tableId(),
            proposal.writer(), proposal.epoch(), e.getMessage(), e.getCause());
      } else {
        LOG.info("Refused version {} of {} from writer {} at epoch {}: {}", proposal.version(), proposal.tableId(),
            proposal.writer(), proposal.epoch(), e.getMessage());
      }
      throw e;
    } finally {
      metrics.commitAnswered(sample);
    }
  }

  /**
   * Ratifies the commits of a commit group all or nothing, then publishes each one. Every commit is
   * checked as {@link #commit} checks it, with the locks of all the group's tables held; if any check
   * fails, nothing is ratified and the refusal names that commit. Once ratified, each commit is
   * published: a failure then leaves the outcome unknown for that table (its commit stays ratified
   * and is published later) and is answered with {@code COMMIT_OUTCOME_UNKNOWN}; if a commit's log
   * entry cannot be published at all (its staged file vanished, or the version was taken outside the
   * coordinator), its ratification is withdrawn and the group never becomes the source's consistent
   * position. Proposing the very same group again after it was published returns its receipts.
   */
  public List<CommitReceipt> commitGroup(CommitGroupProposal group) {
    List<TableId> members = group.commits().stream().map(CommitProposal::tableId).sorted().toList();
    for (TableId tableId : members) {
      if (store.table(tableId).isEmpty()) {
        throw CoordinatorErrors.groupRefused(group.id(), CoordinatorErrors.unknownTable(tableId));
      }
    }
    Timer.Sample sample = metrics.commitReceived();
    try {
      GroupOutcome outcome = lockedAll(members, () -> commitGroupLocked(group));
      if (outcome.repeated()) {
        LOG.info("Commit group {} of source {} was already committed by this very proposal; answering with its receipts",
            group.id(), group.source());
        return outcome.receipts();
      }
      metrics.commitGroup(true);
      for (CommitProposal proposal : group.commits()) {
        metrics.commitRatified();
        recordCommit(proposal, Optional.of(group));
      }
      LOG.debug("Committed group {} of source {} up to {}: {} tables", group.id(), group.source(), group.cut(),
          members.size());
      return outcome.receipts();
    } catch (TributaryException e) {
      metrics.commitGroup(false);
      metrics.commitRefused(e.code());
      for (CommitProposal proposal : group.commits()) {
        record(Type.COMMIT_REFUSED, proposal.tableId(), e.code() == ErrorCode.COMMIT_OUTCOME_UNKNOWN
            || e.code() == ErrorCode.STORAGE_FAILURE ? Severity.ERROR : Severity.WARNING, "Version " + proposal.version()
            + " by " + proposal.writer() + " refused with its commit group " + group.id() + ": " + e.getMessage(),
            Map.of("version", Long.toString(proposal.version()), "writer", proposal.writer().value(),
                "epoch", Long.toString(proposal.epoch().value()), "code", e.code().name(), "group", group.id()));
      }
      LOG.info("Refused commit group {} of source {} ({} tables): {}", group.id(), group.source(), members.size(),
          e.getMessage());
      throw e;
    } finally {
      metrics.commitAnswered(sample);
    }
  }

  /** The receipts of a group's commits, and whether the group was committed already (a proposal sent again). */
  private record GroupOutcome(List<CommitReceipt> receipts, boolean repeated) {}

  private GroupOutcome commitGroupLocked(CommitGroupProposal group) {
    for (CommitProposal proposal : group.commits()) {
      finishPending(proposal.tableId());
    }
    Optional<List<CommitReceipt>> committed = alreadyCommitted(group);
    if (committed.isPresent()) {
      return new GroupOutcome(committed.get(), true);
    }
    CommitRecord.Group recordedAs = group.recordedAs();
    List<CommitEntry> entries = new ArrayList<>();
    for (CommitProposal proposal : group.commits()) {
      try {
        entries.add(checked(proposal, Optional.empty(), Optional.of(recordedAs)));
      } catch (TributaryException e) {
        throw CoordinatorErrors.groupRefused(group.id(), e);
      }
    }
    List<CommitEntry> ratified;
    try {
      ratified = store.ratifyGroup(entries);
    } catch (TributaryException e) {
      if (e.code() == ErrorCode.STORAGE_FAILURE) {
        throw CoordinatorErrors.groupOutcomeUnknown(group.id(), e);
      }
      throw CoordinatorErrors.groupRefused(group.id(), e);
    }
    // Every version of the group is taken from here on.
    List<CommitReceipt> receipts = new ArrayList<>();
    TributaryException failure = null;
    for (CommitEntry entry : ratified) {
      try {
        receipts.add(publish(entry).receipt());
      } catch (Withdrawn e) {
        LOG.error("Commit group {} of source {} is incomplete: version {} of {} could not be published and was"
            + " withdrawn; the group never becomes the source's consistent position", group.id(), group.source(),
            entry.version(), entry.record().tableId());
        failure = failure != null ? failure : e.refusal;
      } catch (IOException | RuntimeException e) {
        failure = failure != null ? failure : CoordinatorErrors.groupOutcomeUnknown(group.id(), e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return new GroupOutcome(receipts, false);
  }

  /** The receipts of a group whose every commit is already published as proposed, if it is. */
  private Optional<List<CommitReceipt>> alreadyCommitted(CommitGroupProposal group) {
    List<CommitReceipt> receipts = new ArrayList<>();
    for (CommitProposal proposal : group.commits()) {
      Optional<CommitEntry> existing = store.commit(proposal.tableId(), proposal.version());
      if (existing.isEmpty() || !existing.get().published() || !sameCommit(existing.get(), proposal)) {
        return Optional.empty();
      }
      receipts.add(existing.get().receipt());
    }
    return Optional.of(receipts);
  }

  /**
   * The source's consistent position ({@link ConsistentCuts#latest}): the cut of its latest commit
   * group whose commits are all published, with the version of every registered table of the source
   * to read at that cut. Empty while no group of the source is published.
   */
  public Optional<ConsistentPosition> consistentPosition(String source) {
    Map<TableId, List<CommitEntry>> histories = new java.util.TreeMap<>();
    for (TableState table : store.tables()) {
      if (table.tableId().source().equals(source)) {
        histories.put(table.tableId(), store.history(table.tableId()));
      }
    }
    return ConsistentCuts.latest(source, histories);
  }

  /** The recorded commits of a table, newest first. */
  public List<CommitRecord> history(TableId tableId) {
    return store.history(tableId).stream().map(CommitEntry::record).toList();
  }

  /** At most {@code limit} recorded commits of a table below version {@code beforeVersion}, newest first. */
  public List<CommitRecord> history(TableId tableId, long beforeVersion, int limit) {
    if (limit < 1 || limit > MAX_HISTORY_PAGE) {
      throw CoordinatorErrors.invalidRequest("limit must be between 1 and " + MAX_HISTORY_PAGE + ", not " + limit);
    }
    return store.history(tableId, beforeVersion, limit).stream().map(CommitEntry::record).toList();
  }

  /**
   * The source position up to which the table's changes are in published Delta versions: the
   * watermark of its latest published commit that carries one. Staged segments whose changes all lie
   * at or below it may be deleted; a ratified commit still being published does not count, and
   * neither does a withdrawn one.
   */
  public PublishedPosition publishedPosition(TableId tableId) {
    if (store.table(tableId).isEmpty()) {
      throw CoordinatorErrors.unknownTable(tableId);
    }
    long version = -1;
    for (CommitEntry entry : store.history(tableId)) {
      if (!entry.published()) {
        continue;
      }
      version = Math.max(version, entry.version());
      // A rollback's watermark, even an empty one, is where the table is back to.
      if (entry.record().watermark().isPresent() || entry.record().rollback().isPresent()) {
        return new PublishedPosition(tableId, version, entry.record().watermark());
      }
    }
    return new PublishedPosition(tableId, version, Optional.empty());
  }

  /** Publishes every ratified commit left unpublished, e.g. by a crash; failures are left for later. */
  public void recover() {
    recover(store.unpublished());
  }

  /**
   * Publishes commits ratified more than {@code grace} ago and still unpublished: what a coordinator
   * that died between ratifying and publishing left behind, when the table sees no further commit.
   * Younger ones are left to the coordinator that is publishing them.
   */
  public void recoverOlderThan(Duration grace) {
    Instant before = clock.instant().minus(grace);
    recover(store.unpublished().stream().filter(entry -> entry.record().committedAt().isBefore(before)).toList());
  }

  private void recover(List<CommitEntry> unpublished) {
    List<TableId> tables = unpublished.stream().map(entry -> entry.record().tableId()).distinct().toList();
    for (TableId tableId : tables) {
      try {
        locked(tableId, () -> {
          finishPending(tableId);
          return null;
        });
      } catch (TributaryException e) {
        LOG.warn("Cannot finish publishing the ratified commits of {} yet; the table's next commit retries: {}",
            tableId, e.getMessage());
      }
    }
  }

  private CommitReceipt commitLocked(CommitProposal proposal, Optional<CommitRecord.Rollback> rollback) {
    TableId tableId = proposal.tableId();
    long version = proposal.version();
    finishPending(tableId);
    Optional<CommitEntry> existing = store.commit(tableId, version);
    if (existing.isPresent() && existing.get().published() && sameCommit(existing.get(), proposal)) {
      LOG.info("Version {} of {} was already committed by this very proposal; answering with its receipt", version, tableId);
      return existing.get().receipt();
    }
    CommitEntry ratified;
    try {
      ratified = store.ratify(checked(proposal, rollback, Optional.empty()));
    } catch (TributaryException e) {
      if (e.code() == ErrorCode.STORAGE_FAILURE) {
        throw CoordinatorErrors.outcomeUnknown(tableId, version, e);
      }
      throw e;
    }
    // The version is taken from here on: any failure but a withdrawal leaves the outcome unknown.
    try {
      CommitEntry published = publish(ratified);
      LOG.debug("Committed version {} of {} from writer {} at epoch {}", version, tableId, proposal.writer(), proposal.epoch());
      return published.receipt();
    } catch (Withdrawn e) {
      throw e.refusal;
    } catch (IOException | RuntimeException e) {
      // Stays ratified: published before the table's next commit, or at the next startup.
      throw CoordinatorErrors.outcomeUnknown(tableId, version, e);
    }
  }

  /**
   * Checks a proposal against its table (lease, next version, staged file) and returns what ratifying
   * it records.
   */
  private CommitEntry checked(CommitProposal proposal, Optional<CommitRecord.Rollback> rollback,
      Optional<CommitRecord.Group> group) {
    TableId tableId = proposal.tableId();
    long version = proposal.version();
    TableState table = store.table(tableId).orElseThrow(() -> CoordinatorErrors.unknownTable(tableId));
    table.checkHolder(proposal.writer(), proposal.epoch(), "commit version " + version);
    table.checkNextVersion(version, proposal.epoch(), rollback.isPresent());
    checkStagedLocation(table, proposal);
    DeltaLogPublisher.Content content;
    try {
      content = publisher.inspect(proposal.stagedCommit());
    } catch (NoSuchFileException e) {
      throw CoordinatorErrors.invalidProposal(tableId, version, "staged commit " + proposal.stagedCommit() + " does not exist");
    } catch (IOException e) {
      throw CoordinatorErrors.stagedCommitUnreadable(tableId, version, proposal.stagedCommit(), e);
    }
    CommitRecord record = new CommitRecord(tableId, version, proposal.writer(), proposal.epoch(), proposal.watermark(),
        proposal.segments(), proposal.rowsChanged(), clock.instant(), table.publishedCommit(version),
        CommitRecord.Status.RATIFIED, rollback, group);
    return new CommitEntry(record, proposal.stagedCommit(), content.sha256(), content.size(), OptionalLong.empty());
  }

  /** Publishes (or withdraws) the table's ratified but unpublished commits. */
  private void finishPending(TableId tableId) {
    for (CommitEntry pending : store.unpublished()) {
      if (!pending.record().tableId().equals(tableId)) {
        continue;
      }
      try {
        publish(pending);
        LOG.info("Published version {} of {}, ratified earlier", pending.version(), tableId);
      } catch (Withdrawn e) {
        LOG.info("Withdrew version {} of {}: {}", pending.version(), tableId, e.refusal.getMessage());
      } catch (IOException e) {
        throw CoordinatorErrors.publishPending(tableId, pending.version(), e);
      }
    }
  }

  /**
   * Publishes a ratified commit and records it as published.
   *
   * @throws Withdrawn if it could not be published and its ratification was taken back
   * @throws IOException if publication failed; the commit stays ratified
   */
  private CommitEntry publish(CommitEntry entry) throws IOException, Withdrawn {
    TableId tableId = entry.record().tableId();
    URI target = entry.record().publishedCommit();
    DeltaLogPublisher.Outcome outcome = publisher.publish(entry.stagedCommit(), target, entry.sha256());
    if (outcome instanceof DeltaLogPublisher.Outcome.Published published) {
      CommitEntry done = store.markPublished(tableId, entry.version(), entry.stagedCommit(), published.size(),
          published.modificationTime(), clock.instant());
      try {
        publisher.delete(entry.stagedCommit());
      } catch (IOException e) {
        LOG.warn("Cannot delete staged commit {} of {} after publishing it: {}", entry.stagedCommit(), tableId, e.toString());
      }
      return done;
    }
    TributaryException refusal;
    String reason;
    if (outcome instanceof DeltaLogPublisher.Outcome.TargetDiffers) {
      reason = target + " exists with other content";
      refusal = CoordinatorErrors.publishConflict(tableId, entry.version(), target);
    } else {
      reason = "staged commit " + entry.stagedCommit() + " vanished before it was published";
      refusal = new TributaryException(ErrorCode.STORAGE_FAILURE, "Version " + entry.version() + " of " + tableId
          + " was not committed: its " + reason + ". The ratification was withdrawn; retry the commit.");
    }
    LOG.error("Withdrawing the ratification of version {} of {}: {}", entry.version(), tableId, reason);
    store.withdraw(tableId, entry.version(), entry.stagedCommit(), reason, clock.instant());
    throw new Withdrawn(refusal);
  }

  private static boolean sameCommit(CommitEntry entry, CommitProposal proposal) {
    CommitRecord record = entry.record();
    return entry.stagedCommit().equals(proposal.stagedCommit()) && record.writer().equals(proposal.writer())
        && record.epoch().equals(proposal.epoch());
  }

  private static void checkStagedLocation(TableState table, CommitProposal proposal) {
    org.apache.hadoop.fs.Path staged;
    try {
      staged = new org.apache.hadoop.fs.Path(proposal.stagedCommit());
    } catch (IllegalArgumentException e) {
      throw CoordinatorErrors.invalidProposal(table.tableId(), proposal.version(), e.getMessage());
    }
    org.apache.hadoop.fs.Path expectedDirectory = table.stagedCommitDirectory();
    if (staged.getParent() == null || !sameLocation(staged.getParent().toUri(), expectedDirectory.toUri())) {
      throw CoordinatorErrors.invalidProposal(table.tableId(), proposal.version(),
          "staged commit " + proposal.stagedCommit() + " is not in the table's " + expectedDirectory);
    }
    Matcher name = STAGED_NAME.matcher(staged.getName());
    if (!name.matches() || Long.parseLong(name.group(1)) != proposal.version()) {
      throw CoordinatorErrors.invalidProposal(table.tableId(), proposal.version(), "staged commit " + staged.getName()
          + " must be named " + String.format("%020d", proposal.version()) + ".<uuid>.json");
    }
  }

  private static boolean sameLocation(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().toLowerCase(Locale.ROOT).equals(b.getScheme().toLowerCase(Locale.ROOT))
        && Objects.equals(emptyIfNull(a.getAuthority()), emptyIfNull(b.getAuthority()))
        && Objects.equals(a.getPath(), b.getPath());
  }

  private static String emptyIfNull(String text) {
    return text == null ? "" : text;
  }

  private static Duration checkTtl(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_LEASE_TTL) > 0) {
      throw CoordinatorErrors.invalidRequest("lease ttl must be between 1 ms and " + MAX_LEASE_TTL.toHours() + " h, not "
          + ttl.toMillis() + " ms");
    }
    return ttl;
  }

  private <T> T lockedExisting(TableId tableId, Supplier<T> action) {
    // Checked before taking a lock so that requests for unknown tables do not create locks.
    if (store.table(tableId).isEmpty()) {
      throw CoordinatorErrors.unknownTable(tableId);
    }
    return locked(tableId, action);
  }

  /** Runs {@code action} holding the locks of all {@code tables}, taken in table order. */
  private <T> T lockedAll(List<TableId> tables, Supplier<T> action) {
    if (tables.isEmpty()) {
      return action.get();
    }
    return locked(tables.get(0), () -> lockedAll(tables.subList(1, tables.size()), action));
  }

  private <T> T locked(TableId tableId, Supplier<T> action) {
    ReentrantLock lock = tableLocks.computeIfAbsent(tableId, id -> new ReentrantLock());
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /** A ratification taken back; carries the refusal to answer with. */
  private static final class Withdrawn extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient TributaryException refusal;

    Withdrawn(TributaryException refusal) {
      super(refusal.getMessage(), null, false, false);
      this.refusal = refusal;
    }
  }
}
