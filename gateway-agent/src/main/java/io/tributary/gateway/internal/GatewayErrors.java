package io.tributary.gateway.internal;

import io.tributary.gateway.SourceConfig;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Every user-facing error of the gateway, built in one place so that the wording stays uniform. */
public final class GatewayErrors {
  private GatewayErrors() {}

  /** How messages name the source: {@code PostgreSQL database 'shop' at host:port}, {@code MariaDB at host:port}. */
  private static String where(SourceConfig source) {
    return switch (source.connector()) {
      case POSTGRESQL, SQLSERVER -> source.connector().displayName() + " database '" + source.database() + "' at "
          + source.address();
      case MARIADB, MYSQL -> source.connector().displayName() + " at " + source.address();
    };
  }

  /** How messages name the server of a binlog source: {@code MySQL at host:port}. */
  private static String server(SourceConfig source) {
    return source.connector().displayName() + " at " + source.address();
  }

  /** A SQL Server identifier in brackets, as the fixes to run are written. */
  private static String bracket(String identifier) {
    return "[" + identifier.replace("]", "]]") + "]";
  }

  /** A SQL Server Unicode string literal. */
  private static String literal(String text) {
    return "N'" + text.replace("'", "''") + "'";
  }

  public static TributaryException sourceAuthFailed(SourceConfig source, String serverMessage) {
    String check = switch (source.connector()) {
      case POSTGRESQL -> " Check source.user and source.password, and that the server's pg_hba.conf admits this user"
          + " from this machine.";
      case MARIADB, MYSQL -> " Check source.user and source.password, and that an account '" + source.user()
          + "'@'<host>' matching this machine exists on the server (SELECT user, host FROM mysql.user).";
      case SQLSERVER -> " Check source.user and source.password, that the server accepts SQL Server logins (mixed"
          + " mode authentication), and that login '" + source.user() + "' has a user in database '"
          + source.database() + "'.";
    };
    return new TributaryException(ErrorCode.SOURCE_AUTH_FAILED,
        "Cannot log in to " + where(source) + " as user '" + source.user() + "': " + serverMessage + "." + check);
  }

  public static TributaryException sourceUnreachable(SourceConfig source, String cause, Throwable error) {
    String target = switch (source.connector()) {
      case POSTGRESQL -> "PostgreSQL at " + source.address() + " (database '" + source.database() + "')";
      case MARIADB, MYSQL -> server(source);
      case SQLSERVER -> "SQL Server at " + source.address() + " (database '" + source.database() + "')";
    };
    String tls = source.connector() == SourceConfig.Connector.SQLSERVER
        ? " If the driver could not set up encryption or trust the server's certificate, see source.tls." : "";
    return new TributaryException(ErrorCode.SOURCE_UNREACHABLE,
        "Cannot reach " + target + ": " + cause
            + ". Check source.host and source.port, and that the server accepts TCP connections from this machine."
            + tls, error);
  }

