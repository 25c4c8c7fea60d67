package io.tributary.gateway;

import io.tributary.testing.MariaDbServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * A small shop on the MariaDB fixture, in database {@code <name>}: {@code customers} (BIGINT key,
 * TINYINT(1), BIT(1), DATE), {@code orders} (INT key and the MariaDB types Debezium's connector
 * maps specially: DATETIME(6), TIMESTAMP(3), TIME(6), YEAR, ENUM, SET, JSON, BLOB, BIGINT UNSIGNED)
 * and {@code items} (composite key). Reads tables back in the staged representation, and runs
 * workloads of multi-table transactions.
 */
final class MariaDbShop {
  static final String USER = "capture";
  static final String PASSWORD = "gw-secret";
  static final List<String> TABLES = List.of("customers", "orders", "items");

  /** Each table's columns and how its values are staged. */
  private static final Map<String, List<String[]>> COLUMNS = Map.of(
      "customers", List.of(col("id", "long"), col("name", "string"), col("email", "string"),
          col("balance", "decimal"), col("since", "date"), col("active", "int"), col("vip", "boolean")),
      "orders", List.of(col("id", "int"), col("customer_id", "long"), col("note", "string"), col("amount", "decimal"),
          col("created", "datetime"), col("updated", "timestamp"), col("at_time", "time"), col("made", "int"),
          col("status", "string"), col("tags", "string"), col("attrs", "string"), col("payload", "bytes"),
          col("counter", "decimal")),
      "items", List.of(col("order_id", "int"), col("line", "int"), col("sku", "string"), col("qty", "int"),
          col("price", "double")));

  private final MariaDbServer server;
  private final String database;

  MariaDbShop(MariaDbServer server, String database) {
    this.server = server;
    this.database = database;
  }

  private static String[] col(String name, String kind) {
    return new String[] {name, kind};
  }

  String name() {
    return database;
  }

  /** {@code database.table} of each shop table, as {@code source.tables} lists them. */
  List<String> qualifiedTables() {
    return TABLES.stream().map(table -> database + "." + table).toList();
  }

