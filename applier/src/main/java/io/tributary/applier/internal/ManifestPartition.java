package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;

/**
 * The Kafka partition a table's manifests come from, named by the topic's id rather than its name:
 * a topic deleted and created again under the same name, or a table moved to another partition when
 * the topic's partitions were changed, starts its offsets over, and offsets of one partition say
 * nothing about another's.
 *
 * <p>Each Delta commit records the offset of its last manifest as the version of the Delta
 * transaction id {@link #transactionAppId(TableId)}, which includes this identity: offsets of a
 * new topic or partition get a new transaction id, so they are never mistaken for manifests the
 * table committed before (and a manifest read again from the same partition is).
 *
 * @param topicId the topic's id, as Kafka assigned it when the topic was created
 */
public record ManifestPartition(String topic, String topicId, int partition) {
  public ManifestPartition {
    requireNonNull(topic, "topic is null");
    requireNonNull(topicId, "topicId is null");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0: " + partition);
    }
  }

  /** {@code tributary-applier/<table>/<topic id>-<partition>}. */
  public String transactionAppId(TableId tableId) {
    return ApplierContext.APP_ID_PREFIX + tableId.canonical() + "/" + topicId + "-" + partition;
  }

  @Override
  public String toString() {
    return topic + "-" + partition + " (topic id " + topicId + ")";
  }
}
