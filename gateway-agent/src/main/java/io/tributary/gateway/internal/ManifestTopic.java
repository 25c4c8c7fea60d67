package io.tributary.gateway.internal;

import io.tributary.gateway.KafkaConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up check of the message log: the cluster answers within {@code kafka.connect-timeout}, and
 * the manifest topic exists, created when missing with {@code cleanup.policy=delete} and the
 * configured partitions, replication factor and retention.
 */
public final class ManifestTopic {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestTopic.class);
  /** Admin client properties that must not come from the producer pass-through. */
  private static final Set<String> PRODUCER_ONLY = Set.of("linger.ms", "batch.size", "compression.type",
      "max.in.flight.requests.per.connection", "buffer.memory", "delivery.timeout.ms", "max.block.ms");

  private ManifestTopic() {}

  /**
   * Checks the cluster and ensures the topic.
   *
   * @throws io.tributary.staging.TributaryException KAFKA_UNREACHABLE naming the bootstrap servers
   */
  public static void ensure(KafkaConfig config) {
    Duration timeout = config.connectTimeout();
    Map<String, Object> properties = new HashMap<>(config.producer());
    properties.keySet().removeAll(PRODUCER_ONLY);
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    properties.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(10_000L, timeout.toMillis()));
    properties.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(10_000L, timeout.toMillis()));
    properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "tributary-gateway-admin");
    Admin admin;
    try {
      admin = Admin.create(properties);
    } catch (KafkaException e) {
      throw GatewayErrors.kafkaUnreachable(config.bootstrapServers(), timeout, rootMessage(e), e);
    }
    try {
      reach(admin, config, timeout);
      ensureTopic(admin, config, timeout);
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
  }

  private static void reach(Admin admin, KafkaConfig config, Duration timeout) {
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .clusterId().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw GatewayErrors.kafkaUnreachable(config.bootstrapServers(), timeout, rootMessage(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw GatewayErrors.kafkaUnreachable(config.bootstrapServers(), timeout, "no broker answered", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw GatewayErrors.kafkaUnreachable(config.bootstrapServers(), timeout, "interrupted", e);
    }
  }

  private static void ensureTopic(Admin admin, KafkaConfig config, Duration timeout) {
    String topic = config.topic();
    boolean exists = await(admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
        .allTopicNames(), UnknownTopicOrPartitionException.class, config, timeout);
    if (exists) {
      return;
    }
    NewTopic newTopic = new NewTopic(topic, java.util.Optional.of(config.topicPartitions()), config.topicReplicationFactor())
        .configs(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.topicRetention().toMillis())));
    if (await(admin.createTopics(List.of(newTopic)).all(), TopicExistsException.class, config, timeout)) {
      LOG.info("Created manifest topic '{}' with {} partitions, retention {} ms", topic, config.topicPartitions(),
          config.topicRetention().toMillis());
    }
  }

  /**
   * Waits for an admin request about the manifest topic. Returns true when it succeeded, false when
   * it failed with the one {@code expected} error (the topic is missing, or already exists); any
   * other outcome is a clear error naming the topic and the brokers.
   */
  private static boolean await(java.util.concurrent.Future<?> request, Class<? extends Throwable> expected,
      KafkaConfig config, Duration timeout) {
    try {
      request.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (expected.isInstance(e.getCause())) {
        return false;
      }
      throw GatewayErrors.topicUnavailable(config.topic(), config.bootstrapServers(), rootMessage(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw GatewayErrors.topicUnavailable(config.topic(), config.bootstrapServers(), "no answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw GatewayErrors.topicUnavailable(config.topic(), config.bootstrapServers(), "interrupted", e);
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
