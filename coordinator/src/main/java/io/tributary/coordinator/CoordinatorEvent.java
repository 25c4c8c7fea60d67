package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One entry of the coordinator's event log: what happened, to which table, when. Events are numbered
 * by the coordinator in the order it records them.
 *
 * @param sequence the event's number, increasing by one per recorded event
 * @param at when it happened
 * @param type what kind of event it is; each type documents the details it carries
 * @param tableId the table it concerns, if one
 * @param severity how much attention it needs
 * @param message one line for people
 * @param details machine-readable facts, by name (sorted)
 */
public record CoordinatorEvent(
    long sequence,
    Instant at,
    Type type,
    Optional<TableId> tableId,
    Severity severity,
    String message,
    Map<String, String> details) {

  /** The kinds of event. */
  public enum Type {
    /** A table was registered. Details: {@code location}, {@code key_columns}. */
    TABLE_REGISTERED,
    /** A writer took a table's lease. Details: {@code writer}, {@code epoch}, {@code previous_holder}. */
    LEASE_ACQUIRED,
    /** A writer gave a table's lease back. Details: {@code writer}, {@code epoch}. */
    LEASE_RELEASED,
    /**
     * A Delta commit was ratified. Details: {@code version}, {@code writer}, {@code epoch},
     * {@code rows_changed}, {@code segments}, {@code watermark}, and {@code group} and {@code cut}
     * for a commit of a commit group.
     */
    COMMIT,
    /** A commit was refused. Details: {@code version}, {@code writer}, {@code epoch}, {@code code}. */
    COMMIT_REFUSED,
    /** An operator paused a table. Details: {@code reason}. */
    TABLE_PAUSED,
    /** An operator resumed a paused table. */
    TABLE_RESUMED,
    /** A table's schema changed. Reported by appliers. */
    SCHEMA_CHANGED,
    /** Progress of a table's initial snapshot. Reported by gateways. */
    SNAPSHOT_PROGRESS,
    /** A table's resync was requested, started or finished. */
    RESYNC,
    /** A table was rolled back to an earlier version. */
    ROLLBACK,
    /** A component failed; {@code message} says what and why. */
    ERROR
  }

  /** How much attention an event needs. */
  public enum Severity {
    INFO,
    WARNING,
    ERROR
  }

  public CoordinatorEvent {
    requireNonNull(at, "at is null");
    requireNonNull(type, "type is null");
    requireNonNull(tableId, "tableId is null");
    requireNonNull(severity, "severity is null");
    requireNonNull(message, "message is null");
    details = java.util.Collections.unmodifiableMap(new TreeMap<>(requireNonNull(details, "details is null")));
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
    }
  }

  /** What a component reports; the coordinator numbers it and records it. */
  public record Report(Instant at, Type type, Optional<TableId> tableId, Severity severity, String message,
      Map<String, String> details) {
    public Report {
      requireNonNull(at, "at is null");
      requireNonNull(type, "type is null");
      requireNonNull(tableId, "tableId is null");
      requireNonNull(severity, "severity is null");
      requireNonNull(message, "message is null");
      details = Map.copyOf(requireNonNull(details, "details is null"));
      if (message.isBlank()) {
        throw new IllegalArgumentException("message is blank");
      }
    }

    public CoordinatorEvent numbered(long sequence) {
      return new CoordinatorEvent(sequence, at, type, tableId, severity, message, details);
    }
  }
}