  public static TributaryException binlogSetting(SourceConfig source, String variable, String value, String needed) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        server(source) + " runs with " + variable + "=" + value + "; change capture needs "
            + variable + "=" + (needed.isEmpty() ? "''" : needed) + ". Set it in the server's configuration (["
            + (source.connector() == SourceConfig.Connector.MYSQL ? "mysqld" : "mariadb") + "] section"
            + (variable.equals("log_bin") ? ": log_bin, with binlog_format=ROW and binlog_row_image=FULL)"
                : "; SET GLOBAL " + variable + "='" + needed + "' applies to new sessions only)")
            + " and restart the server.");
  }

  public static TributaryException missingBinlogPrivileges(SourceConfig source, List<String> missing) {
    return new TributaryException(ErrorCode.SOURCE_AUTH_FAILED,
        "User '" + source.user() + "' of " + server(source) + " lacks the global "
            + (missing.size() == 1 ? "privilege " : "privileges ") + String.join(", ", missing)
            + " that change capture needs (reading the binary log, and the snapshot's global read lock)."
            + " Grant them: GRANT " + String.join(", ", missing) + " ON *.* TO '" + source.user() + "'@'<host>'.");
  }

  public static TributaryException tablesNotReadable(SourceConfig source, List<TableId> tables) {
    String names = tables.stream().map(TableId::qualifiedName).collect(Collectors.joining(", "));
    if (source.connector() == SourceConfig.Connector.SQLSERVER) {
      String grants = tables.stream().map(table -> "GRANT SELECT ON " + bracket(table.schema()) + "."
          + bracket(table.table()) + " TO " + bracket(source.user()) + ";").collect(Collectors.joining(" "));
      return new TributaryException(ErrorCode.SOURCE_AUTH_FAILED,
          "User '" + source.user() + "' of " + where(source) + " may not read "
              + (tables.size() == 1 ? "table " : "tables ") + names + ", which the snapshot reads. Grant it: "
              + grants);
    }
    String databases = tables.stream().map(TableId::schema).distinct().map(d -> "`" + d + "`.*")
        .collect(Collectors.joining(", "));
    return new TributaryException(ErrorCode.SOURCE_AUTH_FAILED,
        "User '" + source.user() + "' of " + server(source) + " may not read "
            + (tables.size() == 1 ? "table " : "tables ") + names + ", which the snapshot reads. Grant it: GRANT"
            + " SELECT ON " + databases + " TO '" + source.user() + "'@'<host>' (one GRANT per database).");
  }

  public static TributaryException binlogLost(SourceConfig source, String file, List<String> available,
      Path stateDirectory) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "Binary log file '" + file + "' no longer exists on " + server(source) + " (it has "
            + (available.isEmpty() ? "none" : available.get(0) + " to " + available.get(available.size() - 1))
            + "), although this gateway has committed offsets in it in " + stateDirectory + ": changes made since"
            + " the last commit can no longer be read. Keep binary logs longer (binlog_expire_logs_seconds); the"
            + " captured tables need a resync; to capture from scratch, remove the state directory and the"
            + " source's staged data.");
  }

  public static TributaryException changesLost(SourceConfig source, String committedLsn, String oldestLsn,
      Path stateDirectory) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "The change tables of " + where(source) + " no longer hold the changes after LSN " + committedLsn
            + " (the oldest they hold starts at " + oldestLsn + "), although this gateway has committed offsets up to"
            + " it in " + stateDirectory + ": the cleanup job removed changes that were not captured. Keep changes"
            + " longer (EXEC sys.sp_cdc_change_job @job_type = N'cleanup', @retention = <minutes>); the captured"
            + " tables need a resync; to capture from scratch, remove the state directory and the source's staged"
            + " data.");
  }

  public static TributaryException databaseNotFound(SourceConfig source, String serverMessage) {
    String access = source.connector() == SourceConfig.Connector.SQLSERVER
        ? " (or login '" + source.user() + "' has no user in it)" : "";
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        source.connector().displayName() + " at " + source.address() + " has no database '" + source.database() + "'"
            + access + " (" + serverMessage + "). Check source.database.");
  }

  public static TributaryException cdcNotEnabled(SourceConfig source) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "Change data capture is not enabled on " + where(source) + ". Enable it, as a member of sysadmin: USE "
            + bracket(source.database()) + "; EXEC sys.sp_cdc_enable_db; then enable it on each captured table"
            + " (EXEC sys.sp_cdc_enable_table), and make sure SQL Server Agent runs: its capture job fills the"
            + " change tables.");
  }

  public static TributaryException tablesNotTrackedByCdc(SourceConfig source, List<TableId> tables) {
    String names = tables.stream().map(TableId::qualifiedName).collect(Collectors.joining(", "));
    String fix = tables.stream().map(table -> "EXEC sys.sp_cdc_enable_table @source_schema = " + literal(table.schema())
        + ", @source_name = " + literal(table.table()) + ", @role_name = NULL;").collect(Collectors.joining(" "));
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        (tables.size() == 1 ? "Table " + names + " is" : "Tables " + names + " are") + " not tracked by change data"
            + " capture in " + where(source) + ". Enable it, as a member of db_owner: USE "
            + bracket(source.database()) + "; " + fix + " (@role_name names a gating role the source user must"
            + " then be a member of; NULL lets every user with SELECT on the table read its changes).");
  }

  public static TributaryException walLevelNotLogical(SourceConfig source, String walLevel) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "PostgreSQL at " + source.address() + " runs with wal_level=" + walLevel + "; change capture needs"
            + " wal_level=logical. Set it in postgresql.conf and restart the server.");
  }

  public static TributaryException missingReplicationPrivilege(SourceConfig source) {
    return new TributaryException(ErrorCode.SOURCE_AUTH_FAILED,
        "User '" + source.user() + "' of PostgreSQL database '" + source.database() + "' at " + source.address()
            + " may not stream changes: it needs the REPLICATION attribute (ALTER ROLE " + source.user()
            + " WITH REPLICATION).");
  }

  public static TributaryException missingSelectPrivilege(SourceConfig source, List<TableId> tables) {
    String names = tables.stream().map(TableId::qualifiedName).collect(Collectors.joining(", "));
    return new TributaryException(ErrorCode.SOURCE_AUTH_FAILED,
        "User '" + source.user() + "' of PostgreSQL database '" + source.database() + "' at " + source.address()
            + " may not read " + (tables.size() == 1 ? "table " : "tables ") + names + ", which the initial snapshot"
            + " and resyncs read: GRANT SELECT ON " + names + " TO " + source.user()
            + "; (and USAGE on their schemas; see deploy/sql/postgresql.sql).");
  }

  public static TributaryException tablesNotFound(SourceConfig source, List<TableId> tables) {
    String names = tables.stream().map(TableId::qualifiedName).collect(Collectors.joining(", "));
    return new TributaryException(ErrorCode.TABLE_NOT_FOUND,
        (tables.size() == 1 ? "Table " + names + " does not exist" : "Tables " + names + " do not exist")
            + " in " + where(source) + ". Check source.tables (each written "
            + (source.connector().readsBinlog() ? "database.table" : "schema.table")
            + ", names are case-sensitive)"
            + (source.connector() != SourceConfig.Connector.POSTGRESQL ? ", and that user '" + source.user()
                + "' has SELECT on them: " + source.connector().displayName() + " hides the tables a user has no"
                + " privilege on" : "")
            + ".");
  }

  /**
   * What the gateway says when a captured table disappears while it runs: Debezium names the tables it
   * captures, so a renamed table's changes are no longer captured, and nothing else would say so.
   */
  public static String tableMissing(SourceConfig source, TableId table) {
    return "Captured table " + table.qualifiedName() + " no longer exists in " + where(source)
        + ": it was dropped or renamed, and its changes are no longer captured. If it was renamed, add the new name"
        + " to source.tables (and remove the old one), restart the gateway, and resync the new table (tributary"
        + " resync <table>); see docs/sources.md, 'Renamed and dropped tables'.";
  }

  /**
   * PostgreSQL tables without a primary key whose replica identity is the default one (none, for a
   * keyless table): once published, PostgreSQL refuses their updates and deletes.
   */
  public static TributaryException keylessWithoutReplicaIdentity(SourceConfig source, List<TableId> tables) {
    String names = tables.stream().map(TableId::qualifiedName).collect(Collectors.joining(", "));
    String fix = tables.stream().map(table -> "ALTER TABLE " + table.qualifiedName() + " REPLICA IDENTITY FULL;")
        .collect(Collectors.joining(" "));
    return new TributaryException(ErrorCode.MISSING_PRIMARY_KEY,
        (tables.size() == 1 ? "Table " + names + " has no primary key" : "Tables " + names + " have no primary key")
            + " and no replica identity in " + where(source) + ": their updates and deletes carry no row image, and"
            + " once they are in the publication PostgreSQL refuses their UPDATE and DELETE statements. Give them full"
            + " row images: " + fix + " (or add a primary key, or remove them from source.tables).");
  }

  public static TributaryException replicaIdentityNothing(SourceConfig source, List<TableId> tables) {
    String names = tables.stream().map(TableId::qualifiedName).collect(Collectors.joining(", "));
    String fix = tables.stream().map(table -> "ALTER TABLE " + table.qualifiedName() + " REPLICA IDENTITY DEFAULT;")
        .collect(Collectors.joining(" "));
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        (tables.size() == 1 ? "Table " + names + " has" : "Tables " + names + " have") + " REPLICA IDENTITY NOTHING in"
            + " PostgreSQL database '" + source.database() + "' at " + source.address() + ": their updates and deletes"
            + " carry no key, and once in the publication PostgreSQL refuses them. Run: " + fix
            + " (or REPLICA IDENTITY FULL for complete before-images).");
  }

  public static TributaryException invalidColumnSelection(SourceConfig source, TableId table, List<String> unknown,
      List<String> keysLeftOut, List<String> columns) {
    List<String> problems = new java.util.ArrayList<>();
    if (!unknown.isEmpty()) {
      problems.add("it has no column " + String.join(", ", unknown) + " (its columns: " + String.join(", ", columns) + ")");
    }
    if (!keysLeftOut.isEmpty()) {
      problems.add("key column " + String.join(", ", keysLeftOut) + " must be captured");
    }
    return new TributaryException(ErrorCode.CONFIG_INVALID, "Invalid source.columns." + table.qualifiedName()
        + " for " + where(source) + ": "
        + String.join("; ", problems) + ".");
  }

  public static TributaryException slotLost(SourceConfig source, Path stateDirectory) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "Replication slot '" + source.slotName() + "' does not exist in PostgreSQL database '" + source.database()
            + "' at " + source.address() + ", although this gateway has committed offsets in " + stateDirectory
            + ": changes made since the last commit can no longer be read. The captured tables need a resync;"
            + " to capture from scratch, remove the state directory and the source's staged data.");
  }

  public static TributaryException slotNotDropped(SourceConfig source, String serverMessage, Throwable error) {
    return new TributaryException(ErrorCode.SOURCE_UNREACHABLE,
        "Cannot drop replication slot '" + source.slotName() + "' of PostgreSQL database '" + source.database()
            + "' at " + source.address() + " before snapshotting: " + serverMessage + ". If another gateway uses this"
            + " slot, stop it (each source needs its own gateway); otherwise drop the slot by hand.", error);
  }

  public static TributaryException kafkaUnreachable(String bootstrapServers, Duration timeout, String cause,
      Throwable error) {
    return new TributaryException(ErrorCode.KAFKA_UNREACHABLE,
        "Cannot reach Kafka at " + bootstrapServers + " within " + timeout.toMillis() + " ms: " + cause
            + ". Check kafka.bootstrap-servers and that the brokers are reachable from this machine.", error);
  }

  public static TributaryException topicUnavailable(String topic, String bootstrapServers, String cause,
      Throwable error) {
    return new TributaryException(ErrorCode.KAFKA_UNREACHABLE,
        "Cannot find or create manifest topic '" + topic + "' on Kafka at " + bootstrapServers + ": " + cause
            + ". Create it (cleanup.policy=delete) or grant the gateway's principal the right to create it.", error);
  }

  public static TributaryException publishFailed(ManifestRecord manifest, String topic, String cause,
      Throwable error) {
    return new TributaryException(ErrorCode.KAFKA_UNREACHABLE,
        "Cannot announce segment " + manifest.segmentPath() + " (sequence " + manifest.sequence() + ", positions "
            + manifest.firstPosition() + " to " + manifest.lastPosition() + ") of table " + manifest.tableId()
            + " on topic '" + topic + "': " + cause + ". The gateway stops without committing these changes;"
            + " they are captured again when it restarts.", error);
  }

  public static TributaryException stagingFailed(TableId table, long sequence, Throwable error) {
    return new TributaryException(ErrorCode.STORAGE_FAILURE,
        "Cannot stage segment " + sequence + " of table " + table + ": " + error.getMessage()
            + ". The gateway stops without committing these changes; they are captured again when it restarts.",
        error);
  }

  public static TributaryException timeZoneNotUtc(String zone) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "The JVM's default time zone is " + zone + ", not UTC: Debezium's snapshots read timestamps in it and would"
            + " move those in its daylight saving gaps. Run the gateway with -Duser.timezone=UTC (the tributary"
            + " launcher does).");
  }

  public static TributaryException unsupportedType(TableId table, String column, String type) {
    return new TributaryException(ErrorCode.UNSUPPORTED_TYPE,
        "Column '" + column + "' of table " + table + " has type " + type + ", which has no Delta type. Stage it as"
            + " JSON text with source.unsupported-types: string, or leave it out with source.columns."
            + table.qualifiedName() + ".exclude: [" + column + "]");
  }

  /**
   * Columns Debezium's connector cannot capture at all, so that no {@code source.unsupported-types}
   * setting helps: as {@code schema.table.column (type)}.
   */
  public static TributaryException uncapturedColumns(SourceConfig source, List<String> columns, String consequence,
      String fix) {
    return new TributaryException(ErrorCode.UNSUPPORTED_TYPE,
        (columns.size() == 1 ? "Column " : "Columns ") + String.join(", ", columns) + " of " + where(source)
            + (columns.size() == 1 ? " has a type" : " have types") + " that Debezium's "
            + source.connector().displayName() + " connector cannot capture: " + consequence + ". " + fix);
  }

  public static TributaryException reservedColumnName(TableId table, String column) {
    return new TributaryException(ErrorCode.UNSUPPORTED_TYPE,
        "Column '" + column + "' of table " + table + " starts with '__', which Tributary reserves for its own"
            + " columns. Rename it, or exclude it with source.debezium.column.exclude.list: "
            + table.qualifiedName() + "." + column);
  }

  public static TributaryException valueNotConvertible(TableId table, String column, String type, Object value,
      Throwable error) {
    return new TributaryException(ErrorCode.INTERNAL,
        "Cannot stage a value of column '" + column + "' (" + type + ") of table " + table + ": got "
            + (value == null ? "null" : value.getClass().getName()) + " (" + error.getMessage() + ")", error);
  }

  public static TributaryException unexpectedRecord(String what) {
    return new TributaryException(ErrorCode.INTERNAL,
        "Debezium delivered " + what + "; the gateway stops rather than skip it");
  }

  public static TributaryException offsetCommitFailed(Path offsetFile, String what) {
    return new TributaryException(ErrorCode.STORAGE_FAILURE,
        "Cannot commit the capture position to " + offsetFile + ": " + what
            + ". The gateway stops; nothing staged is lost, and changes after the last commit are captured again.");
  }

  public static TributaryException stateDirectoryLocked(Path stateDirectory) {
    return new TributaryException(ErrorCode.CONFIG_INVALID,
        "State directory " + stateDirectory + " is in use by another gateway process; each source needs its own"
            + " gateway and state directory.");
  }

  public static TributaryException stateDirectoryUnusable(Path stateDirectory, Throwable error) {
    return new TributaryException(ErrorCode.STORAGE_FAILURE,
        "Cannot use state directory " + stateDirectory + ": " + error.getMessage(), error);
  }

  public static TributaryException pipelineFailed(Throwable cause) {
    return new TributaryException(ErrorCode.INTERNAL,
        "The gateway's staging pipeline stopped after an earlier failure: " + cause.getMessage(), cause);
  }
}
