package io.tributary.coordinator.internal;

import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.commit.Committer;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actions of a commit that gives a Delta table the content of an earlier version: the files
 * live now but not then are removed, the files live then but removed since are added back (with
 * their statistics). Files the earlier version needs must still exist: a vacuum past that version
 * makes the restore impossible, which is reported before anything is committed. The commit goes through
 * the coordinator's own committer like every other.
 */
final class DeltaRestore {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaRestore.class);

  /**
   * What the restore commit does, planned on version {@code fromVersion}.
   *
   * @param rowsTouched rows in the files removed and added back, from their statistics
   */
  record Plan(long fromVersion, long toVersion, List<Row> actions, int filesRemoved, int filesAdded, long rowsTouched) {}

  private DeltaRestore() {}

  /**
   * Plans giving the table at {@code location}, now at {@code latestVersion}, the content of
   * {@code toVersion}.
   *
   * @throws TributaryException {@code CONFIG_INVALID} when a file of {@code toVersion} is gone,
   *     {@code COMMIT_CONFLICT} when the Delta log is not at {@code latestVersion}
   */
  static Plan plan(Engine engine, TableId tableId, URI location, long latestVersion, long toVersion, long removedAtMillis) {
    Snapshot latest = TableManager.loadSnapshot(location.toString()).build(engine);
    if (latest.getVersion() != latestVersion) {
      throw new TributaryException(ErrorCode.COMMIT_CONFLICT, "Cannot roll " + tableId + " back: its Delta log at "
          + location + " ends at version " + latest.getVersion() + " but the coordinator recorded version " + latestVersion
          + "; a version was written without the coordinator, or one is still being published. Retry, or check the log");
    }
    Snapshot target = TableManager.loadSnapshot(location.toString()).atVersion(toVersion).build(engine);
    Map<String, AddFile> now = liveFiles(engine, latest);
    Map<String, AddFile> then = liveFiles(engine, target);
    List<Row> actions = new ArrayList<>();
    int removed = 0;
    long rows = 0;
    for (Map.Entry<String, AddFile> file : now.entrySet()) {
      if (!then.containsKey(file.getKey())) {
        actions.add(SingleAction.createRemoveFileSingleAction(file.getValue().toRemoveFileRow(true, Optional.of(removedAtMillis))));
        removed++;
        rows += liveRows(file.getValue());
      }
    }
    int added = 0;
    for (Map.Entry<String, AddFile> file : then.entrySet()) {
      if (!now.containsKey(file.getKey())) {
        AddFile add = file.getValue();
        requireExists(engine, location, toVersion, absolute(location, add.getPath()));
        add.getDeletionVector().filter(DeletionVectorDescriptor::isOnDisk)
            .ifPresent(vector -> requireExists(engine, location, toVersion,
                vector.getAbsolutePath(location.toString())));
        actions.add(SingleAction.createAddFileSingleAction(add.toRow()));
        added++;
        rows += liveRows(add);
      }
    }
    return new Plan(latestVersion, toVersion, actions, removed, added, rows);
  }

  /**
   * Commits a plan as the version after {@code plan.fromVersion()} through {@code committer}, runs the
   * post-commit hooks Kernel returns, and returns the new version.
   */
  static long commit(Engine engine, TableId tableId, URI location, Plan plan, Committer committer) {
    Snapshot snapshot = TableManager.loadSnapshot(location.toString()).atVersion(plan.fromVersion())
        .withCommitter(committer).build(engine);
    Transaction transaction = snapshot.buildUpdateTableTransaction(EventTableExporter.ENGINE_INFO, Operation.MANUAL_UPDATE)
        .withMaxRetries(0)
        .build(engine);
    TransactionCommitResult result = transaction.commit(engine,
        CloseableIterable.inMemoryIterable(Utils.toCloseableIterator(plan.actions().iterator())));
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      try {
        hook.threadSafeInvoke(engine);
      } catch (IOException | RuntimeException e) {
        LOG.warn("Post-commit {} of {} version {} failed: {}", hook.getType(), tableId, result.getVersion(), e.toString());
      }
    }
    return result.getVersion();
  }

  private static Map<String, AddFile> liveFiles(Engine engine, Snapshot snapshot) {
    Map<String, AddFile> files = new LinkedHashMap<>();
    Scan scan = snapshot.getScanBuilder().build();
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine, true)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          while (rows.hasNext()) {
            AddFile add = new AddFile(rows.next().getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL));
            // A file is live with one deletion vector at a time; the same file with another one is another entry.
            String vector = add.getDeletionVector().map(descriptor -> "#" + descriptor.getUniqueId()).orElse("");
            files.put(add.getPath() + vector, add);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** The rows of {@code add} its deletion vector, if any, leaves; the count is the file's otherwise. */
  private static long liveRows(AddFile add) {
    long marked = add.getDeletionVector().map(DeletionVectorDescriptor::getCardinality).orElse(0L);
    return add.getNumRecords().orElse(0L) - marked;
  }

  /** A data file's path as the log gives it (relative to the table, or absolute), made absolute. */
  private static String absolute(URI tableLocation, String path) {
    return path.contains("://") || path.startsWith("/") ? path
        : tableLocation.toString().replaceAll("/$", "") + "/" + path;
  }

  /** Refuses the rollback unless the file at {@code absolute} (a data or deletion vector file) exists. */
  private static void requireExists(Engine engine, URI tableLocation, long version, String absolute) {
    try (CloseableIterator<io.delta.kernel.utils.FileStatus> listed =
        engine.getFileSystemClient().listFrom(absolute)) {
      if (listed.hasNext() && sameFile(listed.next().getPath(), absolute)) {
        return;
      }
    } catch (IOException | UncheckedIOException e) {
      // Treated as missing below.
    }
    throw new TributaryException(ErrorCode.CONFIG_INVALID, "Cannot roll " + tableLocation + " back to version " + version
        + ": its file " + absolute + " no longer exists (vacuumed?); choose a later version");
  }

  private static boolean sameFile(String listed, String wanted) {
    return listed.equals(wanted) || listed.endsWith(wanted.substring(wanted.indexOf(':') + 1));
  }
}
