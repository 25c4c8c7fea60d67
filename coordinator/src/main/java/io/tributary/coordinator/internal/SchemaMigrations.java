package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL store's schema, built by numbered SQL migrations ({@code V<n>__<description>.sql}
 * under {@code io/tributary/coordinator/migrations/}). At every start the migrations not yet applied
 * run in order, all in one transaction under a transaction-level advisory lock on the schema name, so
 * that coordinators starting together apply each migration once; each is recorded in
 * {@value #HISTORY_TABLE} with the SHA-256 of its text, and an applied migration whose text changed
 * since stops the start.
 */
final class SchemaMigrations {
  static final String HISTORY_TABLE = "tributary_schema_migrations";
  /** Every migration, oldest first: append new ones, never change or remove a released one. */
  static final List<String> FILES = List.of("V1__coordinator_store.sql", "V2__table_pause.sql",
      "V3__event_log.sql", "V4__commit_rollback.sql", "V5__commit_groups.sql",
      "V6__table_resync.sql");
  static final String DIRECTORY = "io/tributary/coordinator/migrations/";

  private static final Pattern FILE_NAME = Pattern.compile("V([1-9][0-9]{0,8})__([a-z0-9]+(?:_[a-z0-9]+)*)\\.sql");
  private static final String LOCK_NAMESPACE = "tributary.coordinator.schema-migrations";

  private SchemaMigrations() {}

  /** One migration: its version, what it does, and its text with the text's digest. */
  record Migration(int version, String description, String file, String sql, String checksum) {
    Migration {
      requireNonNull(description, "description is null");
      requireNonNull(file, "file is null");
      requireNonNull(sql, "sql is null");
      requireNonNull(checksum, "checksum is null");
      if (version < 1) {
        throw new IllegalArgumentException("version must be >= 1: " + version);
      }
    }

    /**
     * A migration read from {@code file}; line endings are normalized before hashing so that a
     * checkout with CRLF line endings has the same checksum.
     */
    static Migration parse(String file, String text) {
      Matcher name = FILE_NAME.matcher(file);
      if (!name.matches()) {
        throw new IllegalArgumentException("Invalid migration file name '" + file
            + "': expected V<version>__<description>.sql, e.g. V2__add_commit_groups.sql");
      }
      String sql = text.replace("\r\n", "\n");
      return new Migration(Integer.parseInt(name.group(1)), name.group(2).replace('_', ' '), file, sql, sha256(sql));
    }

    String label() {
      return "V" + version + " (" + description + ")";
    }
  }

  /** The outcome of {@link #apply}: the migrations applied now and how many were there already. */
  record Outcome(List<Migration> applied, int alreadyApplied) {
    Outcome {
      applied = List.copyOf(applied);
    }
  }

  /** The migrations of {@link #FILES}, read from the class path and checked to be numbered 1, 2, 3, ... */
  static List<Migration> load() {
    List<Migration> migrations = new ArrayList<>();
    for (String file : FILES) {
      String resource = DIRECTORY + file;
      try (InputStream in = SchemaMigrations.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("Migration " + resource + " is missing from the class path");
        }
        migrations.add(Migration.parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read migration " + resource, e);
      }
    }
    for (int i = 0; i < migrations.size(); i++) {
      if (migrations.get(i).version() != i + 1) {
        throw new IllegalStateException("Migration " + migrations.get(i).file() + " is number " + (i + 1)
            + " in the list; migrations must be numbered 1, 2, 3, ... without gaps");
      }
    }
    return List.copyOf(migrations);
  }

  /**
   * Brings {@code schema} up to date with {@code migrations} in one transaction on {@code connection}
   * (auto-commit off), creating the schema and the history table when missing, and commits.
   *
   * @throws io.tributary.staging.TributaryException {@code INTERNAL} when an applied migration's
   *     checksum differs from ours or the schema has a migration we do not know; nothing is changed
   * @throws SQLException when the database fails; a failing migration is named in the message, and
   *     nothing is changed
   */
  static Outcome apply(Connection connection, String schema, List<Migration> migrations, String store) throws SQLException {
    String qualifiedHistory = quote(schema) + "." + HISTORY_TABLE;
    try (Statement statement = connection.createStatement()) {
      // Migrations may take a while; the session's statement timeout is meant for the store's calls.
      statement.execute("SET LOCAL statement_timeout = 0");
      statement.execute("SET LOCAL lock_timeout = '60s'");
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))")) {
        lock.setString(1, LOCK_NAMESPACE);
        lock.setString(2, schema);
        lock.execute();
      }
      if (!schemaExists(connection, schema)) {
        statement.execute("CREATE SCHEMA " + quote(schema));
      }
      // Created only when missing: a coordinator whose user may not create tables starts on an up-to-date schema.
      if (!historyExists(connection, qualifiedHistory)) {
        statement.execute("CREATE TABLE " + qualifiedHistory + " ("
            + "version integer PRIMARY KEY, "
            + "description text NOT NULL, "
            + "checksum text NOT NULL, "
            + "applied_at timestamptz NOT NULL)");
      }
      Map<Integer, String[]> applied = new TreeMap<>();
      try (ResultSet rows = statement.executeQuery("SELECT version, description, checksum FROM " + qualifiedHistory)) {
        while (rows.next()) {
          applied.put(rows.getInt(1), new String[] {rows.getString(2), rows.getString(3)});
        }
      }
      for (Map.Entry<Integer, String[]> row : applied.entrySet()) {
        if (row.getKey() > migrations.size()) {
          throw CoordinatorErrors.migrationUnknown(store, row.getKey(), row.getValue()[0]);
        }
        Migration ours = migrations.get(row.getKey() - 1);
        if (!ours.checksum().equals(row.getValue()[1])) {
          throw CoordinatorErrors.migrationChanged(store, ours.label(), row.getValue()[1], ours.checksum());
        }
      }
      List<Migration> pending = migrations.stream().filter(migration -> !applied.containsKey(migration.version())).toList();
      for (Migration migration : pending) {
        statement.execute("SET LOCAL search_path TO " + quote(schema));
        try {
          statement.execute(migration.sql());
        } catch (SQLException e) {
          throw new SQLException("migration " + migration.label() + " failed: " + e.getMessage(), e.getSQLState(), e);
        }
        try (PreparedStatement record = connection.prepareStatement("INSERT INTO " + qualifiedHistory
            + " (version, description, checksum, applied_at) VALUES (?, ?, ?, now())")) {
          record.setInt(1, migration.version());
          record.setString(2, migration.description());
          record.setString(3, migration.checksum());
          record.executeUpdate();
        }
      }
      statement.execute("SET LOCAL search_path TO DEFAULT");
      connection.commit();
      return new Outcome(pending, applied.size());
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    }
  }

  /** {@code name} as a quoted SQL identifier; callers pass checked lower-case names only. */
  static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static boolean schemaExists(Connection connection, String schema) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      query.setString(1, schema);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static boolean historyExists(Connection connection, String qualifiedHistory) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      query.setString(1, qualifiedHistory);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getBoolean(1);
      }
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
