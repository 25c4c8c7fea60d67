package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.ManifestRecord;

/**
 * A manifest record read from Kafka and not yet acknowledged.
 *
 * @param partition the Kafka partition it was read from
 * @param offset its Kafka offset, which is also the Delta transaction version of the batch it ends
 * @param receivedAtMillis when the applier read it (batches wait at most {@code batch.max-wait} from here)
 */
public record PendingManifest(int partition, long offset, ManifestRecord manifest, long receivedAtMillis) {
  public PendingManifest {
    requireNonNull(manifest, "manifest is null");
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0: " + offset);
    }
  }
}
