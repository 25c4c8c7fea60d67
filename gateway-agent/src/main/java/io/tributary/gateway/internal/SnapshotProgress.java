package io.tributary.gateway.internal;

import io.tributary.staging.TableId;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far a table's snapshot is: rows read against the source's estimate, the rate, and a time
 * left, logged every {@link #LOG_INTERVAL} while rows come and once at the end, and offered for
 * the coordinator's event log every {@link #EVENT_INTERVAL}. Read by metric scrapes from any
 * thread, updated by the capture thread.
 */
final class SnapshotProgress {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotProgress.class);
  static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
  static final Duration EVENT_INTERVAL = Duration.ofMinutes(1);

  private final TableId table;
  private volatile long estimated = -1;
  private volatile long read;
  private volatile boolean complete;
  private volatile long startedMillis;
  private long loggedMillis;
  private long reportedMillis;

  SnapshotProgress(TableId table, long nowMillis) {
    this.table = table;
    this.startedMillis = nowMillis;
    this.loggedMillis = nowMillis;
    this.reportedMillis = nowMillis;
  }

  void estimate(long rows) {
    estimated = rows;
  }

  /**
   * Starts counting again for another read of the table (a resync's incremental snapshot), keeping
   * the estimate.
   */
  void restart(long nowMillis) {
    read = 0;
    complete = false;
    startedMillis = nowMillis;
    loggedMillis = nowMillis;
    reportedMillis = nowMillis;
  }

  /** Counts a row read; returns how far the snapshot is when it is time to report it as an event. */
  Optional<String> read(long nowMillis) {
    if (read == 0) {
      startedMillis = nowMillis;
      loggedMillis = nowMillis;
      reportedMillis = nowMillis;
    }
    read++;
    if (nowMillis - loggedMillis < LOG_INTERVAL.toMillis()) {
      return Optional.empty();
    }
    loggedMillis = nowMillis;
    String progress = describe(nowMillis);
    LOG.info("Snapshot of {}: {}", table, progress);
    if (nowMillis - reportedMillis < EVENT_INTERVAL.toMillis()) {
      return Optional.empty();
    }
    reportedMillis = nowMillis;
    return Optional.of(progress);
  }

  /** Marks the snapshot complete; returns "N rows in S s" the first time, empty after or when nothing was read. */
  Optional<String> completed(long nowMillis) {
    if (complete) {
      return Optional.empty();
    }
    complete = true;
    if (read == 0) {
      return Optional.empty();
    }
    String summary = read + " rows in " + Math.max(0, nowMillis - startedMillis) / 1000.0 + " s";
    LOG.info("Snapshot of {} complete: {}", table, summary);
    return Optional.of(summary);
  }

  long rowsRead() {
    return read;
  }

  double estimated() {
    return estimated < 0 ? Double.NaN : estimated;
  }

  double fraction() {
    if (complete) {
      return 1;
    }
    if (estimated <= 0) {
      return estimated == 0 ? 1 : Double.NaN;
    }
    return Math.min(1, (double) read / estimated);
  }

  /**
   * Seconds until the estimated rows are read at the rate so far: 0 once complete, NaN without an
   * estimate or before the first row.
   */
  double secondsLeft(long nowMillis) {
    if (complete) {
      return 0;
    }
    long rows = read;
    if (estimated <= 0 || rows == 0) {
      return estimated == 0 ? 0 : Double.NaN;
    }
    double rate = rows / Math.max(0.001, (nowMillis - startedMillis) / 1000.0);
    return Math.max(0, (estimated - rows) / rate);
  }

  /** "12,345 of about 50,000 rows (24%), 1,234 rows/s, about 30 s left" or less when there is no estimate. */
  String describe(long nowMillis) {
    double seconds = Math.max(0.001, (nowMillis - startedMillis) / 1000.0);
    double rate = read / seconds;
    StringBuilder text = new StringBuilder(String.format("%,d", read));
    if (estimated > 0) {
      text.append(String.format(" of about %,d rows (%d%%)", estimated, Math.min(100, Math.round(100.0 * read / estimated))));
    } else {
      text.append(" rows");
    }
    text.append(String.format(", %,.0f rows/s", rate));
    if (estimated > read && rate > 0) {
      text.append(String.format(", about %,.0f s left", (estimated - read) / rate));
    }
    return text.toString();
  }
}
