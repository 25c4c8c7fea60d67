package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.coordinator.CoordinatorStoreConfig;
import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.Lease;
import io.tributary.coordinator.SharedPostgres;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.Secret;
import io.tributary.testing.Loopback;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The store contract on a real PostgreSQL, plus what only a shared database can get wrong. */
@ExtendWith(SharedPostgres.class)
class PostgresCoordinatorStoreIT extends CoordinatorStoreContractTest {
  private static final String DATABASE = "store_it";
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static CoordinatorStoreConfig database;

  private CoordinatorStoreConfig config;

  @BeforeAll
  static void createDatabase() {
    database = SharedPostgres.newDatabase(DATABASE);
  }

  @Override
  CoordinatorStore newStore() {
    config = database.withSchema("contract_" + SCHEMAS.incrementAndGet());
    return PostgresCoordinatorStore.open(config);
  }

  @Override
  CoordinatorStore reopen(CoordinatorStore previous) {
    previous.close();
    return PostgresCoordinatorStore.open(config);
  }

  @Test
  void twoStoresOverOneSchemaNeverRatifyAVersionTwice() throws Exception {
    try (CoordinatorStore second = PostgresCoordinatorStore.open(config)) {
      store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
      Lease lease = second.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
      for (long version = 0; version < 10; version++) {
        long proposed = version;
        List<Optional<ErrorCode>> outcomes = race(racer -> attempt(() -> (racer % 2 == 0 ? store : second)
            .ratify(entry(store, lease, proposed, Optional.of(SourcePosition.of(proposed, racer))))));

        assertThat(outcomes).filteredOn(Optional::isEmpty).hasSize(1);
        assertThat(outcomes).filteredOn(Optional::isPresent)
            .allSatisfy(code -> assertThat(code).contains(ErrorCode.COMMIT_CONFLICT));
      }
      assertThat(second.history(TABLE)).isEqualTo(store.history(TABLE)).hasSize(10);
      assertThat(second.table(TABLE)).isEqualTo(store.table(TABLE));
    }
  }

  @Test
  void twoStoresOverOneSchemaNeverHandOutAnEpochTwice() throws Exception {
    try (CoordinatorStore second = PostgresCoordinatorStore.open(config)) {
      store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
      List<Long> epochs = new ArrayList<>();
      for (Optional<Lease> lease : race(racer -> Optional.of((racer % 2 == 0 ? store : second)
          .acquireLease(TABLE, new WriterId("applier-" + racer), T0, T0.plusSeconds(30))))) {
        epochs.add(lease.orElseThrow().epoch().value());
      }
      assertThat(epochs).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      assertThat(second.table(TABLE).orElseThrow().epoch()).isEqualTo(new Epoch(8));
    }
  }

  @Test
  void commitPublishedByTwoCoordinatorsIsMarkedOnce() {
    try (CoordinatorStore second = PostgresCoordinatorStore.open(config)) {
      store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
      Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
      store.ratify(entry(store, lease, 0, Optional.empty()));

      URI staged = CoordinatorStoreContractTest.staged(store, TABLE, 0);
      CommitEntry first = second.markPublished(TABLE, 0, staged, 10, 1000, T0);
      CommitEntry again = store.markPublished(TABLE, 0, staged, 10, 1001, T0.plusSeconds(1));

      assertThat(again).isEqualTo(first);
      assertThat(store.commit(TABLE, 0)).contains(first);
      assertThat(store.unpublished()).isEmpty();
    }
  }

  @Test
  void timesAreKeptToTheMicrosecondAndReadBackAsReturned() {
    Instant precise = Instant.parse("2026-11-01T10:00:30.123456789Z");
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);

    Lease lease = store.acquireLease(TABLE, A, T0, precise);

