package io.tributary.cli.internal;

import io.tributary.staging.Column;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a source table with its Delta table: row count, then for every key a SHA-256 of the
 * canonical text of every column. Memory is one hash per row of the Delta side.
 */
public final class TableVerifier {
  private TableVerifier() {}

  /**
   * Compares the Delta rows (values in {@code schema}'s column order) with the source table of the
   * same schema read through {@code source}.
   */
  public static TableComparison compare(TableSchema schema, Iterable<Object[]> deltaRows, Connection source) {
    List<Column> columns = schema.columns();
    int[] keyIndexes = schema.keyIndexes();
    if (keyIndexes.length == 0) {
      keyIndexes = new int[columns.size()];
      for (int i = 0; i < keyIndexes.length; i++) {
        keyIndexes[i] = i;
      }
    }
    Map<String, String> deltaHashes = new HashMap<>();
    long deltaCount = 0;
    long duplicated = 0;
    Examples examples = new Examples();
    for (Object[] row : deltaRows) {
      deltaCount++;
      String[] canonical = new String[columns.size()];
      for (int i = 0; i < canonical.length; i++) {
        canonical[i] = CanonicalValues.ofStaged(columns.get(i).type(), row[i]);
      }
      String key = key(canonical, keyIndexes);
      if (deltaHashes.put(key, hash(canonical)) != null) {
        duplicated++;
        examples.add("duplicated", key);
      }
    }
    long sourceCount = 0;
    long missing = 0;
    long different = 0;
    try (PreparedStatement statement = source.prepareStatement(selectAll(source, schema, columns))) {
      statement.setFetchSize(5000);
      source.setAutoCommit(false);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          sourceCount++;
          String[] canonical = new String[columns.size()];
          for (int i = 0; i < canonical.length; i++) {
            canonical[i] = CanonicalValues.ofSource(columns.get(i).type(), rows, i + 1);
          }
          String key = key(canonical, keyIndexes);
          String deltaHash = deltaHashes.remove(key);
          if (deltaHash == null) {
            missing++;
            examples.add("missing", key);
          } else if (!deltaHash.equals(hash(canonical))) {
            different++;
            examples.add("different", key);
          }
        }
      }
      source.commit();
    } catch (SQLException e) {
      throw new TributaryException(ErrorCode.SOURCE_UNREACHABLE,
          "Cannot read source table " + schema.tableId().qualifiedName() + " for verification: " + e.getMessage(), e);
    }
    deltaHashes.keySet().forEach(key -> examples.add("extra", key));
    return new TableComparison(schema.tableId(), sourceCount, deltaCount, missing, deltaHashes.size(), duplicated,
        different, examples.byKind);
  }

  /** The first {@value TableComparison#MAX_LISTED} keys of each kind of difference, in the order found. */
  private static final class Examples {
    final Map<String, List<String>> byKind = new LinkedHashMap<>();

    void add(String kind, String key) {
      List<String> keys = byKind.computeIfAbsent(kind, k -> new ArrayList<>());
      if (keys.size() < TableComparison.MAX_LISTED) {
        keys.add(key);
      }
    }
  }

  private static String key(String[] canonical, int[] keyIndexes) {
    StringBuilder key = new StringBuilder();
    for (int index : keyIndexes) {
      key.append(key.length() == 0 ? "" : ",").append(canonical[index]);
    }
    return key.toString();
  }

  private static String hash(String[] canonical) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String value : canonical) {
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** {@code SELECT} of every column, quoted as the source quotes names ('"' for PostgreSQL, '`' for MariaDB). */
  private static String selectAll(Connection source, TableSchema schema, List<Column> columns) throws SQLException {
    String quote = source.getMetaData().getIdentifierQuoteString().trim();
    return "SELECT " + String.join(", ", columns.stream().map(c -> quote(c.name(), quote)).toList())
        + " FROM " + quote(schema.tableId().schema(), quote) + "." + quote(schema.tableId().table(), quote);
  }

  private static String quote(String identifier, String quote) {
    return quote + identifier.replace(quote, quote + quote) + quote;
  }
}
