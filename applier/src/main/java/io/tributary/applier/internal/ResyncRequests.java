package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.Resync;
import io.tributary.coordinator.TableStatus;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a table whose source made an incompatible schema change has a resync coming, through
 * the coordinator's {@code requireResync} (the call a gateway makes when retention deleted changes
 * no applier applied): the table is then applied again from the resync's snapshot, in the new
 * layout. Asked at every batch that meets the change (after a restart too), it requests the resync
 * only when the table has none that can serve: the latest one is under way, or was requested after
 * the change was staged and is done.
 */
final class ResyncRequests {
  private static final Logger LOG = LoggerFactory.getLogger(ResyncRequests.class);

  private final ApplierContext context;
  private final TableId tableId;
  private final ApplierMetrics.Table metrics;
  private final SchemaCommits events;

  ResyncRequests(ApplierContext context, TableId tableId, ApplierMetrics.Table metrics, SchemaCommits events) {
    this.context = requireNonNull(context, "context is null");
    this.tableId = requireNonNull(tableId, "tableId is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.events = requireNonNull(events, "events is null");
  }

  /**
   * Requires the resync for the change {@code change} first staged in {@code segment} at
   * {@code stagedAt}, unless one can serve.
   *
   * @throws TributaryException {@code UNSUPPORTED_TYPE} when the resync requested for the change failed
   *     or was cancelled, or the coordinator refused a new one: an operator must act
   */
  void require(URI segment, Instant stagedAt, String change) {
    Optional<Resync> latest = context.coordinator().table(tableId).flatMap(TableStatus::resync);
    if (latest.isPresent() && serves(latest.get(), stagedAt)) {
      return;
    }
    if (latest.isPresent() && !latest.get().requestedAt().isBefore(stagedAt)) {
      throw ApplierErrors.incompatibleWithoutResync(tableId, segment, change, describe(latest.get(), "for it"),
          Optional.empty());
    }
    String reason = "incompatible schema change: " + change;
    Resync requested;
    try {
      requested = context.coordinator().requireResync(tableId, reason, stagedAt).resync()
          .orElseThrow(() -> new TributaryException(ErrorCode.INTERNAL, "The coordinator recorded no resync of " + tableId
              + " although it was required"));
    } catch (TributaryException e) {
      if (e.code() != ErrorCode.RESYNC_CONFLICT) {
        throw e;
      }
      throw ApplierErrors.incompatibleWithoutResync(tableId, segment, change,
          "the coordinator refused to require one: " + e.getMessage(), Optional.of(e));
    }
    metrics.schemaChanged("resync");
    String message = "Incompatible schema change in segment " + segment + ": " + change + ". The Delta table cannot take"
        + " it without losing or changing rows, so it takes no more changes until its resync " + requested.id() + " ("
        + requested.state() + ") begins; then it is replaced by a table with the new schema, which the resync fills."
        + " The changes in between are not lost: the resync's snapshot reads the rows as they are after them.";
    LOG.error("{}: {}", tableId, message);
    events.report(CoordinatorEvent.Severity.ERROR, message, Map.of("kind", "resync", "resync", requested.id(),
        "segment", segment.toString()));
  }

  /**
   * Requires the resync that supersedes the changes of {@code segment} (staged at {@code stagedAt}),
   * found corrupt and about to be moved aside to {@code movedTo}, unless one already can, and
   * reports the segment as an error event either way.
   *
   * @throws TributaryException {@code SEGMENT_CORRUPT} when the resync requested since it was staged
   *     failed or was cancelled, or the coordinator refused a new one: an operator must act
   */
  void requireForCorrupt(URI segment, URI movedTo, Instant stagedAt, TributaryException corrupt) {
    Optional<Resync> latest = context.coordinator().table(tableId).flatMap(TableStatus::resync);
    Resync resync;
    if (latest.isPresent() && latest.get().supersedes(stagedAt)) {
      resync = latest.get();
    } else if (latest.isPresent() && !latest.get().requestedAt().isBefore(stagedAt)) {
      throw ApplierErrors.segmentCorrupt(tableId, segment, movedTo, describe(latest.get(), "after it was staged"),
          corrupt);
    } else {
      try {
        resync = context.coordinator().requireResync(tableId, "corrupt segment " + segment, stagedAt).resync()
            .orElseThrow(() -> new TributaryException(ErrorCode.INTERNAL, "The coordinator recorded no resync of "
                + tableId + " although it was required"));
      } catch (TributaryException e) {
        if (e.code() != ErrorCode.RESYNC_CONFLICT) {
          throw e;
        }
        throw ApplierErrors.segmentCorrupt(tableId, segment, movedTo, "the coordinator refused to require a resync: "
            + e.getMessage(), corrupt);
      }
    }
    String message = corrupt.getMessage() + " It was moved aside to " + movedTo + " and nothing of it is applied;"
        + " resync " + resync.id() + " (" + resync.state() + ") of the table reads the rows its changes touched as"
        + " they are now. The table goes on meanwhile.";
    LOG.error("{}: {}", tableId, message);
    try {
      context.coordinator().report(new CoordinatorEvent.Report(context.clock().instant(), CoordinatorEvent.Type.ERROR,
          Optional.of(tableId), CoordinatorEvent.Severity.ERROR, message, Map.of("code",
              ErrorCode.SEGMENT_CORRUPT.name(), "segment", segment.toString(), "moved-to", movedTo.toString(),
              "resync", resync.id())));
    } catch (RuntimeException e) {
      LOG.warn("Cannot report the corrupt segment {} of {} to the coordinator: {}", segment, tableId, e.toString());
    }
  }

  /** Whether a resync supersedes what was staged at {@code stagedAt}: under way, or requested after it and done. */
  private static boolean serves(Resync resync, Instant stagedAt) {
    return resync.state().inProgress()
        || (!resync.requestedAt().isBefore(stagedAt) && resync.state() == Resync.State.DONE);
  }

  private static String describe(Resync resync, String requested) {
    return "resync " + resync.id() + " requested " + requested + " is " + resync.state()
        + (resync.detail().isBlank() ? "" : " (" + resync.detail() + ")");
  }
}
