package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.Row;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterable;
import io.tributary.applier.FilesConfig;
import io.tributary.applier.TableOptions;
import io.tributary.coordinator.Lease;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites a table's small files, and files whose key ranges overlap, into key-sorted files near the
 * target size, in a commit that changes no data: its adds and removes carry {@code dataChange=false},
 * so that streaming readers skip it, and it carries no transaction id and no watermark, so that the
 * table's applied position, its latest Kafka offset and replay detection are what its last data commit
 * left. The commit is ratified by the coordinator with the table's lease like every other one: a
 * fenced applier's compaction is refused.
 *
 * <p>Runs on the thread that applies the table's batches, between them, so that it never races the
 * table's own commits, at most every {@link FilesConfig#checkInterval()} and only when the table has
 * a commit the last look did not see. Looking costs a listing of the table's files (no data is read); a compaction runs when at least {@link FilesConfig#minSmallFiles()}
 * files are small or any key ranges overlap, and rewrites at most {@link FilesConfig#maxBytesPerRun()}
 * bytes. In modes clustered by key (SCD type 1 and 2), only files next to each other in key order are
 * merged, so that the new files do not span the files left alone; append tables merge their small
 * files in position order.
 */
final class SmallFileCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(SmallFileCompactor.class);

  private final ApplierContext context;
  private final TableId tableId;
  private final URI location;
  private final TableMode mode;
  private final ApplierMetrics.Table metrics;
  private long lastCheckMillis;
  private long lastCheckedVersion;
  private boolean checked;

  SmallFileCompactor(ApplierContext context, TableId tableId, URI location, TableMode mode, ApplierMetrics.Table metrics) {
    this.context = requireNonNull(context, "context is null");
    this.tableId = requireNonNull(tableId, "tableId is null");
    this.location = requireNonNull(location, "location is null");
    this.mode = requireNonNull(mode, "mode is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /** What a compaction did. */
  record Compaction(long version, int filesIn, int filesOut, long bytesIn, long bytesOut, long rows) {}

  /**
   * Compacts if compaction is on, the check interval has passed since the last look, and the table
   * has a commit the last look did not see ({@code version} is the table's latest known version): an
   * idle table is not looked at again.
   */
  Optional<Compaction> compactIfDue(Lease lease, long version) {
    FilesConfig files = context.config().files();
    if (!files.compaction()) {
      return Optional.empty();
    }
    long now = context.clock().millis();
    if (checked && (version == lastCheckedVersion || now - lastCheckMillis < files.checkInterval().toMillis())) {
      return Optional.empty();
    }
    checked = true;
    lastCheckMillis = now;
    lastCheckedVersion = version;
    Optional<Compaction> compaction = compact(lease);
    compaction.ifPresent(done -> lastCheckedVersion = done.version());
    return compaction;
  }

  /** Looks at the table's files now and compacts them if there is something to gain. */
  Optional<Compaction> compact(Lease lease) {
    FilesConfig config = context.config().files();
    long started = context.clock().millis();
    DeferredCommitter committer = new DeferredCommitter();
    Snapshot snapshot = TableManager.loadSnapshot(location.toString()).withCommitter(committer).build(context.engine());
    TableSchema layout = TableLayout.of(tableId, location, snapshot).columns();
    boolean clustered = mode.mode() != TableOptions.Mode.APPEND;
    Scan scan = snapshot.getScanBuilder().build();
    List<TableFiles.DataFile> files = TableFiles.list(context.engine(), snapshot, scan, layout, clustered);
    List<List<TableFiles.DataFile>> groups = bounded(select(files, clustered, config), config.maxBytesPerRun());
    if (groups.isEmpty()) {
      LOG.debug("{}: nothing to compact among {} files at version {}", tableId, files.size(), snapshot.getVersion());
      return Optional.empty();
    }
    Transaction transaction = snapshot.buildUpdateTableTransaction(ApplierContext.ENGINE_INFO, Operation.MANUAL_UPDATE)
        .withMaxRetries(0)
        .build(context.engine());
    Row scanState = scan.getScanState(context.engine());
    Set<String> compacted = new HashSet<>();
    groups.forEach(group -> group.forEach(file -> compacted.add(file.path())));
    // The files compacted are merged: runs are cut only at the files left alone.
    ClusteredFiles.Cuts cuts = clustered
        ? ClusteredFiles.Cuts.around(files.stream().filter(file -> !compacted.contains(file.path())).toList(), List.of())
        : ClusteredFiles.Cuts.NONE;
    int[] keyIndexes = layout.keyIndexes();
    long removedAt = context.clock().millis();
    List<Row> actions = new ArrayList<>();
    int filesIn = 0;
    long bytesIn = 0;
    long rowsIn = 0;
    ClusteredFiles writer = new ClusteredFiles(context.engine(), tableId, config.targetSize());
    List<ClusteredFiles.Written> written = new ArrayList<>();
    for (List<TableFiles.DataFile> group : groups) {
      List<Object[]> rows = new ArrayList<>();
      long groupBytes = 0;
      for (TableFiles.DataFile file : group) {
        DeltaFiles.forEachRow(context.engine(), scanState, file.scanFile().scanRow(), rows::add);
        actions.add(DataFileWriter.remove(file.scanFile(), removedAt, false));
        groupBytes += file.size();
      }
      rows.sort(order(layout));
      filesIn += group.size();
      bytesIn += groupBytes;
      rowsIn += rows.size();
      written.add(writer.write(transaction, rows, clustered ? row -> RowKey.first(row, keyIndexes) : null,
          cuts, rows.isEmpty() ? 0 : (double) groupBytes / rows.size(), false, actions));
    }
    committer.commitWith(context.committers().create(context.coordinator(), lease, Optional.empty(), List.of(), 0));
    TransactionCommitResult commit = transaction.commit(context.engine(),
        CloseableIterable.inMemoryIterable(Utils.toCloseableIterator(actions.iterator())));
    PostCommitHooks.run(context, tableId, commit);
    int filesOut = written.stream().mapToInt(each -> each.files().size()).sum();
    long bytesOut = written.stream().mapToLong(ClusteredFiles.Written::bytes).sum();
    metrics.compacted(commit.getVersion(), filesIn, filesOut, bytesIn);
    LOG.info("{}: compacted {} files ({} bytes) into {} ({} bytes), {} rows, at version {} in {} ms", tableId, filesIn,
        bytesIn, filesOut, bytesOut, rowsIn, commit.getVersion(), Math.max(0, context.clock().millis() - started));
    return Optional.of(new Compaction(commit.getVersion(), filesIn, filesOut, bytesIn, bytesOut, rowsIn));
  }

  /**
   * The groups of files worth merging. Clustered: files in key order, a group being consecutive files
   * that are small or overlap their neighbour, or whose deletion vector marks a quarter of their
   * rows or more; a group of one is left alone unless it is such a file. Otherwise: every small or
   * mostly marked file, in one group. Empty when fewer than {@link FilesConfig#minSmallFiles()} files
   * are small, no ranges overlap and no file is mostly marked.
   */
  static List<List<TableFiles.DataFile>> select(List<TableFiles.DataFile> files, boolean clustered, FilesConfig config) {
    boolean ranged = clustered && files.stream().allMatch(TableFiles.DataFile::hasRange);
    if (!ranged) {
      long small = files.stream().filter(file -> file.size() < config.smallFileSize()).count();
      boolean enoughSmall = small >= config.minSmallFiles();
      List<TableFiles.DataFile> taken = files.stream()
          .filter(file -> file.mostlyMarked() || enoughSmall && file.size() < config.smallFileSize())
          .toList();
      return taken.isEmpty() ? List.of() : List.of(taken);
    }
    List<TableFiles.DataFile> sorted = new ArrayList<>(files);
    sorted.sort(TableFiles.BY_RANGE);
    boolean[] eligible = new boolean[sorted.size()];
    boolean overlaps = false;
    boolean marked = false;
    int small = 0;
    Object highest = null;
    for (int i = 0; i < sorted.size(); i++) {
      TableFiles.DataFile file = sorted.get(i);
      if (file.size() < config.smallFileSize()) {
        eligible[i] = true;
        small++;
      }
      if (file.mostlyMarked()) {
        eligible[i] = true;
        marked = true;
      }
      // Sharing a boundary value is no overlap: an SCD type 2 key's versions, or a composite key, may span two files.
      if (highest != null && TableFiles.compare(file.min().get(), highest) < 0) {
        eligible[i] = true;
        eligible[i - 1] = true;
        overlaps = true;
      }
      if (highest == null || TableFiles.compare(file.max().get(), highest) > 0) {
        highest = file.max().get();
      }
    }
    if (small < config.minSmallFiles() && !overlaps && !marked) {
      return List.of();
    }
    List<List<TableFiles.DataFile>> groups = new ArrayList<>();
    List<TableFiles.DataFile> group = new ArrayList<>();
    for (int i = 0; i <= sorted.size(); i++) {
      if (i < sorted.size() && eligible[i]) {
        group.add(sorted.get(i));
        continue;
      }
      if (group.size() > 1 || group.size() == 1 && group.get(0).mostlyMarked()) {
        groups.add(group);
      }
      group = new ArrayList<>();
    }
    return groups;
  }

  /**
   * The groups cut to at most {@code maxBytes} in all; a group cut short keeps at least two files, or
   * its first one if that is mostly marked.
   */
  static List<List<TableFiles.DataFile>> bounded(List<List<TableFiles.DataFile>> groups, long maxBytes) {
    List<List<TableFiles.DataFile>> bounded = new ArrayList<>();
    long budget = maxBytes;
    for (List<TableFiles.DataFile> group : groups) {
      List<TableFiles.DataFile> taken = new ArrayList<>();
      for (TableFiles.DataFile file : group) {
        // Over the budget, stop; except that the first group takes two files whatever they weigh, so that
        // every run makes progress.
        if (file.size() > budget && (taken.size() >= 2 || !bounded.isEmpty())) {
          break;
        }
        taken.add(file);
        budget -= file.size();
      }
      if (taken.size() > 1 || taken.size() == 1 && taken.get(0).mostlyMarked()) {
        bounded.add(taken);
      }
      if (budget <= 0) {
        break;
      }
    }
    return bounded;
  }

  /** The order rows are written in: key (then start position) when clustered, position for an append log. */
  private Comparator<Object[]> order(TableSchema layout) {
    return switch (mode.mode()) {
      case SCD2 -> HistoryWriter.order(layout.keyIndexes(), layout.indexOf(TableMode.START_POSITION));
      case SCD1 -> RowKey.rowOrder(layout.keyIndexes());
      case APPEND -> {
        int position = layout.indexOf(TableMode.POSITION);
        yield Comparator.comparing(row -> (String) row[position], Comparator.nullsFirst(Comparator.naturalOrder()));
      }
    };
  }
}
