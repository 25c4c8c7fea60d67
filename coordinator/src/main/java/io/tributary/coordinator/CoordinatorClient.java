package io.tributary.coordinator;

import io.tributary.staging.TableId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The control contract between the coordinator and the services that write tables. Every method
 * may throw {@link io.tributary.staging.TributaryException}: {@code COORDINATOR_UNAVAILABLE} when
 * the coordinator cannot be reached (retryable), {@code STALE_EPOCH} when the caller was fenced,
 * {@code COMMIT_CONFLICT} when the version was taken, {@code COMMIT_OUTCOME_UNKNOWN} when a commit
 * was sent but no answer came back (re-read the table's status before doing anything else), and
 * {@code UNKNOWN_TABLE}.
 */
public interface CoordinatorClient extends AutoCloseable {
  /** Registers a table, or returns its status if it is already registered identically. */
  TableStatus register(TableRegistration registration);

  Optional<TableStatus> table(TableId tableId);

  List<TableStatus> tables();

  /** Takes the table's lease for {@code writer}, bumping its epoch; any earlier holder is fenced. */
  Lease acquireLease(TableId tableId, WriterId writer, Duration ttl);

  /** Extends a lease; refused with {@code STALE_EPOCH} if the table's epoch has moved on. */
  Lease renewLease(Lease lease, Duration ttl);

  /** Gives a lease up so that another writer can take the table without waiting for expiry. */
  void releaseLease(Lease lease);

  /** Ratifies and publishes one commit; see {@link CommitProposal}. */
  CommitReceipt commit(CommitProposal proposal);

  /**
   * Ratifies commits of several tables of one source all or nothing, then publishes them; see
   * {@link CommitGroupProposal}. The receipts are in the order of the group's commits.
   */
  List<CommitReceipt> commitGroup(CommitGroupProposal group);

  /** The source's latest consistent cut of its tables; empty while no commit group of it is published. */
  Optional<ConsistentPosition> consistentPosition(String source);

  /** How far the table's changes are in published Delta versions: what staged segments may be deleted. */
  PublishedPosition publishedPosition(TableId tableId);

  /** At most {@code limit} recorded commits of a table below version {@code beforeVersion}, newest first. */
  List<CommitRecord> history(TableId tableId, long beforeVersion, int limit);

  /**
   * What the table's applier must apply again from staging, before anything new, after the table was
   * rolled back; empty when nothing is pending.
   */
  Optional<Replay> replay(TableId tableId);

  /** The tables of a source whose resync waits for its gateway: requested, or being captured. */
  List<TableStatus> pendingResyncs(String source);

  /**
   * Reports a step of a table's resync (capturing, captured, done, failed) and returns the table's
   * status; {@code RESYNC_CONFLICT} if the step does not follow the resync's state or names another.
   */
  TableStatus reportResync(TableId tableId, String resyncId, Resync.State state, String detail);

  /**
   * Asks for a table's resync because changes staged before {@code stagedUntil} will never be
   * applied (retention deleted them before an applier did); needs the report access a gateway has.
   * A resync that already supersedes them ({@link Resync#supersedes}) is answered as is; one under
   * way that does not is refused with {@code RESYNC_CONFLICT}.
   */
  TableStatus requireResync(TableId tableId, String reason, Instant stagedUntil);

  /** Records an event in the coordinator's log (errors, progress) and returns it numbered. */
  CoordinatorEvent report(CoordinatorEvent.Report report);

  @Override
  void close();
}
