package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Identifies one captured table: the source (one database a gateway captures), the schema and the
 * table name. Its canonical form {@code source.schema.table} is the Kafka key of its manifests and
 * the name used in every API and log line.
 */
public record TableId(String source, String schema, String table) implements Comparable<TableId> {
  private static final Pattern SOURCE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** No '.', which separates the parts; no slash, backslash or ':', which break staging and table paths. */
  private static final Pattern OBJECT_NAME = Pattern.compile("[^./\\\\:\\s]{1,128}");

  public TableId {
    requireNonNull(source, "source is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(table, "table is null");
    if (!SOURCE_NAME.matcher(source).matches()) {
      throw new IllegalArgumentException(
          "Invalid source name '" + source + "': use 1-64 letters, digits, '_' or '-'");
    }
    if (!OBJECT_NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "Invalid schema name '" + schema + "': must be 1-128 characters without '.', '/', '\\', ':' or spaces");
    }
    if (!OBJECT_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "Invalid table name '" + table + "': must be 1-128 characters without '.', '/', '\\', ':' or spaces");
    }
  }

  /** Parses the canonical form {@code source.schema.table}. */
  public static TableId parse(String canonical) {
    requireNonNull(canonical, "canonical is null");
    String[] parts = canonical.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "Invalid table id '" + canonical + "': expected source.schema.table");
    }
    return new TableId(parts[0], parts[1], parts[2]);
  }

  /** The qualified name in the source database, {@code schema.table}. */
  public String qualifiedName() {
    return schema + "." + table;
  }

  public String canonical() {
    return source + "." + schema + "." + table;
  }

  @Override
  public int compareTo(TableId other) {
    return canonical().compareTo(other.canonical());
  }

  @Override
  public String toString() {
    return canonical();
  }
}
