package io.tributary.applier.internal;

import io.tributary.staging.ManifestRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A commit group of which every manifest is pending on a source's tables.
 *
 * @param lastOffset the offset of the group's last manifest: the group covers every pending manifest
 *     of the source up to it
 * @param manifests the pending manifests up to {@code lastOffset}
 * @param oldestReceivedMillis when the oldest of those was read
 */
record CompleteGroup(ManifestRecord.Group group, long lastOffset, int manifests, long oldestReceivedMillis) {
  /** The last complete group among the pending manifests of {@code tables}, if there is one. */
  static Optional<CompleteGroup> last(List<TableSlot> tables) {
    List<PendingManifest> pending = new ArrayList<>();
    tables.forEach(slot -> pending.addAll(slot.nextBatch(Integer.MAX_VALUE)));
    pending.sort(Comparator.comparingLong(PendingManifest::offset));
    Map<String, Integer> seen = new HashMap<>();
    Optional<CompleteGroup> last = Optional.empty();
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < pending.size(); i++) {
      PendingManifest manifest = pending.get(i);
      oldest = Math.min(oldest, manifest.receivedAtMillis());
      Optional<ManifestRecord.Group> group = manifest.manifest().group();
      if (group.isPresent() && seen.merge(group.get().id(), 1, Integer::sum) == group.get().size()) {
        last = Optional.of(new CompleteGroup(group.get(), manifest.offset(), i + 1, oldest));
      }
    }
    return last;
  }
}
