package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.applier.DeltaTableContents;
import io.tributary.applier.DeltaTableReader;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.Column;
import io.tributary.staging.TableId;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Schema evolution end to end on real PostgreSQL and Kafka: rows stream into a table whose source
 * gains a column, loses one and widens another (integer to bigint) while changes keep coming; the
 * Delta table follows each change without a resync and ends equal to the source, the dropped column
 * kept with its last values in the rows not changed since and null in the rest.
 */
class SchemaEvolutionPipelineIT {
  private static final TableId ITEMS = TableId.parse(PipelineFixture.SOURCE + ".public.items");
  private static final Duration CATCH_UP = Duration.ofMinutes(2);

  @Test
  void addedDroppedAndWidenedColumnsFollowTheSource() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("schema-evolution")) {
      sql(fixture, "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, qty integer, note text)",
          "INSERT INTO items SELECT n, 'item ' || n, n * 10, 'note ' || n FROM generate_series(1, 5) AS n");
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(List.of("public.items"), ""));
      URI location = settings.applier().tableLocation(ITEMS);
      try (StandalonePipeline pipeline = fixture.start(settings);
          HttpCoordinatorClient client = HttpCoordinatorClient.create(pipeline.coordinator().uri(), Optional.empty())) {
        sql(fixture, "INSERT INTO items VALUES (6, 'item 6', 60, 'note 6'), (7, 'item 7', 70, 'note 7')",
            "UPDATE items SET qty = 11 WHERE id = 1");
        awaitEqual(fixture, location, Map.of(), Set.of(), List.of("id", "name", "qty", "note"));

        sql(fixture, "ALTER TABLE items ADD COLUMN email text",
            "INSERT INTO items VALUES (8, 'item 8', 80, 'note 8', 'eight@example.com')",
            "UPDATE items SET email = 'two@example.com' WHERE id = 2");
        awaitEqual(fixture, location, Map.of(), Set.of(), List.of("id", "name", "qty", "note", "email"));

        Map<Integer, String> notes = notes(fixture);
        sql(fixture, "ALTER TABLE items DROP COLUMN note",
            "UPDATE items SET name = 'item three' WHERE id = 3",
            "INSERT INTO items VALUES (9, 'item 9', 90, 'nine@example.com')");
        Set<Integer> changedSinceDrop = new HashSet<>(Set.of(3, 9));
        awaitEqual(fixture, location, notes, changedSinceDrop, List.of("id", "name", "qty", "note", "email"));

        sql(fixture, "ALTER TABLE items ALTER COLUMN qty TYPE bigint",
            "INSERT INTO items VALUES (10, 'item 10', 5000000000, null)",
            "UPDATE items SET qty = 4000000000 WHERE id = 4",
            "DELETE FROM items WHERE id = 5");
        changedSinceDrop.addAll(Set.of(10, 4));
        DeltaTableContents contents = awaitEqual(fixture, location, notes, changedSinceDrop,
            List.of("id", "name", "qty", "note", "email"));

        assertThat(contents.schema().columns()).extracting(column -> column.name() + " " + column.type())
            .containsExactly("id INT", "name STRING", "qty LONG", "note STRING", "email STRING");
        assertThat(fixture.counted("tributary.applier.schema.changes")).isEqualTo(3);
        assertThat(fixture.counted("tributary.applier.resyncs.switched")).isZero();
        assertThat(client.table(ITEMS).flatMap(TableStatus::resync)).isEmpty();
        List<String> applied = client.events(new EventQuery(Optional.of(ITEMS),
                Set.of(CoordinatorEvent.Type.SCHEMA_CHANGED), Optional.empty(), Optional.empty(), 0, 50)).stream()
            .map(CoordinatorEvent::message).filter(message -> message.startsWith("Schema evolved")).toList();
        assertThat(String.join("\n", applied)).contains("added column 'email' STRING at position 4",
            "dropped column 'note' STRING at position 3", "widened column 'qty' at position 2 from INT to LONG");
      }
    }
  }

  private static void sql(PipelineFixture fixture, String... statements) throws SQLException {
    try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static Map<Integer, String> notes(PipelineFixture fixture) throws SQLException {
    Map<Integer, String> notes = new HashMap<>();
    try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, note FROM items")) {
      while (rows.next()) {
        notes.put(rows.getInt(1), rows.getString(2));
      }
    }
    return notes;
  }

  /**
   * Waits until the Delta table has {@code columns} and the source's rows: the source's values in the
   * source's columns (read as the Delta types), and in {@code note}, once dropped at the source
   * ({@code notes} not empty), the value it had then for rows not changed since, null for the others.
   */
  private static DeltaTableContents awaitEqual(PipelineFixture fixture, URI location, Map<Integer, String> notes,
      Set<Integer> changedSinceDrop, List<String> columns) {
    DeltaTableReader reader = new DeltaTableReader(Map.of());
    DeltaTableContents[] last = new DeltaTableContents[1];
    await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      DeltaTableContents contents = reader.read(location);
      last[0] = contents;
      assertThat(contents.schema().columns()).extracting(Column::name).containsExactlyElementsOf(columns);
      assertThat(contents.rows().stream().map(Arrays::asList).toList())
          .containsExactlyElementsOf(expected(fixture, columns, notes, changedSinceDrop));
    });
    return last[0];
  }

  private static List<List<Object>> expected(PipelineFixture fixture, List<String> columns, Map<Integer, String> notes,
      Set<Integer> changedSinceDrop) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    boolean dropped = !notes.isEmpty();
    try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT * FROM items ORDER BY id")) {
      while (result.next()) {
        int id = result.getInt("id");
        List<Object> row = new ArrayList<>();
        for (String column : columns) {
          if (column.equals("note") && dropped) {
            row.add(changedSinceDrop.contains(id) ? null : notes.get(id));
          } else {
            Object value = result.getObject(column);
            row.add(value);
          }
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