    assertThat(lease.expiresAt()).isEqualTo(Instant.parse("2026-11-01T10:00:30.123456Z"));
    assertThat(store.table(TABLE).orElseThrow().lease()).contains(lease);
  }

  @Test
  void serializationFailuresAreRetriedABoundedNumberOfTimes() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    String schema = config.schema();
    SharedPostgres.server().execute(DATABASE,
        "CREATE SEQUENCE " + schema + ".failures",
        "GRANT USAGE ON SEQUENCE " + schema + ".failures TO " + SharedPostgres.USER,
        "CREATE FUNCTION " + schema + ".fail_twice() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF nextval('" + schema + ".failures') % 3 <> 0 THEN"
            + " RAISE EXCEPTION 'could not serialize (test)' USING ERRCODE = 'serialization_failure'; END IF;"
            + " RETURN NEW; END $$",
        "CREATE TRIGGER fail_twice BEFORE INSERT ON " + schema + ".coordinator_commits FOR EACH ROW EXECUTE FUNCTION "
            + schema + ".fail_twice()");

    // Fails twice, then succeeds: within the attempts allowed.
    assertThat(store.ratify(entry(store, lease, 0, Optional.empty())).version()).isZero();

    SharedPostgres.server().execute(DATABASE, "ALTER SEQUENCE " + schema + ".failures INCREMENT BY 3 RESTART WITH 1");
    assertThatThrownBy(() -> store.ratify(entry(store, lease, 1, Optional.empty())))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.COORDINATOR_UNAVAILABLE))
        .hasMessageContaining("could not ratify version 1 of pg1.public.orders")
        .hasMessageContaining("could not serialize (test) (SQLState 40001)")
        .hasMessageContaining("Nothing was changed");
    assertThat(store.table(TABLE).orElseThrow().version()).isZero();
  }

  @Test
  void failureWhileCommittingLeavesTheOutcomeUnknownAndBeforeItChangesNothing() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    Lease lease = store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    String schema = config.schema();
    SharedPostgres.server().execute(DATABASE,
        "CREATE FUNCTION " + schema + ".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " RAISE EXCEPTION 'refused (test)'; END $$",
        "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON " + schema + ".coordinator_commits"
            + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + schema + ".refuse()");

    assertThatThrownBy(() -> store.ratify(entry(store, lease, 0, Optional.empty())))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILURE))
        .hasMessageContaining("while committing the change to ratify version 0 of pg1.public.orders")
        .hasMessageContaining("refused (test)")
        .hasMessageContaining("may or may not have been made");

    SharedPostgres.server().execute(DATABASE,
        "DROP TRIGGER refuse_at_commit ON " + schema + ".coordinator_commits",
        "CREATE TRIGGER refuse_now BEFORE INSERT ON " + schema + ".coordinator_commits FOR EACH ROW EXECUTE FUNCTION "
            + schema + ".refuse()");
    assertThatThrownBy(() -> store.ratify(entry(store, lease, 0, Optional.empty())))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.COORDINATOR_UNAVAILABLE))
        .hasMessageContaining("Nothing was changed");
    assertThat(store.table(TABLE).orElseThrow().version()).isEqualTo(-1);
  }

  @Test
  void lostConnectionsAreReplacedAndAnUnreachableDatabaseIsUnavailableUntilItIsBack() {
    store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    String terminate = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + SharedPostgres.USER
        + "' AND datname = '" + DATABASE + "'";
    SharedPostgres.server().execute(DATABASE, terminate);
    assertThat(store.acquireLease(TABLE, A, T0, T0.plusSeconds(30)).epoch()).isEqualTo(new Epoch(1));

    try {
      SharedPostgres.server().execute(DATABASE, "ALTER ROLE " + SharedPostgres.USER + " NOLOGIN", terminate);
      assertThatThrownBy(() -> store.acquireLease(TABLE, B, T0, T0.plusSeconds(30)))
          .isInstanceOfSatisfying(TributaryException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.COORDINATOR_UNAVAILABLE))
          .hasMessageContaining("could not give the lease of pg1.public.orders to applier-b")
          .hasMessageContaining("not permitted to log in")
          .hasMessageContaining("Nothing was changed")
          .hasMessageNotContaining(SharedPostgres.PASSWORD);
      await().atMost(Duration.ofSeconds(15)).until(() -> !store.healthy());
    } finally {
      SharedPostgres.server().execute(DATABASE, "ALTER ROLE " + SharedPostgres.USER + " LOGIN");
    }
    await().atMost(Duration.ofSeconds(15)).until(store::healthy);
    assertThat(store.acquireLease(TABLE, B, T0, T0.plusSeconds(30)).epoch()).isEqualTo(new Epoch(2));
  }

  @Test
  void wrongPasswordIsAConfigurationErrorAndNoPasswordIsEverPrintedOrLogged() {
    String wrong = "Wrong-Pw-3v9k-never-print-me";
    CoordinatorStoreConfig wrongPassword = new CoordinatorStoreConfig(CoordinatorStoreConfig.Type.POSTGRESQL,
        config.url(), config.user(), Optional.of(new Secret(wrong)), "wrong_password", 2, Duration.ofSeconds(1));
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    try {
      assertThatThrownBy(() -> PostgresCoordinatorStore.open(wrongPassword))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("Cannot open the coordinator store (PostgreSQL database 'store_it' at 127.0.0.1:"
              + SharedPostgres.server().port() + ", schema 'wrong_password', user 'coordinator')")
          .hasMessageContaining("password authentication failed for user \"coordinator\"")
          .hasMessageContaining("Check coordinator.store.user and coordinator.store.password")
          .hasMessageNotContaining(wrong);
      // A working store logs too: opening, migrating, closing.
      PostgresCoordinatorStore.open(config.withSchema("logged")).close();
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
    }
    assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
      String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
          : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      assertThat(line).doesNotContain(wrong).doesNotContain(SharedPostgres.PASSWORD);
    });
    assertThat(wrongPassword.toString()).doesNotContain(wrong);
  }

  @Test
  void unreachableDatabaseIsUnavailableAndNamesItsAddress() {
    int port = Loopback.freePort();
    CoordinatorStoreConfig nowhere = CoordinatorStoreConfig.postgresql("jdbc:postgresql://127.0.0.1:" + port + "/store_it",
        SharedPostgres.USER, Optional.of(new Secret(SharedPostgres.PASSWORD))).withPool(1, Duration.ofMillis(500));

    assertThatThrownBy(() -> PostgresCoordinatorStore.open(nowhere))
        .isInstanceOfSatisfying(TributaryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.COORDINATOR_UNAVAILABLE))
        .hasMessageContaining("PostgreSQL database 'store_it' at 127.0.0.1:" + port)
        .hasMessageContaining("Connection to 127.0.0.1:" + port + " refused")
        .hasMessageContaining("Check that PostgreSQL runs at the address in coordinator.store.url");
  }

  @Test
  void missingDatabaseOrPrivilegesAreConfigurationErrors() {
    assertThatThrownBy(() -> PostgresCoordinatorStore.open(SharedPostgres.config("no_such_database")))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("database \"no_such_database\" does not exist")
        .hasMessageContaining("it must exist");

    SharedPostgres.server().createDatabase("no_create_privilege");
    assertThatThrownBy(() -> PostgresCoordinatorStore.open(SharedPostgres.config("no_create_privilege")))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("permission denied for database no_create_privilege")
        .hasMessageContaining("Grant user 'coordinator' the right to create schema 'tributary'");
  }
}
