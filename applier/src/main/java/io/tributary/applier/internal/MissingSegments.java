package io.tributary.applier.internal;

import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.Resync;
import io.tributary.staging.ManifestRecord;
import java.time.Instant;
import java.util.Optional;

/**
 * What may replace an announced segment that is no longer staged. The gateway's retention deletes
 * a segment no applier applied only after the coordinator recorded a resync of its table (see
 * {@code RetentionSweeper}); an operator may have requested one too. A resync requested after the
 * segment was staged, and neither failed nor cancelled, reads the rows its changes touched as they
 * are now, so the segment may be skipped. Without one, skipping would lose its changes.
 */
final class MissingSegments {
  private MissingSegments() {}

  /** The resync of the manifest's table that supersedes its segment, if the table has one. */
  static Optional<Resync> supersedingResync(CoordinatorClient coordinator, ManifestRecord manifest) {
    Instant staged = Instant.ofEpochMilli(manifest.createdAtMillis());
    return coordinator.table(manifest.tableId())
        .flatMap(status -> status.resync())
        .filter(resync -> resync.supersedes(staged));
  }
}
