package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Reads from staging which keys a resync left alive at its end: those whose last event after the
 * latest {@code RESYNC_BEGIN} before the end, up to the end, is an upsert (a delete removes a key, a
 * truncate every key). Staging, not the batch, is read because a resync spans many batches, commits
 * and applier restarts.
 *
 * <p>The segment holding the end is the first, in sequence order, whose last position reaches it.
 * From there the segments are searched backwards for the begin; then the segments from the begin's
 * to the end's are read forward in sequence and file order, which also gives the right state when a
 * restarted gateway staged a range of positions again. Segments whose positions (in their names) lie
 * wholly at or before the begin are not opened. Each segment of the window is read twice, streamed;
 * the alive keys are held in memory, one entry per live row (see {@link AliveKeys}).
 */
final class ResyncWindow {
  private ResyncWindow() {}

  /** What reading the window gave. */
  sealed interface Outcome permits Found, Incomplete {}

  /**
   * The window was found whole.
   *
   * @param begin the position of the resync's begin
   * @param alive the keys alive at the end
   * @param segmentsRead the segments read for the window's changes
   */
  record Found(SourcePosition begin, AliveKeys alive, int segmentsRead) implements Outcome {
    Found {
      requireNonNull(begin, "begin is null");
      requireNonNull(alive, "alive is null");
    }
  }

  /** Staging does not hold the whole window; {@code reason} says what is missing. */
  record Incomplete(String reason) implements Outcome {
    Incomplete {
      requireNonNull(reason, "reason is null");
    }
  }

  /** Reads the window of {@code schema}'s table, applied by key (SCD type 1), that ends at {@code end}. */
  static Outcome read(StagingStore staging, TableSchema schema, SourcePosition end) {
    return read(staging, schema, TableMode.SCD1, end);
  }

  /**
   * Reads the window of {@code schema}'s table that ends with the resync end at {@code end}; the keys
   * of staged rows are taken as {@code mode} takes them (every column, for an all-columns key).
   */
  static Outcome read(StagingStore staging, TableSchema schema, TableMode mode, SourcePosition end) {
    TableId tableId = schema.tableId();
    List<URI> segments = staging.listSegments(tableId);
    int endIndex = -1;
    for (int i = 0; i < segments.size() && endIndex < 0; i++) {
      if (!end.isAfter(StagingStore.lastPositionOf(segments.get(i)))) {
        endIndex = i;
      }
    }
    if (endIndex < 0) {
      return new Incomplete("no staged segment reaches position " + end + " (" + segments.size() + " staged)");
    }
    Optional<SourcePosition> begin = findBegin(staging, tableId, segments, endIndex, end);
    if (begin.isEmpty()) {
      return new Incomplete("no RESYNC_BEGIN before it is staged (" + (endIndex + 1) + " segments searched; deleted by"
          + " staging retention, or the markers are inconsistent)");
    }
    AliveKeys alive = AliveKeys.forSchema(schema);
    int read = 0;
    for (int i = 0; i <= endIndex; i++) {
      URI segment = segments.get(i);
      if (!StagingStore.lastPositionOf(segment).isAfter(begin.get())) {
        continue;
      }
      read++;
      try (SegmentReader reader = staging.openSegment(tableId, segment)) {
        // The mode's metadata columns follow the staged ones, so the key's indexes are the staged row's.
        TableSchema staged = mode.deltaSchema(reader.schema());
        if (!staged.keyColumns().equals(schema.keyColumns())) {
          return new Incomplete("segment " + segment + " of the resync has the key " + staged.keyColumns()
              + ", the table " + schema.keyColumns());
        }
        int[] keyIndexes = staged.keyIndexes();
        for (Optional<ChangeEvent> next = reader.next(); next.isPresent(); next = reader.next()) {
          ChangeEvent event = next.get();
          if (event.position().isAfter(end)) {
            break;
          }
          if (event.position().isAfter(begin.get())) {
            apply(event, keyIndexes, alive);
          }
        }
      }
    }
    return new Found(begin.get(), alive, read);
  }

  private static void apply(ChangeEvent event, int[] keyIndexes, AliveKeys alive) {
    Operation operation = event.operation();
    if (operation.isUpsert()) {
      alive.add(RowKey.of(event.values(), keyIndexes));
    } else if (operation == Operation.DELETE) {
      alive.remove(RowKey.of(event.values(), keyIndexes));
    } else if (operation == Operation.TRUNCATE) {
      alive.clear();
    }
  }

  /**
   * The latest begin before {@code end}, searching back from the segment holding the end. Once one is
   * found, only earlier segments reaching past it (a range staged again) can hold a later one.
   */
  private static Optional<SourcePosition> findBegin(StagingStore staging, TableId tableId, List<URI> segments,
      int endIndex, SourcePosition end) {
    Optional<SourcePosition> begin = Optional.empty();
    for (int i = endIndex; i >= 0; i--) {
      URI segment = segments.get(i);
      if (begin.isPresent() && !StagingStore.lastPositionOf(segment).isAfter(begin.get())) {
        continue;
      }
      try (SegmentReader reader = staging.openSegment(tableId, segment)) {
        for (Optional<ChangeEvent> next = reader.next(); next.isPresent(); next = reader.next()) {
          ChangeEvent event = next.get();
          if (!end.isAfter(event.position())) {
            break;
          }
          if (event.operation() == Operation.RESYNC_BEGIN
              && (begin.isEmpty() || event.position().isAfter(begin.get()))) {
            begin = Optional.of(event.position());
          }
        }
      }
    }
    return begin;
  }
}
