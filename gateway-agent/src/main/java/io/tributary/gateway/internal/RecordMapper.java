package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.debezium.relational.RelationalChangeRecordEmitter;
import io.tributary.gateway.SourceConfig;
import io.tributary.gateway.internal.TableMapping.Row;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Maps Debezium's Connect records to staging {@link ChangeEvent}s. A record whose value is a change
 * envelope ({@code op}, {@code before}, {@code after}, {@code source}) becomes a {@link Captured.Change};
 * anything else (heartbeats, logical decoding messages) a {@link Captured.Marker}. A change it cannot
 * map faithfully is an error, never skipped. Used from one thread.
 */
final class RecordMapper {
  /** The value schema of Debezium's transaction BEGIN and END records ({@code provide.transaction.metadata}). */
  static final String TRANSACTION_METADATA = "io.debezium.connector.common.TransactionMetadataValue";
  /** The value schema of Debezium's notifications ({@code notification.enabled.channels=sink}). */
  static final String NOTIFICATION = "io.debezium.connector.common.Notification";
  private static final String INCREMENTAL_SNAPSHOT = "Incremental Snapshot";
  /** The source block's schema (PostgreSQL, SQL Server) or, for MySQL and MariaDB, which have none, its database. */
  private static final int MAX_ENVELOPES = 1024;
  private static final FieldReader SCHEMA = new FieldReader("schema");
  private static final FieldReader DATABASE = new FieldReader("db");
  private static final FieldReader TABLE = new FieldReader("table");
  private static final FieldReader TRANSACTION_ID = new FieldReader("txId");
  private static final FieldReader SOURCE_MILLIS = new FieldReader("ts_ms");
  private final String sourceName;
  private final Set<TableId> tables;
  private final PositionExtractor positions;
  private final Clock clock;
  private final String placeholder;
  private final SourceConfig.UnsupportedTypes unsupported;
  private final Map<TableId, List<String>> catalogKeys;
  private final Function<TableId, Optional<TableSchema>> stagedSchema;
  private final Optional<String> signalTable;
  private final Predicate<TableId> initiallyLoading;
  private final Map<TableId, TableMapping> mappings = new HashMap<>();
  /** The captured tables by schema and name: a change names its table, and most changes are of one of them. */
  private final Map<String, Map<String, TableId>> tablesByName = new HashMap<>();
  /** The fields of each change envelope schema seen, by identity: a connector reuses its schema objects. */
  private final Map<Schema, Envelope> envelopes = new IdentityHashMap<>();
  private String lastTableSchema;
  private String lastTableName;
  private TableId lastTable;
  private long lastTransactionId;
  private String lastCheckedSchema;
  private String lastCheckedTable;
  private boolean lastCheckedIsSignal;
  private Optional<String> lastTransaction = Optional.empty();

  /**
   * @param catalogKeys each table's primary key from the source catalog, for records without a key
   *     schema when the table has no mapping yet
   * @param unsupported what becomes of columns whose type has no Delta type
   */
  RecordMapper(String sourceName, Map<TableId, List<String>> catalogKeys, PositionExtractor positions, Clock clock,
      String placeholder, SourceConfig.UnsupportedTypes unsupported) {
    this(sourceName, catalogKeys, positions, clock, placeholder, unsupported, table -> Optional.empty(),
        Optional.empty());
  }

  /**
   * @param stagedSchema a table's schema as last staged by an earlier process, for the resync markers
   *     of a table none of whose changes this process has mapped yet
   * @param signalTable Debezium's signalling table ({@code signal.data.collection}), whose rows are
   *     signals, not changes to stage
   */
  RecordMapper(String sourceName, Map<TableId, List<String>> catalogKeys, PositionExtractor positions, Clock clock,
      String placeholder, SourceConfig.UnsupportedTypes unsupported,
      Function<TableId, Optional<TableSchema>> stagedSchema, Optional<String> signalTable) {
    this(sourceName, catalogKeys, positions, clock, placeholder, unsupported, stagedSchema, signalTable, table -> false);
  }

