package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableSchema;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A segment read for a batch, with what schema evolution needs to know of it.
 *
 * @param schema its staged schema; empty if it is no longer staged and a resync replaces it
 * @param events its change events, in the layout of {@code schema}
 * @param stagedAt when it was staged (announced), or a time after that
 * @param lastPosition the position of its last change
 * @param offset the Kafka offset of its manifest; empty for segments read by path
 */
record StagedSegment(URI path, Optional<TableSchema> schema, List<ChangeEvent> events, Instant stagedAt,
    SourcePosition lastPosition, OptionalLong offset) {
  StagedSegment {
    requireNonNull(path, "path is null");
    requireNonNull(schema, "schema is null");
    events = List.copyOf(requireNonNull(events, "events is null"));
    requireNonNull(stagedAt, "stagedAt is null");
    requireNonNull(lastPosition, "lastPosition is null");
    requireNonNull(offset, "offset is null");
  }

  /** Where the first {@code RESYNC_BEGIN} after {@code applied} lies among {@code segments}. */
  record ResyncBegin(int segment, SourcePosition position) {}

  /** The first resync begin after {@code applied} (the table's applied position) in {@code segments}. */
  static Optional<ResyncBegin> firstResyncBegin(List<StagedSegment> segments, Optional<SourcePosition> applied) {
    for (int i = 0; i < segments.size(); i++) {
      for (ChangeEvent event : segments.get(i).events()) {
        if (event.operation() == Operation.RESYNC_BEGIN
            && (applied.isEmpty() || event.position().isAfter(applied.get()))) {
          return Optional.of(new ResyncBegin(i, event.position()));
        }
      }
    }
    return Optional.empty();
  }
}
