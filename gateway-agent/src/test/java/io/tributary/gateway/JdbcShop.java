package io.tributary.gateway;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * A small shop in a MySQL database or a SQL Server schema, for the integration tests against server
 * containers: {@code customers} (BIGINT key, DATE), {@code orders} (INT key, DECIMAL, a DATETIME with
 * microseconds) and {@code items} (composite key). Reads tables back in the staged representation, and
 * runs a workload of multi-table transactions.
 */
final class JdbcShop {
  /** The SQL dialects the shop speaks. */
  enum Dialect {
    MYSQL("`", "`", "VARCHAR", "DATETIME(6)"),
    SQLSERVER("[", "]", "NVARCHAR", "DATETIME2(6)");

    private final String open;
    private final String close;
    private final String text;
    private final String dateTime;

    Dialect(String open, String close, String text, String dateTime) {
      this.open = open;
      this.close = close;
      this.text = text;
      this.dateTime = dateTime;
    }

    String quote(String identifier) {
      return open + identifier + close;
    }
  }

  static final List<String> TABLES = List.of("customers", "orders", "items");

  /** Each table's columns and how its values are staged. */
  private static final Map<String, List<String[]>> COLUMNS = Map.of(
      "customers", List.of(col("id", "long"), col("name", "string"), col("balance", "decimal"), col("since", "date")),
      "orders", List.of(col("id", "int"), col("customer_id", "long"), col("note", "string"), col("amount", "decimal"),
          col("created", "datetime")),
      "items", List.of(col("order_id", "int"), col("line", "int"), col("sku", "string"), col("qty", "int")));

  private final Dialect dialect;
  private final String url;
  private final String user;
  private final String password;
  private final String schema;

  /**
   * @param url a JDBC URL of the database holding the shop
   * @param schema the shop's database (MySQL) or schema (SQL Server)
   */
  JdbcShop(Dialect dialect, String url, String user, String password, String schema) {
    this.dialect = dialect;
    this.url = url;
    this.user = user;
    this.password = password;
    this.schema = schema;
  }

  private static String[] col(String name, String kind) {
    return new String[] {name, kind};
  }

  /** {@code schema.table} of each shop table, as {@code source.tables} lists them. */
  List<String> qualifiedTables() {
    return TABLES.stream().map(table -> schema + "." + table).toList();
  }

  private String table(String name) {
    return dialect.quote(schema) + "." + dialect.quote(name);
  }

  /** Creates the tables (the schema or database must exist), and {@code nokey}, a table without key. */
  void create() throws SQLException {
    String text = dialect.text;
    execute("CREATE TABLE " + table("customers") + " (id BIGINT PRIMARY KEY, name " + text + "(100) NOT NULL,"
            + " balance DECIMAL(12,2), since DATE)",
        "CREATE TABLE " + table("orders") + " (id INT PRIMARY KEY, customer_id BIGINT, note " + text + "(200),"
            + " amount DECIMAL(12,2), created " + dialect.dateTime + ")",
        "CREATE TABLE " + table("items") + " (order_id INT NOT NULL, line INT NOT NULL, sku " + text + "(40),"
            + " qty INT, PRIMARY KEY (order_id, line))",
        "CREATE TABLE " + table("nokey") + " (a INT, b " + text + "(10))");
  }

  void execute(String... statements) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /** Rows loaded before the gateway starts, read by its snapshot. */
  void preload(int orders) throws SQLException {
    try (Connection connection = connect()) {
      connection.setAutoCommit(false);
      Random random = new Random(7);
      for (int id = 1; id <= orders; id++) {
        insertOrder(connection, id, random);
        if (id % 200 == 0) {
          connection.commit();
        }
      }
      connection.commit();
    }
  }

  /** A table's rows, keyed by primary key, each column in the staged representation. */
  Map<List<Object>, Map<String, Object>> rows(String name) throws SQLException {
    List<String> keys = name.equals("items") ? List.of("order_id", "line") : List.of("id");
    List<String[]> columns = COLUMNS.get(name);
    String select = "SELECT " + String.join(", ", columns.stream().map(c -> dialect.quote(c[0])).toList())
        + " FROM " + table(name);
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
    return switch (kind) {
      case "int" -> result.getInt(column);
      case "long" -> result.getLong(column);
      case "decimal" -> result.getBigDecimal(column);
      case "date" -> (int) result.getObject(column, LocalDate.class).toEpochDay();
      // A date-time without zone is staged as microseconds since the epoch, read as UTC.
      case "datetime" -> {
        java.time.Instant instant = result.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
        yield instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
      }
      default -> result.getString(column);
    };
  }

