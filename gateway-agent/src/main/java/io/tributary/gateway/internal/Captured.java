package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.util.List;
import java.util.Optional;

/** What one record delivered by Debezium means to the gateway: a row change to stage, or a marker. */
sealed interface Captured {
  /**
   * A change of a captured table, with the table's schema at that point; {@code snapshotReset} is
   * the truncate that precedes the first snapshot read of the table in a snapshot attempt.
   */
  record Change(TableSchema schema, Optional<ChangeEvent> snapshotReset, ChangeEvent event, boolean snapshot)
      implements Captured {
    public Change {
      requireNonNull(schema, "schema is null");
      requireNonNull(snapshotReset, "snapshotReset is null");
      requireNonNull(event, "event is null");
      if (!schema.tableId().equals(event.tableId())) {
        throw new IllegalArgumentException("Event of " + event.tableId() + " with a schema of " + schema.tableId());
      }
    }
  }

  /** The end of a source transaction (Debezium's transaction metadata): a point where the source is consistent. */
  record TransactionEnd(String transactionId) implements Captured {
    public TransactionEnd {
      requireNonNull(transactionId, "transactionId is null");
    }
  }

  /**
   * A step of an incremental snapshot (a table's resync), from Debezium's notifications, with the
   * resync markers it puts into the tables' change streams.
   *
   * @param tables the captured tables the step is about; empty when Debezium names none (an abort of
   *     every table)
   * @param markers the {@code RESYNC_BEGIN} or {@code RESYNC_END} changes to stage, one per table
   *     that has a staged schema
   * @param detail what Debezium said (rows scanned, the scan's status)
   */
  record ResyncStep(Kind kind, List<TableId> tables, List<Change> markers, String detail) implements Captured {
    /** The steps the gateway acts on. */
    public enum Kind {
      /** The snapshot of the tables starts: a {@code RESYNC_BEGIN} precedes their first read. */
      STARTED,
      /** A table was read whole: a {@code RESYNC_END} follows its last read. */
      CAPTURED,
      /** A table could not be read (no key, a failed query); nothing is swept. */
      FAILED,
      /** The snapshot was stopped (a cancelled resync). */
      ABORTED,
      /** Every table of the snapshot was read. */
      COMPLETED
    }

    public ResyncStep {
      requireNonNull(kind, "kind is null");
      tables = List.copyOf(requireNonNull(tables, "tables is null"));
      markers = List.copyOf(requireNonNull(markers, "markers is null"));
      requireNonNull(detail, "detail is null");
    }
  }

  /** A record carrying no row (a heartbeat, a logical decoding message): it only moves the offset. */
  record Marker(String kind) implements Captured {
    public Marker {
      requireNonNull(kind, "kind is null");
    }
  }
}
