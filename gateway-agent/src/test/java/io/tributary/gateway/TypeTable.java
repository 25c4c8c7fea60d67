package io.tributary.gateway;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.Operation;
import io.tributary.staging.SegmentReader;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A table with one column per source type, to check that every type is staged as documented and
 * every value survives capture. It knows the staged type each column must get and, for every change
 * made through it, the row as the source returns it over JDBC, each column as canonical text; a
 * staged value, read back from its segment, must have exactly that text. The canonical text is the
 * staged representation made readable: decimals in plain form with their scale, floats as Java
 * prints them (so NaN, infinities and -0.0 differ), binary as hex, dates as ISO dates, timestamps as
 * ISO local date-times (without time zone) or instants (with one).
 */
final class TypeTable {
  /** Reads the canonical text of a non-null source value. */
  @FunctionalInterface
  interface SourceText {
    String read(ResultSet row, int index) throws SQLException;
  }

  /**
   * One column: its SQL type, the staged type it must get, the SELECT expression the source is read
   * with (usually the column itself) and how that reads as canonical text.
   */
  record TypeColumn(String name, String sqlType, ColumnType staged, String select, SourceText source) {
    TypeColumn {
      requireNonNull(name, "name is null");
      requireNonNull(sqlType, "sqlType is null");
      requireNonNull(staged, "staged is null");
      requireNonNull(select, "select is null");
      requireNonNull(source, "source is null");
    }

    TypeColumn(String name, String sqlType, ColumnType staged, SourceText source) {
      this(name, sqlType, staged, name, source);
    }
  }

  /** A change the source made: the row it left behind, or for a delete the row it removed. */
  record Expected(Operation operation, int id, List<String> values) {}

  static final SourceText TEXT = ResultSet::getString;
  static final SourceText DECIMAL = (row, index) -> row.getBigDecimal(index).toPlainString();
  static final SourceText REAL = (row, index) -> Float.toString(row.getFloat(index));
  static final SourceText DOUBLE = (row, index) -> Double.toString(row.getDouble(index));
  static final SourceText BOOLEAN = (row, index) -> Boolean.toString(row.getBoolean(index));
  static final SourceText BYTES = (row, index) -> hex(row.getBytes(index));
  static final SourceText DATE = (row, index) -> infinity(row.getObject(index, LocalDate.class), LocalDate.MIN,
      LocalDate.MAX, LocalDate::toString);
  static final SourceText LOCAL_DATE_TIME = (row, index) -> infinity(row.getObject(index, LocalDateTime.class),
      LocalDateTime.MIN, LocalDateTime.MAX, LocalDateTime::toString);
  static final SourceText INSTANT = (row, index) -> infinity(row.getObject(index, OffsetDateTime.class),
      OffsetDateTime.MIN, OffsetDateTime.MAX, value -> value.toInstant().toString());
  /** A time of day or duration written {@code [-]h:mm:ss[.ffffff]}, as microseconds. */
  static final SourceText MICROS_OF_TIME = (row, index) -> Long.toString(micros(row.getString(index)));

  private static final int SHOWN_CHARACTERS = 120;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final List<TypeColumn> columns;
  private final List<Expected> snapshot = new ArrayList<>();
  private final List<Expected> streamed = new ArrayList<>();

  /** @param name the table as SQL names it; {@code columns} start with the integer key {@code id} */
  TypeTable(String name, List<TypeColumn> columns) {
    this.name = requireNonNull(name, "name is null");
    this.columns = List.copyOf(columns);
    if (!this.columns.get(0).name().equals("id")) {
      throw new IllegalArgumentException("The first column must be the key id");
    }
  }

  List<TypeColumn> columns() {
    return columns;
  }

  /** {@code CREATE TABLE} with every column, {@code id} the primary key. */
  String createStatement() {
    return "CREATE TABLE " + name + " (" + columns.stream().map(column -> column.name() + " " + column.sqlType())
        .collect(Collectors.joining(", ")) + ", PRIMARY KEY (id))";
  }

