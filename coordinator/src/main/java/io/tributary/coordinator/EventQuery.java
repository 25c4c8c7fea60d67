package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which events to return, newest first.
 *
 * @param tableId only events of this table
 * @param types only events of these types; empty means every type
 * @param since only events at or after this time
 * @param until only events before this time
 * @param afterSequence only events numbered above this one (to follow the log)
 * @param limit at most this many events, 1 to {@value #MAX_LIMIT}
 */
public record EventQuery(
    Optional<TableId> tableId,
    Set<CoordinatorEvent.Type> types,
    Optional<Instant> since,
    Optional<Instant> until,
    long afterSequence,
    int limit) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 10_000;

  public EventQuery {
    requireNonNull(tableId, "tableId is null");
    types = Set.copyOf(requireNonNull(types, "types is null"));
    requireNonNull(since, "since is null");
    requireNonNull(until, "until is null");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
    }
    if (afterSequence < 0) {
      throw new IllegalArgumentException("afterSequence must be >= 0: " + afterSequence);
    }
  }

  /** The latest {@value #DEFAULT_LIMIT} events of every kind. */
  public static EventQuery latest() {
    return new EventQuery(Optional.empty(), Set.of(), Optional.empty(), Optional.empty(), 0, DEFAULT_LIMIT);
  }

  public boolean matches(CoordinatorEvent event) {
    return event.sequence() > afterSequence
        && (tableId.isEmpty() || event.tableId().equals(tableId))
        && (types.isEmpty() || types.contains(event.type()))
        && (since.isEmpty() || !event.at().isBefore(since.get()))
        && (until.isEmpty() || event.at().isBefore(until.get()));
  }

  public EventQuery withTable(TableId table) {
    return new EventQuery(Optional.of(table), types, since, until, afterSequence, limit);
  }

  public EventQuery withTypes(Set<CoordinatorEvent.Type> only) {
    return new EventQuery(tableId, only, since, until, afterSequence, limit);
  }

  public EventQuery withLimit(int most) {
    return new EventQuery(tableId, types, since, until, afterSequence, most);
  }

  public EventQuery after(long sequence) {
    return new EventQuery(tableId, types, since, until, sequence, limit);
  }
}
