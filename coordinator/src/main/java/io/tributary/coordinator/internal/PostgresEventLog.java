package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log of every coordinator sharing a PostgreSQL store: one numbered log, whichever
 * coordinator recorded an event. Numbers are taken in insertion order but committed concurrently,
 * so {@link #after} (the Delta export) reads only rows recorded more than {@link #SETTLED} ago: by
 * then every insert that took a lower number has committed or failed (statements time out after
 * 30 s), and no event is skipped.
 */
final class PostgresEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresEventLog.class);
  static final Duration SETTLED = Duration.ofSeconds(60);
  private static final String COLUMNS = "sequence, at, type, table_id, severity, message, details";

  private final PostgresTransactions transactions;
  private final String events;
  private final Duration retention;
  private final AtomicLong writeFailures = new AtomicLong();

  PostgresEventLog(PostgresTransactions transactions, String prefix, Duration retention) {
    this.transactions = requireNonNull(transactions, "transactions is null");
    this.events = requireNonNull(prefix, "prefix is null") + "coordinator_events";
    this.retention = requireNonNull(retention, "retention is null");
  }

  @Override
  public CoordinatorEvent append(CoordinatorEvent.Report report) {
    try {
      return insert(report);
    } catch (RuntimeException e) {
      writeFailures.incrementAndGet();
      throw e;
    }
  }

  private CoordinatorEvent insert(CoordinatorEvent.Report report) {
    return transactions.write("record a " + report.type() + " event", connection -> {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + events
          + " (at, type, table_id, severity, message, details) VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING sequence")) {
        insert.setObject(1, OffsetDateTime.ofInstant(report.at(), ZoneOffset.UTC));
        insert.setString(2, report.type().name());
        insert.setString(3, report.tableId().map(TableId::canonical).orElse(null));
        insert.setString(4, report.severity().name());
        insert.setString(5, report.message());
        insert.setString(6, json(report.details()));
        try (ResultSet numbered = insert.executeQuery()) {
          numbered.next();
          return report.numbered(numbered.getLong(1));
        }
      }
    });
  }

  @Override
  public List<CoordinatorEvent> query(EventQuery query) {
    return transactions.read("query events", connection -> {
      StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + events + " WHERE sequence > ?");
      List<Object> parameters = new ArrayList<>(List.of(query.afterSequence()));
      query.tableId().ifPresent(table -> {
        sql.append(" AND table_id = ?");
        parameters.add(table.canonical());
      });
      if (!query.types().isEmpty()) {
        sql.append(" AND type = ANY (?)");
        parameters.add(query.types().stream().map(Enum::name).toArray(String[]::new));
      }
      query.since().ifPresent(since -> {
        sql.append(" AND at >= ?");
        parameters.add(OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
      });
      query.until().ifPresent(until -> {
        sql.append(" AND at < ?");
        parameters.add(OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
      });
      sql.append(" ORDER BY sequence DESC LIMIT ?");
      parameters.add(query.limit());
      return select(connection, sql.toString(), parameters);
    });
  }

  @Override
  public List<CoordinatorEvent> after(long sequence, int limit) {
    return transactions.read("read events for export", connection -> select(connection, "SELECT " + COLUMNS + " FROM "
        + events + " WHERE sequence > ? AND recorded_at < now() - make_interval(secs => ?) ORDER BY sequence LIMIT ?",
        List.of(sequence, (double) SETTLED.toSeconds(), limit)));
  }

  @Override
  public long lastSequence() {
    return transactions.read("read the latest event number", connection -> {
      try (PreparedStatement query = connection.prepareStatement("SELECT coalesce(max(sequence), 0) FROM " + events);
          ResultSet row = query.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    });
  }

  @Override
  public long writeFailures() {
    return writeFailures.get();
  }

  /** Deletes events recorded longer ago than the retention; run now and then by any coordinator. */
  @Override
  public void purgeExpired() {
    int deleted = transactions.write("delete expired events", connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + events
          + " WHERE recorded_at < now() - make_interval(secs => ?)")) {
        delete.setDouble(1, retention.toSeconds());
        return delete.executeUpdate();
      }
    });
    if (deleted > 0) {
      LOG.info("Deleted {} events older than the retention of {}", deleted, retention);
    }
  }

  /** The store owns the connections; closing the log changes nothing. */
  @Override
  public void close() {}

  private List<CoordinatorEvent> select(Connection connection, String sql, List<Object> parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        Object parameter = parameters.get(i);
        if (parameter instanceof String[] values) {
          statement.setArray(i + 1, connection.createArrayOf("text", values));
        } else if (parameter instanceof OffsetDateTime time) {
          statement.setObject(i + 1, time, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
          statement.setObject(i + 1, parameter);
        }
      }
      List<CoordinatorEvent> found = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found.add(new CoordinatorEvent(rows.getLong("sequence"),
              rows.getObject("at", OffsetDateTime.class).toInstant(),
              CoordinatorEvent.Type.valueOf(rows.getString("type")),
              Optional.ofNullable(rows.getString("table_id")).map(TableId::parse),
              CoordinatorEvent.Severity.valueOf(rows.getString("severity")),
              rows.getString("message"),
              details(rows.getString("details"))));
        }
      }
      return found;
    }
  }

  private static String json(Map<String, String> details) {
    try {
      return ApiCodec.MAPPER.writeValueAsString(details);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot encode event details: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> details(String json) throws SQLException {
    try {
      return ApiCodec.MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new SQLException("Unreadable event details: " + e.getOriginalMessage(), e);
    }
  }
}