  void create() {
    server.createDatabase(database);
    server.execute(database,
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200),"
            + " balance DECIMAL(12,2), since DATE, active TINYINT(1), vip BIT(1))",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer_id BIGINT, note TEXT, amount DECIMAL(12,2),"
            + " created DATETIME(6), updated TIMESTAMP(3) NULL DEFAULT NULL, at_time TIME(6), made YEAR,"
            + " status ENUM('new','paid','shipped'), tags SET('gift','fragile','express'), attrs JSON,"
            + " payload BLOB, counter BIGINT UNSIGNED)",
        "CREATE TABLE items (order_id INT, line INT, sku VARCHAR(40), qty INT, price DOUBLE,"
            + " PRIMARY KEY (order_id, line))",
        "CREATE TABLE nokey (a INT, b VARCHAR(10))");
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
        insertCustomer(connection, id, random);
        insertOrder(connection, id, id, random);
        if (id % 500 == 0) {
          connection.commit();
        }
      }
      connection.commit();
    }
  }

  /** The number of rows of a table. */
  long count(String table) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
      result.next();
      return result.getLong(1);
    }
  }

  /** A table's rows, keyed by primary key, each column in the staged representation. */
  Map<List<Object>, Map<String, Object>> rows(String table) throws SQLException {
    List<String> keys = table.equals("items") ? List.of("order_id", "line") : List.of("id");
    List<String[]> columns = COLUMNS.get(table);
    String select = "SELECT " + String.join(", ", columns.stream().map(c -> c[0]).toList()) + " FROM " + table;
    Map<List<Object>, Map<String, Object>> rows = new HashMap<>();
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(select)) {
      while (result.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
          row.put(columns.get(i)[0], staged(result, i + 1, columns.get(i)[1]));
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

  private static Object staged(ResultSet result, int column, String kind) throws SQLException {
    if (result.getObject(column) == null) {
      return null;
    }
    Object value = switch (kind) {
      case "int" -> result.getInt(column);
      case "long" -> result.getLong(column);
      case "double" -> result.getDouble(column);
      case "boolean" -> result.getBoolean(column);
      case "decimal" -> result.getBigDecimal(column);
      case "date" -> (int) result.getObject(column, LocalDate.class).toEpochDay();
      // DATETIME has no zone (staged as TIMESTAMP_NTZ); TIMESTAMP is read in the server's zone, UTC.
      case "datetime", "timestamp" -> micros(result.getObject(column, LocalDateTime.class));
      case "time" -> result.getObject(column, LocalTime.class).toNanoOfDay() / 1000;
      case "bytes" -> result.getBytes(column);
      default -> result.getString(column);
    };
    return ShopDatabase.normalize(value);
  }

  private static long micros(LocalDateTime time) {
    java.time.Instant instant = time.toInstant(ZoneOffset.UTC);
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
  }

  static void insertCustomer(Connection connection, long id, Random random) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ShopDatabase.insert(statement, id, "customer " + id, random.nextInt(5) == 0 ? null : "c" + id + "@example.com",
          new BigDecimal(random.nextInt(1_000_000)).movePointLeft(2), LocalDate.of(2020, 1, 1).plusDays(id % 1500),
          random.nextBoolean() ? 1 : 0, random.nextInt(3) == 0);
    }
  }

  static void insertOrder(Connection connection, int id, long customer, Random random) throws SQLException {
    try (PreparedStatement order = connection.prepareStatement(
        "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement item = connection.prepareStatement("INSERT INTO items VALUES (?, ?, ?, ?, ?)")) {
      byte[] payload = new byte[random.nextInt(64)];
      random.nextBytes(payload);
      String[] statuses = {"new", "paid", "shipped"};
      String[] tags = {"", "gift", "fragile,express", "gift,fragile,express"};
      ShopDatabase.insert(order, id, customer, random.nextInt(6) == 0 ? null : "order " + id + " ✓",
          new BigDecimal(random.nextInt(10_000_000)).movePointLeft(2),
          LocalDateTime.of(2024, 5, 1, 12, 0).plusSeconds(id * 37L).plusNanos(random.nextInt(1_000_000) * 1000L),
          random.nextInt(4) == 0 ? null : LocalDateTime.of(2025, 1, 1, 0, 0).plusSeconds(id * 61L)
              .plusNanos(random.nextInt(1000) * 1_000_000L),
          LocalTime.ofNanoOfDay(random.nextInt(86_400) * 1_000_000_000L + random.nextInt(1_000_000) * 1000L),
          1990 + random.nextInt(40), statuses[random.nextInt(3)], tags[random.nextInt(4)],
          "{\"n\": " + id + ", \"tags\": [\"a\", \"b\"]}", payload,
          // BIGINT UNSIGNED beyond the signed range.
          new BigDecimal(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(random.nextInt(1000)))));
      int lines = 1 + random.nextInt(3);
      for (int line = 1; line <= lines; line++) {
        ShopDatabase.insert(item, id, line, "sku-" + random.nextInt(500), 1 + random.nextInt(9),
            random.nextInt(100_000) / 100.0);
      }
    }
  }

  /**
   * One client of the shop: transactions of inserts, updates and deletes, several spanning tables.
   * Each workload owns its ids (and the preloaded ids congruent to its number), so that concurrent
   * workloads interleave in the binlog without conflicting. Returns the transactions committed.
   */
  static final class Workload implements Callable<Integer> {
    private static final int RANGE = 1_000_000;
    private final MariaDbShop shop;
    private final int transactions;
    private final BooleanSupplier stop;
    private final Random random;
    private final List<Integer> orders = new ArrayList<>();
    private final List<Long> customers = new ArrayList<>();
    private final int low;
    private int nextId;

    Workload(MariaDbShop shop, int number, int workloads, int preloaded, int transactions, BooleanSupplier stop) {
      this.shop = shop;
      this.transactions = transactions;
      this.stop = stop;
      this.random = new Random(1000 + number);
      for (int id = 1; id <= preloaded; id++) {
        if (id % workloads == number) {
          orders.add(id);
          customers.add((long) id);
        }
      }
      this.low = (number + 1) * RANGE;
      this.nextId = low;
    }

    @Override
    public Integer call() throws SQLException {
      int done = 0;
      try (Connection connection = shop.connect()) {
        connection.setAutoCommit(false);
        for (int i = 0; i < transactions && !stop.getAsBoolean(); i++) {
          List<Integer> ordersBefore = List.copyOf(orders);
          List<Long> customersBefore = List.copyOf(customers);
          int idBefore = nextId;
          try {
            step(connection);
            connection.commit();
            done++;
          } catch (SQLException e) {
            // InnoDB may resolve a lock conflict between the workloads' gap locks as a deadlock:
            // this transaction is rolled back; the source stays consistent.
            if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) {
              throw e;
            }
            connection.rollback();
            orders.clear();
            orders.addAll(ordersBefore);
            customers.clear();
            customers.addAll(customersBefore);
            nextId = idBefore;
          }
        }
      }
      return done;
    }

    private void step(Connection connection) throws SQLException {
      int dice = random.nextInt(100);
      if (dice < 30 || orders.isEmpty()) {
        int id = nextId++;
        insertCustomer(connection, id, random);
        customers.add((long) id);
        insertOrder(connection, id, id, random);
        orders.add(id);
      } else if (dice < 50) {
        int id = orders.get(random.nextInt(orders.size()));
        try (PreparedStatement statement = connection.prepareStatement(
            "UPDATE orders SET note = ?, amount = amount + 1, updated = ?, status = 'paid', tags = 'gift',"
                + " counter = counter + 1, at_time = ? WHERE id = ?")) {
          ShopDatabase.insert(statement, "note " + random.nextInt(),
              LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(random.nextInt(1_000_000)).plusNanos(123_000_000),
              LocalTime.of(23, 59, 59, 999_999_000), id);
        }
      } else if (dice < 65) {
        long id = customers.get(random.nextInt(customers.size()));
        try (PreparedStatement statement = connection.prepareStatement(
            "UPDATE customers SET balance = balance + ?, email = ?, active = 1 - active, vip = NOT vip WHERE id = ?")) {
          ShopDatabase.insert(statement, new BigDecimal("1.25"), "c" + random.nextInt() + "@example.com", id);
        }
      } else if (dice < 78) {
        // An order and its lines go; its customer's balance changes: three tables in one transaction.
        int id = orders.remove(random.nextInt(orders.size()));
        try (PreparedStatement lines = connection.prepareStatement("DELETE FROM items WHERE order_id = ?");
            PreparedStatement order = connection.prepareStatement("DELETE FROM orders WHERE id = ?");
            PreparedStatement customer = connection.prepareStatement(
                "UPDATE customers SET balance = balance - 1 WHERE id = ?")) {
          ShopDatabase.insert(lines, id);
          ShopDatabase.insert(order, id);
          ShopDatabase.insert(customer, (long) id);
        }
      } else if (dice < 86 && !customers.isEmpty()) {
        long id = customers.remove(random.nextInt(customers.size()));
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM customers WHERE id = ?")) {
          ShopDatabase.insert(statement, id);
        }
      } else if (dice < 94) {
        // A line of an order changes its key (Debezium: a delete and an insert at one binlog row), in one
        // transaction with the order's update.
        int id = orders.get(random.nextInt(orders.size()));
        try (PreparedStatement line = connection.prepareStatement(
                "UPDATE items SET line = ? WHERE order_id = ? AND line = 1");
            PreparedStatement order = connection.prepareStatement("UPDATE orders SET amount = amount + 2 WHERE id = ?")) {
          ShopDatabase.insert(line, 10 + nextId, id);
          ShopDatabase.insert(order, id);
        }
      } else {
        // Many rows in one transaction: the lines of this workload's last 100 orders.
        try (PreparedStatement statement = connection.prepareStatement(
            "UPDATE items SET qty = qty + 1, price = price * 2 WHERE order_id >= ? AND order_id < ?")) {
          ShopDatabase.insert(statement, Math.max(low, nextId - 100), nextId);
        }
      }
    }
  }
}
