package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table gauges follow the store: the time of a table's latest commit is the one recorded with
 * it, whoever ratified it, and is there again after a restart.
 */
class CoordinatorMetricsTest {
  private static final TableId TABLE = TableId.parse("pg1.public.orders");
  private static final WriterId WRITER = new WriterId("applier-a");
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final String LAST_COMMIT = "tributary.coordinator.table.last.commit.timestamp";

  @TempDir
  Path directory;

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private CoordinatorStore store;

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void lastCommitIsTheRatificationTimeRecordedWithTheLatestVersion() {
    store = FileCoordinatorStore.open(directory.resolve("store"));
    store.register(new TableRegistration(TABLE, URI.create("file:/data/tables/orders"), List.of("id")), T0);
    CoordinatorMetrics metrics = new CoordinatorMetrics(registry, store, Duration.ZERO);
    metrics.track(TABLE);

    assertThat(registry.scrape())
        .contains("# TYPE tributary_coordinator_table_last_commit_timestamp_seconds gauge")
        .contains("tributary_coordinator_table_last_commit_timestamp_seconds{table=\"pg1.public.orders\"} NaN");

    Lease lease = store.acquireLease(TABLE, WRITER, T0, T0.plusSeconds(30));
    store.ratify(entry(lease, 0, T0.plusSeconds(5)));
    assertThat(lastCommit()).isEqualTo(T0.getEpochSecond() + 5);
    store.markPublished(TABLE, 0, staged(0), 10, 1000, T0.plusSeconds(6));
    store.ratify(entry(lease, 1, T0.plusMillis(60_250)));
    assertThat(lastCommit()).isEqualTo(T0.getEpochSecond() + 60.25);
    assertThat(registry.get("tributary.coordinator.table.version").gauge().value()).isEqualTo(1);

    store.withdraw(TABLE, 1, staged(1), "log entry taken", T0.plusSeconds(61));
    assertThat(lastCommit()).as("back to the version before the withdrawn one").isEqualTo(T0.getEpochSecond() + 5);

    metrics.close();
    assertThat(registry.find(LAST_COMMIT).gauge()).isNull();
  }

  @Test
  void refusalsAndCommitGroupsAreServedAtZeroFromTheStart() {
    // An alert on increase() sees the first fenced writer after a restart only if the series was there before it.
    store = FileCoordinatorStore.open(directory.resolve("store"));
    CoordinatorMetrics metrics = new CoordinatorMetrics(registry, store, Duration.ZERO);

    assertThat(registry.scrape())
        .contains("tributary_coordinator_commits_refused_total{reason=\"stale_epoch\"} 0.0")
        .contains("tributary_coordinator_commits_refused_total{reason=\"commit_conflict\"} 0.0")
        .contains("tributary_coordinator_commit_groups_total{outcome=\"ratified\"} 0.0")
        .contains("tributary_coordinator_commit_groups_total{outcome=\"refused\"} 0.0");
    metrics.commitRefused(ErrorCode.STALE_EPOCH);
    assertThat(registry.get("tributary.coordinator.commits.refused").tag("reason", "stale_epoch").counter().count())
        .isEqualTo(1);
  }

  @Test
  void lastCommitIsRestoredFromTheStoreAfterARestart() {
    store = FileCoordinatorStore.open(directory.resolve("store"));
    store.register(new TableRegistration(TABLE, URI.create("file:/data/tables/orders"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, WRITER, T0, T0.plusSeconds(30));
    store.ratify(entry(lease, 0, T0.plusSeconds(7)));
    store.close();

    store = FileCoordinatorStore.open(directory.resolve("store"));
    new CoordinatorMetrics(registry, store, Duration.ZERO).track(TABLE);

    assertThat(lastCommit()).isEqualTo(T0.getEpochSecond() + 7);
  }

  private double lastCommit() {
    return registry.get(LAST_COMMIT).tag("table", TABLE.canonical()).gauge().value();
  }

  private URI staged(long version) {
    return URI.create(store.table(TABLE).orElseThrow().stagedCommitDirectory()
        + String.format("/%020d.%s.json", version, "00000000-0000-0000-0000-000000000000"));
  }

  private CommitEntry entry(Lease lease, long version, Instant committedAt) {
    TableState table = store.table(TABLE).orElseThrow();
    CommitRecord record = new CommitRecord(TABLE, version, lease.writer(), lease.epoch(), Optional.empty(),
        List.of(URI.create("file:/staging/seg-" + version + ".parquet")), 5, committedAt,
        table.publishedCommit(version), CommitRecord.Status.RATIFIED, Optional.empty());
    return new CommitEntry(record, staged(version), "0".repeat(64), 10, OptionalLong.empty());
  }
}
