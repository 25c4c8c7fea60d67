package io.tributary.cli.internal;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The demo schema (customers, products, orders) and a change generator over it: inserts, updates
 * (many of the same hot keys), deletes, delete-then-reinsert of a key, and transactions spanning
 * tables. Deterministic for a seed; bounded by a number of transactions and a duration.
 */
public final class DemoWorkload {
  /** The demo tables, as {@code schema.table}. */
  public static final List<String> TABLES = List.of("public.customers", "public.products", "public.orders");

  private static final String[] STATUSES = {"new", "paid", "packed", "shipped", "delivered", "returned"};

  private final Random random;
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong changes = new AtomicLong();
  private long nextOrderId;
  private long nextCustomerId;
  private int customers;
  private int products;

  public DemoWorkload(long seed) {
    this.random = new Random(seed);
  }

  /** Creates the tables and their initial rows (what the initial snapshot will capture). */
  public void createSchema(Connection connection, int initialCustomers, int initialProducts, int initialOrders) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE public.customers (
            id bigint PRIMARY KEY, name text NOT NULL, email text, tier integer,
            balance numeric(12,2), updated_at timestamptz)""");
      statement.execute("""
          CREATE TABLE public.products (
            id integer PRIMARY KEY, sku text NOT NULL, title text, price numeric(10,2),
            in_stock boolean, added_on date)""");
      statement.execute("""
          CREATE TABLE public.orders (
            id bigint PRIMARY KEY, customer_id bigint NOT NULL, product_id integer NOT NULL,
            quantity integer, amount numeric(12,2), status text, created_at timestamp)""");
    }
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    for (int i = 1; i <= initialCustomers; i++) {
      insertCustomer(connection, i);
    }
    for (int i = 1; i <= initialProducts; i++) {
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO public.products VALUES (?, ?, ?, ?, ?, DATE '2020-01-01' + ?)")) {
        insert.setInt(1, i);
        insert.setString(2, "SKU-" + i);
        insert.setString(3, "Product " + i);
        insert.setBigDecimal(4, price());
        insert.setBoolean(5, random.nextBoolean());
        insert.setInt(6, random.nextInt(2000));
        insert.executeUpdate();
      }
    }
    customers = initialCustomers;
    products = initialProducts;
    nextCustomerId = initialCustomers + 1;
    nextOrderId = 1;
    for (int i = 0; i < initialOrders; i++) {
      insertOrder(connection);
    }
    connection.commit();
    connection.setAutoCommit(autoCommit);
  }

  /**
   * Runs transactions at about {@code ratePerSecond} until {@code maxTransactions} are done,
   * {@code maxDuration} has passed or {@code stop} says so. Returns the number of transactions.
   */
  public long run(Connection connection, int ratePerSecond, long maxTransactions, Duration maxDuration,
      Clock clock, BooleanSupplier stop) throws SQLException {
    requireNonNull(clock, "clock is null");
    connection.setAutoCommit(false);
    long start = clock.millis();
    long done = 0;
    while (done < maxTransactions && clock.millis() - start < maxDuration.toMillis() && !stop.getAsBoolean()) {
      runOne(connection);
      done++;
      long due = start + done * 1000 / Math.max(1, ratePerSecond);
      long wait = due - clock.millis();
      if (wait > 0) {
        try {
          Thread.sleep(wait); // pacing the load, not waiting for a condition
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return done;
  }

  /** One transaction of a randomly chosen kind. */
  public void runOne(Connection connection) throws SQLException {
    int kind = random.nextInt(100);
    if (kind < 35) {
      // An order and the customer's balance change together: one transaction, two tables.
      long customer = 1 + random.nextInt(Math.max(1, customers));
      insertOrder(connection);
      update(connection, "UPDATE public.customers SET balance = balance + 1.25, updated_at = now() WHERE id = ?", customer);
    } else if (kind < 60) {
      // Hot keys: the first ten orders are updated again and again.
      long order = 1 + random.nextInt((int) Math.min(10, Math.max(1, nextOrderId - 1)));
      try (PreparedStatement statement = connection.prepareStatement("UPDATE public.orders SET status = ?, quantity = quantity + 1 WHERE id = ?")) {
        statement.setString(1, STATUSES[random.nextInt(STATUSES.length)]);
        statement.setLong(2, order);
        changes.addAndGet(statement.executeUpdate());
      }
    } else if (kind < 72) {
      try (PreparedStatement statement = connection.prepareStatement("UPDATE public.products SET price = ?, in_stock = NOT in_stock WHERE id = ?")) {
        statement.setBigDecimal(1, price());
        statement.setInt(2, 1 + random.nextInt(Math.max(1, products)));
        changes.addAndGet(statement.executeUpdate());
      }
    } else if (kind < 82) {
      update(connection, "DELETE FROM public.orders WHERE id = ?", 1 + random.nextInt((int) Math.max(1, nextOrderId - 1)));
    } else if (kind < 90) {
      // Delete a customer and insert the same key again in a later statement of the transaction.
      long customer = 1 + random.nextInt(Math.max(1, customers));
      update(connection, "DELETE FROM public.customers WHERE id = ?", customer);
      insertCustomer(connection, customer);
    } else if (kind < 95) {
      insertCustomer(connection, nextCustomerId++);
      customers++;
    } else {
      update(connection, "UPDATE public.customers SET tier = tier + 1, email = NULL WHERE id = ?", 1 + random.nextInt(Math.max(1, customers)));
    }
    connection.commit();
    transactions.incrementAndGet();
  }

  public long transactions() {
    return transactions.get();
  }

  /** Row changes made so far (each inserted, updated or deleted row counts once). */
  public long changes() {
    return changes.get();
  }

  private void update(Connection connection, String sql, long id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, id);
      changes.addAndGet(statement.executeUpdate());
    }
  }

  private void insertCustomer(Connection connection, long id) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO public.customers VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT (id) DO NOTHING")) {
      insert.setLong(1, id);
      insert.setString(2, "Customer " + id);
      insert.setString(3, "customer" + id + "@example.com");
      insert.setInt(4, random.nextInt(4));
      insert.setBigDecimal(5, price());
      changes.addAndGet(insert.executeUpdate());
    }
  }

  private void insertOrder(Connection connection) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO public.orders VALUES (?, ?, ?, ?, ?, ?, localtimestamp)")) {
      insert.setLong(1, nextOrderId++);
      insert.setLong(2, 1 + random.nextInt(Math.max(1, customers)));
      insert.setInt(3, 1 + random.nextInt(Math.max(1, products)));
      insert.setInt(4, 1 + random.nextInt(5));
      insert.setBigDecimal(5, price());
      insert.setString(6, STATUSES[0]);
      changes.addAndGet(insert.executeUpdate());
    }
  }

  private java.math.BigDecimal price() {
    return java.math.BigDecimal.valueOf(100 + random.nextInt(100_000), 2);
  }
}
