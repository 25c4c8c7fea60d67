package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.CoordinatorStoreConfig;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store for several coordinators: tables and commits in PostgreSQL, reached through a small
 * connection pool. Every change is one transaction that first locks the table's row
 * ({@code SELECT ... FOR UPDATE}), then checks its precondition with the rules of {@link TableState}
 * on what it read, then writes: two coordinators can therefore never both ratify a version of a table,
 * nor both hand out its lease, and the primary key on {@code (table_id, version)} guards the commits
 * a second time. The schema is created and upgraded at {@link #open} by {@link SchemaMigrations}.
 *
 * <p>Times are kept to the microsecond (PostgreSQL's precision): what a call returns is what every
 * coordinator reads back.
 */
public final class PostgresCoordinatorStore implements CoordinatorStore {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCoordinatorStore.class);
  private static final String TABLE_COLUMNS =
      "table_id, location, key_columns, version, applied_position, epoch, lease_holder, lease_expires_at, paused_reason,"
          + " resync";
  private static final String COMMIT_COLUMNS = "table_id, version, writer, epoch, watermark, segments, rows_changed,"
      + " committed_at, published_commit, staged_commit, sha256, size, status, modification_time, rollback_to,"
      + " rollback_reason, group_id, group_cut, group_size";

  private final PostgresTransactions transactions;
  private final String store;
  private final String tables;
  private final String commits;
  private final String withdrawn;
  private final String prefix;

  private PostgresCoordinatorStore(PostgresTransactions transactions, String store, String schema) {
    this.transactions = transactions;
    this.store = store;
    this.prefix = SchemaMigrations.quote(schema) + ".";
    this.tables = prefix + "coordinator_tables";
    this.commits = prefix + "coordinator_commits";
    this.withdrawn = prefix + "coordinator_withdrawn_commits";
  }

  /**
   * Connects to the database of {@code config}, creates or upgrades the store's schema, and returns the
   * store.
   *
   * @throws TributaryException {@code COORDINATOR_UNAVAILABLE} if the database cannot be reached,
   *     {@code CONFIG_INVALID} if it refuses the user or the database or the privileges to create the
   *     schema are missing, {@code INTERNAL} if the schema's migrations do not match this coordinator's
   */
  public static PostgresCoordinatorStore open(CoordinatorStoreConfig config) {
    requireNonNull(config, "config is null");
    if (config.type() != CoordinatorStoreConfig.Type.POSTGRESQL) {
      throw new IllegalArgumentException("not a PostgreSQL store configuration: " + config);
    }
    PostgresTransactions transactions = PostgresTransactions.open(config);
    return new PostgresCoordinatorStore(transactions, transactions.store(), config.schema());
  }

  @Override
  public TableState register(TableRegistration registration, Instant at) {
    TableId tableId = registration.tableId();
    TableState registered = TableState.registered(registration);
    return transactions.write("register table " + tableId, connection -> {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + tables
          + " (table_id, location, key_columns, version, epoch, registered_at, updated_at) VALUES (?, ?, ?, -1, 0, ?, ?)"
          + " ON CONFLICT (table_id) DO NOTHING")) {
        insert.setString(1, tableId.canonical());
        insert.setString(2, registered.location().toString());
        insert.setArray(3, connection.createArrayOf("text", registered.keyColumns().toArray()));
        setInstant(insert, 4, at);
        setInstant(insert, 5, at);
        if (insert.executeUpdate() == 1) {
          return registered;
        }
      }
      TableState existing = lockTable(connection, tableId);
      if (!existing.sameRegistration(registration)) {
        throw CoordinatorErrors.registrationMismatch(existing.registration(), registration);
      }
      return existing;
    });
  }

  @Override
  public Optional<TableState> table(TableId tableId) {
    return transactions.read("read table " + tableId, connection -> findTable(connection, tableId, false));
  }

  @Override
  public List<TableState> tables() {
    return transactions.read("list tables", connection -> {
      try (PreparedStatement query = connection.prepareStatement("SELECT " + TABLE_COLUMNS + " FROM " + tables
          + " ORDER BY table_id COLLATE \"C\"");
          ResultSet rows = query.executeQuery()) {
        List<TableState> states = new ArrayList<>();
        while (rows.next()) {
          states.add(tableState(rows));
        }
        return List.copyOf(states);
      }
    });
  }

  @Override
  public Lease acquireLease(TableId tableId, WriterId writer, Instant at, Instant expiresAt) {
    return transactions.write("give the lease of " + tableId + " to " + writer, connection -> {
      TableState table = lockTable(connection, tableId);
      TableState leased = table.withLease(writer, table.epoch().next(), micros(expiresAt));
      updateTable(connection, leased, at);
      return leased.lease().orElseThrow();
    });
  }

  @Override
  public Lease renewLease(TableId tableId, WriterId writer, Epoch epoch, Instant at, Instant expiresAt) {
    return transactions.write("renew the lease of " + tableId + " for " + writer, connection -> {
      TableState table = lockTable(connection, tableId);
      table.checkHolder(writer, epoch, "renew the lease");
      TableState renewed = table.withLease(writer, epoch, micros(expiresAt));
      updateTable(connection, renewed, at);
      return renewed.lease().orElseThrow();
    });
  }

  @Override
  public TableState releaseLease(TableId tableId, WriterId writer, Epoch epoch, Instant at) {
    return transactions.write("release the lease of " + tableId + " for " + writer, connection -> {
      TableState table = lockTable(connection, tableId);
      if (!table.heldBy(writer, epoch)) {
        return table;
      }
      TableState released = table.withoutLease();
      updateTable(connection, released, at);
      return released;
    });
  }

  @Override
  public TableState pause(TableId tableId, String reason, Instant at) {
    return transactions.write("pause " + tableId, connection -> {
      TableState table = lockTable(connection, tableId);
      if (table.pausedReason().equals(Optional.of(reason))) {
        return table;
      }
      TableState paused = table.withPause(Optional.of(reason));
      updateTable(connection, paused, at);
      return paused;
    });
  }

  @Override
  public TableState changeResync(TableId tableId, Resync next, Instant at) {
    return transactions.write("change the resync of " + tableId, connection -> {
      TableState table = lockTable(connection, tableId);
      table.checkResync(next);
      TableState changed = table.withResync(next);
      updateTable(connection, changed, at);
      return changed;
    });
  }

  @Override
  public TableState resume(TableId tableId, Instant at) {
    return transactions.write("resume " + tableId, connection -> {
      TableState table = lockTable(connection, tableId);
      if (table.pausedReason().isEmpty()) {
        return table;
      }
      TableState resumed = table.withPause(Optional.empty());
      updateTable(connection, resumed, at);
      return resumed;
    });
  }

  @Override
  public CommitEntry ratify(CommitEntry commit) {
    CommitRecord record = commit.record();
    TableId tableId = record.tableId();
    CommitEntry entry = atMicros(commit);
    return transactions.write("ratify version " + record.version() + " of " + tableId, connection -> {
      TableState table = lockTable(connection, tableId);
      table.checkHolder(record.writer(), record.epoch(), "commit version " + record.version());
      table.checkNextVersion(record.version(), record.epoch(), record.rollback().isPresent());
      insertCommit(connection, entry, table);
      updateTable(connection, table.withRatified(entry.record()), entry.record().committedAt());
      return entry;
    });
  }

  /**
   * Ratifies the group's commits in one transaction that locks their tables' rows in table order (so
   * that two groups sharing tables never deadlock): all are recorded, or none.
   */
  @Override
  public List<CommitEntry> ratifyGroup(List<CommitEntry> commits) {
    List<CommitEntry> entries = commits.stream()
        .sorted(java.util.Comparator.comparing(commit -> commit.record().tableId()))
        .map(PostgresCoordinatorStore::atMicros)
        .toList();
    String group = entries.get(0).record().group().map(CommitRecord.Group::id).orElse("?");
    transactions.write("ratify commit group " + group + " of " + entries.size() + " tables", connection -> {
      for (CommitEntry entry : entries) {
        CommitRecord record = entry.record();
        TableState table = lockTable(connection, record.tableId());
        table.checkHolder(record.writer(), record.epoch(), "commit version " + record.version());
        table.checkNextVersion(record.version(), record.epoch(), false);
        insertCommit(connection, entry, table);
        updateTable(connection, table.withRatified(record), record.committedAt());
      }
      return null;
    });
    return commits.stream().map(PostgresCoordinatorStore::atMicros).toList();
  }

  private static CommitEntry atMicros(CommitEntry commit) {
    CommitRecord record = commit.record();
    if (commit.published()) {
      throw new IllegalArgumentException("a commit is ratified before it is published: " + record);
    }
    return new CommitEntry(new CommitRecord(record.tableId(), record.version(), record.writer(), record.epoch(),
        record.watermark(), record.segments(), record.rowsChanged(), micros(record.committedAt()), record.publishedCommit(),
        record.status(), record.rollback(), record.group()), commit.stagedCommit(), commit.sha256(), commit.size(),
        commit.modificationTime());
  }

  /**
   * Records that the log entry of a ratified commit is in place. Marking a commit that is already
   * published returns it unchanged: two coordinators may both find the same commit pending and
   * finish it.
   */
  @Override
  public CommitEntry markPublished(TableId tableId, long version, URI stagedCommit, long size, long modificationTime,
      Instant at) {
    return transactions.write("mark version " + version + " of " + tableId + " published", connection -> {
      lockTable(connection, tableId);
      CommitEntry entry = findCommit(connection, tableId, version, true).orElseThrow(() ->
          CoordinatorErrors.inconsistentChange(tableId, "version " + version + " cannot be marked published: it is not"
              + " ratified (it may have been withdrawn)"));
      if (!entry.stagedCommit().equals(stagedCommit)) {
        throw CoordinatorErrors.inconsistentChange(tableId, "version " + version + " cannot be marked published: it is"
            + " another commit now (" + entry.stagedCommit() + ", not " + stagedCommit + ")");
      }
      if (entry.published()) {
        // Another coordinator finished publishing the same commit first (both found it pending).
        LOG.debug("Version {} of {} was already marked published", version, tableId);
        return entry;
      }
      try (PreparedStatement update = connection.prepareStatement("UPDATE " + commits
          + " SET status = 'PUBLISHED', size = ?, modification_time = ?, published_at = ? WHERE table_id = ? AND version = ?")) {
        update.setLong(1, size);
        update.setLong(2, modificationTime);
        setInstant(update, 3, at);
        update.setString(4, tableId.canonical());
        update.setLong(5, version);
        update.executeUpdate();
      }
      return entry.asPublished(size, modificationTime);
    });
  }

  @Override
  public TableState withdraw(TableId tableId, long version, URI stagedCommit, String reason, Instant at) {
    return transactions.write("withdraw version " + version + " of " + tableId, connection -> {
      TableState table = lockTable(connection, tableId);
      Optional<CommitEntry> current = findCommit(connection, tableId, version, true);
      if (current.isEmpty() || !current.get().stagedCommit().equals(stagedCommit)) {
        // Another coordinator withdrew it first; the version may belong to a newer commit by now.
        LOG.info("Version {} of {} from {} was already withdrawn; nothing to take back", version, tableId, stagedCommit);
        return table;
      }
      if (version != table.version() || version < 0) {
        throw CoordinatorErrors.inconsistentChange(tableId, "version " + version + " withdrawn but the latest is "
            + table.version());
      }
      CommitEntry entry = findCommit(connection, tableId, version, true).orElseThrow(() ->
          CoordinatorErrors.inconsistentChange(tableId, "version " + version + " is the latest but has no commit"));
      if (entry.published()) {
        throw CoordinatorErrors.inconsistentChange(tableId, "version " + version + " withdrawn after it was published");
      }
      try (PreparedStatement keep = connection.prepareStatement("INSERT INTO " + withdrawn
          + " (table_id, version, writer, epoch, staged_commit, sha256, committed_at, reason, withdrawn_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        keep.setString(1, tableId.canonical());
        keep.setLong(2, version);
        keep.setString(3, entry.record().writer().value());
        keep.setLong(4, entry.record().epoch().value());
        keep.setString(5, entry.stagedCommit().toString());
        keep.setString(6, entry.sha256());
        setInstant(keep, 7, entry.record().committedAt());
        keep.setString(8, reason);
        setInstant(keep, 9, at);
        keep.executeUpdate();
      }
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + commits
          + " WHERE table_id = ? AND version = ?")) {
        delete.setString(1, tableId.canonical());
        delete.setLong(2, version);
        delete.executeUpdate();
      }
      TableState after = table.withVersion(version - 1, latestWatermark(connection, tableId));
      updateTable(connection, after, at);
      return after;
    });
  }

  @Override
  public Optional<CommitEntry> commit(TableId tableId, long version) {
    return transactions.read("read version " + version + " of " + tableId,
        connection -> findCommit(connection, tableId, version, false));
  }

  @Override
  public List<CommitEntry> history(TableId tableId, long beforeVersion, int limit) {
    return transactions.read("read the history of " + tableId, connection -> {
      if (findTable(connection, tableId, false).isEmpty()) {
        throw CoordinatorErrors.unknownTable(tableId);
      }
      try (PreparedStatement query = connection.prepareStatement("SELECT " + COMMIT_COLUMNS + " FROM " + commits
          + " WHERE table_id = ? AND version < ? ORDER BY version DESC LIMIT ?")) {
        query.setString(1, tableId.canonical());
        query.setLong(2, beforeVersion);
        query.setInt(3, limit);
        return commitEntries(query);
      }
    });
  }

  @Override
  public List<CommitEntry> history(TableId tableId) {
    return transactions.read("read the history of " + tableId, connection -> {
      if (findTable(connection, tableId, false).isEmpty()) {
        throw CoordinatorErrors.unknownTable(tableId);
      }
      try (PreparedStatement query = connection.prepareStatement("SELECT " + COMMIT_COLUMNS + " FROM " + commits
          + " WHERE table_id = ? ORDER BY version DESC")) {
        query.setString(1, tableId.canonical());
        return commitEntries(query);
      }
    });
  }

  @Override
  public List<CommitEntry> unpublished() {
    return transactions.read("list unpublished commits", connection -> {
      try (PreparedStatement query = connection.prepareStatement("SELECT " + COMMIT_COLUMNS + " FROM " + commits
          + " WHERE status = 'RATIFIED' ORDER BY table_id COLLATE \"C\", version")) {
        return commitEntries(query);
      }
    });
  }

  /** Whether the database answered the last check (made at most every few seconds) and the store is open. */
  @Override
  public boolean healthy() {
    return transactions.healthy();
  }

  /** The event log in this store's database, shared by every coordinator using it. */
  public EventLog eventLog(Duration retention) {
    return new PostgresEventLog(transactions, prefix, retention);
  }

  /** Closes the connection pool. Idempotent. */
  @Override
  public void close() {
    if (!transactions.closed()) {
      transactions.close();
      LOG.info("Closed the coordinator store ({})", store);
    }
  }

  @Override
  public String toString() {
    return store;
  }

  // ---- rows ----

  private TableState lockTable(Connection connection, TableId tableId) throws SQLException {
    return findTable(connection, tableId, true).orElseThrow(() -> CoordinatorErrors.unknownTable(tableId));
  }

  private Optional<TableState> findTable(Connection connection, TableId tableId, boolean forUpdate) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT " + TABLE_COLUMNS + " FROM " + tables
        + " WHERE table_id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
      query.setString(1, tableId.canonical());
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(tableState(rows)) : Optional.empty();
      }
    }
  }

  private void updateTable(Connection connection, TableState state, Instant at) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables + " SET version = ?,"
        + " applied_position = ?, epoch = ?, lease_holder = ?, lease_expires_at = ?, paused_reason = ?, updated_at = ?,"
        + " resync = ?::jsonb WHERE table_id = ?")) {
      update.setLong(1, state.version());
      update.setString(2, state.appliedPosition().map(SourcePosition::value).orElse(null));
      update.setLong(3, state.epoch().value());
      update.setString(4, state.leaseHolder().map(WriterId::value).orElse(null));
      setInstant(update, 5, state.leaseExpiresAt().orElse(null));
      update.setString(6, state.pausedReason().orElse(null));
      setInstant(update, 7, at);
      update.setString(8, state.resync().map(resync -> ApiCodec.toJson(resync).toString()).orElse(null));
      update.setString(9, state.tableId().canonical());
      if (update.executeUpdate() != 1) {
        throw CoordinatorErrors.inconsistentChange(state.tableId(), "its row vanished while locked");
      }
    }
  }

  private void insertCommit(Connection connection, CommitEntry entry, TableState table) throws SQLException {
    CommitRecord record = entry.record();
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + commits + " (" + COMMIT_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'RATIFIED', NULL, ?, ?, ?, ?, ?)")) {
      insert.setString(1, record.tableId().canonical());
      insert.setLong(2, record.version());
      insert.setString(3, record.writer().value());
      insert.setLong(4, record.epoch().value());
      insert.setString(5, record.watermark().map(SourcePosition::value).orElse(null));
      insert.setArray(6, connection.createArrayOf("text", record.segments().stream().map(URI::toString).toArray()));
      insert.setLong(7, record.rowsChanged());
      setInstant(insert, 8, record.committedAt());
      insert.setString(9, record.publishedCommit().toString());
      insert.setString(10, entry.stagedCommit().toString());
      insert.setString(11, entry.sha256());
      insert.setLong(12, entry.size());
      if (record.rollback().isPresent()) {
        insert.setLong(13, record.rollback().get().toVersion());
        insert.setString(14, record.rollback().get().reason());
      } else {
        insert.setNull(13, java.sql.Types.BIGINT);
        insert.setNull(14, java.sql.Types.VARCHAR);
      }
      if (record.group().isPresent()) {
        insert.setString(15, record.group().get().id());
        insert.setString(16, record.group().get().cut().value());
        insert.setInt(17, record.group().get().size());
      } else {
        insert.setNull(15, java.sql.Types.VARCHAR);
        insert.setNull(16, java.sql.Types.VARCHAR);
        insert.setNull(17, java.sql.Types.INTEGER);
      }
      insert.executeUpdate();
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        // Only a store changed behind the coordinators' backs gets here: the table's row said otherwise.
        throw CoordinatorErrors.versionTaken(record.tableId(), record.version(), table.version(), record.epoch());
      }
      throw e;
    }
  }

  private Optional<CommitEntry> findCommit(Connection connection, TableId tableId, long version, boolean forUpdate)
      throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT " + COMMIT_COLUMNS + " FROM " + commits
        + " WHERE table_id = ? AND version = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
      query.setString(1, tableId.canonical());
      query.setLong(2, version);
      List<CommitEntry> entries = commitEntries(query);
      return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
    }
  }

  /** The position the table is applied up to: see {@link CommitRecord#appliedPositionAfter}. */
  private Optional<SourcePosition> latestWatermark(Connection connection, TableId tableId) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT watermark FROM " + commits
        + " WHERE table_id = ? AND (watermark IS NOT NULL OR rollback_to IS NOT NULL) ORDER BY version DESC LIMIT 1")) {
      query.setString(1, tableId.canonical());
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() && rows.getString(1) != null ? Optional.of(position(rows.getString(1), tableId)) : Optional.empty();
      }
    }
  }

  private static Optional<CommitRecord.Rollback> rollback(ResultSet row) throws SQLException {
    long toVersion = row.getLong("rollback_to");
    return row.wasNull() ? Optional.empty() : Optional.of(new CommitRecord.Rollback(toVersion, row.getString("rollback_reason")));
  }

  private static Optional<CommitRecord.Group> group(ResultSet row) throws SQLException {
    String id = row.getString("group_id");
    return id == null ? Optional.empty()
        : Optional.of(new CommitRecord.Group(id, new SourcePosition(row.getString("group_cut")), row.getInt("group_size")));
  }

  private List<CommitEntry> commitEntries(PreparedStatement query) throws SQLException {
    List<CommitEntry> entries = new ArrayList<>();
    try (ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        entries.add(commitEntry(rows));
      }
    }
    return List.copyOf(entries);
  }

  private TableState tableState(ResultSet row) throws SQLException {
    String tableId = row.getString("table_id");
    try {
      return new TableState(TableId.parse(tableId), URI.create(row.getString("location")),
          List.of((String[]) row.getArray("key_columns").getArray()), row.getLong("version"),
          Optional.ofNullable(row.getString("applied_position")).map(SourcePosition::new), new Epoch(row.getLong("epoch")),
          Optional.ofNullable(row.getString("lease_holder")).map(WriterId::new), instant(row, "lease_expires_at"),
          Optional.ofNullable(row.getString("paused_reason")), resync(row.getString("resync")));
    } catch (IllegalArgumentException e) {
      throw unreadable("table " + tableId, e);
    }
  }

  private static Optional<Resync> resync(String json) {
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ApiCodec.resync(ApiCodec.MAPPER.readTree(json)));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("resync is not JSON: " + e.getMessage(), e);
    }
  }

  private CommitEntry commitEntry(ResultSet row) throws SQLException {
    String what = "version " + row.getLong("version") + " of table " + row.getString("table_id");
    try {
      List<URI> segments = new ArrayList<>();
      for (String segment : (String[]) row.getArray("segments").getArray()) {
        segments.add(URI.create(segment));
      }
      boolean published = "PUBLISHED".equals(row.getString("status"));
      long modificationTime = row.getLong("modification_time");
      CommitRecord record = new CommitRecord(TableId.parse(row.getString("table_id")), row.getLong("version"),
          new WriterId(row.getString("writer")), new Epoch(row.getLong("epoch")),
          Optional.ofNullable(row.getString("watermark")).map(SourcePosition::new), segments, row.getLong("rows_changed"),
          instant(row, "committed_at").orElseThrow(), URI.create(row.getString("published_commit")),
          published ? CommitRecord.Status.PUBLISHED : CommitRecord.Status.RATIFIED, rollback(row), group(row));
      return new CommitEntry(record, URI.create(row.getString("staged_commit")), row.getString("sha256"),
          row.getLong("size"), published ? OptionalLong.of(modificationTime) : OptionalLong.empty());
    } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
      throw unreadable(what, e);
    }
  }

  private SourcePosition position(String value, TableId tableId) {
    try {
      return new SourcePosition(value);
    } catch (IllegalArgumentException e) {
      throw unreadable("a watermark of table " + tableId, e);
    }
  }

  private TributaryException unreadable(String what, RuntimeException cause) {
    return new TributaryException(ErrorCode.INTERNAL, "The coordinator store (" + store + ") holds an unreadable row for "
        + what + ": " + cause.getMessage() + ". Restore the row from a backup or repair it.", cause);
  }

  private static Optional<Instant> instant(ResultSet row, String column) throws SQLException {
    return Optional.ofNullable(row.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
  }

  private static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
    if (instant == null) {
      statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      statement.setObject(index, OffsetDateTime.ofInstant(micros(instant), ZoneOffset.UTC));
    }
  }

  private static Instant micros(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }
}
