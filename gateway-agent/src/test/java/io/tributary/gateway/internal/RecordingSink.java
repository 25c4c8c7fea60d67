package io.tributary.gateway.internal;

import io.tributary.staging.ManifestRecord;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A manifest log in memory, which can be told to refuse the next publications. */
final class RecordingSink implements ManifestSink {
  final List<ManifestRecord> published = new CopyOnWriteArrayList<>();
  volatile boolean failing;

  @Override
  public void publish(ManifestRecord manifest) {
    if (failing) {
      throw GatewayErrors.publishFailed(manifest, "tributary.manifests", "broker down",
          new TributaryException(ErrorCode.KAFKA_UNREACHABLE, "broker down"));
    }
    published.add(manifest);
  }
}
