package io.tributary.coordinator.internal;

import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import java.util.List;

/** The coordinator's event log: numbered, queryable, and read in order by the Delta export. */
public interface EventLog extends AutoCloseable {
  /** Numbers and records an event; never fails the caller's operation (failures are logged and counted). */
  CoordinatorEvent append(CoordinatorEvent.Report report);

  /** The events matching {@code query}, newest first. */
  List<CoordinatorEvent> query(EventQuery query);

  /** Up to {@code limit} events numbered above {@code sequence}, oldest first. */
  List<CoordinatorEvent> after(long sequence, int limit);

  /** The number of the latest event, 0 when there is none. */
  long lastSequence();

  @Override
  void close();
}
