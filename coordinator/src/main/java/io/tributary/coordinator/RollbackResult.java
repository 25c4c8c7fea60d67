package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.util.Optional;

/**
 * What a rollback did: version {@code version} gives the table the content of {@code toVersion};
 * {@code replay} is what its applier applies again from staging (empty when the rollback undid no
 * source change).
 *
 * @param fromVersion the table's version before the rollback
 * @param filesRemoved data files live before and not at {@code toVersion}
 * @param filesAdded data files of {@code toVersion} added back
 */
public record RollbackResult(
    TableId tableId,
    long fromVersion,
    long toVersion,
    long version,
    int filesRemoved,
    int filesAdded,
    Optional<Replay> replay) {

  public RollbackResult {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(replay, "replay is null");
  }
}
