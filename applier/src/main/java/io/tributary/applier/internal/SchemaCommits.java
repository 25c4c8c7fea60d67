package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Lease;
import io.tributary.staging.Column;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Delta side of schema evolution for one table: what a batch's transaction must carry to take
 * an evolved layout, the commits that prepare or replace a table's schema, and how each change is
 * recorded (an INFO line, the {@code tributary.applier.schema.changes} counter, a
 * {@code SCHEMA_CHANGED} event at the coordinator).
 *
 * <p>Delta Kernel 4.4 changes the schema of an existing table only when column mapping is on:
 * {@code TransactionMetadataFactory} refuses {@code withUpdatedSchema} otherwise ("Cannot update schema
 * for table when column mapping is disabled"), and its schema checks
 * ({@code SchemaUtils.validateSchemaEvolution}) work by column id. It does allow turning mapping mode
 * {@code name} on for an existing table ({@code ColumnMapping.validModeChange}: none to name only),
 * which gives every existing column its own name as physical name, so that the existing data files
 * stay valid as they are; Kernel refuses to do both in one commit ("Cannot update mapping mode and
 * perform schema evolution"). A table therefore turns column mapping on in a commit of its own just
 * before its first Delta schema change (an added column or a widened type), and not before: a table
 * whose schema never changes stays readable by readers without column mapping support. Columns added
 * later also get their name as physical name (Kernel does so for tables that exist), so the files
 * Tributary writes carry plain column names either way.
 *
 * <p>A widened type also needs {@code delta.enableTypeWidening} (Kernel's {@code SchemaUtils.
 * validateFieldCompatibility}); it is set in the same commit as the first widening and enables the
 * {@code typeWidening} table feature (reader version 3, writer 7). Kernel records the change in the
 * field's {@code delta.typeChanges} metadata, and its Parquet reader reads the older, narrower files
 * as the wider type.
 */
final class SchemaCommits {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCommits.class);
  static final String TYPE_WIDENING = "delta.enableTypeWidening";

  private final ApplierContext context;
  private final TableId tableId;
  private final URI location;
  private final ApplierMetrics.Table metrics;

  SchemaCommits(ApplierContext context, TableId tableId, URI location, ApplierMetrics.Table metrics) {
    this.context = requireNonNull(context, "context is null");
    this.tableId = requireNonNull(tableId, "tableId is null");
    this.location = requireNonNull(location, "location is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  static boolean hasColumnMapping(Snapshot snapshot) {
    return ColumnMapping.getColumnMappingMode(snapshot.getTableProperties()) != ColumnMapping.ColumnMappingMode.NONE;
  }

  /**
   * Turns column mapping mode {@code name} on, in a commit of its own that changes no data (and no
   * applied position), and returns the table's new version.
   */
  long enableColumnMapping(Lease lease) {
    DeferredCommitter committer = new DeferredCommitter();
    Snapshot snapshot = TableManager.loadSnapshot(location.toString()).withCommitter(committer).build(context.engine());
    Transaction transaction = snapshot.buildUpdateTableTransaction(ApplierContext.ENGINE_INFO, Operation.MANUAL_UPDATE)
        .withTablePropertiesAdded(Map.of(ColumnMapping.COLUMN_MAPPING_MODE_KEY, "name"))
        .withMaxRetries(0)
        .build(context.engine());
    committer.commitWith(context.committers().create(context.coordinator(), lease, Optional.empty(), List.of(), 0));
    TransactionCommitResult commit = transaction.commit(context.engine(), CloseableIterable.emptyIterable());
    PostCommitHooks.run(context, tableId, commit);
    LOG.info("{}: column mapping mode 'name' turned on at version {}, before the table's first schema change (existing"
        + " columns keep their names as physical names; no data file changes)", tableId, commit.getVersion());
    return commit.getVersion();
  }

  /** The table properties a batch's transaction sets to take {@code layout} over {@code snapshot}. */
  static Map<String, String> properties(Snapshot snapshot, TableLayout layout, List<SchemaChange> changes) {
    Map<String, String> properties = new HashMap<>(TributaryTableProperties.of(layout));
    boolean widens = changes.stream().anyMatch(change -> change.kind() == SchemaChange.Kind.WIDENED);
    if (widens && !"true".equalsIgnoreCase(snapshot.getTableProperties().get(TYPE_WIDENING))) {
      properties.put(TYPE_WIDENING, "true");
    }
    return properties;
  }

  /**
   * The Delta schema of {@code layout} over the snapshot's: existing fields keep their metadata
   * (column mapping id and physical name, type changes) and only take a wider type; new fields come
   * last, without metadata, so that Kernel gives them their id and physical name.
   */
  static StructType evolvedSchema(StructType current, TableLayout layout) {
    StructType evolved = new StructType();
    List<Column> columns = layout.columns().columns();
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      DataType type = DeltaTypes.toDataType(column.type());
      if (i < current.length()) {
        StructField field = current.at(i);
        if (!field.getName().equals(column.name())) {
          throw new IllegalStateException("Column " + i + " of " + layout.columns().tableId() + " is '" + field.getName()
              + "' in Delta but '" + column.name() + "' in its layout");
        }
        evolved = evolved.add(field.getDataType().equivalent(type) ? field : field.withDataType(type));
      } else {
        evolved = evolved.add(column.name(), type, true);
      }
    }
    return evolved;
  }

  /**
   * Replaces the table by an empty one with {@code schema}, in one commit whose watermark is the
   * resync's begin (so that every change at or before it counts as applied: the resync's snapshot
   * reads the rows as they are after them). Kernel's REPLACE TABLE ({@code SnapshotImpl.
   * buildReplaceTableTransaction}, internal in 4.4) removes every data file and writes the new
   * metadata; it refuses to change the column mapping mode, so the table keeps its own. The new
   * table keeps its apply mode too: its columns are {@code staged}'s and the mode's metadata columns.
   * Returns the table's new version.
   */
  long replaceForResync(Lease lease, TableSchema staged, TableMode mode, SourcePosition begin, List<URI> segments,
      long rowsRemoved) {
    DeferredCommitter committer = new DeferredCommitter();
    Snapshot snapshot = TableManager.loadSnapshot(location.toString()).withCommitter(committer).build(context.engine());
    TableSchema schema = mode.deltaSchema(staged);
    Map<String, String> properties = new HashMap<>(TributaryTableProperties.of(schema, mode));
    // The column mapping mode cannot change; deletion vectors stay as the table was created.
    for (String kept : List.of(ColumnMapping.COLUMN_MAPPING_MODE_KEY, DeletionVectors.ENABLE)) {
      String value = snapshot.getTableProperties().get(kept);
      if (value != null) {
        properties.put(kept, value);
      }
    }
    Transaction replace = ((SnapshotImpl) snapshot)
        .buildReplaceTableTransaction(DeltaTypes.toStructType(schema), ApplierContext.ENGINE_INFO)
        .withTableProperties(properties)
        .withMaxRetries(0)
        .build(context.engine());
    committer.commitWith(context.committers().create(context.coordinator(), lease, Optional.of(begin), segments,
        Math.max(0, rowsRemoved)));
    TransactionCommitResult commit = replace.commit(context.engine(), CloseableIterable.emptyIterable());
    PostCommitHooks.run(context, tableId, commit);
    String message = "Replaced by an empty table with the new schema " + schema.columns() + " key " + schema.keyColumns()
        + " at version " + commit.getVersion() + "; the resync starting at " + begin + " fills it";
    LOG.warn("{}: {}", tableId, message);
    report(CoordinatorEvent.Severity.WARNING, message, Map.of("version", Long.toString(commit.getVersion()),
        "kind", "replaced", "resync_begin", begin.value()));
    return commit.getVersion();
  }

  /** Logs, counts and reports the changes committed as {@code version}. */
  void evolved(TableSchema before, TableLayout after, List<SchemaChange> changes, long version) {
    String from = names(before);
    String to = names(after.columns());
    if (changes.isEmpty()) {
      LOG.info("{}: staged schema fingerprint now {} (no column change; nullability only) at version {}", tableId,
          after.fingerprint(), version);
      return;
    }
    for (SchemaChange change : changes) {
      metrics.schemaChanged(change.kind().tag());
      LOG.info("{}: {} at version {}; Delta columns {} -> {}{}", tableId, change, version, from, to,
          after.inactive().isEmpty() ? "" : ", inactive " + after.inactive().stream().sorted().toList());
    }
    report(CoordinatorEvent.Severity.INFO, "Schema evolved at version " + version + ": "
        + changes.stream().map(SchemaChange::toString).collect(Collectors.joining("; ")),
        Map.of("version", Long.toString(version), "kind", changes.stream().map(change -> change.kind().tag()).distinct()
            .collect(Collectors.joining(",")), "columns", to));
  }

  /** Tells the coordinator's event log; the table goes on whatever the report's fate. */
  void report(CoordinatorEvent.Severity severity, String message, Map<String, String> details) {
    try {
      context.coordinator().report(new CoordinatorEvent.Report(context.clock().instant(),
          CoordinatorEvent.Type.SCHEMA_CHANGED, Optional.of(tableId), severity, message, details));
    } catch (RuntimeException e) {
      LOG.warn("Cannot report the schema change of {} to the coordinator: {}", tableId, e.toString());
    }
  }

  private static String names(TableSchema schema) {
    return schema.columns().stream().map(column -> column.name() + " " + column.type()).toList().toString();
  }
}
