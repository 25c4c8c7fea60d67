package io.tributary.applier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.applier.testing.StagedCommitter;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.StagingConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplierServiceTest {
  @TempDir
  Path dir;

  private ApplierConfig config(Map<String, String> consumer) {
    return new ApplierConfig(dir.resolve("delta").toUri(), "appliers", new WriterId("writer-1"), 64,
        Duration.ofMillis(200), Duration.ofSeconds(30), consumer, "127.0.0.1:1", "tributary.manifests",
        StagingConfig.local(dir.resolve("staging")));
  }

  private ApplierService service(ApplierConfig config) {
    Clock clock = Clock.systemUTC();
    return new ApplierService(config, new FakeCoordinator(clock), clock, new SimpleMeterRegistry(),
        StagedCommitter.FACTORY, FaultPoint.NONE);
  }

  @Test
  void theConsumerReadsCommittedManifestsAndCommitsOffsetsItself() {
    ApplierService service = service(config(Map.of("max.poll.records", "50", "session.timeout.ms", "10000")));

    assertThat(service.consumerProperties()).containsAllEntriesOf(Map.of(
        "bootstrap.servers", "127.0.0.1:1",
        "group.id", "appliers",
        "enable.auto.commit", false,
        "isolation.level", "read_committed",
        "auto.offset.reset", "earliest",
        "max.poll.records", "50",
        "session.timeout.ms", "10000",
        "client.id", "tributary-applier-writer-1",
        "partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"));
  }

  @Test
  void reservedConsumerPropertiesCannotBePassedThrough() {
    assertThatThrownBy(() -> config(Map.of("enable.auto.commit", "true")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'enable.auto.commit' is set by the applier");
  }

  @Test
  void startsOnceAndClosesIdempotently() {
    ApplierService service = service(config(Map.of()));
    assertThat(service.state()).isEqualTo(ApplierService.State.NEW);
    assertThat(service.status()).isEmpty();

    service.start();
    assertThat(service.state()).isEqualTo(ApplierService.State.RUNNING);
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("is RUNNING");

    service.close();
    await().atMost(Duration.ofSeconds(30)).until(() -> service.state() == ApplierService.State.STOPPED);
    service.close();
    assertThat(service.state()).isEqualTo(ApplierService.State.STOPPED);
  }

  @Test
  void closingAServiceNeverStartedStopsIt() {
    ApplierService service = service(config(Map.of()));
    service.close();
    service.close();

    assertThat(service.state()).isEqualTo(ApplierService.State.STOPPED);
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
  }
}