  /**
   * @param initiallyLoading whether a table's existing rows are being loaded by an incremental
   *     snapshot ({@link InitialLoad}): its snapshot steps stage no resync markers, since there is
   *     nothing earlier to replace
   */
  RecordMapper(String sourceName, Map<TableId, List<String>> catalogKeys, PositionExtractor positions, Clock clock,
      String placeholder, SourceConfig.UnsupportedTypes unsupported,
      Function<TableId, Optional<TableSchema>> stagedSchema, Optional<String> signalTable,
      Predicate<TableId> initiallyLoading) {
    this.initiallyLoading = requireNonNull(initiallyLoading, "initiallyLoading is null");
    this.sourceName = requireNonNull(sourceName, "sourceName is null");
    this.catalogKeys = Map.copyOf(catalogKeys);
    this.tables = Set.copyOf(catalogKeys.keySet());
    this.positions = requireNonNull(positions, "positions is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.placeholder = requireNonNull(placeholder, "placeholder is null");
    this.unsupported = requireNonNull(unsupported, "unsupported is null");
    this.stagedSchema = requireNonNull(stagedSchema, "stagedSchema is null");
    this.signalTable = requireNonNull(signalTable, "signalTable is null").map(name -> name.toLowerCase(Locale.ROOT));
    for (TableId table : tables) {
      tablesByName.computeIfAbsent(table.schema(), schema -> new HashMap<>()).put(table.table(), table);
    }
  }

  Captured map(SourceRecord record) {
    Schema valueSchema = record.valueSchema();
    if (valueSchema != null && TRANSACTION_METADATA.equals(valueSchema.name()) && record.value() instanceof Struct metadata) {
      return "END".equals(metadata.getString("status")) ? new Captured.TransactionEnd(metadata.getString("id"))
          : new Captured.Marker("transaction " + metadata.getString("status"));
    }
    if (valueSchema != null && valueSchema.name() != null && valueSchema.name().endsWith(NOTIFICATION)
        && record.value() instanceof Struct notification) {
      return notification(notification);
    }
    if (!(record.value() instanceof Struct value) || valueSchema == null) {
      return new Captured.Marker(markerKind(record));
    }
    Envelope envelope = envelopes.get(valueSchema);
    if (envelope == null) {
      if (envelopes.size() >= MAX_ENVELOPES) {
        // Schemas are rebuilt when tables change: forget the old ones rather than hold them forever.
        envelopes.clear();
      }
      envelope = Envelope.of(valueSchema);
      envelopes.put(valueSchema, envelope);
    }
    if (!envelope.isChange()) {
      return new Captured.Marker(markerKind(record));
    }
    String op = (String) FieldReader.valueOf(value, envelope.op());
    if ("m".equals(op)) {
      return new Captured.Marker("message");
    }
    Struct source = (Struct) FieldReader.valueOf(value, envelope.source());
    String schemaName = SCHEMA.present(source) ? SCHEMA.string(source) : DATABASE.string(source);
    String tableName = TABLE.string(source);
    if (isSignalTable(schemaName, tableName)) {
      return new Captured.Marker("signal");
    }
    TableId table = tableOf(schemaName, tableName, record);
    Operation operation = operation(op, table);
    if (envelope.after() == null) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " without an 'after' field in its schema");
    }
    TableMapping mapping = mappingFor(table, envelope.after().schema(), record.keySchema());
    Row row = row(operation, value, envelope, record, mapping, table);
    PositionExtractor.ChangePosition position = positions.positionOf(table, source,
        record.sourceOffset() == null ? Map.of() : record.sourceOffset());
    if (operation == Operation.INSERT
        && record.headers().lastWithName(RelationalChangeRecordEmitter.PK_UPDATE_OLDKEY_FIELD) != null) {
      // An update that changed the key arrives as a delete of the old key and this insert of the new
      // one, both read from one log record and so at one position: the insert goes right after it.
      position = new PositionExtractor.ChangePosition(position.position().immediatelyAfter(),
          position.snapshotReset());
    }
    Long transactionId = TRANSACTION_ID.int64(source);
    Long sourceMillis = SOURCE_MILLIS.int64(source);
    long sourceTimestamp = sourceMillis == null ? 0 : sourceMillis;
    Optional<String> transaction = transaction(transactionId);
    long captured = clock.millis();
    ChangeEvent event = new ChangeEvent(table, operation, position.position(), row.values(), row.unavailable(),
        sourceTimestamp, transaction, captured);
    Optional<ChangeEvent> reset = position.snapshotReset().map(at -> {
      Row empty = mapping.empty();
      return new ChangeEvent(table, Operation.TRUNCATE, at, empty.values(), empty.unavailable(), sourceTimestamp,
          transaction, captured);
    });
    return new Captured.Change(mapping.schema(), reset, event, positions.isSnapshot(source));
  }

  /**
   * The fields of a change envelope's schema, looked up once per schema ({@code op} and
   * {@code source} are null when the schema is not a change envelope's).
   */
  private record Envelope(Field op, Field source, Field before, Field after) {
    static Envelope of(Schema schema) {
      return new Envelope(schema.field("op"), schema.field("source"), schema.field("before"), schema.field("after"));
    }

    boolean isChange() {
      return op != null && source != null;
    }
  }

  /** The staged form of a transaction id; the changes of one transaction share it. */
  private Optional<String> transaction(Long transactionId) {
    if (transactionId == null) {
      return Optional.empty();
    }
    if (lastTransaction.isEmpty() || lastTransactionId != transactionId) {
      lastTransactionId = transactionId;
      lastTransaction = Optional.of(Long.toString(transactionId));
    }
    return lastTransaction;
  }

  /**
   * The step an incremental snapshot notification reports, with its markers: a {@code RESYNC_BEGIN}
   * of each table when the snapshot starts, a {@code RESYNC_END} when a table was read whole. Other
   * notifications (progress, the initial snapshot's) are only markers.
   */
  private Captured notification(Struct notification) {
    String type = notification.getString("type");
    if (!INCREMENTAL_SNAPSHOT.equals(notification.getString("aggregate_type")) || type == null) {
      return new Captured.Marker("notification " + notification.getString("aggregate_type") + " " + type);
    }
    Map<String, String> data = notification.getMap("additional_data") == null ? Map.of()
        : notification.<String, String>getMap("additional_data");
    long millis = notification.getInt64("timestamp") == null ? clock.millis() : notification.getInt64("timestamp");
    switch (type) {
      case "STARTED" -> {
        List<TableId> started = capturedTables(data.get("data_collections"));
        return new Captured.ResyncStep(Captured.ResyncStep.Kind.STARTED, started,
            markers(started, Operation.RESYNC_BEGIN, millis), "incremental snapshot started");
      }
      case "TABLE_SCAN_COMPLETED" -> {
        List<TableId> scanned = capturedTables(data.get("scanned_collection"));
        String status = data.getOrDefault("status", "UNKNOWN");
        String detail = data.getOrDefault("total_rows_scanned", "?") + " rows read (" + status + ")";
        if (status.equals("SUCCEEDED") || status.equals("EMPTY")) {
          return new Captured.ResyncStep(Captured.ResyncStep.Kind.CAPTURED, scanned,
              markers(scanned, Operation.RESYNC_END, millis), detail);
        }
        return new Captured.ResyncStep(Captured.ResyncStep.Kind.FAILED, scanned, List.of(),
            "the source's snapshot of the table ended with " + status + " after " + detail);
      }
      case "ABORTED" -> {
        return new Captured.ResyncStep(Captured.ResyncStep.Kind.ABORTED, capturedTables(data.get("data_collections")),
            List.of(), "incremental snapshot stopped");
      }
      case "COMPLETED" -> {
        return new Captured.ResyncStep(Captured.ResyncStep.Kind.COMPLETED, List.of(), List.of(),
            "incremental snapshot completed");
      }
      default -> {
        return new Captured.Marker("notification " + INCREMENTAL_SNAPSHOT + " " + type);
      }
    }
  }

  /**
   * The captured tables among Debezium's comma-separated data collection identifiers
   * ({@code schema.table}, or {@code database.schema.table} for SQL Server).
   */
  private List<TableId> capturedTables(String identifiers) {
    if (identifiers == null || identifiers.isBlank()) {
      return List.of();
    }
    List<TableId> found = new ArrayList<>();
    for (String identifier : identifiers.split(",")) {
      String[] parts = identifier.trim().split("\\.");
      if (parts.length < 2) {
        continue;
      }
      TableId table = new TableId(sourceName, parts[parts.length - 2], parts[parts.length - 1]);
      if (tables.contains(table) && !found.contains(table)) {
        found.add(table);
      }
    }
    return found;
  }

  private List<Captured.Change> markers(List<TableId> markedTables, Operation operation, long sourceMillis) {
    List<Captured.Change> markers = new ArrayList<>();
    for (TableId table : markedTables) {
      if (initiallyLoading.test(table)) {
        continue;
      }
      TableMapping mapping = mappings.get(table);
      Optional<TableSchema> schema = mapping != null ? Optional.of(mapping.schema()) : stagedSchema.apply(table);
      if (schema.isEmpty()) {
        // Nothing of the table was ever staged: there is nothing to replace downstream.
        continue;
      }
      ChangeEvent marker = new ChangeEvent(table, operation, positions.inStream(),
          new Object[schema.get().columns().size()], ChangeEvent.NONE_UNAVAILABLE, sourceMillis, Optional.empty(), clock.millis());
      markers.add(new Captured.Change(schema.get(), Optional.empty(), marker, false));
    }
    return markers;
  }

  private boolean isSignalTable(String schema, String table) {
    if (signalTable.isEmpty() || schema == null || table == null) {
      return false;
    }
    if (!schema.equals(lastCheckedSchema) || !table.equals(lastCheckedTable)) {
      // schema.table, or database.schema.table for SQL Server; asked again only when the table changes.
      String name = (schema + "." + table).toLowerCase(Locale.ROOT);
      lastCheckedSchema = schema;
      lastCheckedTable = table;
      lastCheckedIsSignal = signalTable.get().equals(name) || signalTable.get().endsWith("." + name);
    }
    return lastCheckedIsSignal;
  }

  private TableId tableOf(String schema, String name, SourceRecord record) {
    if (schema == null || name == null) {
      throw GatewayErrors.unexpectedRecord("a change on topic " + record.topic() + " that names no table");
    }
    // A connector names a table with the same string objects change after change.
    if (schema == lastTableSchema && name == lastTableName) {
      return lastTable;
    }
    TableId captured = tablesByName.getOrDefault(schema, Map.of()).get(name);
    if (captured != null) {
      lastTableSchema = schema;
      lastTableName = name;
      lastTable = captured;
      return captured;
    }
    TableId table;
    try {
      table = new TableId(sourceName, schema, name);
    } catch (IllegalArgumentException e) {
      throw GatewayErrors.unexpectedRecord("a change of table " + schema + "." + name + " (" + e.getMessage() + ")");
    }
    if (!tables.contains(table)) {
      throw GatewayErrors.unexpectedRecord("a change of table " + table + ", which is not among source.tables");
    }
    return table;
  }

  private static Operation operation(String op, TableId table) {
    if (op == null) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " without an operation");
    }
    try {
      return Operation.fromCode(op);
    } catch (IllegalArgumentException e) {
      throw GatewayErrors.unexpectedRecord("a change of " + table + " with operation '" + op + "'");
    }
  }

  private static Row row(Operation operation, Struct value, Envelope envelope, SourceRecord record,
      TableMapping mapping, TableId table) {
    switch (operation) {
      case INSERT, SNAPSHOT_READ, UPDATE -> {
        Struct after = (Struct) FieldReader.valueOf(value, envelope.after());
        if (after == null) {
          throw GatewayErrors.unexpectedRecord("a '" + operation.code() + "' change of " + table + " without an after-image");
        }
        return mapping.row(after, operation == Operation.UPDATE);
      }
      case DELETE -> {
        Struct before = envelope.before() == null ? null : (Struct) FieldReader.valueOf(value, envelope.before());
        if (before != null) {
          return mapping.row(before, false);
        }
        if (record.key() instanceof Struct key) {
          return mapping.keyOnly(key);
        }
        throw GatewayErrors.unexpectedRecord("a delete of " + table + " with neither before-image nor key");
      }
      case TRUNCATE -> {
        return mapping.empty();
      }
      default -> throw new IllegalStateException("unreachable: " + operation);
    }
  }

  private TableMapping mappingFor(TableId table, Schema rowSchema, Schema keySchema) {
    TableMapping current = mappings.get(table);
    if (keySchema == null) {
      // Debezium sends truncates without a key: same columns, same key as the table has.
      if (current != null && current.describesRow(rowSchema)) {
        return current;
      }
      List<String> keys = current != null ? current.schema().keyColumns() : catalogKeys.getOrDefault(table, List.of());
      return TableMapping.derive(table, rowSchema, keys, placeholder, unsupported);
    }
    if (current != null && current.describes(rowSchema, keySchema)) {
      return current;
    }
    TableMapping derived = TableMapping.derive(table, rowSchema, keySchema, placeholder, unsupported);
    mappings.put(table, derived);
    return derived;
  }

  private static String markerKind(SourceRecord record) {
    if (record.value() == null) {
      return "tombstone";
    }
    if (record.valueSchema() != null && record.valueSchema().name() != null) {
      return record.valueSchema().name();
    }
    return "record on topic " + record.topic();
  }
}
