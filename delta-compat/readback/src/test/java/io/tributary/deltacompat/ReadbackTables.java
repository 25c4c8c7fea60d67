package io.tributary.deltacompat;

import static io.tributary.deltacompat.TableWriter.micros;
import static io.tributary.deltacompat.TableWriter.position;
import static io.tributary.deltacompat.TableWriter.txid;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.applier.internal.ApplierContext;
import io.tributary.applier.internal.BatchResult;
import io.tributary.applier.internal.ManifestPartition;
import io.tributary.applier.testing.FakeCoordinator;
import io.tributary.coordinator.Resync;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The tables the read-back test writes, one of each kind the applier makes, each through the
 * applier from real staged segments with a realistic sequence of changes, and the rows each must
 * read as: at its latest version, at earlier versions, and for queries filtering on it.
 */
final class ReadbackTables {
  private static final String SOURCE = "shop";
  private static final DateTimeFormatter LITERAL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

  /**
   * A table (at its latest version, or at {@code at}) as the test expects it to read; with a
   * {@code where} condition, the rows a query filtering on it returns: the rows {@code filter} keeps.
   */
  record Expected(URI location, OptionalLong at, long version, List<Column> columns, List<List<Object>> rows,
      Optional<String> where, Predicate<List<Object>> filter) {
    Expected filtered(String condition, Predicate<List<Object>> keep) {
      return new Expected(location, at, version, columns, rows.stream().filter(keep).toList(), Optional.of(condition),
          keep);
    }

    Object value(List<Object> row, String column) {
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equals(column)) {
          return row.get(i);
        }
      }
      throw new IllegalArgumentException("No column " + column);
    }
  }

  private final ApplierContext context;
  private final FakeCoordinator coordinator;
  private final Map<String, Expected> expected = new LinkedHashMap<>();

  ReadbackTables(ApplierContext context, FakeCoordinator coordinator) {
    this.context = context;
    this.coordinator = coordinator;
  }

  /** Writes every table; returns what each read (by name) must return. */
  Map<String, Expected> write() {
    writeCustomers();
    writeAccounts();
    writePrices();
    writePageViews();
    writeOrderTags();
    writeItems();
    writeOrders();
    return expected;
  }

  /** The id of the source table {@code name}. */
  static TableId table(String name) {
    return new TableId(SOURCE, "public", name);
  }

  private static ManifestPartition partition(int number) {
    return new ManifestPartition("tributary.manifests", "Rk9yRGVsdGFTcGFya0E", number);
  }

  // ---- scd1: every column type, updates across batches, TOAST, insert-then-delete, checkpoint, truncate ----

  private static final List<Column> CUSTOMER_COLUMNS = List.of(
      new Column("id", ColumnType.LONG, false), new Column("name", ColumnType.STRING, true),
      new Column("balance", ColumnType.decimal(12, 2), true), new Column("score", ColumnType.DOUBLE, true),
      new Column("rating", ColumnType.FLOAT, true), new Column("vip", ColumnType.BOOLEAN, true),
      new Column("born", ColumnType.DATE, true), new Column("signed_up", ColumnType.TIMESTAMP, true),
      new Column("local_login", ColumnType.TIMESTAMP_NTZ, true), new Column("avatar", ColumnType.BINARY, true),
      new Column("bio", ColumnType.STRING, true), new Column("visits", ColumnType.INT, true));
  private static final int BIO = 10;

  /** Version {@code v} of customer {@code id}: every value derived from both, several of them inexact or negative. */
  private static Object[] customer(long id, int v) {
    long sign = id % 2 == 0 ? -1 : 1;
    return new Object[] {id, "customer " + id + " v" + v,
        new BigDecimal(BigInteger.valueOf(sign * (id * 100_000 + v * 1_001 + 7)), 2),
        id * 1.1 + v / 3.0,
        (float) (id + v * 0.1),
        (id + v) % 2 == 0,
        (int) LocalDate.of(1950 + (int) id, 1 + v % 12, 28).toEpochDay(),
        microsOf(Instant.parse("2019-03-10T01:59:59.123456Z").plus(Duration.ofDays(id)).plusSeconds(v)),
        microsOf(LocalDateTime.of(2026, 3, 29, 2, 30, 15, 987_654_000).plusHours(id).plusMinutes(v)
            .toInstant(ZoneOffset.UTC)),
        new byte[] {(byte) id, 0, (byte) 0xff, (byte) v, (byte) 0x80},
        ("The biography of customer " + id + ", version " + v + ". ").repeat(200),
        (int) (id * 10 + v)};
  }

  /** Values at the edges: far past dates and times, NaN, negative zero, empty text and bytes, extremes. */
  private static Object[] edgeCustomer(long id) {
    return new Object[] {id, "", new BigDecimal("-9999999999.99"), Double.NaN, -0.0f, false,
        (int) LocalDate.of(1, 1, 1).toEpochDay(), microsOf(Instant.parse("1800-01-01T00:00:00Z")),
        microsOf(LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000).toInstant(ZoneOffset.UTC)), new byte[0],
        "ünïcødé ✓ 𝄞", Integer.MIN_VALUE};
  }

  private static Object[] nullCustomer(long id) {
    Object[] values = new Object[CUSTOMER_COLUMNS.size()];
    values[0] = id;
    return values;
  }

  private static Object[] withBio(Object[] customer, Object[] bioFrom) {
    Object[] values = customer.clone();
    values[BIO] = bioFrom[BIO];
    return values;
  }

  private void writeCustomers() {
    TableWriter w = new TableWriter(context, new TableSchema(table("customers"), CUSTOMER_COLUMNS, List.of("id")),
        partition(0));
    List<String> bio = List.of("bio");
    w.commit(w.read(1, customer(1, 0)), w.read(2, customer(2, 0)), w.read(3, customer(3, 0)), w.read(4, edgeCustomer(4)),
        w.read(5, nullCustomer(5)));
    // The same key updated twice in one batch; a delete carrying only the key.
    w.commit(w.insert(1, customer(6, 0)), w.update(2, customer(1, 1)), w.update(3, customer(1, 2)),
        w.delete(4, nullCustomer(2)));
    // An insert and its delete in two segments of one batch; an update without its unchanged TOASTed bio.
    w.commitSegments(List.of(
        List.of(w.insert(5, customer(7, 0)), w.updateWithout(6, bio, customer(3, 1))),
        List.of(w.delete(7, customer(7, 0)), w.update(8, customer(5, 1)), w.insert(9, customer(8, 0)))));
    // Updates of the same keys across batches; between them, keys far from the others, each batch of
    // them in a data file of its own that no later batch rewrites (and that the checkpoint lists).
    long n = 10;
    for (int k = 1; k <= 7; k++) {
      if (k % 2 == 1) {
        w.commit(w.update(n++, customer(1, 2 + k)), w.updateWithout(n++, bio, customer(6, k)));
      } else {
        w.commit(w.insert(n++, customer(1_000L * k, 0)));
      }
    }
    long beforeTruncate = w.commit(w.delete(n++, customer(8, 0)), w.updateWithout(n++, bio, customer(3, 2)));
    assertThat(beforeTruncate).isEqualTo(11);
    List<List<Object>> rowsBeforeTruncate = new ArrayList<>(Stream.of(customer(1, 9),
        withBio(customer(3, 2), customer(3, 0)), edgeCustomer(4), customer(5, 1), withBio(customer(6, 7), customer(6, 0)))
        .map(Arrays::asList).toList());
    for (int k = 2; k <= 6; k += 2) {
      rowsBeforeTruncate.add(Arrays.asList(customer(1_000L * k, 0)));
    }
    expect("customers_before_truncate", w, OptionalLong.of(beforeTruncate), beforeTruncate, CUSTOMER_COLUMNS,
        rowsBeforeTruncate);
    // Statistics read from the checkpoint: timestamps kept to the millisecond there, values to the microsecond.
    long latestSignUp = (Long) customer(6_000, 0)[7];
    expectWhere("customers_latest_sign_up", "customers_before_truncate", "signed_up >= " + timestamp(latestSignUp),
        where("customers_before_truncate", "signed_up", value -> (Long) value >= latestSignUp));
    long earliestLogin = (Long) customer(1, 9)[8];
    expectWhere("customers_earliest_login", "customers_before_truncate", "local_login <= " + timestampNtz(earliestLogin),
        where("customers_before_truncate", "local_login", value -> value != null && (Long) value <= earliestLogin));
    long edgeLogin = (Long) edgeCustomer(4)[8];
    expectWhere("customers_edge_values", "customers_before_truncate", "local_login = " + timestampNtz(edgeLogin)
        + " AND born = DATE '0001-01-01' AND signed_up < TIMESTAMP '1900-01-01 00:00:00' AND visits = -2147483648"
        + " AND balance = -9999999999.99 AND name = ''", where("customers_before_truncate", "id", id -> id.equals(4L)));

    // A truncate followed by new rows, in one batch.
    w.commit(w.truncate(n++), w.insert(n++, customer(100, 0)), w.insert(n++, customer(101, 0)),
        w.update(n++, customer(101, 1)));
    w.commit(w.updateWithout(n++, bio, customer(100, 1)), w.insert(n++, customer(102, 0)),
        w.delete(n++, nullCustomer(101)));
    expect("customers", w, OptionalLong.empty(), w.version(), CUSTOMER_COLUMNS, List.of(
        Arrays.asList(withBio(customer(100, 1), customer(100, 0))), Arrays.asList(customer(102, 0))));
    long latestLogin = (Long) customer(102, 0)[8];
    expectWhere("customers_latest_login", "customers", "local_login >= " + timestampNtz(latestLogin),
        where("customers", "id", id -> id.equals(102L)));
  }

  // ---- scd1 with soft delete ----

  private static final List<Column> ACCOUNT_COLUMNS = List.of(new Column("id", ColumnType.INT, false),
      new Column("owner", ColumnType.STRING, true), new Column("credit_limit", ColumnType.decimal(9, 2), true),
      new Column("opened", ColumnType.DATE, true), new Column("note", ColumnType.STRING, true));

  private static Object[] account(int id, int v) {
    return new Object[] {id, "owner " + id + " v" + v, new BigDecimal(BigInteger.valueOf(id * 50_000L + v), 2),
        (int) LocalDate.of(2001, 2, id).plusDays(v).toEpochDay(), "note " + id + " v" + v};
  }

  private void writeAccounts() {
    // Created without deletion vectors: its batches rewrite the files holding their keys (copy-on-write).
    ApplierContext copyOnWrite = new ApplierContext(
        context.config().withFiles(context.config().files().withoutDeletionVectors()), context.engine(),
        context.staging(), context.coordinator(), context.committers(), context.metrics(), context.clock());
    TableWriter w = new TableWriter(copyOnWrite, new TableSchema(table("accounts"), ACCOUNT_COLUMNS, List.of("id")),
        partition(1));
    w.commit(w.insert(1, account(1, 0)), w.insert(2, account(2, 0)), w.insert(3, account(3, 0)),
        w.insert(4, account(4, 0)));
    // A delete with the key only keeps the row's values; one with the whole before-image too.
    w.commit(w.delete(5, new Object[] {1, null, null, null, null}), w.update(6, account(2, 1)),
        w.delete(7, account(3, 0)));
    // A deleted key inserted again; a key inserted and deleted in one batch; an update without the TOASTed note.
    w.commit(w.insert(8, account(1, 1)), w.insert(9, account(5, 0)), w.delete(10, account(5, 0)),
        w.updateWithout(11, List.of("note"), account(4, 1)));
    // A truncate marks every row not deleted yet; rows deleted before keep their time.
    w.commit(w.truncate(12), w.insert(13, account(6, 0)));
    List<Column> columns = plus(ACCOUNT_COLUMNS, new Column("__deleted_at", ColumnType.TIMESTAMP, true));
    Object[] account4 = account(4, 1);
    account4[4] = account(4, 0)[4];
    expect("accounts", w, OptionalLong.empty(), w.version(), columns, List.of(
        row(account(1, 1), micros(12)), row(account(2, 1), micros(12)), row(account(3, 0), micros(7)),
        row(account4, micros(12)), row(account(5, 0), micros(10)), row(account(6, 0), (Object) null)));
    expectWhere("accounts_live", "accounts", "__deleted_at IS NULL", where("accounts", "__deleted_at", at -> at == null));
    expectWhere("accounts_deleted_at", "accounts", "__deleted_at = " + timestamp(micros(7)),
        where("accounts", "__deleted_at", at -> Long.valueOf(micros(7)).equals(at)));
  }

  // ---- scd2 ----

  private static final List<Column> PRICE_COLUMNS = List.of(new Column("sku", ColumnType.STRING, false),
      new Column("price", ColumnType.decimal(10, 2), true), new Column("currency", ColumnType.STRING, true),
      new Column("description", ColumnType.STRING, true), new Column("valid_from", ColumnType.TIMESTAMP, true));

  private static Object[] price(String sku, int v) {
    return new Object[] {sku, new BigDecimal(BigInteger.valueOf(999 + v * 250L), 2), v % 2 == 0 ? "EUR" : "CHF",
        ("Description of " + sku + " v" + v + ". ").repeat(100),
        microsOf(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(v * 86_400L + sku.charAt(0)))};
  }

  private static List<Object> version(Object[] values, long start, Long end) {
    return row(values, micros(start), position(start), end == null ? null : micros(end),
        end == null ? null : position(end), end == null);
  }

  private void writePrices() {
    TableWriter w = new TableWriter(context, new TableSchema(table("prices"), PRICE_COLUMNS, List.of("sku")),
        partition(2));
    w.commit(w.insert(1, price("A", 0)), w.insert(2, price("B", 0)), w.update(3, price("A", 1)),
        w.update(4, price("A", 2)));
    w.commit(w.updateWithout(5, List.of("description"), price("B", 1)),
        w.delete(6, new Object[] {"A", null, null, null, null}), w.insert(7, price("C", 0)));
    w.commit(w.insert(8, price("A", 3)), w.update(9, price("C", 1)), w.delete(10, price("C", 1)));
    w.commit(w.truncate(11), w.insert(12, price("D", 0)));
    w.commit(w.update(13, price("D", 1)), w.insert(14, price("B", 2)));
    Object[] b1 = price("B", 1);
    b1[3] = price("B", 0)[3];
    List<Column> columns = plus(PRICE_COLUMNS, new Column("__start_at", ColumnType.TIMESTAMP, true),
        new Column("__start_position", ColumnType.STRING, true), new Column("__end_at", ColumnType.TIMESTAMP, true),
        new Column("__end_position", ColumnType.STRING, true), new Column("__current", ColumnType.BOOLEAN, true));
    expect("prices", w, OptionalLong.empty(), w.version(), columns, List.of(
        version(price("A", 0), 1, 3L), version(price("A", 1), 3, 4L), version(price("A", 2), 4, 6L),
        version(price("A", 3), 8, 11L), version(price("B", 0), 2, 5L), version(b1, 5, 11L),
        version(price("B", 2), 14, null), version(price("C", 0), 7, 9L), version(price("C", 1), 9, 10L),
        version(price("D", 0), 12, 13L), version(price("D", 1), 13, null)));
    expectWhere("prices_current", "prices", "__current AND __end_at IS NULL",
        where("prices", "__current", current -> (Boolean) current));
    expectWhere("prices_latest_start", "prices", "__start_position >= '" + position(14) + "'",
        where("prices", "__start_position", start -> start.equals(position(14))));
  }

  // ---- append (no primary key) ----

  private static final List<Column> PAGE_VIEW_COLUMNS = List.of(new Column("url", ColumnType.STRING, true),
      new Column("viewer", ColumnType.LONG, true), new Column("viewed_at", ColumnType.TIMESTAMP, true),
      new Column("referrer", ColumnType.STRING, true));

  private static Object[] view(int n) {
    return new Object[] {"https://shop.example/p/" + n, 40_000_000_000L + n, micros(n) - 1, n % 3 == 0 ? null : "ads"};
  }

  private static List<Object> appended(Object[] values, String op, long n) {
    return row(values, op, position(n), micros(n), txid(n));
  }

  private void writePageViews() {
    TableWriter w = new TableWriter(context, new TableSchema(table("page_views"), PAGE_VIEW_COLUMNS, List.of()),
        partition(3));
    w.commit(w.insert(1, view(1)), w.insert(2, view(2)), w.update(3, view(3)), w.delete(4, view(1)));
    w.commit(w.insert(5, view(5)), w.truncate(6), w.insert(7, view(7)), w.insert(8, view(7)));
    w.commit(w.insert(9, view(9)), w.delete(10, view(9)));
    List<Column> columns = plus(PAGE_VIEW_COLUMNS, new Column("__op", ColumnType.STRING, true),
        new Column("__position", ColumnType.STRING, true), new Column("__source_ts", ColumnType.TIMESTAMP, true),
        new Column("__txid", ColumnType.STRING, true));
    expect("page_views", w, OptionalLong.empty(), w.version(), columns, List.of(
        appended(new Object[4], "t", 6), appended(view(7), "c", 7), appended(view(7), "c", 8),
        appended(view(9), "c", 9), appended(view(9), "d", 10)));
    expectWhere("page_views_deletes", "page_views", "__op = 'd' AND viewer = 40000000009 AND __position >= '"
        + position(10) + "'", where("page_views", "__op", "d"::equals));
  }

  // ---- scd1 with every column as the key ----

  private static final List<Column> ORDER_TAG_COLUMNS = List.of(new Column("order_id", ColumnType.LONG, true),
      new Column("tag", ColumnType.STRING, true));

  private void writeOrderTags() {
    TableWriter w = new TableWriter(context, new TableSchema(table("order_tags"), ORDER_TAG_COLUMNS, List.of()),
        partition(4));
    w.commit(w.insert(1, 1L, "gift"), w.insert(2, 1L, "gift"), w.insert(3, 1L, "rush"), w.insert(4, 2L, "gift"),
        w.insert(5, 3L, null));
    w.commit(w.delete(6, 1L, "gift"), w.delete(7, 3L, null), w.insert(8, 4L, "fragile"));
    w.commit(w.insert(9, 4L, "fragile"), w.insert(10, 5L, "gift"), w.delete(11, 5L, "gift"));
    expect("order_tags", w, OptionalLong.empty(), w.version(), ORDER_TAG_COLUMNS, List.of(
        row(1L, "rush"), row(2L, "gift"), row(4L, "fragile")));
    expectWhere("order_tags_fragile", "order_tags", "order_id = 4 AND tag = 'fragile'",
        where("order_tags", "order_id", id -> id.equals(4L)));
  }

  // ---- schema evolution: drop, add (column mapping), int -> bigint / double, float -> double, decimal up ----

  private static TableSchema items(Column... columns) {
    return new TableSchema(table("items"), List.of(columns), List.of("id"));
  }

  private void writeItems() {
    TableSchema v1 = items(new Column("id", ColumnType.INT, false), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.INT, true), new Column("price", ColumnType.FLOAT, true),
        new Column("amount", ColumnType.decimal(10, 2), true), new Column("legacy_code", ColumnType.STRING, true),
        new Column("stock", ColumnType.INT, true));
    TableWriter w = new TableWriter(context, v1, partition(5));
    // Keys far from the others: their file is never rewritten, and is read as written, in the first schema.
    w.commit(w.read(1, 100, "hundred", 100, 100.5f, new BigDecimal("100.01"), "L-100", 1000),
        w.read(2, 101, "hundred one", null, 1.1f, null, null, -7));
    w.commit(w.insert(1, 1, "one", 10, 1.1f, new BigDecimal("10.01"), "L-1", 100),
        w.insert(2, 2, "two", 20, 2.5f, new BigDecimal("-20.02"), "L-2", 200),
        w.insert(3, 3, "three", 30, 3.75f, new BigDecimal("99999999.99"), "L-3", 300));

    // legacy_code dropped: kept, nullable; rows written from now on have null there.
    TableSchema v2 = items(new Column("id", ColumnType.INT, false), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.INT, true), new Column("price", ColumnType.FLOAT, true),
        new Column("amount", ColumnType.decimal(10, 2), true), new Column("stock", ColumnType.INT, true));
    w.changeSchema(v2);
    long beforeColumnMapping = w.commit(w.update(4, 1, "one v2", 11, 1.1f, new BigDecimal("10.01"), 101),
        w.insert(5, 4, "four", 40, 4.5f, new BigDecimal("40.40"), 400));
    List<Column> v2Columns = List.of(new Column("id", ColumnType.INT, true), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.INT, true), new Column("price", ColumnType.FLOAT, true),
        new Column("amount", ColumnType.decimal(10, 2), true), new Column("legacy_code", ColumnType.STRING, true),
        new Column("stock", ColumnType.INT, true));
    expect("items_before_column_mapping", w, OptionalLong.of(beforeColumnMapping), beforeColumnMapping, v2Columns,
        List.of(row(1, "one v2", 11, 1.1f, new BigDecimal("10.01"), null, 101),
            row(100, "hundred", 100, 100.5f, new BigDecimal("100.01"), "L-100", 1000),
            row(101, "hundred one", null, 1.1f, null, null, -7),
            row(2, "two", 20, 2.5f, new BigDecimal("-20.02"), "L-2", 200),
            row(3, "three", 30, 3.75f, new BigDecimal("99999999.99"), "L-3", 300),
            row(4, "four", 40, 4.5f, new BigDecimal("40.40"), null, 400)));

    // email added: column mapping 'name' turned on in a commit of its own first.
    TableSchema v3 = items(new Column("id", ColumnType.INT, false), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.INT, true), new Column("price", ColumnType.FLOAT, true),
        new Column("amount", ColumnType.decimal(10, 2), true), new Column("stock", ColumnType.INT, true),
        new Column("email", ColumnType.STRING, true));
    w.changeSchema(v3);
    w.commit(w.update(6, 2, "two", 21, 2.5f, new BigDecimal("-20.02"), 201, "two@example.com"),
        w.insert(7, 5, "five", 50, 5.25f, new BigDecimal("50.05"), 500, "five@example.com"));

    // Widened: id and qty int -> bigint (values above 2^31), price float -> double, amount decimal(10,2) ->
    // decimal(14,4), stock int -> double.
    TableSchema v4 = items(new Column("id", ColumnType.LONG, false), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.LONG, true), new Column("price", ColumnType.DOUBLE, true),
        new Column("amount", ColumnType.decimal(14, 4), true), new Column("stock", ColumnType.DOUBLE, true),
        new Column("email", ColumnType.STRING, true));
    w.changeSchema(v4);
    w.commit(w.update(8, 3L, "three", 5_000_000_000L, 3.3, new BigDecimal("1234567890.1234"), 300.5, null),
        w.insert(9, 3_000_000_000L, "big", 1L, 0.1, new BigDecimal("-0.0001"), 1e15, "big@example.com"),
        w.update(10, 5L, "five", 50L, 5.25, new BigDecimal("50.0500"), 500.0, "five@example.com"));
    // Rows written before the widening, updated and deleted by their widened keys.
    w.commit(w.update(11, 1L, "one v3", 12L, 1.2, new BigDecimal("10.0100"), 102.0, "one@example.com"),
        w.delete(12, 4L, null, null, null, null, null, null));
    List<Column> v4Columns = List.of(new Column("id", ColumnType.LONG, true), new Column("name", ColumnType.STRING, true),
        new Column("qty", ColumnType.LONG, true), new Column("price", ColumnType.DOUBLE, true),
        new Column("amount", ColumnType.decimal(14, 4), true), new Column("legacy_code", ColumnType.STRING, true),
        new Column("stock", ColumnType.DOUBLE, true), new Column("email", ColumnType.STRING, true));
    expect("items", w, OptionalLong.empty(), w.version(), v4Columns, List.of(
        row(1L, "one v3", 12L, 1.2, new BigDecimal("10.0100"), null, 102.0, "one@example.com"),
        row(2L, "two", 21L, 2.5, new BigDecimal("-20.0200"), null, 201.0, "two@example.com"),
        row(3L, "three", 5_000_000_000L, 3.3, new BigDecimal("1234567890.1234"), null, 300.5, null),
        row(5L, "five", 50L, 5.25, new BigDecimal("50.0500"), null, 500.0, "five@example.com"),
        row(3_000_000_000L, "big", 1L, 0.1, new BigDecimal("-0.0001"), null, 1e15, "big@example.com"),
        // The first file, written as int / float / decimal(10,2) / int, read as the wider types.
        row(100L, "hundred", 100L, 100.5, new BigDecimal("100.0100"), "L-100", 1000.0, null),
        row(101L, "hundred one", null, (double) 1.1f, null, null, -7.0, null)));
    // Statistics of files written before the widening (old types) and after it (new types).
    expectWhere("items_first_file", "items", "id = 100 AND qty = 100 AND price = 100.5 AND amount = 100.0100"
        + " AND stock = 1000.0 AND legacy_code = 'L-100'", where("items", "id", id -> id.equals(100L)));
    expectWhere("items_above_int", "items", "qty > 4000000000 AND amount > 1234567890",
        where("items", "id", id -> id.equals(3L)));
    expectWhere("items_big_key", "items", "id = 3000000000 AND stock >= 1e15",
        where("items", "id", id -> id.equals(3_000_000_000L)));
  }

  // ---- an incompatible schema change: the table replaced by a resync, column mapping kept ----

  private void writeOrders() {
    TableWriter w = new TableWriter(context, new TableSchema(table("orders"), List.of(
        new Column("id", ColumnType.LONG, false), new Column("status", ColumnType.STRING, true),
        new Column("qty", ColumnType.INT, true)), List.of("id")), partition(6));
    w.commit(w.insert(1, 1L, "new", 1), w.insert(2, 2L, "new", 2), w.insert(3, 3L, "paid", 3));
    w.changeSchema(new TableSchema(table("orders"), List.of(new Column("id", ColumnType.LONG, false),
        new Column("status", ColumnType.STRING, true), new Column("qty", ColumnType.INT, true),
        new Column("note", ColumnType.STRING, true)), List.of("id")));
    long beforeReplace = w.commit(w.update(4, 1L, "paid", 1, "first"));
    expect("orders_before_replace", w, OptionalLong.of(beforeReplace), beforeReplace, List.of(
        new Column("id", ColumnType.LONG, true), new Column("status", ColumnType.STRING, true),
        new Column("qty", ColumnType.INT, true), new Column("note", ColumnType.STRING, true)), List.of(
            row(1L, "paid", 1, "first"), row(2L, "new", 2, null), row(3L, "paid", 3, null)));

    // qty becomes text at the source: the applier requires a resync and waits for its begin.
    List<Column> textQty = List.of(new Column("id", ColumnType.LONG, false), new Column("status", ColumnType.STRING, true),
        new Column("qty", ColumnType.STRING, true), new Column("note", ColumnType.STRING, true));
    w.changeSchema(new TableSchema(table("orders"), textQty, List.of("id")));
    assertThat(w.apply(w.update(5, 2L, "shipped", "2 boxes", null)).outcome())
        .isEqualTo(BatchResult.Outcome.NOTHING_TO_APPLY);
    Resync resync = coordinator.table(table("orders")).orElseThrow().resync().orElseThrow();
    coordinator.reportResync(table("orders"), resync.id(), Resync.State.CAPTURING, "capturing");
    w.commit(w.resyncBegin(10), w.resyncRead(11, 1L, "paid", "1", "first"), w.resyncRead(12, 2L, "shipped", "2 boxes",
        null));
    coordinator.reportResync(table("orders"), resync.id(), Resync.State.CAPTURED, "captured");
    w.commit(w.resyncRead(13, 3L, "paid", "3", null), w.insert(14, 4L, "new", "one dozen", "rush"), w.resyncEnd(15));
    assertThat(coordinator.table(table("orders")).orElseThrow().resync().orElseThrow().state())
        .isEqualTo(Resync.State.DONE);
    w.commit(w.update(16, 4L, "paid", "a dozen", "rush"), w.delete(17, 3L, null, null, null));
    expect("orders", w, OptionalLong.empty(), w.version(), List.of(
        new Column("id", ColumnType.LONG, true), new Column("status", ColumnType.STRING, true),
        new Column("qty", ColumnType.STRING, true), new Column("note", ColumnType.STRING, true)), List.of(
            row(1L, "paid", "1", "first"), row(2L, "shipped", "2 boxes", null), row(4L, "paid", "a dozen", "rush")));
  }


  private void expect(String name, TableWriter writer, OptionalLong at, long version, List<Column> columns,
      List<List<Object>> rows) {
    expected.put(name, new Expected(writer.location(), at, version, columns, rows, Optional.empty(), row -> true));
  }

  /**
   * Expects a query of the table {@code of} filtering on {@code condition} to return the rows
   * {@code keep} keeps: Spark skips data files by the statistics the applier wrote in the Delta log
   * (or its checkpoint), so wrong statistics show as missing rows.
   */
  private void expectWhere(String name, String of, String condition, Predicate<List<Object>> keep) {
    expected.put(name, expected.get(of).filtered(condition, keep));
  }

  private Predicate<List<Object>> where(String of, String column, Predicate<Object> test) {
    Expected table = expected.get(of);
    return row -> test.test(table.value(row, column));
  }

  /** A Spark SQL timestamp literal (the session's time zone is UTC). */
  private static String timestamp(long micros) {
    return "TIMESTAMP '" + LITERAL.format(LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
        Math.floorMod(micros, 1_000_000) * 1_000, ZoneOffset.UTC)) + "'";
  }

  private static String timestampNtz(long micros) {
    return timestamp(micros).replace("TIMESTAMP", "TIMESTAMP_NTZ");
  }

  private static List<Column> plus(List<Column> columns, Column... more) {
    List<Column> all = new ArrayList<>(columns);
    all.addAll(List.of(more));
    return all;
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  private static List<Object> row(Object[] values, Object... more) {
    List<Object> row = new ArrayList<>(Arrays.asList(values));
    row.addAll(Arrays.asList(more));
    return row;
  }

  private static long microsOf(Instant instant) {
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
  }
}
