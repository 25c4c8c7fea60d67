package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.gateway.internal.PositionExtractor.ChangePosition;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.connect.data.Struct;

/**
 * Positions of snapshot reads, the same for every connector: {@code (0, point..., epoch, n)}, where
 * {@code point} is where the snapshot attempt stands in the source's log (PostgreSQL: its LSN; binlog:
 * file number and position; SQL Server: the commit LSN), phase 0 sorts it before every streamed
 * change, {@code n} counts per table what this process staged from snapshots, and {@code epoch} is a
 * durable counter increased once per process that snapshots. A snapshot redone after a crash or an
 * internal task restart therefore never reuses the position of a row staged before: its positions
 * sort after them.
 *
 * <p>The first read of each table in an attempt (a new process, or a new point) is preceded by a
 * truncate at the position just before it, so that the attempt replaces whatever an interrupted one
 * staged. Points of successive attempts never go back, which is checked.
 *
 * <h2>Positions in the stream</h2>
 * The reads of an incremental snapshot (a table's resync) and the resync's markers arrive between
 * streamed changes, and their positions must keep that order: after every change delivered before
 * them, before every change delivered after. The {@code source} block of an incremental read does
 * not give that: it carries the stream position of the change that closed the read's window, which
 * is delivered right <em>after</em> the reads. So such a position is built from the highest position
 * delivered so far, {@code (delivered..., epoch << 40 | n)}: the extra component sorts it after
 * {@code delivered} and before any later position of the stream; {@code n} counts these positions in
 * this process and the epoch (high bits) keeps a later process from reusing one. (The one later
 * position that extends {@code delivered}, the {@linkplain SourcePosition#immediatelyAfter() insert
 * of a key change} right after its delete, always follows the delete at once.) Before anything is delivered in a
 * process, the highest position already staged for the source stands in for {@code delivered}:
 * everything delivered later in this process is a replay of something staged (at its old position,
 * hence a duplicate) or new (after it).
 */
final class SnapshotSequencer {
  private final LongSupplier nextEpoch;
  private final Supplier<Optional<SourcePosition>> highestStaged;
  private final Map<TableId, Long> staged = new HashMap<>();
  private final Set<TableId> resetInAttempt = new HashSet<>();
  private OptionalLong epoch = OptionalLong.empty();
  private long[] attempt;
  private static final long IN_STREAM_LIMIT = 1L << 40;
  private static final FieldReader SNAPSHOT = new FieldReader("snapshot");
  private SourcePosition delivered;
  private long inStream;

  /**
   * A sequencer of a source on which nothing was staged before: for tests of positions that do not
   * involve staging.
   *
   * @param nextEpoch durably increments and returns the snapshot epoch; called at most once
   */
  SnapshotSequencer(LongSupplier nextEpoch) {
    this(nextEpoch, Optional::empty);
  }

  /**
   * @param nextEpoch durably increments and returns the snapshot epoch; called at most once
   * @param highestStaged the highest position staged for the source by earlier processes; called at
   *     most once, and only if an in-stream position is needed before any change is delivered
   */
  SnapshotSequencer(LongSupplier nextEpoch, Supplier<Optional<SourcePosition>> highestStaged) {
    this.nextEpoch = requireNonNull(nextEpoch, "nextEpoch is null");
    this.highestStaged = requireNonNull(highestStaged, "highestStaged is null");
  }

  /** Notes the position of a delivered change (streamed or read by the initial snapshot). */
  void delivered(SourcePosition position) {
    if (delivered == null || position.isAfter(delivered)) {
      delivered = position;
    }
  }

  /**
   * A position after every change delivered so far and before every change delivered later: for the
   * reads of an incremental snapshot and the markers of a resync.
   */
  SourcePosition inStream() {
    if (delivered == null) {
      delivered = highestStaged.get().orElse(SourcePosition.of(SourcePosition.PHASE_SNAPSHOT));
    }
    if (epoch.isEmpty()) {
      epoch = OptionalLong.of(nextEpoch.getAsLong());
    }
    if (inStream >= IN_STREAM_LIMIT || epoch.getAsLong() >= (1L << 23)) {
      throw GatewayErrors.unexpectedRecord("more in-stream positions than one process numbers (" + inStream
          + ", epoch " + epoch.getAsLong() + ")");
    }
    return new SourcePosition(delivered.value() + "-" + SourcePosition.of((epoch.getAsLong() << 40) | inStream++).value());
  }

  /**
   * The position of the next snapshot read of {@code table}, taken at {@code point} (unsigned
   * components, most significant first).
   */
  ChangePosition next(TableId table, long... point) {
    if (attempt != null && compareUnsigned(point, attempt) < 0) {
      throw GatewayErrors.unexpectedRecord("a snapshot read of " + table + " at " + describe(point)
          + ", before the previous snapshot's " + describe(attempt));
    }
    if (attempt == null || !Arrays.equals(point, attempt)) {
      attempt = point.clone();
      resetInAttempt.clear();
    }
    if (epoch.isEmpty()) {
      epoch = OptionalLong.of(nextEpoch.getAsLong());
    }
    Optional<SourcePosition> reset = Optional.empty();
    if (resetInAttempt.add(table)) {
      reset = Optional.of(position(table));
    }
    return new ChangePosition(position(table), reset);
  }

  private SourcePosition position(TableId table) {
    long n = staged.merge(table, 1L, Long::sum) - 1;
    long[] components = new long[attempt.length + 3];
    components[0] = SourcePosition.PHASE_SNAPSHOT;
    System.arraycopy(attempt, 0, components, 1, attempt.length);
    components[attempt.length + 1] = epoch.getAsLong();
    components[attempt.length + 2] = n;
    return SourcePosition.of(components);
  }

  /**
   * The {@code source.snapshot} marker in lower case ({@code true}, {@code first}, {@code last},
   * {@code incremental}, {@code false}, ...), or null when the block has none. Debezium leaves the
   * marker out of streamed changes, which its default ({@code false}) then stands for.
   */
  static String marker(Struct source) {
    String marker = SNAPSHOT.stringOrDefault(source);
    return marker == null ? null : marker.toLowerCase(Locale.ROOT);
  }

  /**
   * Whether a marker says the change was read by a (blocking) snapshot rather than streamed. The
   * reads of an incremental snapshot are not: they are part of the stream.
   */
  static boolean isSnapshot(String marker) {
    return marker != null && !marker.equals("false") && !isIncremental(marker);
  }

  /** Whether a marker says the change was read by an incremental snapshot. */
  static boolean isIncremental(String marker) {
    return "incremental".equals(marker);
  }

  /**
   * The position of a change: in the stream for an incremental snapshot's read, else the one
   * {@code positionOf} gives (a snapshot read's or a streamed change's), which is noted as delivered.
   */
  ChangePosition position(String marker, Supplier<ChangePosition> positionOf) {
    if (isIncremental(marker)) {
      return new ChangePosition(inStream(), Optional.empty());
    }
    ChangePosition position = positionOf.get();
    delivered(position.position());
    return position;
  }

  private static int compareUnsigned(long[] a, long[] b) {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      int order = Long.compareUnsigned(a[i], b[i]);
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  private static String describe(long[] point) {
    StringBuilder text = new StringBuilder("point ");
    for (int i = 0; i < point.length; i++) {
      text.append(i == 0 ? "" : "/").append(Long.toUnsignedString(point[i]));
    }
    return text.toString();
  }
}
