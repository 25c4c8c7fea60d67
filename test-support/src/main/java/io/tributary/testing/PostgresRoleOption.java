package io.tributary.testing;

/**
 * Role attributes for {@link PostgresServer#createUser}; each maps to the SQL keyword of the same
 * name in {@code CREATE ROLE}. A role without options can log in and nothing more.
 */
public enum PostgresRoleOption {
  /** Bypasses every permission check. */
  SUPERUSER,
  /** May create databases. */
  CREATEDB,
  /** May create, alter and drop other roles. */
  CREATEROLE,
  /** May open replication connections and create replication slots (what Debezium needs). */
  REPLICATION,
  /** Bypasses row-level security policies. */
  BYPASSRLS;

  String sql() {
    return name();
  }
}
