package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.time.Instant;

/** The right of one writer to commit to one table, valid for its epoch until renewed or superseded. */
public record Lease(TableId tableId, WriterId writer, Epoch epoch, Instant expiresAt) {
  public Lease {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(writer, "writer is null");
    requireNonNull(epoch, "epoch is null");
    requireNonNull(expiresAt, "expiresAt is null");
  }
}
