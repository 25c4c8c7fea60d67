package io.tributary.coordinator.internal;

import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the coordinator's state lives: tables, leases and ratified commits. Every mutation checks its
 * precondition with the rules of {@link TableState} and is durable when the method returns, so that
 * a check and its effect are one atomic step even when several coordinators share the store (the
 * PostgreSQL store of #5). Mutations of one table are additionally serialized by the caller.
 *
 * <p>Failures: {@code UNKNOWN_TABLE}, {@code STALE_EPOCH}, {@code COMMIT_CONFLICT} and
 * {@code CONFIG_INVALID} mean nothing changed; {@code COORDINATOR_UNAVAILABLE} means the store refused
 * before trying; {@code STORAGE_FAILURE} means the write was attempted and its outcome is unknown.
 */
public interface CoordinatorStore extends AutoCloseable {
  /** Registers a table, or returns it unchanged if registered identically; refuses a different registration. */
  TableState register(TableRegistration registration, Instant at);

  Optional<TableState> table(TableId tableId);

  List<TableState> tables();

  /** Gives the lease to {@code writer} at the next epoch, fencing any earlier holder. */
  Lease acquireLease(TableId tableId, WriterId writer, Instant at, Instant expiresAt);

  /** Extends the lease of its current holder at the current epoch. */
  Lease renewLease(TableId tableId, WriterId writer, Epoch epoch, Instant at, Instant expiresAt);

  /**
   * Frees the lease if {@code writer} holds it at {@code epoch}; a lease already superseded or released
   * is left alone. Returns the table's state afterwards.
   */
  TableState releaseLease(TableId tableId, WriterId writer, Epoch epoch, Instant at);

  /**
   * Pauses the table for {@code reason}: ratification is refused with {@code TABLE_PAUSED} until
   * {@link #resume}. Pausing a paused table replaces the reason. Returns the table's state afterwards.
   */
  TableState pause(TableId tableId, String reason, Instant at);

  /** Resumes a paused table; a table that is not paused is left alone. Returns its state afterwards. */
  TableState resume(TableId tableId, Instant at);

  /**
   * Makes {@code next} the table's resync after checking that it follows the current one
   * ({@link TableState#checkResync}). Returns the table's state afterwards.
   */
  TableState changeResync(TableId tableId, Resync next, Instant at);

  /**
   * Records a commit as ratified after checking that its writer holds the lease at its epoch and that
   * its version is the next one.
   */
  CommitEntry ratify(CommitEntry commit);

  /**
   * Records the commits of a commit group as ratified, all or nothing: each is checked as
   * {@link #ratify} checks it, and if any check fails nothing is recorded and that failure is thrown.
   * The commits are of distinct tables.
   */
  List<CommitEntry> ratifyGroup(List<CommitEntry> commits);

  /**
   * Records that the log entry of a ratified commit is in place. The commit is named by its version
   * and its staged file, so that a coordinator acting on an outdated view never marks another
   * commit that took the version since.
   */
  CommitEntry markPublished(TableId tableId, long version, URI stagedCommit, long size, long modificationTime, Instant at);

  /**
   * Takes back the ratification of the table's latest, unpublished commit, named by its version and
   * staged file. When that commit is no longer the latest (another coordinator withdrew it and a new
   * commit took the version), nothing changes: a stale withdrawal never removes another commit.
   */
  TableState withdraw(TableId tableId, long version, URI stagedCommit, String reason, Instant at);

  Optional<CommitEntry> commit(TableId tableId, long version);

  /** The commits of a table, newest first. */
  List<CommitEntry> history(TableId tableId);

  /** At most {@code limit} commits of a table below version {@code beforeVersion}, newest first. */
  List<CommitEntry> history(TableId tableId, long beforeVersion, int limit);

  /** Every ratified commit whose log entry is not yet known to be published. */
  List<CommitEntry> unpublished();

  /** Whether the store accepts changes. */
  boolean healthy();

  @Override
  void close();
}
