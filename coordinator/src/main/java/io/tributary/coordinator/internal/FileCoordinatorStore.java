package io.tributary.coordinator.internal;

import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: state in memory, every change appended to a JSON-lines journal
 * ({@code <data-dir>/journal.jsonl}) and forced to disk before the method returns, the journal
 * replayed at startup. For one coordinator on one machine.
 *
 * <p>If an append fails, the in-memory state and the file may disagree, so the store stops accepting
 * changes ({@link #healthy()} turns false) until it is reopened from the file.
 */
public final class FileCoordinatorStore implements CoordinatorStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileCoordinatorStore.class);
  static final String JOURNAL_FILE = "journal.jsonl";

  private final Object lock = new Object();
  // Guarded by lock: state, journal, failed, closed.
  private final CoordinatorState state;
  private final Journal journal;
  private boolean failed;
  private boolean closed;

  private FileCoordinatorStore(CoordinatorState state, Journal journal) {
    this.state = state;
    this.journal = journal;
  }

  /**
   * Opens the store in {@code directory}, replaying its journal.
   *
   * @throws TributaryException {@code INTERNAL} if the journal is corrupt (other than a torn last
   *     line), {@code STORAGE_FAILURE} if it cannot be read
   */
  public static FileCoordinatorStore open(Path directory) {
    Path file = directory.resolve(JOURNAL_FILE);
    CoordinatorState state = new CoordinatorState();
    long[] records = {0};
    Journal journal;
    try {
      journal = Journal.open(file, record -> {
        state.apply(StoreEventCodec.fromJson(record));
        records[0]++;
      });
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE,
          "Cannot open the coordinator journal " + file + ": " + e.getMessage(), e);
    }
    LOG.info("Opened coordinator journal {}: {} records, {} tables, {} commits awaiting publication",
        file, records[0], state.tables().size(), state.unpublished().size());
    return new FileCoordinatorStore(state, journal);
  }

  @Override
  public TableState register(TableRegistration registration, Instant at) {
    synchronized (lock) {
      Optional<TableState> existing = state.table(registration.tableId());
      if (existing.isPresent()) {
        if (!existing.get().sameRegistration(registration)) {
          throw CoordinatorErrors.registrationMismatch(existing.get().registration(), registration);
        }
        return existing.get();
      }
      persist(new StoreEvent.TableRegistered(registration.tableId(), at,
          TableState.normalizeLocation(registration.location()), registration.keyColumns()));
      return state.existing(registration.tableId());
    }
  }

  @Override
  public Optional<TableState> table(TableId tableId) {
    synchronized (lock) {
      return state.table(tableId);
    }
  }

  @Override
  public List<TableState> tables() {
    synchronized (lock) {
      return state.tables();
    }
  }

  @Override
  public Lease acquireLease(TableId tableId, WriterId writer, Instant at, Instant expiresAt) {
    synchronized (lock) {
      TableState table = state.existing(tableId);
      persist(new StoreEvent.LeaseAcquired(tableId, at, writer, table.epoch().next(), expiresAt));
      return state.existing(tableId).lease().orElseThrow();
    }
  }

  @Override
  public Lease renewLease(TableId tableId, WriterId writer, Epoch epoch, Instant at, Instant expiresAt) {
    synchronized (lock) {
      state.existing(tableId).checkHolder(writer, epoch, "renew the lease");
      persist(new StoreEvent.LeaseRenewed(tableId, at, writer, epoch, expiresAt));
      return state.existing(tableId).lease().orElseThrow();
    }
  }

  @Override
  public TableState releaseLease(TableId tableId, WriterId writer, Epoch epoch, Instant at) {
    synchronized (lock) {
      TableState table = state.existing(tableId);
      if (table.heldBy(writer, epoch)) {
        persist(new StoreEvent.LeaseReleased(tableId, at, writer, epoch));
      }
      return state.existing(tableId);
    }
  }

  @Override
  public TableState pause(TableId tableId, String reason, Instant at) {
    synchronized (lock) {
      TableState table = state.existing(tableId);
      if (!table.pausedReason().equals(Optional.of(reason))) {
        persist(new StoreEvent.TablePaused(tableId, at, reason));
      }
      return state.existing(tableId);
    }
  }

  @Override
  public TableState resume(TableId tableId, Instant at) {
    synchronized (lock) {
      if (state.existing(tableId).pausedReason().isPresent()) {
        persist(new StoreEvent.TableResumed(tableId, at));
      }
      return state.existing(tableId);
    }
  }

  @Override
  public TableState changeResync(TableId tableId, Resync next, Instant at) {
    synchronized (lock) {
      state.existing(tableId).checkResync(next);
      persist(new StoreEvent.ResyncChanged(tableId, at, next));
      return state.existing(tableId);
    }
  }

  @Override
  public CommitEntry ratify(CommitEntry commit) {
    synchronized (lock) {
      TableId tableId = commit.record().tableId();
      TableState table = state.existing(tableId);
      table.checkHolder(commit.record().writer(), commit.record().epoch(), "commit version " + commit.version());
      table.checkNextVersion(commit.version(), commit.record().epoch(), commit.record().rollback().isPresent());
      persist(new StoreEvent.CommitRatified(commit));
      return state.commit(tableId, commit.version()).orElseThrow();
    }
  }

  @Override
  public List<CommitEntry> ratifyGroup(List<CommitEntry> commits) {
    synchronized (lock) {
      for (CommitEntry commit : commits) {
        TableState table = state.existing(commit.record().tableId());
        table.checkHolder(commit.record().writer(), commit.record().epoch(), "commit version " + commit.version());
        table.checkNextVersion(commit.version(), commit.record().epoch(), false);
      }
      persist(new StoreEvent.GroupRatified(commits));
      return commits.stream()
          .map(commit -> state.commit(commit.record().tableId(), commit.version()).orElseThrow())
          .toList();
    }
  }

  @Override
  public CommitEntry markPublished(TableId tableId, long version, URI stagedCommit, long size, long modificationTime,
      Instant at) {
    synchronized (lock) {
      state.existing(tableId);
      Optional<CommitEntry> current = state.commit(tableId, version);
      if (current.isPresent() && !current.get().stagedCommit().equals(stagedCommit)) {
        throw CoordinatorErrors.inconsistentChange(tableId, "version " + version + " cannot be marked published: it is"
            + " another commit now (" + current.get().stagedCommit() + ", not " + stagedCommit + ")");
      }
      persist(new StoreEvent.CommitPublished(tableId, at, version, size, modificationTime));
      return state.commit(tableId, version).orElseThrow();
    }
  }

  @Override
  public TableState withdraw(TableId tableId, long version, URI stagedCommit, String reason, Instant at) {
    synchronized (lock) {
      state.existing(tableId);
      Optional<CommitEntry> current = state.commit(tableId, version);
      if (current.isEmpty() || !current.get().stagedCommit().equals(stagedCommit)) {
        LOG.info("Version {} of {} from {} was already withdrawn; nothing to take back", version, tableId, stagedCommit);
        return state.existing(tableId);
      }
      persist(new StoreEvent.CommitWithdrawn(tableId, at, version, reason));
      return state.existing(tableId);
    }
  }

  @Override
  public Optional<CommitEntry> commit(TableId tableId, long version) {
    synchronized (lock) {
      return state.commit(tableId, version);
    }
  }

  @Override
  public List<CommitEntry> history(TableId tableId) {
    synchronized (lock) {
      state.existing(tableId);
      List<CommitEntry> history = new ArrayList<>(state.commits(tableId));
      Collections.reverse(history);
      return history;
    }
  }

  @Override
  public List<CommitEntry> history(TableId tableId, long beforeVersion, int limit) {
    synchronized (lock) {
      state.existing(tableId);
      List<CommitEntry> commits = state.commits(tableId);
      List<CommitEntry> page = new ArrayList<>(Math.min(limit, commits.size()));
      // Commits are held in version order, version v at index v.
      for (long version = Math.min(beforeVersion, commits.size()) - 1; version >= 0 && page.size() < limit; version--) {
        page.add(commits.get((int) version));
      }
      return page;
    }
  }

  @Override
  public List<CommitEntry> unpublished() {
    synchronized (lock) {
      return state.unpublished();
    }
  }

  @Override
  public boolean healthy() {
    synchronized (lock) {
      return !failed && !closed;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        journal.close();
      } catch (IOException e) {
        throw new TributaryException(ErrorCode.STORAGE_FAILURE,
            "Cannot close the coordinator journal " + journal.file() + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "file store " + journal.file();
  }

  /** Checks that the event follows, makes it durable, then applies it. Caller holds the lock. */
  private void persist(StoreEvent event) {
    if (closed) {
      throw CoordinatorErrors.storeClosed();
    }
    if (failed) {
      throw CoordinatorErrors.storeFailed(journal.file());
    }
    // Check before writing: a journaled event that does not follow would fail every later replay.
    Runnable change;
    try {
      change = state.prepare(event);
    } catch (IllegalStateException e) {
      throw new TributaryException(ErrorCode.INTERNAL, "Refusing an inconsistent change to table " + event.tableId()
          + ": " + e.getMessage(), e);
    }
    try {
      journal.append(StoreEventCodec.toJson(event));
    } catch (IOException e) {
      failed = true;
      LOG.error("Coordinator journal {} could not be written ({}); the store refuses every further change until restart",
          journal.file(), e.toString());
      throw CoordinatorErrors.journalWriteFailed(journal.file(), e);
    }
    change.run();
  }
}
