package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.coordinator.PublishedPosition;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention deletes old segments only once their changes are in published Delta versions. */
class RetentionSweeperTest {
  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId USERS = TableId.parse("shop.public.users");
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final LocalDate TODAY = LocalDate.ofInstant(NOW, ZoneOffset.UTC);

  @TempDir
  Path directory;

  @Test
  void deletesExpiredAppliedSegmentsAndKeepsTheRest() throws Exception {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), clock)) {
      URI applied1 = touch(store, ORDERS, TODAY.minusDays(40), 1, 1, 10);
      URI applied2 = touch(store, ORDERS, TODAY.minusDays(31), 2, 11, 20);
      URI notApplied = touch(store, ORDERS, TODAY.minusDays(31), 3, 21, 30);
      URI recent = touch(store, ORDERS, TODAY.minusDays(29), 4, 31, 40);
      URI otherTable = touch(store, USERS, TODAY.minusDays(40), 1, 1, 5);
      Map<TableId, PublishedPosition> positions = Map.of(
          ORDERS, new PublishedPosition(ORDERS, 7, Optional.of(position(20))));

      RetentionSweeper sweeper = new RetentionSweeper(store, List.of(ORDERS, USERS), table -> {
        PublishedPosition known = positions.get(table);
        if (known == null) {
          throw new TributaryException(ErrorCode.COORDINATOR_UNAVAILABLE, "Cannot reach the coordinator");
        }
        return known;
      }, Duration.ofDays(30), clock, registry);
      RetentionSweeper.Sweep sweep = sweeper.sweepOnce();

      assertThat(sweep).isEqualTo(new RetentionSweeper.Sweep(2, 1, 1));
      assertThat(Path.of(applied1)).doesNotExist();
      assertThat(Path.of(applied2)).doesNotExist();
      assertThat(Path.of(notApplied)).as("past the retention but not applied").exists();
      assertThat(Path.of(recent)).as("within the retention").exists();
      assertThat(Path.of(otherTable)).as("its table's position is unknown").exists();
      assertThat(registry.get("tributary.gateway.retention.segments.deleted").counter().count()).isEqualTo(2);
      assertThat(registry.get("tributary.gateway.retention.segments.blocked").gauge().value()).isEqualTo(1);

      sweeper.close();
      assertThat(registry.getMeters()).isEmpty();
    }
  }

  @Test
  void nothingIsDeletedBeforeAnythingIsPublished() throws Exception {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), clock)) {
      URI old = touch(store, ORDERS, TODAY.minusDays(90), 1, 1, 10);
      RetentionSweeper sweeper = new RetentionSweeper(store, List.of(ORDERS),
          table -> new PublishedPosition(ORDERS, -1, Optional.empty()), Duration.ofDays(30), clock,
          new SimpleMeterRegistry());
      assertThat(sweeper.sweepOnce()).isEqualTo(new RetentionSweeper.Sweep(0, 1, 0));
      assertThat(Path.of(old)).exists();
    }
  }

  private static SourcePosition position(long lsn) {
    return SourcePosition.of(SourcePosition.PHASE_STREAM, lsn, lsn, 0);
  }

  private static URI touch(StagingStore store, TableId table, LocalDate day, long sequence, long first, long last)
      throws Exception {
    URI segment = store.segmentPath(table, day, sequence, position(first), position(last));
    Path file = Path.of(segment);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "segment");
    return segment;
  }
}
