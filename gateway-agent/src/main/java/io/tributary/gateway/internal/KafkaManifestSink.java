package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.gateway.KafkaConfig;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.ManifestSerde;
import io.tributary.staging.PositionFormat;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Announces segments on the manifest topic with an idempotent producer ({@code acks=all},
 * {@code enable.idempotence=true}): each record is keyed by its table, so one table's manifests stay
 * in order on one partition, and {@link #publish} waits for the acknowledgement. A gateway that rolls
 * commit groups keys every record by its source instead, so that a group's manifests, and all of the
 * source's, are read in order by one applier.
 */
final class KafkaManifestSink implements ManifestSink, AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final Duration publishTimeout;
  private final boolean keyBySource;
  private final PositionFormat positionFormat;

  /** @param positionFormat the layout of the source's positions, named in every manifest */
  public KafkaManifestSink(KafkaConfig config, String clientId, boolean keyBySource, PositionFormat positionFormat) {
    requireNonNull(config, "config is null");
    this.keyBySource = keyBySource;
    this.positionFormat = requireNonNull(positionFormat, "positionFormat is null");
    this.topic = config.topic();
    this.publishTimeout = config.publishTimeout();
    this.producer = new KafkaProducer<>(producerProperties(config, clientId));
  }

  static Map<String, Object> producerProperties(KafkaConfig config, String clientId) {
    Map<String, Object> properties = new HashMap<>(config.producer());
    long deliveryMillis = config.publishTimeout().toMillis();
    properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
    properties.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(30_000, deliveryMillis)));
    properties.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryMillis));
    properties.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(deliveryMillis));
    properties.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    // The durability chain depends on these; KafkaConfig refuses them in kafka.producer.
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return properties;
  }

  @Override
  public void publish(ManifestRecord manifest) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
        keyBySource ? ManifestSerde.sourceKey(manifest.tableId().source()) : ManifestSerde.key(manifest.tableId()),
        ManifestSerde.serialize(manifest.withPositionFormat(positionFormat)));
    try {
      // delivery.timeout.ms bounds the send; the extra second only covers the callback's hand-off.
      producer.send(record).get(publishTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw GatewayErrors.publishFailed(manifest, topic, cause.toString(), cause);
    } catch (TimeoutException e) {
      throw GatewayErrors.publishFailed(manifest, topic, "no acknowledgement within " + publishTimeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw GatewayErrors.publishFailed(manifest, topic, "interrupted while waiting for the acknowledgement", e);
    } catch (RuntimeException e) {
      throw GatewayErrors.publishFailed(manifest, topic, e.toString(), e);
    }
  }

  /** Closes the producer, waiting at most {@code timeout} for requests in flight. */
  public void close(Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
