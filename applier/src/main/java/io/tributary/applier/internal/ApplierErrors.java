package io.tributary.applier.internal;

import io.delta.kernel.commit.CommitFailedException;
import io.delta.kernel.exceptions.CommitStateUnknownException;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.MaxCommitRetryLimitReachedException;
import io.tributary.applier.TableOptions;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** Every error the applier raises on purpose, worded in one place: what, on which table, what to do. */
public final class ApplierErrors {
  private ApplierErrors() {}

  /** A table without a primary key whose configured mode needs a key. */
  public static TributaryException missingPrimaryKey(TableId tableId, TableOptions.Mode mode) {
    String table = "applier.tables.\"" + tableId.canonical() + "\"";
    return new TributaryException(ErrorCode.MISSING_PRIMARY_KEY, "Table " + tableId + " has no primary key, but '"
        + table + ".mode' is " + mode.configName() + ", which applies changes by key. Its manifests are held; set '"
        + table + ".key: all-columns' (every column is the key; identical rows collapse into one), or '" + table
        + ".mode: append' (every change appended as a row), or give the source table a primary key and resync it.");
  }

  /** An all-columns key asked for a table that has a primary key. */
  public static TributaryException allColumnsKeyWithPrimaryKey(TableId tableId, List<String> keyColumns) {
    return new TributaryException(ErrorCode.CONFIG_INVALID, "'applier.tables.\"" + tableId.canonical()
        + "\".key' is all-columns, but table " + tableId + " has the primary key " + keyColumns + ": an all-columns key"
        + " is for tables without one. Remove the key option.");
  }

  /**
   * An update of a table whose key is all its columns: staged updates carry only the after-image,
   * so the row it changed cannot be found.
   */
  public static TributaryException updateWithAllColumnsKey(TableId tableId, SourcePosition position) {
    String table = "applier.tables.\"" + tableId.canonical() + "\"";
    return new TributaryException(ErrorCode.MISSING_PRIMARY_KEY, "Table " + tableId + " has no primary key and '"
        + table + ".key' is all-columns, but the change at " + position + " is an update: a staged update carries only"
        + " the new row, so the row it replaced cannot be found by its values. The table stops here and nothing is"
        + " applied from this batch on; an all-columns key suits tables that only see inserts and deletes. Set '"
        + table + ".mode: append' (move the Delta table away first, since a table keeps its mode) and resync the"
        + " table, or give the source table a primary key and resync it.");
  }

  /** A source column named like a change metadata column. */
  public static TributaryException reservedColumn(TableId tableId, String column, TableMode mode) {
    return new TributaryException(ErrorCode.UNSUPPORTED_TYPE, "Column '" + column + "' of table " + tableId
        + " starts with '__', the prefix of the change metadata columns the applier adds (mode " + mode.property()
        + "). Its manifests are held; rename the column at the source, or exclude it with"
        + " source.debezium.column.exclude.list, then resync the table.");
  }

  /** A table created in one apply mode, configured now with another. */
  public static TributaryException applyModeChanged(TableId tableId, URI location, TableMode table, TableMode configured) {
    return new TributaryException(ErrorCode.CONFIG_INVALID, "The Delta table of " + tableId + " at " + location
        + " was created in apply mode " + table.property() + ", but the applier's configuration gives it "
        + configured.property() + ". A table's mode decides its columns and the meaning of its rows, so it cannot change"
        + " in place. Set 'applier.tables.\"" + tableId.canonical() + "\"' back to " + table.property()
        + ", or move the table away and resync it to rebuild it in the new mode.");
  }

  /**
   * An incompatible schema change whose resync could not be requested: a resync under way that began
   * before the change (it would read the old layout), or one requested after it that failed or was
   * cancelled.
   */
  public static TributaryException incompatibleWithoutResync(TableId tableId, URI segment, String change,
      String resyncState, Optional<Throwable> cause) {
    return new TributaryException(ErrorCode.UNSUPPORTED_TYPE, "Segment " + segment + " of " + tableId + " has an"
        + " incompatible schema change: " + change + ". The Delta table cannot take it without losing or changing rows,"
        + " so the table waits for a resync, but " + resyncState + ". Nothing after this segment is applied; request a"
        + " resync with 'tributary resync " + tableId.canonical() + " --reason ...' and restart the applier.",
        cause.orElse(null));
  }

  public static TributaryException segmentCorrupt(TableId tableId, URI segment, URI movedTo, String resyncState,
      TributaryException cause) {
    return new TributaryException(ErrorCode.SEGMENT_CORRUPT, cause.getMessage() + " It was moved aside to " + movedTo
        + " and nothing of it is applied; the table takes no more changes (" + resyncState + "). Put a good copy of the"
        + " segment back at " + segment + ", or run 'tributary resync " + tableId.canonical() + " --reason ...', then"
        + " restart the applier.", cause);
  }

  public static TributaryException segmentMissing(TableId tableId, URI segment, TributaryException cause) {
    return new TributaryException(ErrorCode.SEGMENT_MISSING, "Segment " + segment + " of " + tableId
        + " is announced but no longer staged, and no resync of the table requested after it was staged replaces its"
        + " changes. The table waits: if the gateway's retention deleted it, the gateway requests the resync itself"
        + " (check its log and the coordinator's events); otherwise restore the file or run 'tributary resync "
        + tableId.canonical() + " --reason ...'.", cause);
  }

