package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CommitGroupProposal;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gathers the commits of one commit group from the threads that build them, one thread per table,
 * and sends them to the coordinator together: a table's thread {@linkplain #propose proposes} its
 * commit and waits; once every member has proposed or {@linkplain #leave left} (nothing to commit,
 * or failed before proposing), the proposals go out as one group and each waiting thread gets its
 * receipt or the group's refusal. A member that fails before proposing aborts the group: nothing is
 * sent and the others are refused at once.
 *
 * <p>Refusals reach the members as {@code COMMIT_CONFLICT} (retry the group), whatever the
 * coordinator's code was, because the coordinator refuses a group for the sake of one of its
 * commits; a fenced member is found by its lease renewal. {@code COMMIT_OUTCOME_UNKNOWN} is passed
 * on as it is: the group may have been ratified.
 */
final class CommitGroupBarrier {
  private final CoordinatorClient coordinator;
  private final String source;
  private final String id;
  private final SourcePosition cut;
  private final Duration timeout;
  private final Set<TableId> members;
  private final Map<TableId, CommitProposal> proposals = new LinkedHashMap<>();
  private final List<TableId> left = new ArrayList<>();
  private Map<TableId, CommitReceipt> receipts;
  private TributaryException failure;
  /** Once the group is being sent, members wait for the coordinator's answer, however long it takes. */
  private boolean sending;
  private boolean done;

  /**
   * @param members the tables whose threads take part; each must propose or leave exactly once
   * @param timeout how long a member waits for the others before the group is given up
   */
  CommitGroupBarrier(CoordinatorClient coordinator, String source, String id, SourcePosition cut, Set<TableId> members,
      Duration timeout) {
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.source = requireNonNull(source, "source is null");
    this.id = requireNonNull(id, "id is null");
    this.cut = requireNonNull(cut, "cut is null");
    this.members = Set.copyOf(members);
    this.timeout = requireNonNull(timeout, "timeout is null");
  }

  String id() {
    return id;
  }

  SourcePosition cut() {
    return cut;
  }

  /** Hands in a member's commit and waits for the group's outcome. */
  CommitReceipt propose(CommitProposal proposal) {
    TableId tableId = proposal.tableId();
    synchronized (this) {
      if (!members.contains(tableId) || proposals.containsKey(tableId) || left.contains(tableId)) {
        throw new IllegalStateException(tableId + " cannot propose to commit group " + id + " (members " + members
            + ", proposed " + proposals.keySet() + ", left " + left + ")");
      }
      if (failure != null) {
        throw failure;
      }
      proposals.put(tableId, proposal);
    }
    sendIfComplete();
    synchronized (this) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done) {
        long remaining = sending ? timeout.toNanos() : deadline - System.nanoTime();
        if (remaining <= 0) {
          giveUp(new TributaryException(ErrorCode.COMMIT_CONFLICT, "Commit group " + id + " of " + source + " was not"
              + " complete after " + timeout.toSeconds() + " s (proposed: " + proposals.keySet() + ", left: " + left
              + "); nothing was sent, the group is tried again"));
          break;
        }
        try {
          wait(Math.max(1, remaining / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          giveUp(new TributaryException(ErrorCode.COMMIT_CONFLICT, "Interrupted while waiting for commit group " + id));
          break;
        }
      }
      if (failure != null) {
        throw failure;
      }
      return receipts.get(tableId);
    }
  }

  /**
   * Says that a member is done without proposing: {@code cause} empty when it had nothing to commit,
   * present when it failed (which aborts the group). A member that proposed is left alone.
   */
  void leave(TableId tableId, java.util.Optional<RuntimeException> cause) {
    synchronized (this) {
      if (proposals.containsKey(tableId) || left.contains(tableId)) {
        return;
      }
      left.add(tableId);
      if (cause.isPresent() && !done) {
        giveUp(new TributaryException(ErrorCode.COMMIT_CONFLICT, "Commit group " + id + " of " + source + " was not"
            + " sent: applying " + tableId + " failed (" + cause.get().getMessage() + "); the group is tried again",
            cause.get()));
        return;
      }
    }
    sendIfComplete();
  }

  /** Sends the group once every member has proposed or left; the sending thread is the last to arrive. */
  private void sendIfComplete() {
    CommitGroupProposal group;
    synchronized (this) {
      if (done || sending || proposals.size() + left.size() < members.size()) {
        return;
      }
      if (proposals.isEmpty()) {
        receipts = Map.of();
        finish();
        return;
      }
      try {
        group = new CommitGroupProposal(source, id, cut, List.copyOf(proposals.values()));
      } catch (IllegalArgumentException e) {
        giveUp(new TributaryException(ErrorCode.INTERNAL, "Commit group " + id + " of " + source + " does not add up: "
            + e.getMessage(), e));
        return;
      }
      sending = true;
    }
    Map<TableId, CommitReceipt> answered = new LinkedHashMap<>();
    TributaryException refused = null;
    try {
      List<CommitReceipt> list = coordinator.commitGroup(group);
      for (int i = 0; i < group.commits().size(); i++) {
        answered.put(group.commits().get(i).tableId(), list.get(i));
      }
    } catch (TributaryException e) {
      refused = e.code() == ErrorCode.COMMIT_OUTCOME_UNKNOWN ? e
          : new TributaryException(ErrorCode.COMMIT_CONFLICT, e.getMessage(), e);
    } catch (RuntimeException e) {
      refused = new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "Sending commit group " + id + " failed: " + e, e);
    }
    synchronized (this) {
      if (refused != null) {
        failure = refused;
      } else {
        receipts = answered;
      }
      finish();
    }
  }

  private void giveUp(TributaryException cause) {
    if (!done) {
      failure = cause;
      finish();
    }
  }

  private void finish() {
    done = true;
    notifyAll();
  }
}
