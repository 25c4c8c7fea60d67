package io.tributary.gateway;

import io.tributary.staging.ManifestRecord;
import io.tributary.staging.ManifestSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a manifest topic from the beginning, as appliers would: per partition, in order. */
final class ManifestLog implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private List<TopicPartition> partitions = List.of();

  ManifestLog(String bootstrapServers, String topic) {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(properties);
    this.topic = topic;
  }

  /** Every manifest appended since the last call, in log order per partition (so per table). */
  List<ManifestRecord> next() {
    if (partitions.isEmpty()) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null || infos.isEmpty()) {
        return List.of();
      }
      partitions = infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    List<ManifestRecord> manifests = new ArrayList<>();
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
        ManifestRecord manifest = ManifestSerde.deserialize(record.value());
        if (!java.util.Arrays.equals(record.key(), ManifestSerde.key(manifest.tableId()))) {
          throw new AssertionError("Manifest of " + manifest.tableId() + " has another key");
        }
        manifests.add(manifest);
      }
    }
    return manifests;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
