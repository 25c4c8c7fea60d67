package io.tributary.coordinator.internal;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Replay;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a table's recorded commits say about its content: the source position each version is
 * applied up to, and what a rollback leaves to apply again. Pure functions over a history, newest
 * commit first, as {@link CoordinatorStore#history} returns it.
 */
final class Lineage {
  private Lineage() {}

  /** The position {@code version} is applied up to: see {@link CommitRecord#appliedPositionAfter}. */
  static Optional<SourcePosition> positionAt(List<CommitRecord> history, long version) {
    for (CommitRecord record : history) {
      if (record.version() <= version && (record.rollback().isPresent() || record.watermark().isPresent())) {
        return record.watermark();
      }
    }
    return Optional.empty();
  }

  /**
   * The replay the table's latest rollback still asks for, given the position the table is applied up
   * to now; empty when there was no rollback or the table is applied past everything it undid.
   */
  static Optional<Replay> pendingReplay(TableId tableId, List<CommitRecord> history, Optional<SourcePosition> applied) {
    Optional<CommitRecord> rollback = history.stream().filter(record -> record.rollback().isPresent()).findFirst();
    if (rollback.isEmpty()) {
      return Optional.empty();
    }
    CommitRecord latest = rollback.get();
    Optional<Replay> replay = replayAfter(tableId, history, latest.version(), latest.rollback().orElseThrow().toVersion(),
        latest.watermark());
    if (replay.isPresent() && applied.isPresent() && applied.get().compareTo(replay.get().until()) >= 0) {
      return Optional.empty();
    }
    return replay;
  }

  /**
   * What a rollback at {@code rollbackVersion} to {@code toVersion}, applied up to {@code from}, undoes:
   * every segment that an earlier commit applied and whose last change lies after {@code from}, in
   * source order. Segments applied twice (by an earlier replay) are listed once. Empty when it undoes
   * no change.
   */
  static Optional<Replay> replayAfter(TableId tableId, List<CommitRecord> history, long rollbackVersion, long toVersion,
      Optional<SourcePosition> from) {
    Set<URI> undone = new LinkedHashSet<>();
    SourcePosition until = null;
    for (int i = history.size() - 1; i >= 0; i--) {
      CommitRecord record = history.get(i);
      if (record.version() >= rollbackVersion) {
        continue;
      }
      if (record.watermark().isPresent() && (until == null || record.watermark().get().isAfter(until))) {
        until = record.watermark().get();
      }
      for (URI segment : record.segments()) {
        Optional<SourcePosition> last = lastPosition(segment);
        if (from.isEmpty() || last.isEmpty() || last.get().isAfter(from.get())) {
          undone.add(segment);
        }
      }
    }
    if (until == null || (from.isPresent() && !until.isAfter(from.get()))) {
      return Optional.empty();
    }
    List<URI> segments = new ArrayList<>(undone);
    // Staged segment names carry their last position; source order is their order. Names that do not
    // (none are written so) keep the order in which they were applied.
    segments.sort(Comparator.comparing((URI segment) -> lastPosition(segment).orElse(null),
        Comparator.nullsLast(Comparator.naturalOrder())));
    return Optional.of(new Replay(tableId, rollbackVersion, toVersion, from, until, segments));
  }

  private static Optional<SourcePosition> lastPosition(URI segment) {
    try {
      return Optional.of(StagingStore.lastPositionOf(segment));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
