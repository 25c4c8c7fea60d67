package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The message log the gateway announces segments on (section {@code kafka}).
 *
 * @param topic the manifest topic; created at start-up when missing
 * @param topicPartitions partitions of a created topic; each table maps to one of them by key
 * @param topicReplicationFactor replication factor of a created topic; empty for the broker default
 * @param topicRetention {@code retention.ms} of a created topic
 * @param connectTimeout bound on reaching the cluster during the start-up checks
 * @param publishTimeout bound on waiting for a manifest's acknowledgement before the gateway stops
 * @param producer further producer properties, passed through (security settings, for example)
 */
public record KafkaConfig(
    String bootstrapServers,
    String topic,
    int topicPartitions,
    Optional<Short> topicReplicationFactor,
    Duration topicRetention,
    Duration connectTimeout,
    Duration publishTimeout,
    Map<String, String> producer) {

  /**
   * Producer properties the durability chain depends on; the gateway sets them and refuses other values.
   */
  public static final Set<String> MANAGED_PRODUCER_PROPERTIES = Set.of(
      "bootstrap.servers", "acks", "enable.idempotence", "key.serializer", "value.serializer", "transactional.id");

  public KafkaConfig {
    requireNonNull(bootstrapServers, "bootstrapServers is null");
    requireNonNull(topic, "topic is null");
    requireNonNull(topicReplicationFactor, "topicReplicationFactor is null");
    requireNonNull(topicRetention, "topicRetention is null");
    requireNonNull(connectTimeout, "connectTimeout is null");
    requireNonNull(publishTimeout, "publishTimeout is null");
    producer = Map.copyOf(requireNonNull(producer, "producer is null"));
    if (topicPartitions < 1) {
      throw new IllegalArgumentException("topicPartitions must be >= 1: " + topicPartitions);
    }
  }

  static KafkaConfig from(ConfigReader kafka, Duration stagingRetention) {
    String bootstrap = kafka.requiredString("bootstrap-servers",
        "Kafka brokers to announce segments to, host:port[,host:port...]");
    String topic = kafka.string("topic", io.tributary.staging.ManifestSerde.DEFAULT_TOPIC, "Topic of manifest records (the log appliers read)");
    if (topic.isBlank() || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
      kafka.problem("topic", topic, "use 1-249 letters, digits, '.', '_' or '-'");
      topic = io.tributary.staging.ManifestSerde.DEFAULT_TOPIC;
    }
    int partitions = kafka.integer("topic-partitions", 6, 1,
        "Partitions of the manifest topic when the gateway creates it");
    long replication = kafka.longValue("topic-replication-factor", -1, -1, Short.MAX_VALUE,
        "Replication factor of the manifest topic when the gateway creates it; -1 for the broker default");
    if (replication == 0) {
      kafka.problem("topic-replication-factor", "0", "must be -1 (broker default) or at least 1");
      replication = -1;
    }
    Duration retention = kafka.duration("topic-retention", stagingRetention, Duration.ofMinutes(1),
        "retention.ms of the manifest topic when the gateway creates it; by default staging.retention, so that"
            + " manifests and their segments go together");
    Duration connectTimeout = kafka.duration("connect-timeout", Duration.ofSeconds(10), Duration.ofMillis(100),
        "Bound on reaching Kafka during the start-up checks");
    Duration publishTimeout = kafka.duration("publish-timeout", Duration.ofMinutes(2), Duration.ofSeconds(1),
        "Bound on waiting for a manifest's acknowledgement; the gateway stops when it passes");
    Map<String, String> producer = kafka.stringMap("producer",
        "Further Kafka producer properties, passed through (e.g. security.protocol, sasl.mechanism)");
    for (String key : producer.keySet()) {
      if (MANAGED_PRODUCER_PROPERTIES.contains(key)) {
        kafka.problem("producer." + key, producer.get(key),
            "is set by the gateway itself (acks=all, idempotence on) because the durability chain depends on it");
      }
    }
    producer.keySet().removeAll(MANAGED_PRODUCER_PROPERTIES);
    return new KafkaConfig(bootstrap, topic, partitions,
        replication < 0 ? Optional.empty() : Optional.of((short) replication),
        retention, connectTimeout, publishTimeout, producer);
  }

  /** Shows the producer properties without the values of secret-like ones (SASL JAAS, passwords). */
  @Override
  public String toString() {
    return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", topicPartitions=" + topicPartitions
        + ", topicReplicationFactor=" + topicReplicationFactor + ", topicRetention=" + topicRetention
        + ", connectTimeout=" + connectTimeout + ", publishTimeout=" + publishTimeout
        + ", producer=" + Secret.redacted(producer) + "]";
  }
}
