package io.tributary.coordinator.internal;

import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** Every user-facing error of the coordinator, built in one place so that the wording stays uniform. */
public final class CoordinatorErrors {
  private CoordinatorErrors() {}

  public static TributaryException unknownTable(TableId tableId) {
    return new TributaryException(ErrorCode.UNKNOWN_TABLE,
        "Table " + tableId + " is not registered with the coordinator; register it first");
  }

  public static TributaryException registrationMismatch(TableRegistration existing, TableRegistration requested) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "Table " + requested.tableId() + " is already registered at " + existing.location() + " with key "
            + existing.keyColumns() + "; it cannot be registered again at " + requested.location() + " with key "
            + requested.keyColumns());
  }

  public static TributaryException fenced(TableId tableId, WriterId writer, Epoch epoch, Epoch current,
      Optional<WriterId> holder, String action) {
    return new TributaryException(ErrorCode.STALE_EPOCH,
        "Writer " + writer + " was fenced from table " + tableId + ": cannot " + action + " with epoch " + epoch
            + ", the current epoch is " + current + " (lease held by " + holder.map(WriterId::value).orElse("nobody")
            + "). Stop writing this table; acquire the lease again if this writer should own it.");
  }

  public static TributaryException notHolder(TableId tableId, WriterId writer, Epoch epoch, Optional<WriterId> holder,
      String action) {
    return new TributaryException(ErrorCode.STALE_EPOCH,
        "Writer " + writer + " cannot " + action + " on table " + tableId + ": it does not hold the lease at epoch "
            + epoch + " (held by " + holder.map(WriterId::value).orElse("nobody, it was released")
            + "). Acquire the lease again if this writer should own the table.");
  }

  public static TributaryException versionTaken(TableId tableId, long proposed, long latest, Epoch epoch) {
    return new TributaryException(ErrorCode.COMMIT_CONFLICT,
        "Version " + proposed + " of table " + tableId + " cannot be committed under epoch " + epoch
            + ": the latest ratified version is " + latest + ", so the next one must be " + (latest + 1)
            + ". Reload the table's snapshot and rebuild the commit.");
  }

  public static TributaryException publishConflict(TableId tableId, long version, URI target) {
    return new TributaryException(ErrorCode.COMMIT_CONFLICT,
        "Version " + version + " of table " + tableId + " was taken outside the coordinator: " + target
            + " already exists with other content. The ratification was withdrawn; find out who else writes"
            + " this table before committing again.");
  }

  public static TributaryException invalidProposal(TableId tableId, long version, String problem) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "Invalid commit proposal for version " + version + " of table " + tableId + ": " + problem);
  }

  public static TributaryException stagedCommitUnreadable(TableId tableId, long version, URI staged, Exception cause) {
    return new TributaryException(ErrorCode.STORAGE_FAILURE,
        "Cannot read staged commit " + staged + " for version " + version + " of table " + tableId + ": "
            + cause.getMessage() + ". Nothing was ratified; retry the commit.", cause);
  }

  public static TributaryException outcomeUnknown(TableId tableId, long version, Exception cause) {
    return new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN,
        "The outcome of committing version " + version + " of table " + tableId + " is unknown: " + cause.getMessage()
            + ". Read the table's status before doing anything else; do not delete anything the commit refers to.",
        cause);
  }

  static TributaryException groupOutcomeUnknown(String group, Exception cause) {
    return new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN,
        "The outcome of commit group " + group + " is unknown: " + cause.getMessage() + ". Read its tables' status"
            + " before doing anything else; do not delete anything the commits refer to.",
        cause);
  }

  /** A group is refused because one of its commits is: the refusal names that commit, nothing was ratified. */
  static TributaryException groupRefused(String group, TributaryException cause) {
    return new TributaryException(cause.code(), "Commit group " + group + " was refused, none of its commits was"
        + " ratified: " + cause.getMessage(), cause);
  }

  public static TributaryException publishPending(TableId tableId, long version, Exception cause) {
    return new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE,
        "Version " + version + " of table " + tableId + " is ratified but its log entry could not be published yet: "
            + cause.getMessage() + ". Nothing new was ratified; retry later.", cause);
  }

  public static TributaryException journalWriteFailed(Path journal, Exception cause) {
    return new TributaryException(ErrorCode.STORAGE_FAILURE,
        "Cannot write the coordinator journal " + journal + ": " + cause.getMessage()
            + ". The coordinator refuses every further change until it is restarted.", cause);
  }

  public static TributaryException storeFailed(Path journal) {
    return new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE,
        "The coordinator store could not write its journal " + journal
            + " earlier and refuses changes until the coordinator is restarted");
  }

  public static TributaryException storeClosed() {
    return new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE, "The coordinator store is closed");
  }

  /** A database call failed before anything was committed: nothing changed. */
  public static TributaryException storeUnavailable(String store, String action, String problem, Exception cause) {
    return new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE,
        "The coordinator store (" + store + ") could not " + action + ": " + problem
            + ". Nothing was changed; retry later, and check that the database is up and reachable.", cause);
  }

  /** A database commit failed or went unanswered: the change may or may not have been made. */
  public static TributaryException storeOutcomeUnknown(String store, String action, String problem, Exception cause) {
    return new TributaryException(ErrorCode.STORAGE_FAILURE,
        "The coordinator store (" + store + ") lost its answer while committing the change to " + action + ": "
            + problem + ". The change may or may not have been made; read the table's status before retrying.", cause);
  }

  public static TributaryException storeCannotOpen(ErrorCode code, String store, String problem, String check,
      Exception cause) {
    return new TributaryException(code,
        "Cannot open the coordinator store (" + store + "): " + problem + ". " + check, cause);
  }

  public static TributaryException migrationChanged(String store, String migration, String recorded, String expected) {
    return new TributaryException(ErrorCode.INTERNAL,
        "The coordinator store (" + store + ") records migration " + migration + " with checksum " + recorded
            + ", but this coordinator's copy has checksum " + expected + ": a migration was changed after it was applied."
            + " The coordinator does not start on a schema it cannot trust; restore the original migration file, or"
            + " the schema from a backup.");
  }

  public static TributaryException migrationUnknown(String store, int version, String description) {
    return new TributaryException(ErrorCode.INTERNAL,
        "The coordinator store (" + store + ") has migration V" + version + " (" + description
            + ") applied, which this coordinator does not know: a newer coordinator upgraded the schema."
            + " Run the newer coordinator version.");
  }

  /** A change that does not follow from the stored state; the store refused it and changed nothing. */
  public static TributaryException inconsistentChange(TableId tableId, String problem) {
    return new TributaryException(ErrorCode.INTERNAL, "Refusing an inconsistent change to table " + tableId + ": "
        + problem);
  }

  public static TributaryException journalCorrupt(Path journal, long line, String problem) {
    return new TributaryException(ErrorCode.INTERNAL,
        "Coordinator journal " + journal + " line " + line + " is corrupt: " + problem
            + ". The coordinator cannot start; restore the journal from a backup or repair that line.");
  }

  public static TributaryException invalidRequest(String problem) {
    return new TributaryException(ErrorCode.CONFIG_INVALID, "Invalid request: " + problem);
  }

  static TributaryException resyncInProgress(TableId tableId, Resync current) {
    return new TributaryException(ErrorCode.RESYNC_CONFLICT, "Table " + tableId + " is being resynced already (resync "
        + current.id() + ", " + current.state() + " since " + current.updatedAt() + "); cancel it first to start another");
  }

  static TributaryException resyncUnknown(TableId tableId, String id, Optional<Resync> current) {
    return new TributaryException(ErrorCode.RESYNC_CONFLICT, "Resync " + id + " of " + tableId + " is not the table's"
        + " current resync (" + current.map(resync -> resync.id() + ", " + resync.state()).orElse("none") + ")");
  }

  static TributaryException resyncTransition(TableId tableId, Resync current, Resync.State next) {
    return new TributaryException(ErrorCode.RESYNC_CONFLICT, "Resync " + current.id() + " of " + tableId + " is "
        + current.state() + " and cannot become " + next + (current.state().inProgress() ? "" : ": it is over"));
  }

  static TributaryException paused(TableId tableId, long version, String reason) {
    return new TributaryException(ErrorCode.TABLE_PAUSED, "Table " + tableId + " is paused (" + reason
        + "); version " + version + " waits until an operator resumes it");
  }
}
