package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of a gateway's state and counters, for the launcher, health checks and dashboards.
 *
 * @param failure what stopped the gateway, when it failed
 * @param segmentsStaged segments announced on the log (each acknowledged by Kafka)
 * @param offsetsCommitted times the capture position was committed after a durable frontier moved
 */
public record GatewayStatus(
    GatewayService.State state,
    Optional<String> failure,
    long eventsCaptured,
    long segmentsStaged,
    long bytesStaged,
    long offsetsCommitted,
    Map<TableId, TableProgress> tables) {

  public GatewayStatus {
    requireNonNull(state, "state is null");
    requireNonNull(failure, "failure is null");
    tables = Map.copyOf(requireNonNull(tables, "tables is null"));
  }
}
