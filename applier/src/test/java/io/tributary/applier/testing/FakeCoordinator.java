package io.tributary.applier.testing;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CommitGroupProposal;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.ConsistentPosition;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory coordinator for local tables: registry, leases with fencing epochs, and commit
 * ratification that publishes the staged commit file as {@code _delta_log/<version>.json} with
 * put-if-absent (a hard link). Failures can be injected for the next commit. Resyncs move through
 * the states {@link Resync.State#next()} allows, and every step reported is kept. Thread-safe.
 */
public final class FakeCoordinator implements CoordinatorClient {
  private final List<CoordinatorEvent> events = new ArrayList<>();
  /** A failure to inject into the next commit. */
  public enum Failure {
    /** Publish, then answer as if the connection dropped. */
    OUTCOME_UNKNOWN_AFTER_PUBLISH,
    /** Answer as if the connection dropped before anything happened. */
    OUTCOME_UNKNOWN_BEFORE_PUBLISH,
    UNAVAILABLE
  }

  private final Clock clock;
  private final Map<TableId, TableStatus> tables = new LinkedHashMap<>();
  private final List<CommitProposal> commits = new ArrayList<>();
  private final List<CommitGroupProposal> groups = new ArrayList<>();
  private Optional<Failure> nextFailure = Optional.empty();
  private final Map<TableId, Resync> resyncs = new LinkedHashMap<>();
  private final List<String> resyncSteps = new ArrayList<>();
  private boolean failNextResyncReport;

  public FakeCoordinator(Clock clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  public synchronized void failNextCommit(Failure failure) {
    nextFailure = Optional.of(failure);
  }

  /** Every ratified commit, in order. */
  public synchronized List<CommitProposal> commits() {
    return List.copyOf(commits);
  }

  @Override
  public synchronized TableStatus register(TableRegistration registration) {
    TableStatus existing = tables.get(registration.tableId());
    if (existing != null) {
      if (!existing.location().equals(registration.location()) || !existing.keyColumns().equals(registration.keyColumns())) {
        throw new TributaryException(ErrorCode.CONFIG_INVALID, registration.tableId() + " is registered differently");
      }
      return existing;
    }
    TableStatus status = new TableStatus(registration.tableId(), registration.location(), registration.keyColumns(), -1,
        Optional.empty(), Epoch.NONE, Optional.empty(), Optional.empty(), Optional.empty());
    tables.put(registration.tableId(), status);
    return status;
  }

  @Override
  public synchronized Optional<TableStatus> table(TableId tableId) {
    return Optional.ofNullable(tables.get(tableId)).map(this::withResync);
  }

  @Override
  public synchronized List<TableStatus> tables() {
    return tables.values().stream().map(this::withResync).toList();
  }

  private TableStatus withResync(TableStatus status) {
    return new TableStatus(status.tableId(), status.location(), status.keyColumns(), status.version(),
        status.appliedPosition(), status.epoch(), status.leaseHolder(), status.leaseExpiresAt(), status.pausedReason(),
        Optional.ofNullable(resyncs.get(status.tableId())));
  }

  @Override
  public synchronized Lease acquireLease(TableId tableId, WriterId writer, Duration ttl) {
    TableStatus status = known(tableId);
    Epoch epoch = status.epoch().next();
    Lease lease = new Lease(tableId, writer, epoch, clock.instant().plus(ttl));
    tables.put(tableId, new TableStatus(tableId, status.location(), status.keyColumns(), status.version(),
        status.appliedPosition(), epoch, Optional.of(writer), Optional.of(lease.expiresAt()), status.pausedReason()));
    return lease;
  }

  @Override
  public synchronized Lease renewLease(Lease lease, Duration ttl) {
    TableStatus status = known(lease.tableId());
    if (!status.epoch().equals(lease.epoch()) || status.leaseHolder().isEmpty()) {
      throw new TributaryException(ErrorCode.STALE_EPOCH, "Lease of " + lease.tableId() + " at epoch " + lease.epoch()
          + " is stale; the table is at epoch " + status.epoch());
    }
    Lease renewed = new Lease(lease.tableId(), lease.writer(), lease.epoch(), clock.instant().plus(ttl));
    tables.put(lease.tableId(), new TableStatus(lease.tableId(), status.location(), status.keyColumns(), status.version(),
        status.appliedPosition(), status.epoch(), status.leaseHolder(), Optional.of(renewed.expiresAt()),
        status.pausedReason()));
    return renewed;
  }

  @Override
  public synchronized void releaseLease(Lease lease) {
    TableStatus status = known(lease.tableId());
    if (status.epoch().equals(lease.epoch())) {
      tables.put(lease.tableId(), new TableStatus(lease.tableId(), status.location(), status.keyColumns(),
          status.version(), status.appliedPosition(), status.epoch(), Optional.empty(), Optional.empty(),
          status.pausedReason()));
    }
  }

  @Override
  public synchronized CommitReceipt commit(CommitProposal proposal) {
    Optional<Failure> failure = nextFailure;
    nextFailure = Optional.empty();
    if (failure.equals(Optional.of(Failure.UNAVAILABLE))) {
      throw new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE, "coordinator unavailable (injected)");
    }
    if (failure.equals(Optional.of(Failure.OUTCOME_UNKNOWN_BEFORE_PUBLISH))) {
      throw new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "no answer (injected, not published)");
    }
    TableStatus status = check(proposal);
    Path staged = Path.of(proposal.stagedCommit());
    Path published = staged.getParent().getParent().resolve(String.format("%020d.json", proposal.version()));
    try {
      Files.createLink(published, staged);
    } catch (FileAlreadyExistsException e) {
      throw new TributaryException(ErrorCode.COMMIT_CONFLICT, "Version " + proposal.version() + " exists", e);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot publish " + published, e);
    }
    tables.put(proposal.tableId(), new TableStatus(proposal.tableId(), status.location(), status.keyColumns(),
        proposal.version(), proposal.watermark().or(status::appliedPosition), status.epoch(), status.leaseHolder(),
        status.leaseExpiresAt(), status.pausedReason()));
    commits.add(proposal);
    if (failure.equals(Optional.of(Failure.OUTCOME_UNKNOWN_AFTER_PUBLISH))) {
      throw new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "no answer (injected, published)");
    }
    try {
      return new CommitReceipt(proposal.tableId(), proposal.version(), published.toUri(), Files.size(published),
          Files.getLastModifiedTime(published).toMillis());
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot stat " + published, e);
    }
  }

  private TableStatus check(CommitProposal proposal) {
    TableStatus status = known(proposal.tableId());
    if (!proposal.epoch().equals(status.epoch())) {
      throw new TributaryException(ErrorCode.STALE_EPOCH, "Commit of " + proposal.tableId() + " at epoch "
          + proposal.epoch() + " refused: the table is at epoch " + status.epoch());
    }
    if (proposal.version() != status.version() + 1) {
      throw new TributaryException(ErrorCode.COMMIT_CONFLICT, "Version " + proposal.version() + " of "
          + proposal.tableId() + " refused: the latest is " + status.version());
    }
    return status;
  }

  /** Checks every commit of the group, then commits each; a failure injected for the next commit hits the first. */
  @Override
  public synchronized List<CommitReceipt> commitGroup(CommitGroupProposal group) {
    group.commits().forEach(this::check);
    List<CommitReceipt> receipts = new ArrayList<>();
    for (CommitProposal proposal : group.commits()) {
      receipts.add(commit(proposal));
    }
    groups.add(group);
    return receipts;
  }

  /** Records an operator's request to resync a table, made at {@code requestedAt}. */
  public synchronized Resync requestResync(TableId tableId, Instant requestedAt) {
    known(tableId);
    Resync resync = new Resync("resync-" + (resyncs.size() + 1), Resync.State.REQUESTED, "test", requestedAt,
        requestedAt, "");
    resyncs.put(tableId, resync);
    return resync;
  }

  @Override
  public synchronized TableStatus requireResync(TableId tableId, String reason, Instant stagedUntil) {
    Resync current = resyncs.get(tableId);
    if (current == null || !current.supersedes(stagedUntil)) {
      if (current != null && current.state().inProgress()) {
        throw new TributaryException(ErrorCode.RESYNC_CONFLICT, tableId + " is being resynced already");
      }
      Instant now = clock.instant();
      resyncs.put(tableId, new Resync("resync-" + (resyncs.size() + 1), Resync.State.REQUESTED, reason, now, now, ""));
    }
    return table(tableId).orElseThrow();
  }

  /** Makes the next resync report fail as if the coordinator could not be reached. */
  public synchronized void failNextResyncReport() {
    failNextResyncReport = true;
  }

  /** Every resync step reported, oldest first, as {@code STATE: detail}. */
  public synchronized List<String> resyncSteps() {
    return List.copyOf(resyncSteps);
  }

  @Override
  public synchronized List<TableStatus> pendingResyncs(String source) {
    return tables().stream()
        .filter(status -> status.tableId().source().equals(source))
        .filter(status -> status.resync().map(resync -> resync.state().awaitsGateway()).orElse(false))
        .toList();
  }

  @Override
  public synchronized TableStatus reportResync(TableId tableId, String resyncId, Resync.State state, String detail) {
    if (failNextResyncReport) {
      failNextResyncReport = false;
      throw new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE, "coordinator unavailable (injected)");
    }
    Resync current = resyncs.get(tableId);
    if (current == null || !current.id().equals(resyncId)) {
      throw new TributaryException(ErrorCode.RESYNC_CONFLICT, "Resync " + resyncId + " of " + tableId + " is not the"
          + " table's current resync");
    }
    if (!current.state().next().contains(state)) {
      throw new TributaryException(ErrorCode.RESYNC_CONFLICT, "Resync " + resyncId + " of " + tableId + " cannot move"
          + " from " + current.state() + " to " + state);
    }
    resyncs.put(tableId, current.moved(state, clock.instant(), detail));
    resyncSteps.add(state + ": " + detail);
    return table(tableId).orElseThrow();
  }

  /** Every ratified commit group, in order. */
  public synchronized List<CommitGroupProposal> groups() {
    return List.copyOf(groups);
  }

  /** The cut of the source's latest group, with the versions of that group's tables only. */
  @Override
  public synchronized Optional<ConsistentPosition> consistentPosition(String source) {
    for (int i = groups.size() - 1; i >= 0; i--) {
      CommitGroupProposal group = groups.get(i);
      if (group.source().equals(source)) {
        return Optional.of(new ConsistentPosition(source, group.cut(), group.id(), clock.instant(), group.commits().stream()
            .map(commit -> new ConsistentPosition.TableVersion(commit.tableId(), commit.version())).toList()));
      }
    }
    return Optional.empty();
  }

  private TableStatus known(TableId tableId) {
    TableStatus status = tables.get(tableId);
    if (status == null) {
      throw new TributaryException(ErrorCode.UNKNOWN_TABLE, "Unknown table " + tableId);
    }
    return status;
  }

  /** The location a table was registered with. */
  public synchronized URI location(TableId tableId) {
    return known(tableId).location();
  }

  @Override
  public synchronized PublishedPosition publishedPosition(TableId tableId) {
    TableStatus status = table(tableId).orElseThrow(() -> new TributaryException(TributaryException.ErrorCode.UNKNOWN_TABLE,
        "Table " + tableId + " is not registered"));
    return new PublishedPosition(tableId, status.version(), status.appliedPosition());
  }

  /** The commits of a table as records, newest first; published at once, so never merely ratified. */
  @Override
  public synchronized List<io.tributary.coordinator.CommitRecord> history(TableId tableId, long beforeVersion, int limit) {
    List<io.tributary.coordinator.CommitRecord> history = new java.util.ArrayList<>();
    for (int i = commits.size() - 1; i >= 0 && history.size() < limit; i--) {
      CommitProposal proposal = commits.get(i);
      if (proposal.tableId().equals(tableId) && proposal.version() < beforeVersion) {
        history.add(new io.tributary.coordinator.CommitRecord(tableId, proposal.version(), proposal.writer(),
            proposal.epoch(), proposal.watermark(), proposal.segments(), proposal.rowsChanged(), java.time.Instant.EPOCH,
            proposal.stagedCommit(), io.tributary.coordinator.CommitRecord.Status.PUBLISHED, Optional.empty()));
      }
    }
    return history;
  }

  /** This fake knows no rollbacks: nothing is ever to be applied again. */
  @Override
  public synchronized Optional<io.tributary.coordinator.Replay> replay(TableId tableId) {
    return Optional.empty();
  }

  @Override
  public synchronized CoordinatorEvent report(CoordinatorEvent.Report report) {
    CoordinatorEvent event = report.numbered(events.size() + 1);
    events.add(event);
    return event;
  }

  /** The events reported so far, oldest first. */
  public synchronized List<CoordinatorEvent> events() {
    return List.copyOf(events);
  }

  @Override
  public void close() {}
}
