package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.applier.ApplierConfig;
import io.tributary.applier.ApplierService;
import io.tributary.applier.FaultPoint;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.gateway.GatewayService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Components stopped abruptly while changes keep coming, on real PostgreSQL and Kafka: every table
 * still ends equal to its source, and the mechanisms that make it so are seen at work.
 */
class PipelineRecoveryIT {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRecoveryIT.class);
  private static final Clock CLOCK = Clock.systemUTC();
  private static final Duration WAIT = Duration.ofMinutes(2);

  @Test
  void anApplierStoppedAbruptlyIsReplacedAndItsUnacknowledgedBatchIsRefusedOnReplay() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    AtomicBoolean stop = new AtomicBoolean();
    try (PipelineFixture fixture = new PipelineFixture("applier-crash")) {
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(""));
      try (CoordinatorServer coordinator = CoordinatorServer.start(settings.coordinator(), CLOCK, fixture.registry);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(coordinator.uri(), Optional.empty());
          GatewayService gateway = new GatewayService(settings.gateway(), CLOCK, fixture.registry)) {
        gateway.start();
        Future<Long> changes = fixture.generateInBackground(executor, 8_000, stop);

        // The first applier commits some Delta versions, then stops right after one of them, before
        // its Kafka offsets are committed: the batch is in Delta but not acknowledged.
        AtomicInteger commits = new AtomicInteger();
        FaultPoint crashAfterTwentyCommits = (table, version) ->
            commits.incrementAndGet() >= 20 ? FaultPoint.Action.HALT : FaultPoint.Action.CONTINUE;
        ApplierService first = new ApplierService(writer(settings.applier(), "applier-a"), client, CLOCK,
            fixture.registry, CoordinatedCommitter::new, crashAfterTwentyCommits);
        try {
          first.start();
          await().atMost(WAIT).until(() -> first.state() == ApplierService.State.HALTED);
        } finally {
          first.close();
        }
        assertThat(changes.isDone()).as("changes still coming when the applier stopped").isFalse();
        LOG.info("Applier a halted after {} Delta commits, {} changes made so far", commits.get(),
            fixture.workload.changes());

        try (ApplierService second = new ApplierService(writer(settings.applier(), "applier-b"), client, CLOCK,
            fixture.registry)) {
          second.start();
          long made = changes.get(5, TimeUnit.MINUTES);
          assertThat(made).isGreaterThanOrEqualTo(8_000);

          assertAllEqual(fixture.awaitEqual(settings, Duration.ofMinutes(3)));
          LOG.info("{} changes; replayed batches refused: {}", made, fixture.counted("tributary.applier.batches.replay.refused"));
          assertThat(fixture.counted("tributary.applier.batches.replay.refused"))
              .as("the successor's replay of the unacknowledged batch is refused by its transaction id")
              .isGreaterThanOrEqualTo(1);
          first.status().forEach((table, before) -> assertThat(second.status().get(table).epoch().value())
              .as("the successor's lease of %s fences the first applier", table)
              .isGreaterThan(before.epoch().value()));
        }
      }
    } finally {
      stop.set(true);
      executor.shutdownNow();
    }
  }

  @Test
  void aGatewayKilledMidStreamRestartsWithoutLossAndTheApplierDropsTheChangesItStagedTwice() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    AtomicBoolean stop = new AtomicBoolean();
    List<Process> processes = new ArrayList<>();
    try (PipelineFixture fixture = new PipelineFixture("gateway-crash")) {
      // Offsets are committed once, after the snapshot, and then not for minutes: everything streamed
      // before the kill is captured and staged again after the restart.
      Path config = fixture.writeConfig("");
      Files.writeString(config, Files.readString(config).replace("""
          gateway:
            segment:""", """
          gateway:
            listen-port: 0
            offset-commit-interval: 5m
            segment:"""));
      StandalonePipeline.Settings settings = fixture.settings(config);
      Path dataDirectory = settings.dataDirectory();
      try (CoordinatorServer coordinator = CoordinatorServer.start(settings.coordinator(), CLOCK, fixture.registry);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(coordinator.uri(), Optional.empty());
          ApplierService applier = new ApplierService(settings.applier(), client, CLOCK, fixture.registry)) {
        applier.start();
        Future<Long> changes = fixture.generateInBackground(executor, 1_000_000, stop);

        Process first = launchGateway(config, dataDirectory, 1);
        processes.add(first);
        // Killed once the snapshot is applied and streamed changes are being applied.
        await().atMost(WAIT).until(() -> fixture.counted("tributary.applier.batches.applied") >= 30);
        kill(first);
        double appliedAtKill = fixture.counted("tributary.applier.batches.applied");
        LOG.info("Gateway killed after {} applied batches, {} changes made so far", appliedAtKill,
            fixture.workload.changes());

        Process second = launchGateway(config, dataDirectory, 2);
        processes.add(second);
        await().atMost(WAIT).until(() -> fixture.counted("tributary.applier.batches.applied") >= appliedAtKill + 20);
        stop.set(true);
        long made = changes.get(1, TimeUnit.MINUTES);
        LOG.info("{} changes made", made);

        assertAllEqual(fixture.awaitEqual(settings, Duration.ofMinutes(3)));
        LOG.info("Duplicates dropped at apply: {}", fixture.counted("tributary.applier.events.duplicate.dropped"));
        assertThat(fixture.counted("tributary.applier.events.duplicate.dropped"))
            .as("changes staged before the kill and again after the restart are dropped at apply")
            .isGreaterThan(0);

        second.destroy();
        assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("SIGTERM stops the gateway").isTrue();
        // The JVM's answer to SIGTERM is 128 + 15 once the shutdown hook has stopped the gateway.
        assertThat(second.exitValue()).as("exit code after SIGTERM; see " + log(dataDirectory, 2)).isEqualTo(143);
        assertThat(Files.readString(log(dataDirectory, 2)))
            .contains("Announced every open segment of source shop before stopping")
            .contains("state STOPPING -> STOPPED");
      } finally {
        // Before the fixture stops PostgreSQL, which waits for the gateway's replication connection.
        for (Process process : processes) {
          process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      }
    } finally {
      stop.set(true);
      executor.shutdownNow();
    }
  }

  private static void assertAllEqual(List<TableComparison> results) {
    assertThat(results).hasSize(3).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());
  }

  private static ApplierConfig writer(ApplierConfig config, String writerId) {
    return new ApplierConfig(config.tablesLocation(), config.groupId(), new WriterId(writerId),
        config.batchMaxSegments(), config.batchMaxWait(), config.leaseTtl(), config.consumerProperties(),
        config.bootstrapServers(), config.topic(), config.staging());
  }

  /** {@code tributary gateway} in its own JVM, as it is deployed, logging to a file per run. */
  private static Process launchGateway(Path config, Path dataDirectory, int run) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "gateway", "--config", config.toString(), "--data-dir", dataDirectory.toString());
    builder.redirectErrorStream(true);
    builder.redirectOutput(log(dataDirectory, run).toFile());
    return builder.start();
  }

  private static Path log(Path dataDirectory, int run) {
    return dataDirectory.resolveSibling("gateway-run-" + run + ".log");
  }

  private static void kill(Process process) throws Exception {
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }
}