  /** {@code INSERT} of row {@code id} with the given SQL literals; other columns get their DEFAULT (or NULL). */
  private String insertStatement(int id, Map<String, String> literals) {
    return "INSERT INTO " + name + " (id" + literals.keySet().stream().map(column -> ", " + column)
        .collect(Collectors.joining()) + ") VALUES (" + id + literals.values().stream().map(literal -> ", " + literal)
        .collect(Collectors.joining()) + ")";
  }

  /** {@code UPDATE} of row {@code id} to the given SQL literals; an empty map sets every column but id to NULL. */
  private String updateStatement(int id, Map<String, String> literals) {
    Map<String, String> set = new LinkedHashMap<>();
    if (literals.isEmpty()) {
      columns.stream().skip(1).forEach(column -> set.put(column.name(), "NULL"));
    } else {
      set.putAll(literals);
    }
    return "UPDATE " + name + " SET " + set.entrySet().stream().map(entry -> entry.getKey() + " = " + entry.getValue())
        .collect(Collectors.joining(", ")) + " WHERE id = " + id;
  }

  /** SQL literals by column, from alternating column names and literals. */
  static Map<String, String> literals(String... columnsAndLiterals) {
    Map<String, String> literals = new LinkedHashMap<>();
    for (int i = 0; i < columnsAndLiterals.length; i += 2) {
      literals.put(columnsAndLiterals[i], columnsAndLiterals[i + 1]);
    }
    return literals;
  }

