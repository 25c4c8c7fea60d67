package io.tributary.loadtests.workload;

import java.util.Locale;

/** The SQL a workload speaks to each kind of source database. */
public enum Dialect {
  POSTGRESQL("public."),
  MARIADB("");

  private final String schemaPrefix;

  Dialect(String schemaPrefix) {
    this.schemaPrefix = schemaPrefix;
  }

  /** Reads {@code postgresql} or {@code mariadb} (also {@code mysql}, which speaks the same SQL). */
  public static Dialect parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "postgresql", "postgres" -> POSTGRESQL;
      case "mariadb", "mysql" -> MARIADB;
      default -> throw new IllegalArgumentException("unknown database '" + text + "': expected postgresql or mariadb");
    };
  }

  /**
   * The table's name in SQL: in PostgreSQL's schema {@code public}, in MariaDB the connection's
   * database; also the name a gateway's {@code source.tables} uses for it there.
   */
  public String qualified(String table) {
    return schemaPrefix + table;
  }

  /** The column type of {@code kind} here, {@code length} being its size for text, bytes and json. */
  String type(ColumnKind kind, int length) {
    boolean postgres = this == POSTGRESQL;
    return switch (kind) {
      case INT -> "integer";
      case BIGINT -> "bigint";
      case DECIMAL -> postgres ? "numeric(18,4)" : "decimal(18,4)";
      case DOUBLE -> postgres ? "double precision" : "double";
      case BOOLEAN -> "boolean";
      case DATE -> "date";
      case TIMESTAMP -> postgres ? "timestamptz" : "datetime(6)";
      case UUID -> "uuid";
      case TEXT -> postgres ? "text" : length <= 16_000 ? "varchar(" + length + ")" : "mediumtext";
      case BYTES -> postgres ? "bytea" : length <= 60_000 ? "varbinary(" + length + ")" : "mediumblob";
      case JSON -> postgres ? "jsonb" : "json";
    };
  }
}
