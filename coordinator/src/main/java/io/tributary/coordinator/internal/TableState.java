package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One registered table as a {@link CoordinatorStore} holds it. The fencing and versioning rules live
 * here, as pure checks on the state, so that every store implementation enforces the same ones.
 *
 * @param location normalized with {@link #normalizeLocation(URI)}
 * @param version the latest ratified version, {@code -1} before the first commit
 */
public record TableState(
    TableId tableId,
    URI location,
    List<String> keyColumns,
    long version,
    Optional<SourcePosition> appliedPosition,
    Epoch epoch,
    Optional<WriterId> leaseHolder,
    Optional<Instant> leaseExpiresAt,
    Optional<String> pausedReason,
    Optional<Resync> resync) {

  public TableState {
    requireNonNull(pausedReason, "pausedReason is null");
    requireNonNull(resync, "resync is null");
    requireNonNull(tableId, "tableId is null");
    requireNonNull(location, "location is null");
    keyColumns = List.copyOf(requireNonNull(keyColumns, "keyColumns is null"));
    requireNonNull(appliedPosition, "appliedPosition is null");
    requireNonNull(epoch, "epoch is null");
    requireNonNull(leaseHolder, "leaseHolder is null");
    requireNonNull(leaseExpiresAt, "leaseExpiresAt is null");
    if (version < -1) {
      throw new IllegalArgumentException("version must be >= -1: " + version);
    }
    if (leaseHolder.isPresent() != leaseExpiresAt.isPresent()) {
      throw new IllegalArgumentException("a lease holder needs an expiry and only a holder has one");
    }
  }

  /** A newly registered table: no version, no lease. */
  public static TableState registered(TableRegistration registration) {
    return new TableState(registration.tableId(), normalizeLocation(registration.location()), registration.keyColumns(),
        -1, Optional.empty(), Epoch.NONE, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * The canonical form of a table location ({@code file:/tmp/t} for {@code file:///tmp/t/}), so that
   * the same directory written two ways is one location. Needs an absolute URI with a scheme.
   */
  public static URI normalizeLocation(URI location) {
    if (location.getScheme() == null || location.getPath() == null || !location.getPath().startsWith("/")) {
      throw new IllegalArgumentException("Invalid table location '" + location
          + "': needs a scheme and an absolute path, such as file:/data/table or s3a://bucket/table");
    }
    String authority = location.getAuthority() == null || location.getAuthority().isEmpty() ? null : location.getAuthority();
    // The (scheme, authority, path) constructor drops a trailing '/' and an empty authority.
    return new org.apache.hadoop.fs.Path(location.getScheme(), authority, location.getPath()).toUri();
  }

  public TableRegistration registration() {
    return new TableRegistration(tableId, location, keyColumns);
  }

  /** Whether {@code other} asks for this very table: same location and key. */
  public boolean sameRegistration(TableRegistration other) {
    return location.equals(normalizeLocation(other.location())) && keyColumns.equals(other.keyColumns());
  }

  public TableStatus status() {
    return new TableStatus(tableId, location, keyColumns, version, appliedPosition, epoch, leaseHolder, leaseExpiresAt,
        pausedReason, resync);
  }

  /** The lease as the current holder sees it; empty when nobody holds it. */
  public Optional<Lease> lease() {
    return leaseHolder.map(holder -> new Lease(tableId, holder, epoch, leaseExpiresAt.orElseThrow()));
  }

  public TableState withLease(WriterId writer, Epoch newEpoch, Instant expiresAt) {
    return new TableState(tableId, location, keyColumns, version, appliedPosition, newEpoch, Optional.of(writer),
        Optional.of(expiresAt), pausedReason, resync);
  }

  public TableState withoutLease() {
    return new TableState(tableId, location, keyColumns, version, appliedPosition, epoch, Optional.empty(), Optional.empty(),
        pausedReason, resync);
  }

  public TableState withVersion(long newVersion, Optional<SourcePosition> newAppliedPosition) {
    return new TableState(tableId, location, keyColumns, newVersion, newAppliedPosition, epoch, leaseHolder, leaseExpiresAt,
        pausedReason, resync);
  }

  /** The state paused for {@code reason}, or resumed when empty. */
  public TableState withPause(Optional<String> reason) {
    return new TableState(tableId, location, keyColumns, version, appliedPosition, epoch, leaseHolder, leaseExpiresAt,
        reason, resync);
  }

  /** The same table with {@code next} as its latest resync. */
  public TableState withResync(Resync next) {
    return new TableState(tableId, location, keyColumns, version, appliedPosition, epoch, leaseHolder, leaseExpiresAt,
        pausedReason, Optional.of(next));
  }

  /**
   * Checks that the table's resync may become {@code next}: a new request only when none is under
   * way, otherwise a step of the current one (same id) that its state allows.
   */
  public void checkResync(Resync next) {
    if (resync.isEmpty() || !resync.get().id().equals(next.id())) {
      if (next.state() != Resync.State.REQUESTED) {
        throw CoordinatorErrors.resyncUnknown(tableId, next.id(), resync);
      }
      if (resync.isPresent() && resync.get().state().inProgress()) {
        throw CoordinatorErrors.resyncInProgress(tableId, resync.get());
      }
      return;
    }
    Resync current = resync.get();
    if (!current.state().next().contains(next.state())) {
      throw CoordinatorErrors.resyncTransition(tableId, current, next.state());
    }
  }

  /**
   * The state once {@code commit} is ratified: its version is the latest, and the table is applied up
   * to {@link CommitRecord#appliedPositionAfter its position}.
   */
  public TableState withRatified(CommitRecord commit) {
    return withVersion(commit.version(), commit.appliedPositionAfter(appliedPosition));
  }

  /** Whether {@code writer} holds the lease at {@code writerEpoch}, the table's current epoch. */
  public boolean heldBy(WriterId writer, Epoch writerEpoch) {
    return epoch.equals(writerEpoch) && leaseHolder.equals(Optional.of(writer));
  }

  /**
   * Checks that {@code writer} holds the lease at {@code writerEpoch}, the table's current epoch.
   * Expiry does not matter: fencing is by epoch, and the newest acquirer always wins.
   *
   * @throws io.tributary.staging.TributaryException {@code STALE_EPOCH} otherwise
   */
  public void checkHolder(WriterId writer, Epoch writerEpoch, String action) {
    if (!writerEpoch.equals(epoch)) {
      throw CoordinatorErrors.fenced(tableId, writer, writerEpoch, epoch, leaseHolder, action);
    }
    if (!leaseHolder.equals(Optional.of(writer))) {
      throw CoordinatorErrors.notHolder(tableId, writer, writerEpoch, leaseHolder, action);
    }
  }

  /**
   * Checks that the table takes commits and that {@code proposed} is exactly the next version.
   *
   * @throws io.tributary.staging.TributaryException {@code TABLE_PAUSED} while paused,
   *     {@code COMMIT_CONFLICT} for any other version
   */
  public void checkNextVersion(long proposed, Epoch proposalEpoch) {
    checkNextVersion(proposed, proposalEpoch, false);
  }

  /**
   * Checks that {@code proposed} is exactly the next version and, unless {@code evenIfPaused} (a
   * rollback, which operators run on paused tables), that the table takes commits.
   */
  public void checkNextVersion(long proposed, Epoch proposalEpoch, boolean evenIfPaused) {
    if (pausedReason.isPresent() && !evenIfPaused) {
      throw CoordinatorErrors.paused(tableId, proposed, pausedReason.get());
    }
    if (proposed != version + 1) {
      throw CoordinatorErrors.versionTaken(tableId, proposed, version, proposalEpoch);
    }
  }

  /** The log entry a version is published as: {@code <location>/_delta_log/<version %020d>.json}. */
  public URI publishedCommit(long commitVersion) {
    return new org.apache.hadoop.fs.Path(deltaLog(), String.format("%020d.json", commitVersion)).toUri();
  }

  /** The directory staged commits must be written to: {@code <location>/_delta_log/_staged_commits}. */
  public org.apache.hadoop.fs.Path stagedCommitDirectory() {
    return new org.apache.hadoop.fs.Path(deltaLog(), "_staged_commits");
  }

  private org.apache.hadoop.fs.Path deltaLog() {
    return new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(location), "_delta_log");
  }
}
