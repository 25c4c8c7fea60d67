package io.tributary.gateway;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * One client of the shop: transactions of inserts, updates and deletes, several of them spanning
 * tables. Each workload owns its id range (and the preloaded ids congruent to its number), so that
 * concurrent workloads interleave in the WAL without conflicting. Returns the transactions run.
 */
final class ShopWorkload implements Callable<Integer> {
  private static final int RANGE = 1_000_000;

  private final ShopDatabase database;
  private final int number;
  private final int transactions;
  private final BooleanSupplier stop;
  private final boolean truncateOnce;
  private final Random random;
  private final List<Integer> orders = new ArrayList<>();
  private final List<Long> customers = new ArrayList<>();
  private int nextId;

  /** @param generation distinguishes workloads run one after the other on the same database */
  ShopWorkload(ShopDatabase database, int number, int workloads, int preloaded, int transactions,
      BooleanSupplier stop, boolean truncateOnce, int generation) {
    this.database = database;
    this.number = number;
    this.transactions = transactions;
    this.stop = stop;
    this.truncateOnce = truncateOnce;
    this.random = new Random(1000 + number);
    for (int id = 1; id <= preloaded; id++) {
      if (id % workloads == number) {
        orders.add(id);
        customers.add((long) id);
      }
    }
    this.nextId = (number + 1) * RANGE + generation * (RANGE / 10);
  }

  @Override
  public Integer call() throws SQLException {
    int done = 0;
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      for (int i = 0; i < transactions && !stop.getAsBoolean(); i++) {
        try {
          if (truncateOnce && i == transactions / 2) {
            try (Statement statement = connection.createStatement()) {
              statement.execute("TRUNCATE items");
            }
          } else {
            step(connection);
          }
          connection.commit();
          done++;
        } catch (SQLException e) {
          // Another workload's TRUNCATE can make a transaction wait and then fail with a
          // serialization or deadlock error: the source stays consistent, only this one is lost.
          if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
            throw e;
          }
          connection.rollback();
        }
      }
    }
    return done;
  }

  private void step(Connection connection) throws SQLException {
    int dice = random.nextInt(100);
    if (dice < 30 || orders.isEmpty()) {
      // A new order: customer, order and its lines in one transaction.
      int id = nextId++;
      long customer = id;
      insertCustomer(connection, customer, random);
      customers.add(customer);
      // Holds the transaction open a moment, so that the other workload's transactions commit in
      // between and their WAL records interleave with this one's (and paces the workload).
      try (Statement statement = connection.createStatement()) {
        statement.execute("SELECT pg_sleep(0.005)");
      }
      insertOrder(connection, id, customer, random, random.nextInt(4) == 0);
      orders.add(id);
    } else if (dice < 55) {
      // Touches neither big nor payload: big is TOAST-unavailable in the change.
      int id = pick(orders);
      try (PreparedStatement statement = connection.prepareStatement(
          "UPDATE orders SET note = ?, amount = amount + 1, updated = ? WHERE id = ?")) {
        ShopDatabase.insert(statement, "note " + random.nextInt(), OffsetDateTime.now(ZoneOffset.UTC), id);
      }
    } else if (dice < 62) {
      int id = pick(orders);
      try (PreparedStatement statement = connection.prepareStatement("UPDATE orders SET big = ? WHERE id = ?")) {
        ShopDatabase.insert(statement, big(random), id);
      }
    } else if (dice < 75) {
      long id = pick(customers);
      try (PreparedStatement statement = connection.prepareStatement(
          "UPDATE customers SET balance = balance + ?, email = ?, active = NOT active WHERE id = ?")) {
        ShopDatabase.insert(statement, new BigDecimal("1.25"), "c" + random.nextInt() + "@example.com", id);
      }
    } else if (dice < 85) {
      // Delete an order with its lines.
      int id = orders.remove(random.nextInt(orders.size()));
      try (PreparedStatement lines = connection.prepareStatement("DELETE FROM items WHERE order_id = ?");
          PreparedStatement order = connection.prepareStatement("DELETE FROM orders WHERE id = ?")) {
        ShopDatabase.insert(lines, id);
        ShopDatabase.insert(order, id);
      }
    } else if (dice < 92 && !customers.isEmpty()) {
      long id = customers.remove(random.nextInt(customers.size()));
      try (PreparedStatement statement = connection.prepareStatement("DELETE FROM customers WHERE id = ?")) {
        ShopDatabase.insert(statement, id);
      }
    } else {
      // Many rows in one transaction: the first line of this workload's last 100 orders.
      try (PreparedStatement statement = connection.prepareStatement(
          "UPDATE items SET qty = qty + 1 WHERE order_id >= ? AND order_id < ? AND line = 1")) {
        ShopDatabase.insert(statement, Math.max((number + 1) * RANGE, nextId - 100), nextId);
      }
    }
  }

  private <T> T pick(List<T> ids) {
    return ids.get(random.nextInt(ids.size()));
  }

  static void insertCustomer(Connection connection, long id, Random random) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "INSERT INTO customers (id, name, email, balance, since, active) VALUES (?, ?, ?, ?, ?, ?)")) {
      ShopDatabase.insert(statement, id, "customer " + id, random.nextBoolean() ? null : "c" + id + "@example.com",
          new BigDecimal(random.nextInt(1_000_000)).movePointLeft(2), LocalDate.of(2020, 1, 1).plusDays(id % 2000),
          random.nextBoolean());
    }
  }

  static void insertOrder(Connection connection, int id, long customer, Random random, boolean withBig)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "INSERT INTO orders (id, customer_id, note, amount, created, updated, payload, attrs, ref, big)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)")) {
      statement.setInt(1, id);
      statement.setLong(2, customer);
      statement.setString(3, random.nextInt(3) == 0 ? null : "order " + id);
      statement.setBigDecimal(4, new BigDecimal(random.nextInt(10_000_000)).movePointLeft(2));
      statement.setObject(5, LocalDateTime.of(2024, 1, 1, 0, 0).plusNanos(random.nextLong(1L << 50) * 1000));
      statement.setObject(6, OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 123_456_000, ZoneOffset.ofHours(2)));
      byte[] payload = new byte[random.nextInt(16)];
      random.nextBytes(payload);
      statement.setBytes(7, payload);
      statement.setString(8, "{\"id\": " + id + ", \"tags\": [\"a\", \"b\"]}");
      statement.setObject(9, new UUID(random.nextLong(), random.nextLong()));
      if (withBig) {
        statement.setString(10, big(random));
      } else {
        statement.setNull(10, Types.VARCHAR);
      }
      statement.executeUpdate();
    }
    try (PreparedStatement statement = connection.prepareStatement(
        "INSERT INTO items (order_id, line, sku, qty, price) VALUES (?, ?, ?, ?, ?)")) {
      int lines = 1 + random.nextInt(3);
      for (int line = 1; line <= lines; line++) {
        ShopDatabase.insert(statement, id, line, "sku-" + random.nextInt(500), 1 + random.nextInt(9),
            random.nextDouble() * 100);
      }
    }
  }

  /** A value large and random enough to be stored out of line (TOAST). */
  static String big(Random random) {
    StringBuilder text = new StringBuilder(6000);
    while (text.length() < 6000) {
      text.append(Long.toString(random.nextLong(), 36));
    }
    return text.toString();
  }
}
