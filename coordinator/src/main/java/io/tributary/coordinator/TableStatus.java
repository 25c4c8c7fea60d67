package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the coordinator knows of one table: its latest ratified Delta version ({@code -1} before the
 * first commit), the source position applied up to, who holds its lease at which epoch, and whether
 * an operator paused it (with the reason given), and its latest resync.
 */
public record TableStatus(
    TableId tableId,
    URI location,
    List<String> keyColumns,
    long version,
    Optional<SourcePosition> appliedPosition,
    Epoch epoch,
    Optional<WriterId> leaseHolder,
    Optional<Instant> leaseExpiresAt,
    Optional<String> pausedReason,
    Optional<Resync> resync) {

  public TableStatus {
    requireNonNull(pausedReason, "pausedReason is null");
    requireNonNull(resync, "resync is null");
    requireNonNull(tableId, "tableId is null");
    requireNonNull(location, "location is null");
    keyColumns = List.copyOf(requireNonNull(keyColumns, "keyColumns is null"));
    requireNonNull(appliedPosition, "appliedPosition is null");
    requireNonNull(epoch, "epoch is null");
    requireNonNull(leaseHolder, "leaseHolder is null");
    requireNonNull(leaseExpiresAt, "leaseExpiresAt is null");
    if (version < -1) {
      throw new IllegalArgumentException("version must be >= -1: " + version);
    }
  }

  /** A table that was never resynced. */
  public TableStatus(TableId tableId, URI location, List<String> keyColumns, long version,
      Optional<SourcePosition> appliedPosition, Epoch epoch, Optional<WriterId> leaseHolder,
      Optional<Instant> leaseExpiresAt, Optional<String> pausedReason) {
    this(tableId, location, keyColumns, version, appliedPosition, epoch, leaseHolder, leaseExpiresAt, pausedReason,
        Optional.empty());
  }

  /** Whether an operator paused the table: commits are refused with {@code TABLE_PAUSED} until resumed. */
  public boolean paused() {
    return pausedReason.isPresent();
  }
}
