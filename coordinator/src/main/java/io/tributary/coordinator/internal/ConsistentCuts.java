package io.tributary.coordinator.internal;

import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.ConsistentPosition;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the tables of one source can be read together: pure functions over their recorded commits,
 * newest first, as {@link CoordinatorStore#history} returns them.
 */
final class ConsistentCuts {
  private ConsistentCuts() {}

  /** The commits recorded with one commit group. */
  private record Group(CommitRecord.Group group, List<CommitEntry> members) {
    boolean complete() {
      return members.size() == group.size() && members.stream().allMatch(CommitEntry::published);
    }

    java.time.Instant ratifiedAt() {
      return members.get(0).record().committedAt();
    }
  }

  /**
   * The cut of the source's latest commit group whose commits are all published, with a version for
   * each table: a table in the group at its group commit; any other table at its newest published
   * version that applies nothing after the cut (its changes up to the cut were all applied before
   * the group, in source order, by the applier that ratified it). Empty while no group is complete.
   *
   * @param histories every registered table of the source with its commits, newest first
   */
  static Optional<ConsistentPosition> latest(String source, Map<TableId, List<CommitEntry>> histories) {
    Map<String, Group> groups = new HashMap<>();
    histories.values().forEach(history -> history.forEach(entry -> entry.record().group().ifPresent(group ->
        groups.computeIfAbsent(group.id(), id -> new Group(group, new ArrayList<>())).members().add(entry))));
    Optional<Group> latest = groups.values().stream()
        .filter(Group::complete)
        .max(Comparator.comparing((Group group) -> group.group().cut()).thenComparing(Group::ratifiedAt));
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    SourcePosition cut = latest.get().group().cut();
    Map<TableId, Long> memberVersions = new HashMap<>();
    latest.get().members().forEach(entry -> memberVersions.put(entry.record().tableId(), entry.version()));
    List<ConsistentPosition.TableVersion> versions = new ArrayList<>();
    histories.forEach((tableId, history) -> Optional.ofNullable(memberVersions.get(tableId))
        .or(() -> versionAtCut(history, cut))
        .ifPresent(version -> versions.add(new ConsistentPosition.TableVersion(tableId, version))));
    return Optional.of(new ConsistentPosition(source, cut, latest.get().group().id(), latest.get().ratifiedAt(), versions));
  }

  /**
   * The version of a table outside the group that holds its changes up to {@code cut}: its newest
   * published version whose watermark is at or before the cut, else (nothing applied yet) its oldest
   * published version.
   */
  private static Optional<Long> versionAtCut(List<CommitEntry> history, SourcePosition cut) {
    Optional<Long> oldest = Optional.empty();
    for (CommitEntry entry : history) {
      if (!entry.published()) {
        continue;
      }
      Optional<SourcePosition> watermark = entry.record().watermark();
      if (watermark.isPresent() && !watermark.get().isAfter(cut)) {
        return Optional.of(entry.version());
      }
      if (watermark.isEmpty() && entry.record().rollback().isEmpty()) {
        oldest = Optional.of(entry.version());
      }
    }
    return oldest;
  }
}
