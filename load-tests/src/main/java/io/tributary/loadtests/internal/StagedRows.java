package io.tributary.loadtests.internal;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * What a gateway staged, read back from the segments its manifests announce (each checked against
 * its manifest's size and checksum): rows by operation, the distinct keys inserted, and whether
 * positions only increase from the first segment to the last.
 *
 * @param distinctInsertedKeys distinct values of the integral key column among inserts (keys from 1
 *     to {@link Integer#MAX_VALUE})
 */
public record StagedRows(long segments, long rows, long inserts, long updates, long deletes,
    long distinctInsertedKeys, boolean positionsIncrease, Optional<SourcePosition> lastPosition) {

  /** Reads every segment of {@code manifests}; {@code keyColumn} is the table's integral key. */
  public static StagedRows read(StagingStore store, List<ManifestRecord> manifests, String keyColumn) {
    long rows = 0;
    long inserts = 0;
    long updates = 0;
    long deletes = 0;
    BitSet keys = new BitSet();
    boolean increasing = true;
    SourcePosition last = null;
    for (ManifestRecord manifest : manifests) {
      try (SegmentReader reader = store.openSegment(manifest)) {
        int key = reader.schema().indexOf(keyColumn);
        for (Optional<ChangeEvent> next = reader.next(); next.isPresent(); next = reader.next()) {
          ChangeEvent event = next.get();
          rows++;
          if (last != null && !event.position().isAfter(last)) {
            increasing = false;
          }
          last = event.position();
          if (event.operation() == Operation.INSERT) {
            inserts++;
            keys.set(Math.toIntExact(((Number) event.value(key)).longValue()));
          } else if (event.operation() == Operation.UPDATE) {
            updates++;
          } else if (event.operation() == Operation.DELETE) {
            deletes++;
          }
        }
      }
    }
    return new StagedRows(manifests.size(), rows, inserts, updates, deletes, keys.cardinality(), increasing,
        Optional.ofNullable(last));
  }
}
