package io.tributary.applier;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.SnapshotBuilder;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.tributary.applier.internal.ApplierErrors;
import io.tributary.applier.internal.DeltaFiles;
import io.tributary.applier.internal.DeltaTypes;
import io.tributary.applier.internal.RowKey;
import io.tributary.applier.internal.TableMode;
import io.tributary.applier.internal.TributaryTableProperties;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads every current row of a Delta table that Tributary wrote, through Delta Kernel (scan, data
 * files, deletion vectors honoured), with the source's table id and key from the table's
 * properties. For verification ({@code tributary verify}) and tests; it holds the whole table in
 * memory. Rows come in key order (see {@link #read(URI)}). Thread-safe.
 */
public final class DeltaTableReader {
  private final Engine engine;

  /** A reader over the given Hadoop file-system settings (e.g. {@code fs.s3a.endpoint}). */
  public DeltaTableReader(Map<String, String> hadoopProperties) {
    Configuration hadoop = new Configuration();
    requireNonNull(hadoopProperties, "hadoopProperties is null").forEach(hadoop::set);
    this.engine = DefaultEngine.create(hadoop);
  }

  /**
   * The latest version of the table at {@code location}, its rows in key order; the versions of an
   * SCD type 2 table's key by start position, the rows of an append-mode table in source order.
   *
   * @throws TributaryException {@code TABLE_NOT_FOUND} if there is no Delta table there or it was
   *     not written by Tributary; {@code STORAGE_FAILURE} if it cannot be read
   */
  public DeltaTableContents read(URI location) {
    return read(location, OptionalLong.empty());
  }

  /**
   * Version {@code version} of the table at {@code location}, as it was then.
   *
   * @throws TributaryException as {@link #read(URI)}, and {@code TABLE_NOT_FOUND} if the version does
   *     not exist (any more)
   */
  public DeltaTableContents read(URI location, long version) {
    return read(location, OptionalLong.of(version));
  }

  private DeltaTableContents read(URI location, OptionalLong version) {
    requireNonNull(location, "location is null");
    Snapshot snapshot;
    try {
      SnapshotBuilder builder = TableManager.loadSnapshot(location.toString());
      snapshot = (version.isPresent() ? builder.atVersion(version.getAsLong()) : builder).build(engine);
    } catch (TableNotFoundException e) {
      throw new TributaryException(ErrorCode.TABLE_NOT_FOUND, "There is no Delta table at " + location, e);
    } catch (KernelException e) {
      throw new TributaryException(ErrorCode.TABLE_NOT_FOUND, "Cannot read version " + version.orElse(-1) + " of the"
          + " Delta table at " + location + ": " + e.getMessage(), e);
    }
    Map<String, String> properties = snapshot.getTableProperties();
    TableId tableId = TributaryTableProperties.tableId(properties)
        .orElseThrow(() -> ApplierErrors.notTributaryTable(location, TributaryTableProperties.TABLE_ID));
    List<String> keyColumns = TributaryTableProperties.keyColumns(properties)
        .orElseThrow(() -> ApplierErrors.notTributaryTable(location, TributaryTableProperties.KEY_COLUMNS));
    TableSchema schema = DeltaTypes.toTableSchema(tableId, snapshot.getSchema(), keyColumns);
    List<Object[]> rows = new ArrayList<>();
    try {
      Scan scan = snapshot.getScanBuilder().build();
      Row scanState = scan.getScanState(engine);
      DeltaFiles.forEachFile(engine, scan, file -> DeltaFiles.forEachRow(engine, scanState, file.scanRow(), rows::add));
    } catch (RuntimeException e) {
      throw tributary(tableId, location, e);
    }
    rows.sort(order(schema));
    return new DeltaTableContents(location, snapshot.getVersion(), schema, rows);
  }

  /**
   * Rows in key order; an SCD type 2 table's versions of one key by start position, an append-mode
   * table's rows (which have no key) by position, that is in source order.
   */
  private static Comparator<Object[]> order(TableSchema schema) {
    int[] keyIndexes = schema.keyIndexes();
    Comparator<Object[]> order = Comparator.comparing(row -> RowKey.of(row, keyIndexes));
    for (String column : List.of(TableMode.START_POSITION, TableMode.POSITION)) {
      int index = schema.indexOf(column);
      if (index >= 0) {
        order = order.thenComparing(row -> (String) row[index], Comparator.nullsFirst(Comparator.naturalOrder()));
      }
    }
    return order;
  }

  /** The latest version of the table at {@code location}, if there is one. */
  public Optional<Long> version(URI location) {
    requireNonNull(location, "location is null");
    try {
      return Optional.of(TableManager.loadSnapshot(location.toString()).build(engine).getVersion());
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  private static TributaryException tributary(TableId tableId, URI location, RuntimeException e) {
    return e instanceof TributaryException tributary ? tributary : ApplierErrors.unreadable(tableId, location, e);
  }
}
