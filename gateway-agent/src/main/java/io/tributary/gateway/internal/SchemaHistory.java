package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema history of the connectors that keep one (MySQL, MariaDB, SQL Server): the captured
 * tables' DDL, in a file in the gateway's state directory, with which the connector interprets the
 * changes it reads with the table structure of their time.
 *
 * <p>Before a run that still has to snapshot, the file is discarded: the snapshot records the
 * structure anew, and the snapshot barrier guarantees that nothing an earlier, interrupted run
 * streamed was staged.
 */
final class SchemaHistory {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaHistory.class);
  private static final String HISTORY_CLASS = "io.debezium.storage.file.history.FileSchemaHistory";
  /** The schema history file, in the gateway's state directory. */
  static final String FILE = "schema-history.jsonl";

  private SchemaHistory() {}

  static Path file(GatewayConfig config) {
    return config.stateDirectory().resolve(FILE);
  }

  /** Puts the Debezium properties that keep the history in {@link #file}, for the captured tables only. */
  static void configure(Map<String, String> properties, GatewayConfig config) {
    properties.put("schema.history.internal", HISTORY_CLASS);
    properties.put("schema.history.internal.file.filename", file(config).toString());
    properties.put("schema.history.internal.store.only.captured.tables.ddl", "true");
    properties.put("schema.history.internal.store.only.captured.databases.ddl", "true");
    // Schema changes reach staging through the row schemas of the change events themselves.
    properties.put("include.schema.changes", "false");
  }

  /** Removes the history an earlier run left, before a run that snapshots ({@code snapshotPending}). */
  static void discardBeforeSnapshot(GatewayConfig config, boolean snapshotPending) {
    if (!snapshotPending) {
      return;
    }
    Path history = file(config);
    try {
      if (Files.deleteIfExists(history)) {
        LOG.warn("Removed schema history {} left by a run that did not complete its snapshot: the snapshot records"
            + " the captured tables' structure anew", history);
      }
    } catch (IOException e) {
      throw GatewayErrors.stateDirectoryUnusable(config.stateDirectory(), e);
    }
  }
}
