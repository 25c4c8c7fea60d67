package io.tributary.gateway.internal;

import io.tributary.staging.ManifestRecord;

/** Where the gateway announces finished segments: the message log. */
interface ManifestSink {
  /**
   * Announces a segment and returns only once the log has acknowledged it durably.
   *
   * @throws io.tributary.staging.TributaryException if it is not acknowledged; the outcome is then
   *     unknown and the caller must not commit the segment's offsets
   */
  void publish(ManifestRecord manifest);
}
