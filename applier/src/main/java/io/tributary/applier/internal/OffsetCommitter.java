package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the manifest topic's offsets up to what the tables have applied. A commit refused because
 * the consumer group is rebalancing (an applier joined or left) is normal: it is said once, at INFO,
 * and the offsets are committed on a later round; the next owner of a partition re-reads at most what
 * was not committed, and Delta Kernel refuses what was already applied. Polling thread only.
 */
final class OffsetCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final PartitionOffsets offsets;
  private boolean rebalanceSaid;

  OffsetCommitter(Consumer<byte[], byte[]> consumer, String topic, PartitionOffsets offsets) {
    this.consumer = requireNonNull(consumer, "consumer is null");
    this.topic = requireNonNull(topic, "topic is null");
    this.offsets = requireNonNull(offsets, "offsets is null");
  }

  /**
   * Commits what may be committed of {@code partitions}, given the first offset of each not yet
   * acknowledged by its tables.
   *
   * @throws WakeupException if the consumer was woken up to stop
   */
  void commit(Collection<Integer> partitions, Function<Integer, OptionalLong> firstUnacknowledged) {
    Map<Integer, Long> toCommit = offsets.toCommit(partitions, firstUnacknowledged);
    if (toCommit.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> kafkaOffsets = new HashMap<>();
    toCommit.forEach((partition, offset) ->
        kafkaOffsets.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)));
    try {
      consumer.commitSync(kafkaOffsets);
      offsets.committed(toCommit);
      rebalanceSaid = false;
    } catch (WakeupException e) {
      throw e;
    } catch (RebalanceInProgressException e) {
      if (!rebalanceSaid) {
        rebalanceSaid = true;
        LOG.info("Offsets {} wait for the consumer group's rebalance to finish (an applier joined or left)", toCommit);
      }
    } catch (KafkaException e) {
      // The next owner re-reads from the last committed offset; Kernel refuses what was applied.
      LOG.warn("Cannot commit offsets {}: {}", toCommit, e.toString());
    }
  }
}
