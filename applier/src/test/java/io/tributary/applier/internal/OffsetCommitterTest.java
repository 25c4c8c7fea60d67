package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A rebalance is a normal event: one line at INFO, no stack trace; other commit failures stay warnings. */
class OffsetCommitterTest {
  private static final String TOPIC = "tributary.manifests";

  private final RefusingConsumer consumer = new RefusingConsumer();
  private final PartitionOffsets offsets = new PartitionOffsets();
  private final OffsetCommitter committer = new OffsetCommitter(consumer, TOPIC, offsets);
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(OffsetCommitter.class);

  /** A consumer whose commits fail with the exceptions queued, then succeed. */
  private static final class RefusingConsumer extends MockConsumer<byte[], byte[]> {
    final List<KafkaException> failures = new ArrayList<>();
    final List<Map<TopicPartition, OffsetAndMetadata>> committed = new ArrayList<>();

    RefusingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      if (!failures.isEmpty()) {
        throw failures.remove(0);
      }
      committed.add(offsets);
    }
  }

  @BeforeEach
  void capture() {
    log.start();
    logger.addAppender(log);
    offsets.read(0, 0);
    offsets.read(0, 1);
  }

  @AfterEach
  void release() {
    logger.detachAppender(log);
  }

  @Test
  void aRebalanceIsSaidOnceAtInfoAndTheOffsetsAreCommittedAfterIt() {
    consumer.failures.add(new RebalanceInProgressException("rebalancing"));
    consumer.failures.add(new RebalanceInProgressException("rebalancing"));

    committer.commit(List.of(0), partition -> OptionalLong.empty());
    committer.commit(List.of(0), partition -> OptionalLong.empty());
    committer.commit(List.of(0), partition -> OptionalLong.empty());

    assertThat(consumer.committed).containsExactly(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(2)));
    assertThat(log.list).singleElement().satisfies(event -> {
      assertThat(event.getLevel()).isEqualTo(Level.INFO);
      assertThat(event.getThrowableProxy()).isNull();
      assertThat(event.getFormattedMessage()).contains("rebalance").doesNotContain("\n");
    });
  }

  @Test
  void otherCommitFailuresStayWarnings() {
    consumer.failures.add(new KafkaException("broker gone"));

    committer.commit(List.of(0), partition -> OptionalLong.empty());

    assertThat(consumer.committed).isEmpty();
    assertThat(log.list).singleElement().satisfies(event -> {
      assertThat(event.getLevel()).isEqualTo(Level.WARN);
      assertThat(event.getFormattedMessage()).contains("broker gone");
    });
  }
}