  /** Reads every row as the snapshot will: the expected snapshot reads. */
  void expectSnapshot(Connection connection) throws SQLException {
    snapshot.clear();
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(select() + " ORDER BY id")) {
      while (row.next()) {
        snapshot.add(new Expected(Operation.SNAPSHOT_READ, row.getInt(1), texts(row)));
      }
    }
  }

  /** Inserts row {@code id} before capture starts: the snapshot reads it. */
  void load(Connection connection, int id, Map<String, String> literals) throws SQLException {
    execute(connection, insertStatement(id, literals));
  }

  /** Inserts row {@code id} (in auto-commit mode) and expects it staged as read back. */
  void insert(Connection connection, int id, Map<String, String> literals) throws SQLException {
    execute(connection, insertStatement(id, literals));
    streamed.add(new Expected(Operation.INSERT, id, read(connection, id)));
  }

  /** Updates row {@code id} (in auto-commit mode) and expects its new image staged; no literals: all NULL. */
  void update(Connection connection, int id, Map<String, String> literals) throws SQLException {
    execute(connection, updateStatement(id, literals));
    streamed.add(new Expected(Operation.UPDATE, id, read(connection, id)));
  }

  /** Deletes row {@code id} and expects it staged with its last image. */
  void delete(Connection connection, int id) throws SQLException {
    List<String> before = read(connection, id);
    execute(connection, "DELETE FROM " + name + " WHERE id = " + id);
    streamed.add(new Expected(Operation.DELETE, id, before));
  }

  /**
   * Deletes row {@code id} and expects it staged with its key only, as PostgreSQL's default replica
   * identity sends it.
   */
  void deleteByKey(Connection connection, int id) throws SQLException {
    execute(connection, "DELETE FROM " + name + " WHERE id = " + id);
    List<String> key = new ArrayList<>(Collections.nCopies(columns.size(), (String) null));
    key.set(0, Integer.toString(id));
    streamed.add(new Expected(Operation.DELETE, id, key));
  }

  /**
   * How many events the gateway must stage: the truncate a snapshot starts with (so that it replaces
   * an interrupted earlier one), the snapshot reads and the streamed changes.
   */
  int expectedEvents() {
    return 1 + snapshot.size() + streamed.size();
  }

  /** Every staged event of the announced segments, in position order. */
  static List<ChangeEvent> read(StagingStore store, List<ManifestRecord> manifests, List<TableSchema> schemas) {
    List<ChangeEvent> events = new ArrayList<>();
    for (ManifestRecord manifest : manifests) {
      try (SegmentReader reader = store.openSegment(manifest)) {
        schemas.add(reader.schema());
        events.addAll(reader.readAll());
      }
    }
    return events;
  }

  /** Where the staged column types differ from the expected ones. */
  List<String> typeDifferences(TableSchema schema) {
    Map<String, String> expected = new LinkedHashMap<>();
    columns.forEach(column -> expected.put(column.name(), column.staged().toString()));
    Map<String, String> actual = new LinkedHashMap<>();
    schema.columns().forEach(column -> actual.put(column.name(), column.type().toString()));
    List<String> differences = new ArrayList<>();
    for (Map.Entry<String, String> column : expected.entrySet()) {
      String staged = actual.get(column.getKey());
      if (!column.getValue().equals(staged)) {
        differences.add(column.getKey() + ": expected " + column.getValue() + ", staged " + staged);
      }
    }
    actual.keySet().stream().filter(column -> !expected.containsKey(column))
        .forEach(column -> differences.add(column + ": staged but not expected"));
    return differences;
  }

  /**
   * Where the staged events differ from the source's rows: first the snapshot's truncate, then the
   * snapshot reads in any order, then the streamed changes in the order they were made. A value
   * marked unavailable (an unchanged TOASTed value) counts as the row's last staged value, as the
   * applier keeps it.
   */
  List<String> valueDifferences(TableSchema schema, List<ChangeEvent> events) {
    List<String> differences = new ArrayList<>();
    if (events.isEmpty() || events.get(0).operation() != Operation.TRUNCATE) {
      differences.add("the snapshot does not start with a truncate");
    } else {
      events = events.subList(1, events.size());
    }
    Map<Integer, List<String>> current = new HashMap<>();
    int lastRead = -1;
    for (int i = 0; i < events.size(); i++) {
      lastRead = events.get(i).operation() == Operation.SNAPSHOT_READ ? i : lastRead;
    }
    List<ChangeEvent> reads = events.subList(0, lastRead + 1);
    List<ChangeEvent> changes = events.subList(lastRead + 1, events.size());
    Map<Integer, Expected> expectedReads = new HashMap<>();
    snapshot.forEach(expected -> expectedReads.put(expected.id(), expected));
    for (ChangeEvent read : reads) {
      if (read.operation() != Operation.SNAPSHOT_READ) {
        differences.add("a " + read.operation() + " among the snapshot reads");
        continue;
      }
      List<String> staged = texts(schema, read, List.of());
      int id = Integer.parseInt(staged.get(0));
      Expected expected = expectedReads.remove(id);
      if (expected == null) {
        differences.add("snapshot read of row " + id + " not expected");
        continue;
      }
      compare(expected, staged, differences);
      current.put(id, staged);
    }
    expectedReads.keySet().forEach(id -> differences.add("snapshot read of row " + id + " missing"));
    for (int i = 0; i < Math.max(changes.size(), streamed.size()); i++) {
      if (i >= changes.size()) {
        differences.add("change " + i + " missing: " + streamed.get(i).operation() + " of row " + streamed.get(i).id());
        continue;
      }
      ChangeEvent change = changes.get(i);
      if (change.value(0) == null) {
        differences.add("change " + i + ": " + change.operation() + " without a key");
        continue;
      }
      int id = ((Number) change.value(0)).intValue();
      List<String> staged = texts(schema, change, current.getOrDefault(id, List.of()));
      if (i >= streamed.size()) {
        differences.add("change " + i + " not expected: " + change.operation() + " of row " + id);
        continue;
      }
      Expected expected = streamed.get(i);
      if (change.operation() != expected.operation() || id != expected.id()) {
        differences.add("change " + i + ": expected " + expected.operation() + " of row " + expected.id() + ", staged "
            + change.operation() + " of row " + id);
        continue;
      }
      compare(expected, staged, differences);
      current.put(id, staged);
    }
    return differences;
  }

  private void compare(Expected expected, List<String> staged, List<String> differences) {
    for (int column = 0; column < columns.size(); column++) {
      String source = expected.values().get(column);
      String value = column < staged.size() ? staged.get(column) : "<absent>";
      if (!Objects.equals(source, value)) {
        differences.add(expected.operation() + " of row " + expected.id() + ", column " + columns.get(column).name()
            + ": source " + shown(source) + ", staged " + shown(value));
      }
    }
  }

  /** The staged values of an event in the expected column order; unavailable ones from {@code previous}. */
  private List<String> texts(TableSchema schema, ChangeEvent event, List<String> previous) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      int index = schema.indexOf(columns.get(i).name());
      if (index < 0) {
        texts.add("<absent>");
      } else if (event.isUnavailable(index)) {
        texts.add(i < previous.size() ? previous.get(i) : "<unavailable>");
      } else {
        texts.add(stagedText(schema.columns().get(index).type(), event.value(index)));
      }
    }
    return texts;
  }

  /** The canonical text of a staged value, a Java value as {@link ColumnType} documents it. */
  static String stagedText(ColumnType type, Object value) {
    if (value == null) {
      return null;
    }
    return switch (type.kind()) {
      case DECIMAL -> {
        BigDecimal decimal = (BigDecimal) value;
        yield decimal.scale() == type.scale() ? decimal.toPlainString()
            : decimal.toPlainString() + " (scale " + decimal.scale() + ", not " + type.scale() + ")";
      }
      case BINARY -> hex((byte[]) value);
      case DATE -> infinity((Integer) value, Integer.MIN_VALUE, Integer.MAX_VALUE,
          days -> LocalDate.ofEpochDay(days).toString());
      case TIMESTAMP -> infinity((Long) value, Long.MIN_VALUE, Long.MAX_VALUE, micros -> instant(micros).toString());
      case TIMESTAMP_NTZ -> infinity((Long) value, Long.MIN_VALUE, Long.MAX_VALUE,
          micros -> LocalDateTime.ofInstant(instant(micros), ZoneOffset.UTC).toString());
      default -> value.toString();
    };
  }

  /** PostgreSQL's infinities (staged as the smallest and largest count) as {@code -infinity} and {@code infinity}. */
  private static <T> String infinity(T value, T negative, T positive, Function<T, String> text) {
    return value.equals(negative) ? "-infinity" : value.equals(positive) ? "infinity" : text.apply(value);
  }

  private List<String> read(Connection connection, int id) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(select() + " WHERE id = " + id)) {
      if (!row.next()) {
        throw new IllegalStateException("Row " + id + " of " + name + " does not exist");
      }
      return texts(row);
    }
  }

  private String select() {
    return "SELECT " + columns.stream().map(TypeColumn::select).collect(Collectors.joining(", ")) + " FROM " + name;
  }

  private List<String> texts(ResultSet row) throws SQLException {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      texts.add(row.getString(i + 1) == null ? null : columns.get(i).source().read(row, i + 1));
    }
    return texts;
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Waits until the announced segments hold {@code events} events, failing at once if the gateway fails. */
  static void awaitStaged(ManifestLog log, List<ManifestRecord> manifests, long events, GatewayService gateway) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .failFast(() -> assertThat(gateway.failure()).isEmpty())
        .untilAsserted(() -> {
          manifests.addAll(log.next());
          assertThat(manifests.stream().mapToLong(ManifestRecord::rowCount).sum()).isEqualTo(events);
        });
  }

  /** A value as JSON text, as the gateway stages structs, arrays and maps. */
  static String json(Object value) throws SQLException {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot write " + value + " as JSON", e);
    }
  }

  static String hex(byte[] bytes) {
    return "0x" + HexFormat.of().formatHex(bytes);
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  /** Microseconds of {@code [-]h:mm:ss[.f]}: hours may exceed 23 (PostgreSQL's 24:00, MariaDB's 838:59:59). */
  static long micros(String time) {
    boolean negative = time.startsWith("-");
    String[] parts = (negative ? time.substring(1) : time).split(":");
    String[] seconds = parts[2].split("\\.");
    String fraction = seconds.length > 1 ? (seconds[1] + "000000").substring(0, 6) : "0";
    long micros = ((Long.parseLong(parts[0]) * 60 + Long.parseLong(parts[1])) * 60 + Long.parseLong(seconds[0]))
        * 1_000_000L + Long.parseLong(fraction);
    return negative ? -micros : micros;
  }

  /** A value short enough for a message: long ones by length, start and hash. */
  private static String shown(String value) {
    if (value == null || value.length() <= SHOWN_CHARACTERS) {
      return value == null ? "NULL" : "'" + value + "'";
    }
    return "'" + value.substring(0, SHOWN_CHARACTERS) + "…' (" + value.length() + " chars, hash " + value.hashCode()
        + ")";
  }
}
