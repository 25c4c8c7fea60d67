package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.TableSchema;
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

  /** A record carrying no row (a heartbeat, a logical decoding message): it only moves the offset. */
  record Marker(String kind) implements Captured {
    public Marker {
      requireNonNull(kind, "kind is null");
    }
  }
}
