package io.tributary.loadtests.internal;

import io.tributary.staging.ManifestRecord;
import io.tributary.staging.ManifestSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a manifest topic as it grows, on its own thread, and counts what it announces: a change is
 * captured, for the benchmarks, once the gateway has staged it durably and Kafka has acknowledged
 * its segment's manifest. Keeps when each manifest was read, for progress over time.
 */
public final class ManifestWatcher implements AutoCloseable {
  /** Rows announced so far, and when ({@link System#nanoTime()}). */
  public record Progress(long nanos, long rows) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final List<Progress> progress = new ArrayList<>();
  private final List<ManifestRecord> manifests = new ArrayList<>();
  private long rows;
  private long segments;
  private long bytes;
  private RuntimeException failure;
  private volatile boolean closed;

  private ManifestWatcher(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    this.consumer = consumer;
    this.thread = new Thread(() -> read(topic), "benchmark-manifests-" + topic);
    this.thread.setDaemon(true);
  }

  /** Starts reading {@code topic} from its beginning. */
  public static ManifestWatcher start(String bootstrapServers, String topic) {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "benchmark-" + topic);
    ManifestWatcher watcher = new ManifestWatcher(new KafkaConsumer<>(properties), topic);
    watcher.thread.start();
    return watcher;
  }

  /** Rows announced so far. */
  public synchronized long rows() {
    return rows;
  }

  /** Segments announced so far. */
  public synchronized long segments() {
    return segments;
  }

  /** Bytes of the segments announced so far. */
  public synchronized long bytes() {
    return bytes;
  }

  /** The manifests read so far, in log order. */
  public synchronized List<ManifestRecord> manifests() {
    return List.copyOf(manifests);
  }

  /** Rows announced over time, one entry per manifest. */
  public synchronized List<Progress> progress() {
    return List.copyOf(progress);
  }

  /**
   * Waits until at least {@code expected} rows are announced, while {@code alive} holds and until
   * {@code deadlineNanos} ({@link System#nanoTime()}); returns when the manifest that reached them
   * was read, or empty if they were not reached.
   *
   * @throws IllegalStateException if reading the topic failed
   */
  public synchronized OptionalLong awaitRows(long expected, long deadlineNanos, BooleanSupplier alive)
      throws InterruptedException {
    while (rows < expected) {
      if (failure != null) {
        throw new IllegalStateException("Reading the manifest topic failed: " + failure.getMessage(), failure);
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !alive.getAsBoolean()) {
        return OptionalLong.empty();
      }
      wait(Math.max(1, Math.min(500, TimeUnit.NANOSECONDS.toMillis(left))));
    }
    for (Progress step : progress) {
      if (step.rows() >= expected) {
        return OptionalLong.of(step.nanos());
      }
    }
    throw new IllegalStateException("no progress recorded for " + expected + " rows");
  }

  private void read(String topic) {
    try {
      List<TopicPartition> partitions = List.of();
      while (!closed && partitions.isEmpty()) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        partitions = infos == null ? List.of()
            : infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          ManifestRecord manifest = ManifestSerde.deserialize(record.value());
          long now = System.nanoTime();
          synchronized (this) {
            rows += manifest.rowCount();
            segments++;
            bytes += manifest.bytes();
            progress.add(new Progress(now, rows));
            manifests.add(manifest);
            notifyAll();
          }
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      synchronized (this) {
        failure = e;
        notifyAll();
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    thread.join(TimeUnit.SECONDS.toMillis(10));
  }
}
