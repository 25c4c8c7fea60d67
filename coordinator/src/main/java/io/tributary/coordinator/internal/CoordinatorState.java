package io.tributary.coordinator.internal;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.TableRegistration;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every table and its commits, rebuilt by applying {@link StoreEvent}s in order. Applying an event
 * that does not follow from the current state fails, which is how a journal that does not add up is
 * caught at startup. Not thread-safe: its owner serializes access.
 */
final class CoordinatorState {
  private final Map<TableId, TableState> tables = new TreeMap<>();
  /** Per table, the ratified commits in version order: index i holds version i. */
  private final Map<TableId, List<CommitEntry>> commits = new TreeMap<>();

  Optional<TableState> table(TableId tableId) {
    return Optional.ofNullable(tables.get(tableId));
  }

  TableState existing(TableId tableId) {
    TableState state = tables.get(tableId);
    if (state == null) {
      throw CoordinatorErrors.unknownTable(tableId);
    }
    return state;
  }

  List<TableState> tables() {
    return List.copyOf(tables.values());
  }

  /** The commits of a table, oldest first. */
  List<CommitEntry> commits(TableId tableId) {
    return List.copyOf(commits.getOrDefault(tableId, List.of()));
  }

  Optional<CommitEntry> commit(TableId tableId, long version) {
    List<CommitEntry> history = commits.getOrDefault(tableId, List.of());
    return version >= 0 && version < history.size() ? Optional.of(history.get((int) version)) : Optional.empty();
  }

  List<CommitEntry> unpublished() {
    List<CommitEntry> pending = new ArrayList<>();
    commits.values().forEach(history -> history.stream().filter(entry -> !entry.published()).forEach(pending::add));
    return pending;
  }

  /**
   * Applies one event.
   *
   * @throws IllegalStateException if the event does not follow from the current state
   */
  void apply(StoreEvent event) {
    prepare(event).run();
  }

  /**
   * Checks that an event follows from the current state and returns the change it makes, without
   * making it yet: a store makes the event durable in between.
   *
   * @throws IllegalStateException if the event does not follow from the current state
   */
  Runnable prepare(StoreEvent event) {
    TableId tableId = event.tableId();
    if (event instanceof StoreEvent.TableRegistered registered) {
      check(!tables.containsKey(tableId), "table %s is registered twice", tableId);
      TableState registeredState = TableState.registered(
          new TableRegistration(tableId, registered.location(), registered.keyColumns()));
      return () -> {
        tables.put(tableId, registeredState);
        commits.put(tableId, new ArrayList<>());
      };
    } else if (event instanceof StoreEvent.LeaseAcquired acquired) {
      TableState state = known(tableId);
      check(acquired.epoch().equals(state.epoch().next()), "lease of %s acquired at epoch %s, expected %s",
          tableId, acquired.epoch(), state.epoch().next());
      return () -> tables.put(tableId, state.withLease(acquired.writer(), acquired.epoch(), acquired.expiresAt()));
    } else if (event instanceof StoreEvent.LeaseRenewed renewed) {
      TableState state = known(tableId);
      checkHolder(state, renewed.writer(), renewed.epoch());
      return () -> tables.put(tableId, state.withLease(renewed.writer(), renewed.epoch(), renewed.expiresAt()));
    } else if (event instanceof StoreEvent.LeaseReleased released) {
      TableState state = known(tableId);
      checkHolder(state, released.writer(), released.epoch());
      return () -> tables.put(tableId, state.withoutLease());
    } else if (event instanceof StoreEvent.TablePaused paused) {
      TableState state = known(tableId);
      return () -> tables.put(tableId, state.withPause(Optional.of(paused.reason())));
    } else if (event instanceof StoreEvent.ResyncChanged changed) {
      TableState state = known(tableId);
      try {
        state.checkResync(changed.resync());
      } catch (io.tributary.staging.TributaryException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      return () -> tables.put(tableId, state.withResync(changed.resync()));
    } else if (event instanceof StoreEvent.TableResumed) {
      TableState state = known(tableId);
      return () -> tables.put(tableId, state.withPause(Optional.empty()));
    } else if (event instanceof StoreEvent.CommitRatified ratified) {
      TableState state = known(tableId);
      CommitRecord record = ratified.entry().record();
      check(state.pausedReason().isEmpty() || record.rollback().isPresent(), "version %s of %s ratified while paused",
          record.version(), tableId);
      check(record.version() == state.version() + 1, "version %s of %s ratified after version %s",
          record.version(), tableId, state.version());
      checkHolder(state, record.writer(), record.epoch());
      return () -> {
        commits.get(tableId).add(ratified.entry());
        tables.put(tableId, state.withRatified(record));
      };
    } else if (event instanceof StoreEvent.GroupRatified group) {
      // The commits are of distinct tables, so each is checked against the state as it is now.
      java.util.Set<TableId> members = new java.util.HashSet<>();
      List<Runnable> changes = new ArrayList<>();
      for (CommitEntry entry : group.entries()) {
        check(members.add(entry.record().tableId()), "commit group %s holds two commits of %s",
            entry.record().group().orElseThrow().id(), entry.record().tableId());
        changes.add(prepare(new StoreEvent.CommitRatified(entry)));
      }
      return () -> changes.forEach(Runnable::run);
    } else if (event instanceof StoreEvent.CommitPublished published) {
      known(tableId);
      CommitEntry entry = commit(tableId, published.version()).orElseThrow(() -> new IllegalStateException(
          "version " + published.version() + " of " + tableId + " published without being ratified"));
      check(!entry.published(), "version %s of %s published twice", published.version(), tableId);
      CommitEntry publishedEntry = entry.asPublished(published.size(), published.modificationTime());
      return () -> commits.get(tableId).set((int) published.version(), publishedEntry);
    } else if (event instanceof StoreEvent.CommitWithdrawn withdrawn) {
      TableState state = known(tableId);
      check(withdrawn.version() == state.version() && state.version() >= 0,
          "version %s of %s withdrawn but the latest is %s", withdrawn.version(), tableId, state.version());
      List<CommitEntry> history = commits.get(tableId);
      check(!history.get(history.size() - 1).published(), "version %s of %s withdrawn after it was published",
          withdrawn.version(), tableId);
      return () -> {
        history.remove(history.size() - 1);
        tables.put(tableId, state.withVersion(withdrawn.version() - 1, latestWatermark(history)));
      };
    } else {
      throw new IllegalStateException("unknown event " + event);
    }
  }

  private static Optional<SourcePosition> latestWatermark(List<CommitEntry> history) {
    Optional<SourcePosition> position = Optional.empty();
    for (CommitEntry entry : history) {
      position = entry.record().appliedPositionAfter(position);
    }
    return position;
  }

  private TableState known(TableId tableId) {
    TableState state = tables.get(tableId);
    check(state != null, "table %s is not registered", tableId);
    return state;
  }

  private static void checkHolder(TableState state, io.tributary.coordinator.WriterId writer,
      io.tributary.coordinator.Epoch epoch) {
    check(state.heldBy(writer, epoch),
        "writer %s at epoch %s does not hold the lease of %s (held by %s at epoch %s)",
        writer, epoch, state.tableId(), state.leaseHolder().map(Object::toString).orElse("nobody"), state.epoch());
  }

  private static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(format, args));
    }
  }
}
