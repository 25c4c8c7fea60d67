package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.SourcePosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The events of a batch that no commit applied yet, in position order: events at or below the
 * table's applied position were applied by an earlier commit, and events repeating a position
 * already seen in the batch were re-emitted by a restarted gateway; both are dropped. This is what
 * makes every apply mode exactly once, together with the Delta transaction id of each commit.
 *
 * @param kept the events left, in position order
 * @param duplicates the events dropped
 */
record NewEvents(List<ChangeEvent> kept, long duplicates) {
  NewEvents {
    kept = List.copyOf(requireNonNull(kept, "kept is null"));
    if (duplicates < 0) {
      throw new IllegalArgumentException("duplicates must be >= 0: " + duplicates);
    }
  }

  /** The events of {@code events} after {@code appliedPosition}, each position once, in position order. */
  static NewEvents of(List<ChangeEvent> events, Optional<SourcePosition> appliedPosition) {
    requireNonNull(events, "events is null");
    requireNonNull(appliedPosition, "appliedPosition is null");
    List<ChangeEvent> kept = new ArrayList<>(events.size());
    long duplicates = 0;
    boolean ascending = true;
    SourcePosition last = null;
    for (ChangeEvent event : events) {
      if (appliedPosition.isPresent() && !event.position().isAfter(appliedPosition.get())) {
        duplicates++;
        continue;
      }
      if (last != null && !event.position().isAfter(last)) {
        ascending = false;
      }
      last = event.position();
      kept.add(event);
    }
    if (!ascending) {
      // Only a re-emitted range puts a position twice or out of order: each is kept once, in order (stably).
      Set<SourcePosition> seen = new HashSet<>();
      List<ChangeEvent> unique = new ArrayList<>(kept.size());
      for (ChangeEvent event : kept) {
        if (seen.add(event.position())) {
          unique.add(event);
        } else {
          duplicates++;
        }
      }
      unique.sort(Comparator.comparing(ChangeEvent::position));
      kept = unique;
    }
    return new NewEvents(kept, duplicates);
  }

  /** The position of the last event kept, if any. */
  Optional<SourcePosition> lastPosition() {
    return kept.isEmpty() ? Optional.empty() : Optional.of(kept.get(kept.size() - 1).position());
  }

  /** The capture time of the last event kept, 0 if none. */
  long lastCaptureMillis() {
    return kept.isEmpty() ? 0 : kept.get(kept.size() - 1).captureTimestampMillis();
  }
}
