package io.tributary.coordinator.internal;

import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import java.util.List;

/** The coordinator's event log: numbered, queryable, and read in order by the Delta export. */
public interface EventLog extends AutoCloseable {
  /**
   * Numbers and records an event.
   *
   * @throws io.tributary.staging.TributaryException when the log cannot record it (counted in
   *     {@link #writeFailures()}); callers recording their own events log this and go on
   */
  CoordinatorEvent append(CoordinatorEvent.Report report);

  /** The events matching {@code query}, newest first. */
  List<CoordinatorEvent> query(EventQuery query);

  /** Up to {@code limit} events numbered above {@code sequence}, oldest first. */
  List<CoordinatorEvent> after(long sequence, int limit);

  /** The number of the latest event, 0 when there is none. */
  long lastSequence();

  /** Events that could not be recorded durably since the log was opened. */
  long writeFailures();

  /** Deletes events past the log's retention, where the log does not do it by itself. */
  default void purgeExpired() {}

  @Override
  void close();
}
