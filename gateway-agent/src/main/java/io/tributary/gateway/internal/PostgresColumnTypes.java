package io.tributary.gateway.internal;

import io.tributary.gateway.ColumnSelection;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds the captured PostgreSQL columns whose values Debezium's connector leaves out of every change
 * event: it has no conversion for their types and only logs that it ignores them, so that they
 * would be missing downstream without an error. The start-up checks refuse them, naming them.
 *
 * <p>The rules follow Debezium 3.5's {@code PostgresValueConverter}: composite types, multiranges,
 * user-defined ranges, the built-in types it does not list (geometric types but {@code point},
 * {@code pg_lsn}, {@code tsquery}, {@code jsonpath}, the {@code reg*} types, ...), extension types
 * other than the ones it knows, arrays of any of these, arrays of domains, and the arrays it names
 * as missing ({@code interval[]}, {@code money[]}, {@code xml[]}, {@code varbit[]}, {@code point[]},
 * {@code name[]}).
 */
final class PostgresColumnTypes {
  /** Built-in (pg_catalog) scalar types Debezium converts. */
  private static final Set<String> BUILT_IN = Set.of("bool", "bytea", "char", "name", "int8", "int2", "int4",
      "text", "oid", "json", "xml", "point", "float4", "float8", "money", "macaddr", "macaddr8", "inet", "cidr",
      "bpchar", "varchar", "date", "time", "timestamp", "timestamptz", "interval", "timetz", "bit", "varbit",
      "numeric", "uuid", "jsonb", "tsvector", "int4range", "numrange", "tsrange", "tstzrange", "daterange",
      "int8range");
  /** Extension types Debezium converts, by name (their type ids differ per database). */
  private static final Set<String> EXTENSIONS = Set.of("citext", "hstore", "ltree", "isbn", "geometry", "geography",
      "vector", "halfvec", "sparsevec");
  /** Arrays Debezium leaves out although it converts their elements. */
  private static final Set<String> MISSING_ARRAYS = Set.of("interval", "money", "xml", "varbit", "point", "name",
      "refcursor");

  /**
   * One column's type as the catalog describes it.
   *
   * @param kind the element's (for arrays) or the type's {@code typtype}, domains resolved to their base type
   * @param builtIn whether that type is in {@code pg_catalog}
   * @param array whether the column is an array
   * @param arrayOfDomain whether it is an array whose element type is a domain
   */
  record ColumnType(String name, String display, String kind, String element, boolean builtIn, boolean array,
      boolean arrayOfDomain) {}

  private PostgresColumnTypes() {}

  /** The captured columns Debezium would leave out, as {@code schema.table.column (type)}. */
  static List<String> uncaptured(Connection connection, SourceConfig source) throws SQLException {
    String query = "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), e.typtype, e.typname,"
        + " en.nspname = 'pg_catalog', b.typcategory = 'A', b.typcategory = 'A' AND le.typtype = 'd'"
        + " FROM pg_catalog.pg_attribute a"
        + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
        // A domain's base type, then an array's element type and that element's base type.
        + " JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END"
        + " JOIN pg_catalog.pg_type le ON le.oid = CASE WHEN b.typcategory = 'A' THEN b.typelem ELSE b.oid END"
        + " JOIN pg_catalog.pg_type e ON e.oid = CASE WHEN le.typtype = 'd' THEN le.typbasetype ELSE le.oid END"
        + " JOIN pg_catalog.pg_namespace en ON en.oid = e.typnamespace"
        + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
    List<String> uncaptured = new ArrayList<>();
    CatalogQueries.perTable(connection, query, source.tables(), (table, result) -> {
      ColumnSelection selection = source.columns().get(table);
      while (result.next()) {
        ColumnType type = new ColumnType(result.getString(1), result.getString(2), result.getString(3),
            result.getString(4), result.getBoolean(5), result.getBoolean(6), result.getBoolean(7));
        if ((selection == null || selection.captures(type.name())) && !captured(type)) {
          uncaptured.add(describe(table, type));
        }
      }
    });
    return uncaptured;
  }

  /** Whether Debezium puts values of a column of this type into its change events. */
  static boolean captured(ColumnType type) {
    if (type.array() && (type.arrayOfDomain() || (type.builtIn() && MISSING_ARRAYS.contains(type.element())))) {
      return false;
    }
    return switch (type.kind()) {
      case "e" -> true;
      case "b", "r" -> type.builtIn() ? BUILT_IN.contains(type.element()) : EXTENSIONS.contains(type.element());
      // A domain over a domain: Debezium resolves the chain, this check only its first link.
      case "d" -> !type.array();
      default -> false;
    };
  }

  private static String describe(TableId table, ColumnType type) {
    return table.qualifiedName() + "." + type.name() + " (" + type.display() + ")";
  }
}
