package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * One change to the coordinator's state. The file store journals these and rebuilds its state by
 * replaying them; {@link CoordinatorState} computes the state they lead to.
 */
public sealed interface StoreEvent {
  TableId tableId();

  Instant at();

  /** A table was registered. */
  record TableRegistered(TableId tableId, Instant at, URI location, List<String> keyColumns) implements StoreEvent {
    public TableRegistered {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
      requireNonNull(location, "location is null");
      keyColumns = List.copyOf(requireNonNull(keyColumns, "keyColumns is null"));
    }
  }

  /** {@code writer} took the lease at {@code epoch}, fencing any earlier holder. */
  record LeaseAcquired(TableId tableId, Instant at, WriterId writer, Epoch epoch, Instant expiresAt) implements StoreEvent {
    public LeaseAcquired {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
      requireNonNull(writer, "writer is null");
      requireNonNull(epoch, "epoch is null");
      requireNonNull(expiresAt, "expiresAt is null");
    }
  }

  /** The holder extended its lease. */
  record LeaseRenewed(TableId tableId, Instant at, WriterId writer, Epoch epoch, Instant expiresAt) implements StoreEvent {
    public LeaseRenewed {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
      requireNonNull(writer, "writer is null");
      requireNonNull(epoch, "epoch is null");
      requireNonNull(expiresAt, "expiresAt is null");
    }
  }

  /** The holder gave the lease up; the epoch stays until the next acquisition bumps it. */
  record LeaseReleased(TableId tableId, Instant at, WriterId writer, Epoch epoch) implements StoreEvent {
    public LeaseReleased {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
      requireNonNull(writer, "writer is null");
      requireNonNull(epoch, "epoch is null");
    }
  }

  /** An operator paused the table: commits are refused until it is resumed. */
  record TablePaused(TableId tableId, Instant at, String reason) implements StoreEvent {
    public TablePaused {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
      requireNonNull(reason, "reason is null");
    }
  }

  /** An operator resumed a paused table. */
  record TableResumed(TableId tableId, Instant at) implements StoreEvent {
    public TableResumed {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
    }
  }

  /** The table's resync was requested or moved on: {@code resync} is its new state. */
  record ResyncChanged(TableId tableId, Instant at, Resync resync) implements StoreEvent {
    public ResyncChanged {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
      requireNonNull(resync, "resync is null");
    }
  }

  /** A commit was ratified: its version is taken, its log entry is yet to be published. */
  record CommitRatified(CommitEntry entry) implements StoreEvent {
    public CommitRatified {
      requireNonNull(entry, "entry is null");
      if (entry.published()) {
        throw new IllegalArgumentException("a ratified commit is not yet published");
      }
    }

    @Override
    public TableId tableId() {
      return entry.record().tableId();
    }

    @Override
    public Instant at() {
      return entry.record().committedAt();
    }
  }

  /**
   * The commits of a commit group were ratified together, each as {@link CommitRatified} would be;
   * one journal record, so that they are replayed all or none. Its table is the first commit's.
   */
  record GroupRatified(List<CommitEntry> entries) implements StoreEvent {
    public GroupRatified {
      entries = List.copyOf(requireNonNull(entries, "entries is null"));
      if (entries.isEmpty()) {
        throw new IllegalArgumentException("a commit group has at least one commit");
      }
      for (CommitEntry entry : entries) {
        if (entry.published() || entry.record().group().isEmpty()) {
          throw new IllegalArgumentException("a ratified group holds unpublished commits of one group: " + entry.record());
        }
      }
    }

    @Override
    public TableId tableId() {
      return entries.get(0).record().tableId();
    }

    @Override
    public Instant at() {
      return entries.get(0).record().committedAt();
    }
  }

  /** The log entry of a ratified commit is in place. */
  record CommitPublished(TableId tableId, Instant at, long version, long size, long modificationTime) implements StoreEvent {
    public CommitPublished {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
    }
  }

  /**
   * A ratification was taken back because its log entry could not be published (the version was
   * taken outside the coordinator, or the staged file vanished); the version is free again.
   */
  record CommitWithdrawn(TableId tableId, Instant at, long version, String reason) implements StoreEvent {
    public CommitWithdrawn {
      requireNonNull(tableId, "tableId is null");
      requireNonNull(at, "at is null");
      requireNonNull(reason, "reason is null");
    }
  }
}
