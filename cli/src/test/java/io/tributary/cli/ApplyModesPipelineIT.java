package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.Verification;
import io.tributary.staging.Column;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Apply modes end to end on real PostgreSQL and Kafka: a table without a primary key (append-only,
 * the default for it), a table with soft delete and an SCD type 2 table, each with rows read by the
 * initial snapshot and changes streamed afterwards; the Delta tables end with exactly the rows each
 * mode promises, metadata included.
 */
class ApplyModesPipelineIT {
  private static final TableId EVENTS = TableId.parse(PipelineFixture.SOURCE + ".public.events");
  private static final TableId MEMBERS = TableId.parse(PipelineFixture.SOURCE + ".public.members");
  private static final TableId PRICES = TableId.parse(PipelineFixture.SOURCE + ".public.prices");
  private static final Duration CATCH_UP = Duration.ofMinutes(2);

  @Test
  void keylessSoftDeleteAndScd2TablesHoldWhatTheirModesPromise() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("apply-modes")) {
      sql(fixture,
          "CREATE TABLE events (kind text NOT NULL, amount integer)",
          "ALTER TABLE events REPLICA IDENTITY FULL",
          "INSERT INTO events VALUES ('a', 1)",
          "CREATE TABLE members (id integer PRIMARY KEY, name text NOT NULL)",
          "INSERT INTO members VALUES (1, 'ada'), (2, 'bob')",
          "CREATE TABLE prices (id integer PRIMARY KEY, price integer NOT NULL)",
          "INSERT INTO prices VALUES (1, 10)");
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(
          List.of("public.events", "public.members", "public.prices"), """
              applier:
                tables:
                  "shop.public.members":
                    soft-delete: true
                  "shop.public.prices":
                    mode: scd2
              """));
      DeltaTableReader reader = new DeltaTableReader(Map.of());
      try (StandalonePipeline pipeline = fixture.start(settings)) {
        // The snapshot first, so that its reads are not merged with the streamed changes of the same rows.
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
          assertThat(reader.read(settings.applier().tableLocation(EVENTS)).rows()).hasSize(1);
          assertThat(reader.read(settings.applier().tableLocation(MEMBERS)).rows()).hasSize(2);
          assertThat(reader.read(settings.applier().tableLocation(PRICES)).rows()).hasSize(1);
        });
        sql(fixture,
            "INSERT INTO events VALUES ('b', 2)",
            "UPDATE events SET amount = 20 WHERE kind = 'b'",
            "DELETE FROM events WHERE kind = 'a'",
            "INSERT INTO events VALUES ('b', 20)",
            "DELETE FROM members WHERE id = 1",
            "DELETE FROM members WHERE id = 2",
            "INSERT INTO members VALUES (3, 'cy')",
            "UPDATE prices SET price = 20 WHERE id = 1",
            "UPDATE prices SET price = 30 WHERE id = 1",
            "INSERT INTO prices VALUES (2, 5)",
            "DELETE FROM prices WHERE id = 2");
        sql(fixture, "INSERT INTO members VALUES (1, 'ada again')");

        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
          assertEvents(reader.read(settings.applier().tableLocation(EVENTS)));
          assertMembers(reader.read(settings.applier().tableLocation(MEMBERS)));
          assertPrices(reader.read(settings.applier().tableLocation(PRICES)));
        });
        try (Connection connection = fixture.postgres.connect("shop")) {
          assertThatThrownBy(() -> Verification.compare(connection, settings.applier().tableLocation(EVENTS), EVENTS))
              .isInstanceOfSatisfying(TributaryException.class,
                  e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFY_MISMATCH))
              .hasMessageContaining("has the change metadata columns [__op, __position, __source_ts, __txid]");
        }
      }
    }
  }

  /** Every change appended, in source order, with its operation, position, commit time and transaction. */
  private static void assertEvents(DeltaTableContents table) {
    assertThat(table.schema().columns()).extracting(column -> column.name() + " " + column.type())
        .containsExactly("kind STRING", "amount INT", "__op STRING", "__position STRING", "__source_ts TIMESTAMP",
            "__txid STRING");
    assertThat(table.schema().keyColumns()).isEmpty();
    List<Object[]> rows = table.rows();
    assertThat(rows).extracting(row -> Arrays.asList(row[0], row[1], row[2])).containsExactly(
        Arrays.asList("a", 1, "r"),
        Arrays.asList("b", 2, "c"),
        Arrays.asList("b", 20, "u"),
        Arrays.asList("a", 1, "d"),
        Arrays.asList("b", 20, "c"));
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i)[4]).as("source commit time of row %s", i).isInstanceOf(Long.class);
      if (i > 0) {
        assertThat((String) rows.get(i)[3]).isGreaterThan((String) rows.get(i - 1)[3]);
        assertThat((long) rows.get(i)[4]).isGreaterThanOrEqualTo((long) rows.get(i - 1)[4]);
        assertThat(rows.get(i)[5]).as("transaction of streamed row %s", i).isNotNull();
      }
    }
  }

  /** Deleted rows stay with their values and the time of their delete; a re-inserted key is live again. */
  private static void assertMembers(DeltaTableContents table) {
    assertThat(table.schema().columns()).extracting(Column::name).containsExactly("id", "name", "__deleted_at");
    List<Object[]> rows = table.rows();
    assertThat(rows).extracting(row -> Arrays.asList(row[0], row[1])).containsExactly(
        Arrays.asList(1, "ada again"), Arrays.asList(2, "bob"), Arrays.asList(3, "cy"));
    assertThat(rows.get(0)[2]).as("re-inserted").isNull();
    assertThat(rows.get(1)[2]).as("deleted").isInstanceOf(Long.class);
    assertThat(rows.get(2)[2]).as("never deleted").isNull();
  }

  /** Every version of each key, each closed by the change that opened the next, only the last current. */
  private static void assertPrices(DeltaTableContents table) {
    assertThat(table.schema().columns()).extracting(Column::name).containsExactly("id", "price", "__start_at",
        "__start_position", "__end_at", "__end_position", "__current");
    List<Object[]> rows = table.rows();
    assertThat(rows).extracting(row -> Arrays.asList(row[0], row[1], row[6])).containsExactly(
        Arrays.asList(1, 10, false), Arrays.asList(1, 20, false), Arrays.asList(1, 30, true),
        Arrays.asList(2, 5, false));
    for (int i = 0; i < 2; i++) {
      assertThat(rows.get(i)[4]).as("end of version %s is the start of the next", i).isEqualTo(rows.get(i + 1)[2]);
      assertThat(rows.get(i)[5]).isEqualTo(rows.get(i + 1)[3]);
    }
    assertThat(rows.get(2)[4]).isNull();
    assertThat(rows.get(2)[5]).isNull();
    assertThat((String) rows.get(3)[5]).as("closed by its delete").isGreaterThan((String) rows.get(3)[3]);
    assertThat(rows).allSatisfy(row -> assertThat(row[2]).isInstanceOf(Long.class));
  }

  private static void sql(PipelineFixture fixture, String... statements) throws SQLException {
    try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