  public static TributaryException tableMissing(TableId tableId, URI location, long coordinatorVersion) {
    return new TributaryException(ErrorCode.TABLE_NOT_FOUND, "The coordinator records version " + coordinatorVersion
        + " of " + tableId + " but there is no Delta table at " + location
        + ". It will not be recreated over its own history; restore the table or resync it.");
  }

  public static TributaryException notTributaryTable(URI location, String property) {
    return new TributaryException(ErrorCode.TABLE_NOT_FOUND, "The Delta table at " + location
        + " has no '" + property + "' property: it was not written by Tributary.");
  }

  public static TributaryException foreignTable(TableId tableId, URI location, String found) {
    return new TributaryException(ErrorCode.TABLE_NOT_FOUND, "The Delta table at " + location + " belongs to " + found
        + ", not " + tableId + ". Move it away or change 'applier.tables-location'.");
  }

  public static TributaryException unknownTable(TableId tableId) {
    return new TributaryException(ErrorCode.UNKNOWN_TABLE, "The coordinator does not know " + tableId
        + " right after registering it; check the coordinator's store.");
  }

  public static TributaryException replayNotRefused(TableId tableId, long fromOffset, long toOffset, long committedTxn) {
    return new TributaryException(ErrorCode.INTERNAL, "Delta Kernel accepted a transaction for offsets " + fromOffset + ".."
        + toOffset + " of " + tableId + " although transaction " + committedTxn + " is already committed; "
        + "refusing to apply the batch twice.");
  }

  public static TributaryException replayAheadOfTable(TableId tableId, long fromOffset, long toOffset, long committedTxn,
      SourcePosition last, Optional<SourcePosition> applied) {
    return new TributaryException(ErrorCode.MANIFEST_INVALID, "The manifests at offsets " + fromOffset + ".." + toOffset
        + " of " + tableId + " lie at or below its committed transaction " + committedTxn + ", yet carry changes up to "
        + last + ", after the position the table is applied up to (" + applied.map(Object::toString).orElse("nothing")
        + "): they are not the manifests those commits applied (was the topic's content restored or rewritten?). The"
        + " table stops here and nothing is skipped; resync the table, or roll it back and let it apply again.");
  }

  public static TributaryException outcomeStillUnknown(TableId tableId, long txnVersion, Throwable cause) {
    return new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "The commit of " + tableId + " for offset " + txnVersion
        + " got no answer and is not visible in the table yet; the batch will be retried and refused if it landed meanwhile.",
        cause);
  }

  public static TributaryException partitionMoved(TableId tableId, String from, String to) {
    return new TributaryException(ErrorCode.INTERNAL, "Manifests of " + tableId + " arrived on " + to + " after " + from
        + "; the manifest topic's partition count must not change while tables are applied.");
  }

  public static TributaryException unreadable(TableId tableId, URI location, Throwable cause) {
    return new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot read or write the Delta table of " + tableId + " at "
        + location + ": " + cause.getMessage(), cause);
  }

  /**
   * Whether a failed commit may nevertheless have landed: the coordinator said it does not know,
   * or the committer failed in a way it could not explain (an internal error, a receipt for
   * another version). Such a commit must be looked for before anything else is done.
   */
  public static boolean outcomeUnknown(TributaryException classified, RuntimeException failure) {
    if (classified.code() == ErrorCode.COMMIT_OUTCOME_UNKNOWN) {
      return true;
    }
    boolean fromCommitter = false;
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      fromCommitter |= cause instanceof CommitFailedException;
    }
    return fromCommitter && classified.code() == ErrorCode.INTERNAL;
  }

  /**
   * The Tributary error behind a failure of Kernel or of the committer: a {@link TributaryException}
   * anywhere in the cause chain (the coordinator's refusal carried through Kernel's
   * {@code CommitFailedException}) wins; then Kernel's own outcome-unknown and conflict
   * exceptions (a conflict only if the committer said so); then I/O failures, which may pass on
   * retry; anything else is internal.
   */
  public static TributaryException classify(TableId tableId, URI location, RuntimeException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof TributaryException tributary) {
        return tributary;
      }
    }
    if (failure instanceof CommitStateUnknownException) {
      return new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN,
          "The outcome of a commit to " + tableId + " is unknown: " + failure.getMessage(), failure);
    }
    if (failure instanceof ConcurrentWriteException
        || (failure instanceof MaxCommitRetryLimitReachedException && failure.getCause() instanceof CommitFailedException cfe
            && cfe.isConflict())) {
      return new TributaryException(ErrorCode.COMMIT_CONFLICT,
          "Another commit to " + tableId + " won the version: " + failure.getMessage(), failure);
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof UncheckedIOException) {
        return unreadable(tableId, location, cause);
      }
    }
    return new TributaryException(ErrorCode.INTERNAL, "Applying to " + tableId + " failed: " + failure, failure);
  }
}
