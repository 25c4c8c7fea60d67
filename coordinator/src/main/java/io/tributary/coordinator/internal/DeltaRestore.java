package io.tributary.coordinator.internal;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The actions of a commit that gives a Delta table the content of an earlier version: the files
 * live now but not then are removed, the files live then but removed since are added back (with
 * their statistics). Files the earlier version needs must still exist: a vacuum past that version
 * makes the restore impossible, which is reported before anything is committed.
 */
final class DeltaRestore {
  /** What the restore commit does. */
  record Plan(List<Row> actions, int filesRemoved, int filesAdded, long rowsAfter) {}

  private DeltaRestore() {}

  static Plan plan(Engine engine, URI tableLocation, Snapshot latest, Snapshot target, long removedAtMillis) {
    Map<String, AddFile> now = liveFiles(engine, latest);
    Map<String, AddFile> then = liveFiles(engine, target);
    List<Row> actions = new ArrayList<>();
    int removed = 0;
    for (Map.Entry<String, AddFile> file : now.entrySet()) {
      if (!then.containsKey(file.getKey())) {
        actions.add(SingleAction.createRemoveFileSingleAction(file.getValue().toRemoveFileRow(true, Optional.of(removedAtMillis))));
        removed++;
      }
    }
    int added = 0;
    long rows = 0;
    for (Map.Entry<String, AddFile> file : then.entrySet()) {
      rows += file.getValue().getNumRecords().orElse(0L);
      if (!now.containsKey(file.getKey())) {
        requireExists(engine, tableLocation, target.getVersion(), file.getKey());
        actions.add(SingleAction.createAddFileSingleAction(file.getValue().toRow()));
        added++;
      }
    }
    return new Plan(actions, removed, added, rows);
  }

  private static Map<String, AddFile> liveFiles(Engine engine, Snapshot snapshot) {
    Map<String, AddFile> files = new LinkedHashMap<>();
    Scan scan = snapshot.getScanBuilder().build();
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine, true)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          while (rows.hasNext()) {
            AddFile add = new AddFile(rows.next().getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL));
            files.put(add.getPath(), add);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static void requireExists(Engine engine, URI tableLocation, long version, String path) {
    String absolute = path.contains("://") || path.startsWith("/") ? path : tableLocation.toString().replaceAll("/$", "") + "/" + path;
    try (CloseableIterator<io.delta.kernel.utils.FileStatus> listed =
        engine.getFileSystemClient().listFrom(absolute)) {
      if (listed.hasNext() && sameFile(listed.next().getPath(), absolute)) {
        return;
      }
    } catch (IOException | UncheckedIOException e) {
      // Treated as missing below.
    }
    throw new TributaryException(ErrorCode.CONFIG_INVALID, "Cannot roll " + tableLocation + " back to version " + version
        + ": its data file " + path + " no longer exists (vacuumed?); choose a later version");
  }

  private static boolean sameFile(String listed, String wanted) {
    return listed.equals(wanted) || listed.endsWith(wanted.substring(wanted.indexOf(':') + 1));
  }
}
