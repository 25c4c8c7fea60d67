package io.tributary.loadtests.workload;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A kind of column a workload's tables have beside the key, and how its values are made: random,
 * from the connection's generator, of about {@link #width()} bytes (text, bytes and json take the
 * width the row has left).
 */
public enum ColumnKind {
  INT(4),
  BIGINT(8),
  DECIMAL(8),
  DOUBLE(8),
  BOOLEAN(1),
  DATE(4),
  TIMESTAMP(8),
  UUID(16),
  TEXT(0),
  BYTES(0),
  JSON(0);

  private static final OffsetDateTime EPOCH = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final int TEN_YEARS_OF_SECONDS = 10 * 365 * 86_400;
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";

  private final int width;

  ColumnKind(int width) {
    this.width = width;
  }

  /** Reads a kind by its name in any case: {@code int}, {@code text}, ... */
  public static ColumnKind parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown column kind '" + text + "': expected one of "
          + Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
  }

  /** Bytes of a value; 0 for the kinds whose size follows the row width. */
  public int width() {
    return width;
  }

  /** Whether the value's size follows the row width. */
  public boolean variable() {
    return width == 0;
  }

  /** Binds a new random value of {@code length} bytes (variable kinds) at {@code index}. */
  void bind(PreparedStatement statement, int index, Dialect dialect, SplittableRandom random, int length)
      throws SQLException {
    switch (this) {
      case INT -> statement.setInt(index, random.nextInt());
      case BIGINT -> statement.setLong(index, random.nextLong());
      case DECIMAL -> statement.setBigDecimal(index, BigDecimal.valueOf(random.nextLong(1_000_000_000_000L), 4));
      case DOUBLE -> statement.setDouble(index, random.nextDouble() * 1e6);
      case BOOLEAN -> statement.setBoolean(index, random.nextBoolean());
      case DATE -> statement.setObject(index, LocalDate.of(2000, 1, 1).plusDays(random.nextInt(20_000)));
      case TIMESTAMP -> {
        OffsetDateTime value = EPOCH.plusSeconds(random.nextInt(TEN_YEARS_OF_SECONDS))
            .plusNanos(random.nextInt(1_000_000) * 1000L);
        if (dialect == Dialect.POSTGRESQL) {
          statement.setObject(index, value);
        } else {
          statement.setObject(index, LocalDateTime.ofInstant(value.toInstant(), ZoneOffset.UTC));
        }
      }
      case UUID -> {
        // A random (version 4) UUID: MariaDB refuses version and variant bits it does not know.
        java.util.UUID value = new java.util.UUID((random.nextLong() & ~0xF000L) | 0x4000L,
            (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
        if (dialect == Dialect.POSTGRESQL) {
          statement.setObject(index, value);
        } else {
          statement.setString(index, value.toString());
        }
      }
      case TEXT -> statement.setString(index, text(random, length));
      case BYTES -> {
        byte[] value = new byte[length];
        random.nextBytes(value);
        statement.setBytes(index, value);
      }
      case JSON -> {
        String value = "{\"n\":" + random.nextInt(1_000_000) + ",\"s\":\"" + text(random, Math.max(0, length - 20))
            + "\"}";
        if (dialect == Dialect.POSTGRESQL) {
          statement.setObject(index, value, Types.OTHER);
        } else {
          statement.setString(index, value);
        }
      }
    }
  }

  private static String text(SplittableRandom random, int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    return new String(chars);
  }
}
