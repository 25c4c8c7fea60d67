package io.tributary.gateway;

import io.tributary.gateway.internal.SourceConnector;
import io.tributary.staging.TableId;
import java.util.List;
import java.util.Map;

/** Runs a gateway's start-up checks the way tests need their answer. */
final class StartupChecks {
  private StartupChecks() {}

  /** Runs the checks and returns each table's key columns (none for a table without a primary key). */
  static Map<TableId, List<String>> keysOf(GatewayConfig config) {
    GatewayService.preflight(config);
    return SourceConnector.of(config.source().connector()).preflight(config, false);
  }
}
