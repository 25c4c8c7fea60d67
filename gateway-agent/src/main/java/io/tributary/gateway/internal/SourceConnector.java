package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.SourceConfig;
import io.tributary.staging.TableId;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What differs between source databases: start-up checks, the Debezium connector and its settings,
 * and how change positions are read: PostgreSQL, MySQL, MariaDB and SQL Server.
 */
public interface SourceConnector {
  /**
   * Checks, before Debezium starts, that the source is reachable, the login works and every
   * configured table can be captured, and returns each table's primary key columns in key order
   * (what change records without a key schema, such as truncates, are staged with).
   *
   * @param resuming whether the gateway committed an offset past its snapshot, so it will stream
   *     from its replication state, which must therefore exist
   * @throws io.tributary.staging.TributaryException naming what is wrong and what to do
   */
  Map<TableId, List<String>> preflight(GatewayConfig config, boolean resuming);

  /**
   * The source's estimate of each table's row count (from its statistics, without reading the
   * tables), for snapshot progress; tables without an estimate are left out. Never fails: a failed
   * estimate only costs the progress percentage.
   */
  Map<TableId, Long> estimateRows(GatewayConfig config);

  /**
   * Prepares the source's replication state for a run that has not yet committed the end of its
   * snapshot ({@code snapshotPending}): whatever state an earlier, interrupted run left may be
   * discarded, because nothing it streamed was staged (the snapshot barrier).
   */
  void prepare(GatewayConfig config, boolean snapshotPending);

  /** The connector-specific Debezium properties (connection, tables, replication objects). */
  Map<String, String> debeziumProperties(GatewayConfig config);

  /** A JDBC connection to the source database as the capture user. */
  Connection connect(SourceConfig source);

  /** A position extractor for one run of the engine, numbering its snapshot reads with {@code sequencer}. */
  PositionExtractor positions(SnapshotSequencer sequencer);

  /**
   * Why this source cannot resync a table (run an incremental snapshot) as configured, saying what to
   * set; empty if it can.
   */
  Optional<String> resyncUnavailable(GatewayConfig config);

  /** The connector for a kind of source. */
  static SourceConnector of(SourceConfig.Connector connector) {
    return switch (connector) {
      case POSTGRESQL -> new PostgresSourceConnector();
      case MARIADB -> new MariaDbSourceConnector();
      case MYSQL -> new MySqlSourceConnector();
      case SQLSERVER -> new SqlServerSourceConnector();
    };
  }
}