  private void insertOrder(Connection connection, int id, Random random) throws SQLException {
    try (PreparedStatement customer = connection.prepareStatement(
            "INSERT INTO " + table("customers") + " VALUES (?, ?, ?, ?)");
        PreparedStatement order = connection.prepareStatement(
            "INSERT INTO " + table("orders") + " VALUES (?, ?, ?, ?, ?)");
        PreparedStatement item = connection.prepareStatement("INSERT INTO " + table("items") + " VALUES (?, ?, ?, ?)")) {
      ShopDatabase.insert(customer, (long) id, "customer " + id, new BigDecimal(random.nextInt(1_000_000)).movePointLeft(2),
          LocalDate.of(2020, 1, 1).plusDays(id % 1500));
      ShopDatabase.insert(order, id, (long) id, random.nextInt(6) == 0 ? null : "order " + id + " ✓",
          new BigDecimal(random.nextInt(10_000_000)).movePointLeft(2),
          LocalDateTime.of(2024, 5, 1, 12, 0).plusSeconds(id * 37L).plusNanos(random.nextInt(1_000_000) * 1000L));
      int lines = 1 + random.nextInt(3);
      for (int line = 1; line <= lines; line++) {
        ShopDatabase.insert(item, id, line, "sku-" + random.nextInt(500), 1 + random.nextInt(9));
      }
    }
  }

  /**
   * One client of the shop: transactions of inserts, updates and deletes, several spanning tables,
   * on the preloaded orders and new ones. Returns the transactions committed.
   */
  Callable<Integer> workload(int preloaded, int transactions) {
    return () -> {
      Random random = new Random(1000);
      List<Integer> orders = new ArrayList<>();
      for (int id = 1; id <= preloaded; id++) {
        orders.add(id);
      }
      int nextId = 1_000_000;
      try (Connection connection = connect()) {
        connection.setAutoCommit(false);
        for (int i = 0; i < transactions; i++) {
          int dice = random.nextInt(100);
          if (dice < 35 || orders.isEmpty()) {
            int id = nextId++;
            insertOrder(connection, id, random);
            orders.add(id);
          } else if (dice < 65) {
            int id = orders.get(random.nextInt(orders.size()));
            try (PreparedStatement order = connection.prepareStatement("UPDATE " + table("orders")
                    + " SET note = ?, amount = amount + 1, created = ? WHERE id = ?");
                PreparedStatement items = connection.prepareStatement(
                    "UPDATE " + table("items") + " SET qty = qty + 1 WHERE order_id = ?")) {
              ShopDatabase.insert(order, "note " + random.nextInt(),
                  LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(random.nextInt(1_000_000)).plusNanos(123_456_000), id);
              ShopDatabase.insert(items, id);
            }
          } else if (dice < 85) {
            // An order, its lines and its customer go: three tables in one transaction.
            int id = orders.remove(random.nextInt(orders.size()));
            try (PreparedStatement items = connection.prepareStatement(
                    "DELETE FROM " + table("items") + " WHERE order_id = ?");
                PreparedStatement order = connection.prepareStatement("DELETE FROM " + table("orders") + " WHERE id = ?");
                PreparedStatement customer = connection.prepareStatement(
                    "DELETE FROM " + table("customers") + " WHERE id = ?")) {
              ShopDatabase.insert(items, id);
              ShopDatabase.insert(order, id);
              ShopDatabase.insert(customer, (long) id);
            }
          } else {
            // A line changes its key (an update of the primary key).
            int id = orders.get(random.nextInt(orders.size()));
            try (PreparedStatement line = connection.prepareStatement(
                "UPDATE " + table("items") + " SET line = ? WHERE order_id = ? AND line = 1")) {
              ShopDatabase.insert(line, 100 + i, id);
            }
          }
          connection.commit();
        }
      }
      return transactions;
    };
  }

  /** What differs between the source rows and the staged rows of a table, with a few examples. */
  static String difference(String table, Map<List<Object>, Map<String, Object>> expected,
      Map<List<Object>, Map<String, Object>> actual) {
    List<List<Object>> missing = expected.keySet().stream().filter(k -> !actual.containsKey(k)).toList();
    List<List<Object>> extra = actual.keySet().stream().filter(k -> !expected.containsKey(k)).toList();
    List<List<Object>> changed = expected.keySet().stream()
        .filter(k -> actual.containsKey(k) && !actual.get(k).equals(expected.get(k))).toList();
    if (missing.isEmpty() && extra.isEmpty() && changed.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder(table).append(": ").append(missing.size()).append(" missing ")
        .append(missing.stream().limit(5).toList()).append(", ").append(extra.size()).append(" extra ")
        .append(extra.stream().limit(5).toList()).append(", ").append(changed.size()).append(" different");
    changed.stream().limit(3).forEach(k -> text.append("\n  ").append(k).append(": source ").append(expected.get(k))
        .append("\n  ").append(k).append(": staged ").append(actual.get(k)));
    return text.append('\n').toString();
  }
}
