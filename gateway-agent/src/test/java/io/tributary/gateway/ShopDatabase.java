package io.tributary.gateway;

import io.tributary.testing.PostgresRoleOption;
import io.tributary.testing.PostgresServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A small shop schema on the PostgreSQL fixture, owned by the gateway's user so that Debezium can
 * create the publication: {@code customers} (bigint key), {@code orders} (int key, every common
 * type, and a column stored out of line so that updates not touching it are TOAST-unavailable) and
 * {@code items} (composite key). Reads tables back in the staged representation.
 */
final class ShopDatabase {
  static final String USER = "tributary";
  static final String PASSWORD = "gw-secret";
  static final List<String> TABLES = List.of("public.customers", "public.orders", "public.items");

  private final PostgresServer server;
  private final String database;

  ShopDatabase(PostgresServer server, String database) {
    this.server = server;
    this.database = database;
  }

  static void createUser(PostgresServer server) {
    server.createUser(USER, PASSWORD, PostgresRoleOption.REPLICATION);
  }

  String name() {
    return database;
  }

  void create() {
    server.createDatabase(database);
    server.execute(database,
        "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text, balance numeric(12,2),"
            + " since date, active boolean)",
        "CREATE TABLE orders (id int PRIMARY KEY, customer_id bigint, note text, amount numeric(12,2),"
            + " created timestamp(6), updated timestamptz, payload bytea, attrs jsonb, ref uuid, big text)",
        "ALTER TABLE orders ALTER COLUMN big SET STORAGE EXTERNAL",
        "CREATE TABLE items (order_id int, line int, sku text, qty int, price double precision,"
            + " PRIMARY KEY (order_id, line))",
        "CREATE TABLE nokey (a int, b text)",
        "CREATE TABLE silent (id int PRIMARY KEY, n int)",
        "ALTER TABLE silent REPLICA IDENTITY NOTHING",
        "ALTER TABLE customers OWNER TO " + USER,
        "ALTER TABLE orders OWNER TO " + USER,
        "ALTER TABLE items OWNER TO " + USER,
        "GRANT CREATE ON DATABASE " + database + " TO " + USER);
  }

  Connection connect() {
    return server.connect(database);
  }

  /** Rows loaded before the gateway starts, read by its snapshot. */
  void preload(int orders) throws SQLException {
    try (Connection connection = connect()) {
      connection.setAutoCommit(false);
      Random random = new Random(7);
      for (int id = 1; id <= orders; id++) {
        ShopWorkload.insertCustomer(connection, id, random);
        ShopWorkload.insertOrder(connection, id, id, random, id % 5 == 0);
        if (id % 1000 == 0) {
          connection.commit();
        }
      }
      connection.commit();
    }
  }

  /** A table's rows, keyed by primary key, each column in the staged representation. */
  Map<List<Object>, Map<String, Object>> rows(String table) throws SQLException {
    List<String> keys = switch (table) {
      case "public.items" -> List.of("order_id", "line");
      default -> List.of("id");
    };
    Map<List<Object>, Map<String, Object>> rows = new HashMap<>();
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData meta = result.getMetaData();
      while (result.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), staged(result, i, meta.getColumnTypeName(i)));
        }
        List<Object> key = new ArrayList<>();
        for (String column : keys) {
          key.add(row.get(column));
        }
        rows.put(key, row);
      }
    }
    return rows;
  }

  private static Object staged(ResultSet result, int column, String type) throws SQLException {
    Object value = switch (type) {
      case "int4" -> result.getInt(column);
      case "int8" -> result.getLong(column);
      case "float8" -> result.getDouble(column);
      case "bool" -> result.getBoolean(column);
      case "numeric" -> result.getBigDecimal(column);
      case "date" -> {
        LocalDate date = result.getObject(column, LocalDate.class);
        yield date == null ? null : (int) date.toEpochDay();
      }
      case "timestamp" -> {
        LocalDateTime time = result.getObject(column, LocalDateTime.class);
        yield time == null ? null : micros(time.toInstant(ZoneOffset.UTC));
      }
      case "timestamptz" -> {
        OffsetDateTime time = result.getObject(column, OffsetDateTime.class);
        yield time == null ? null : micros(time.toInstant());
      }
      case "bytea" -> result.getBytes(column);
      case "uuid" -> {
        UUID uuid = result.getObject(column, UUID.class);
        yield uuid == null ? null : uuid.toString();
      }
      default -> result.getString(column);
    };
    return result.wasNull() ? null : normalize(value);
  }

  private static long micros(java.time.Instant instant) {
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
  }

  /** Makes values comparable with equals: byte arrays become hex text. */
  static Object normalize(Object value) {
    if (value instanceof byte[] bytes) {
      return "0x" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof BigDecimal decimal) {
      return decimal;
    }
    return value;
  }

  static void insert(PreparedStatement statement, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      statement.setObject(i + 1, values[i]);
    }
    statement.executeUpdate();
  }
}
