package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.CoordinatorStoreConfig;
import io.tributary.coordinator.SharedPostgres;
import io.tributary.coordinator.TableRegistration;
import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.Secret;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The PostgreSQL store's schema migrations on a real PostgreSQL. */
@ExtendWith(SharedPostgres.class)
class PostgresSchemaMigrationsIT {
  private static final String DATABASE = "migrations_it";
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static CoordinatorStoreConfig database;

  @BeforeAll
  static void createDatabase() {
    database = SharedPostgres.newDatabase(DATABASE);
  }

  @Test
  void applyingTwiceIsANoOp() throws SQLException {
    CoordinatorStoreConfig config = database.withSchema("twice");
    PostgresCoordinatorStore.open(config).close();
    List<String> first = history("twice");

    try (PostgresCoordinatorStore store = PostgresCoordinatorStore.open(config)) {
      store.register(new TableRegistration(TableId.parse("a.b.c"), URI.create("file:/t"), List.of("id")), T0);
    }
    try (Connection connection = connect()) {
      SchemaMigrations.Outcome outcome = SchemaMigrations.apply(connection, "twice", SchemaMigrations.load(), "test");
      assertThat(outcome.applied()).isEmpty();
      assertThat(outcome.alreadyApplied()).isEqualTo(SchemaMigrations.FILES.size());
    }

    assertThat(history("twice")).isEqualTo(first).hasSize(SchemaMigrations.FILES.size());
    assertThat(first.get(0)).startsWith("1|coordinator store|" + SchemaMigrations.load().get(0).checksum() + "|");
    assertThat(first.get(1)).startsWith("2|table pause|" + SchemaMigrations.load().get(1).checksum() + "|");
    assertThat(first.get(2)).startsWith("3|event log|" + SchemaMigrations.load().get(2).checksum() + "|");
    try (PostgresCoordinatorStore store = PostgresCoordinatorStore.open(config)) {
      assertThat(store.tables()).hasSize(1);
    }
  }

  @Test
  void storesOpeningTogetherOnAnEmptyDatabaseAllSucceed() throws Exception {
    CoordinatorStoreConfig config = database.withSchema("together");
    int stores = 4;
    CyclicBarrier go = new CyclicBarrier(stores);
    List<Callable<PostgresCoordinatorStore>> opens = new ArrayList<>();
    for (int i = 0; i < stores; i++) {
      opens.add(() -> {
        go.await(10, TimeUnit.SECONDS);
        return PostgresCoordinatorStore.open(config);
      });
    }
    ExecutorService executor = Executors.newFixedThreadPool(stores);
    List<PostgresCoordinatorStore> opened = new ArrayList<>();
    try {
      for (Future<PostgresCoordinatorStore> future : executor.invokeAll(opens, 60, TimeUnit.SECONDS)) {
        opened.add(future.get());
      }
      TableId table = TableId.parse("a.b.c");
      opened.get(0).register(new TableRegistration(table, URI.create("file:/t"), List.of("id")), T0);
      assertThat(opened).allSatisfy(store -> assertThat(store.table(table)).isPresent());
    } finally {
      executor.shutdownNow();
      opened.forEach(PostgresCoordinatorStore::close);
    }
    assertThat(history("together")).hasSize(SchemaMigrations.FILES.size());
  }

  @Test
  void upToDateSchemaNeedsOnlyTheRightToReadAndWriteItsTables() {
    CoordinatorStoreConfig owner = database.withSchema("least_privilege");
    PostgresCoordinatorStore.open(owner).close();
    SharedPostgres.server().createUser("coordinator_runtime", "runtime-pw");
    SharedPostgres.server().execute(DATABASE,
        "GRANT USAGE ON SCHEMA least_privilege TO coordinator_runtime",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA least_privilege TO coordinator_runtime",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA least_privilege TO coordinator_runtime");
    CoordinatorStoreConfig runtime = CoordinatorStoreConfig.postgresql(owner.url().orElseThrow(), "coordinator_runtime",
        Optional.of(new Secret("runtime-pw"))).withSchema("least_privilege");

    TableId table = TableId.parse("a.b.c");
    try (PostgresCoordinatorStore store = PostgresCoordinatorStore.open(runtime)) {
      store.register(new TableRegistration(table, URI.create("file:/t"), List.of("id")), T0);
      assertThat(store.acquireLease(table, new WriterId("w"), T0, T0).epoch().value()).isEqualTo(1);
    }
  }

  @Test
  void changedMigrationStopsTheStart() throws SQLException {
    CoordinatorStoreConfig config = database.withSchema("tampered");
    PostgresCoordinatorStore.open(config).close();
    SharedPostgres.server().execute(DATABASE,
        "UPDATE tampered." + SchemaMigrations.HISTORY_TABLE + " SET checksum = 'abc123' WHERE version = 1");

    assertThatThrownBy(() -> PostgresCoordinatorStore.open(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL))
        .hasMessageContaining("schema 'tampered'")
        .hasMessageContaining("records migration V1 (coordinator store) with checksum abc123")
        .hasMessageContaining("has checksum " + SchemaMigrations.load().get(0).checksum())
        .hasMessageContaining("a migration was changed after it was applied");
  }

  @Test
  void migrationOfANewerCoordinatorStopsTheStart() {
    CoordinatorStoreConfig config = database.withSchema("newer");
    PostgresCoordinatorStore.open(config).close();
    SharedPostgres.server().execute(DATABASE, "INSERT INTO newer." + SchemaMigrations.HISTORY_TABLE
        + " VALUES (" + (SchemaMigrations.FILES.size() + 1) + ", 'from the future', 'f00d', now())");

    assertThatThrownBy(() -> PostgresCoordinatorStore.open(config))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL))
        .hasMessageContaining("has migration V" + (SchemaMigrations.FILES.size() + 1) + " (from the future) applied")
        .hasMessageContaining("Run the newer coordinator version");
  }

  @Test
  void failingMigrationLeavesNothingBehind() throws SQLException {
    List<SchemaMigrations.Migration> migrations = new ArrayList<>(SchemaMigrations.load());
    migrations.add(SchemaMigrations.Migration.parse("V" + (migrations.size() + 1) + "__broken.sql",
        "CREATE TABLE broken (id int"));

    try (Connection connection = connect()) {
      assertThatThrownBy(() -> SchemaMigrations.apply(connection, "broken", migrations, "test"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("migration V" + migrations.size() + " (broken) failed")
          .hasMessageContaining("syntax error");
    }
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'broken'")) {
      rows.next();
      assertThat(rows.getInt(1)).as("the schema created by the failed run").isZero();
    }
  }

  private static List<String> history(String schema) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT version, description, checksum, applied_at FROM " + schema + "."
            + SchemaMigrations.HISTORY_TABLE + " ORDER BY version")) {
      while (result.next()) {
        rows.add(result.getInt(1) + "|" + result.getString(2) + "|" + result.getString(3) + "|" + result.getString(4));
      }
    }
    return rows;
  }

  private static Connection connect() throws SQLException {
    Connection connection = DriverManager.getConnection(database.url().orElseThrow(), SharedPostgres.USER,
        SharedPostgres.PASSWORD);
    connection.setAutoCommit(false);
    return connection;
  }
}
