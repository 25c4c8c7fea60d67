package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.time.Instant;
import java.util.List;

/**
 * A consistent cut of a source's tables: reading each table at its version here shows every change
 * of the source up to {@code position} and none after it, across all of them. It is the cut of the
 * source's latest commit group whose commits are all published.
 *
 * @param group the id of that commit group
 * @param ratifiedAt when that group was ratified
 * @param tables every registered table of the source with the version to read
 */
public record ConsistentPosition(String source, SourcePosition position, String group, Instant ratifiedAt,
    List<TableVersion> tables) {
  public ConsistentPosition {
    requireNonNull(source, "source is null");
    requireNonNull(position, "position is null");
    requireNonNull(group, "group is null");
    requireNonNull(ratifiedAt, "ratifiedAt is null");
    tables = List.copyOf(requireNonNull(tables, "tables is null"));
  }

  /** The version of one table that belongs to the cut. */
  public record TableVersion(TableId tableId, long version) {
    public TableVersion {
      requireNonNull(tableId, "tableId is null");
      if (version < 0) {
        throw new IllegalArgumentException("version must be >= 0: " + version);
      }
    }
  }
}
