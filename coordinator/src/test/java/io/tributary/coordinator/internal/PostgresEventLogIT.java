package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.CoordinatorEvent.Severity;
import io.tributary.coordinator.CoordinatorEvent.Type;
import io.tributary.coordinator.CoordinatorStoreConfig;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.SharedPostgres;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One event log for every coordinator sharing a PostgreSQL store. */
@ExtendWith(SharedPostgres.class)
class PostgresEventLogIT {
  private static final TableId ORDERS = TableId.parse("pg.public.orders");
  private static final TableId USERS = TableId.parse("pg.public.users");
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static CoordinatorStoreConfig database;

  @BeforeAll
  static void createDatabase() {
    database = SharedPostgres.newDatabase("events_it");
  }

  private static CoordinatorEvent.Report report(Type type, TableId table, String message, Instant at) {
    return new CoordinatorEvent.Report(at, type, Optional.of(table), Severity.INFO, message, Map.of("k", "v"));
  }

  @Test
  void coordinatorsSharingTheStoreShareOneNumberedLog() {
    CoordinatorStoreConfig config = database.withSchema("shared_log");
    try (PostgresCoordinatorStore first = PostgresCoordinatorStore.open(config);
        PostgresCoordinatorStore second = PostgresCoordinatorStore.open(config)) {
      EventLog one = first.eventLog(Duration.ofDays(7));
      EventLog two = second.eventLog(Duration.ofDays(7));
      CoordinatorEvent a = one.append(report(Type.COMMIT, ORDERS, "a", T0));
      CoordinatorEvent b = two.append(report(Type.LEASE_ACQUIRED, USERS, "b", T0.plusSeconds(60)));
      CoordinatorEvent c = one.append(report(Type.COMMIT, USERS, "c", T0.plusSeconds(120)));

      assertThat(b.sequence()).isGreaterThan(a.sequence());
      assertThat(c.sequence()).isGreaterThan(b.sequence());
      assertThat(two.query(EventQuery.latest())).containsExactly(c, b, a);
      assertThat(one.query(EventQuery.latest().withTable(USERS))).containsExactly(c, b);
      assertThat(one.query(EventQuery.latest().withTypes(Set.of(Type.COMMIT)))).containsExactly(c, a);
      assertThat(one.query(EventQuery.latest().after(a.sequence()).withLimit(1))).containsExactly(c);
      assertThat(one.query(new EventQuery(Optional.empty(), Set.of(), Optional.of(T0.plusSeconds(60)),
          Optional.of(T0.plusSeconds(120)), 0, 10))).containsExactly(b);
      assertThat(two.lastSequence()).isEqualTo(c.sequence());
      assertThat(c.details()).isEqualTo(Map.of("k", "v"));
    }
  }

  @Test
  void theExportReadsOnlySettledEventsAndExpiredOnesAreDeleted() throws Exception {
    CoordinatorStoreConfig config = database.withSchema("settled_log");
    try (PostgresCoordinatorStore store = PostgresCoordinatorStore.open(config)) {
      EventLog log = store.eventLog(Duration.ofDays(1));
      CoordinatorEvent old = log.append(report(Type.COMMIT, ORDERS, "old", T0));
      CoordinatorEvent settled = log.append(report(Type.COMMIT, ORDERS, "settled", T0));
      CoordinatorEvent fresh = log.append(report(Type.COMMIT, ORDERS, "fresh", T0));
      try (Connection connection = DriverManager.getConnection(config.url().orElseThrow(), config.user().orElseThrow(),
          config.password().map(secret -> secret.reveal()).orElse(""));
          Statement statement = connection.createStatement()) {
        statement.execute("UPDATE settled_log.coordinator_events SET recorded_at = now() - interval '2 days'"
            + " WHERE sequence = " + old.sequence());
        statement.execute("UPDATE settled_log.coordinator_events SET recorded_at = now() - interval '2 minutes'"
            + " WHERE sequence = " + settled.sequence());
      }

      assertThat(log.after(0, 10)).as("the fresh event may still have a lower-numbered one committing")
          .containsExactly(old, settled);
      log.purgeExpired();
      assertThat(log.query(EventQuery.latest())).containsExactly(fresh, settled);
      assertThat(log.writeFailures()).isZero();
    }
  }
}
