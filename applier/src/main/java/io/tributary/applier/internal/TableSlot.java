package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.applier.AppliedTableStatus;
import io.tributary.coordinator.Epoch;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One table met on an assigned partition: its pending manifests and, once opened, its applier.
 * A fenced or failed table applies nothing more but holds its partition's committable offset at
 * its first unapplied manifest, so that nothing of it is skipped by the group. Polling thread only.
 */
final class TableSlot {
  private final TableId tableId;
  private final int partition;
  private final URI location;
  private final Deque<PendingManifest> pending = new ArrayDeque<>();
  /** The changes of the pending manifests, kept as they come and go: the backlog is reported at every record. */
  private long pendingChanges;
  private Optional<TableApplier> applier = Optional.empty();
  private AppliedTableStatus.State state = AppliedTableStatus.State.OPENING;
  private Optional<String> problem = Optional.empty();
  private OptionalLong heldOffset = OptionalLong.empty();
  private long retryAtMillis;
  private int failures;
  private long lastOffset = -1;
  private long reopenCheckAtMillis;
  private Optional<ManifestRecord> newestAnnounced = Optional.empty();

  TableSlot(TableId tableId, int partition, URI location) {
    this.tableId = requireNonNull(tableId, "tableId is null");
    this.partition = partition;
    this.location = requireNonNull(location, "location is null");
  }

  TableId tableId() {
    return tableId;
  }

  int partition() {
    return partition;
  }

  AppliedTableStatus.State state() {
    return state;
  }

  Optional<TableApplier> applier() {
    return applier;
  }

  boolean isStopped() {
    return state == AppliedTableStatus.State.FENCED || state == AppliedTableStatus.State.FAILED;
  }

  /**
   * Whether this applier still owns the table: it is neither fenced (another writer holds its lease) nor
   * released (its partition left this applier). A failed table is still owned.
   */
  boolean isOwned() {
    return state != AppliedTableStatus.State.FENCED && state != AppliedTableStatus.State.RELEASED;
  }

  /**
   * Queues a manifest read from the partition. One read again after the partition was rewound (for
   * another table of it) is ignored.
   */
  void add(PendingManifest manifest) {
    if (manifest.offset() <= lastOffset) {
      return;
    }
    lastOffset = manifest.offset();
    newestAnnounced = Optional.of(manifest.manifest());
    if (isStopped()) {
      if (heldOffset.isEmpty()) {
        heldOffset = OptionalLong.of(manifest.offset());
      }
      return;
    }
    pending.addLast(manifest);
    pendingChanges += manifest.manifest().rowCount();
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  int pendingCount() {
    return pending.size();
  }

  long oldestReceivedMillis() {
    return pending.isEmpty() ? Long.MAX_VALUE : pending.peekFirst().receivedAtMillis();
  }

  long retryAtMillis() {
    return retryAtMillis;
  }

  /** What is pending, as the batch policy weighs it. */
  BatchPolicy.Pending pending() {
    PendingManifest oldest = pending.peekFirst();
    return oldest == null ? new BatchPolicy.Pending(0, Long.MAX_VALUE, Long.MAX_VALUE)
        : new BatchPolicy.Pending(pending.size(), oldest.receivedAtMillis(), oldest.manifest().createdAtMillis());
  }

  /**
   * Reports what the table has read and not applied: segments, their changes, and how far its applied
   * position is behind the newest announced one in the source's log.
   */
  void reportBacklog(ApplierMetrics.Table meters) {
    Optional<SourcePosition> applied = applier.flatMap(TableApplier::appliedPosition);
    OptionalLong lag = OptionalLong.empty();
    if (applied.isPresent() && newestAnnounced.isPresent() && newestAnnounced.get().positionFormat().isPresent()) {
      lag = PositionLag.bytes(newestAnnounced.get().positionFormat().get(), applied.get(),
          newestAnnounced.get().lastPosition());
    }
    meters.backlog(pending.size(), pendingChanges, lag);
  }

  /** The first manifests, at most {@code max}, in offset order. */
  List<PendingManifest> nextBatch(int max) {
    List<PendingManifest> batch = new ArrayList<>(Math.min(max, pending.size()));
    for (PendingManifest manifest : pending) {
      if (batch.size() == max) {
        break;
      }
      batch.add(manifest);
    }
    return batch;
  }

  /** Forgets the first {@code count} manifests: they are applied (or were already). */
  void acknowledge(int count) {
    for (int i = 0; i < count; i++) {
      pendingChanges -= pending.removeFirst().manifest().rowCount();
    }
  }

  /** The lowest offset of this table not yet acknowledged, if any. */
  OptionalLong firstUnacknowledged() {
    if (heldOffset.isPresent()) {
      return heldOffset;
    }
    return pending.isEmpty() ? OptionalLong.empty() : OptionalLong.of(pending.peekFirst().offset());
  }

  void opened(TableApplier opened) {
    this.applier = Optional.of(opened);
    active();
  }

  void active() {
    state = AppliedTableStatus.State.ACTIVE;
    problem = Optional.empty();
    failures = 0;
  }

  /** Whether the table is between failed attempts (a retry is due or scheduled). */
  boolean isRetrying() {
    return failures > 0;
  }

  /** A failure worth retrying: back off exponentially, 1 s doubling up to 60 s. */
  void retryLater(String reason, long nowMillis) {
    failures++;
    long backoff = Math.min(60_000L, 1000L << Math.min(failures - 1, 6));
    retryAtMillis = nowMillis + backoff;
    problem = Optional.of(reason);
    if (state != AppliedTableStatus.State.OPENING) {
      state = AppliedTableStatus.State.RETRYING;
    }
  }

  /** Stops the table for good in this applier; its first pending offset stays held. */
  void stop(AppliedTableStatus.State stoppedState, String reason) {
    if (heldOffset.isEmpty() && !pending.isEmpty()) {
      heldOffset = OptionalLong.of(pending.peekFirst().offset());
    }
    pending.clear();
    pendingChanges = 0;
    state = stoppedState;
    problem = Optional.of(reason);
  }

  /** Stops the table at a record that cannot be applied (an invalid manifest), holding its offset. */
  void failAt(long offset, String reason) {
    stop(AppliedTableStatus.State.FAILED, reason);
    if (heldOffset.isEmpty() || offset < heldOffset.getAsLong()) {
      heldOffset = OptionalLong.of(offset);
    }
  }

  /** When a fenced table should next check whether its lease is free again. */
  long reopenCheckAtMillis() {
    return reopenCheckAtMillis;
  }

  void checkReopenAt(long atMillis) {
    reopenCheckAtMillis = atMillis;
  }

  /**
   * Makes a fenced table new again, to be opened anew: its applier is dropped and the offset it held,
   * if any, is returned: the partition must be read again from there, and the manifests from there on
   * are taken again.
   */
  OptionalLong reopen() {
    OptionalLong from = heldOffset;
    heldOffset = OptionalLong.empty();
    pending.clear();
    pendingChanges = 0;
    applier = Optional.empty();
    state = AppliedTableStatus.State.OPENING;
    problem = Optional.empty();
    failures = 0;
    retryAtMillis = 0;
    if (from.isPresent()) {
      lastOffset = from.getAsLong() - 1;
    }
    return from;
  }

  void released() {
    state = AppliedTableStatus.State.RELEASED;
  }

  AppliedTableStatus status() {
    if (applier.isPresent()) {
      return applier.get().status(state, problem);
    }
    return new AppliedTableStatus(tableId, location, state, -1, Optional.empty(), -1, Epoch.NONE, problem);
  }
}
