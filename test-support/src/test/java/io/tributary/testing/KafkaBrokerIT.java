package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerIT {

  @Test
  void producesAndConsumesThenReleasesItsPorts() throws Exception {
    KafkaBroker broker = KafkaBroker.builder(ItDirectories.fresh("kafka")).discardDataOnClose().build();
    try (broker) {
      broker.start();
      assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());

      broker.createTopic("manifests", 3, Map.of("retention.ms", "2592000000", "min.insync.replicas", "1"));

      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        TopicDescription description = admin.describeTopics(List.of("manifests")).allTopicNames().get().get("manifests");
        assertThat(description.partitions()).hasSize(3);
        assertThat(description.partitions().get(0).leader().host()).isEqualTo("127.0.0.1");
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "manifests");
        assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic).get("retention.ms").value())
            .isEqualTo("2592000000");
      }
      List<String> sent = IntStream.range(0, 20).mapToObj(i -> "segment-" + i).toList();
      produce(broker, "manifests", sent);

      assertThat(consumeAll(broker, "manifests", "it-group", sent.size())).containsExactlyInAnyOrderElementsOf(sent);
      assertThatThrownBy(() -> broker.createTopic("manifests", 1, Map.of()))
          .isInstanceOf(FixtureException.class)
          .hasMessageContaining("Cannot create topic 'manifests'")
          .hasMessageContaining("already exists");
    }
    assertThat(broker.state()).isEqualTo(ServerState.STOPPED);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Loopback.isBindable(broker.port()) && Loopback.isBindable(broker.controllerPort()));
    broker.close();
  }

  @Test
  void restartKeepsTopicsAndRecordsOnTheSamePort() throws Exception {
    try (KafkaBroker broker = KafkaBroker.builder(ItDirectories.fresh("kafka-restart")).discardDataOnClose().build()) {
      broker.start();
      broker.createTopic("log", 1, Map.of());
      produce(broker, "log", List.of("before"));
      int port = broker.port();

      broker.restart();

      assertThat(broker.port()).isEqualTo(port);
      produce(broker, "log", List.of("after"));
      assertThat(consumeAll(broker, "log", "restart-group", 2)).containsExactly("before", "after");
    }
  }

  @Test
  void doesNotCreateTopicsAutomatically() throws Exception {
    try (KafkaBroker broker = KafkaBroker.builder(ItDirectories.fresh("kafka-noauto")).discardDataOnClose().build()) {
      broker.start();
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(broker, 2_000))) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("unknown", "v")).get())
            .isInstanceOfAny(ExecutionException.class, TimeoutException.class,
                org.apache.kafka.common.errors.TimeoutException.class)
            .hasMessageContaining("not present in metadata");
      }
    }
  }

  private static void produce(KafkaBroker broker, String topic, List<String> values) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(broker, 30_000))) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic, value, value)).get();
      }
    }
  }

  private static Map<String, Object> producerConfig(KafkaBroker broker, int maxBlockMs) {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
  }

  private static List<String> consumeAll(KafkaBroker broker, String topic, String group, int expected) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          received.add(record.value());
        }
        return received.size() >= expected;
      });
      consumer.commitSync();
      assertThat(consumer.assignment()).extracting(TopicPartition::topic).containsOnly(topic);
    }
    return received;
  }
}
