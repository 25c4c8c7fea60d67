package io.tributary.loadtests.internal;

import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The rows of benchmark {@code apply}: an orders table of ten columns with a bigint key, about 150
 * bytes a row as text. A row's values follow from its key and its version alone, so that every
 * process of a run (the applier's, Spark's, the harness) makes the same rows without handing them
 * over.
 */
public final class OrderRows {
  /** The table's id as staged; its Delta table is named after it. */
  public static final TableId TABLE = new TableId("bench", "public", "orders");
  /** The columns, the key first. */
  public static final List<Column> COLUMNS = List.of(
      new Column("id", ColumnType.LONG, false),
      new Column("customer_id", ColumnType.LONG, true),
      new Column("status", ColumnType.STRING, true),
      new Column("amount", ColumnType.decimal(12, 2), true),
      new Column("quantity", ColumnType.INT, true),
      new Column("discount", ColumnType.DOUBLE, true),
      new Column("email", ColumnType.STRING, true),
      new Column("note", ColumnType.STRING, true),
      new Column("created_at", ColumnType.TIMESTAMP, true),
      new Column("updated_at", ColumnType.TIMESTAMP, true));
  public static final TableSchema SCHEMA = new TableSchema(TABLE, COLUMNS, List.of("id"));

  private static final String[] STATUSES = {"new", "paid", "packed", "shipped", "delivered", "returned"};
  private static final String WORDS = "abcdefghijklmnopqrstuvwxyz";
  /** 2026-01-01T00:00:00Z in microseconds. */
  private static final long EPOCH_2026_MICROS = 1_767_225_600_000_000L;

  private OrderRows() {}

  /** The values of row {@code key} at {@code version} (0: as first inserted), in {@link #COLUMNS} order. */
  public static Object[] row(long key, int version) {
    SplittableRandom random = new SplittableRandom(key * 1_000_003L + version);
    long created = EPOCH_2026_MICROS + (key % 10_000_000L) * 1_000_000L;
    return new Object[] {
        key,
        random.nextLong(1, 5_000_000),
        STATUSES[Math.min(STATUSES.length - 1, version + random.nextInt(2))],
        BigDecimal.valueOf(random.nextLong(100, 10_000_000), 2),
        random.nextInt(1, 100),
        version == 0 ? 0.0 : random.nextInt(0, 30) / 100.0,
        text(random, 8 + random.nextInt(8)) + "@" + text(random, 6) + ".example.com",
        text(random, 20 + random.nextInt(40)),
        created,
        created + version * 3_600_000_000L + random.nextLong(0, 3_600_000_000L)};
  }

  /** A row with the key only: what a delete carries. */
  public static Object[] keyOnly(long key) {
    Object[] row = new Object[COLUMNS.size()];
    row[0] = key;
    return row;
  }

  private static String text(SplittableRandom random, int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = i % 6 == 5 ? ' ' : WORDS.charAt(random.nextInt(WORDS.length()));
    }
    return new String(chars);
  }
}
