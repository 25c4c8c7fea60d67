package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the staged schemas of a batch's segments do to the table, in order.
 *
 * @param layout the table's layout once the segments before {@code incompatibleAt} are applied
 * @param changes what those segments change, in order
 * @param evolved whether the fingerprint (and maybe the columns) changed
 * @param incompatibleAt the first segment the table cannot take, or -1
 * @param change what that segment's schema changes, empty if there is none
 * @param lastStaged the staged schema of the last segment planned, if any
 */
record SchemaPlan(TableLayout layout, List<SchemaChange> changes, boolean evolved, int incompatibleAt, String change,
    Optional<TableSchema> lastStaged) {
  SchemaPlan {
    requireNonNull(layout, "layout is null");
    changes = List.copyOf(requireNonNull(changes, "changes is null"));
    requireNonNull(change, "change is null");
    requireNonNull(lastStaged, "lastStaged is null");
  }

  /**
   * Plans the segments' schemas over {@code table}. A segment wholly at or below {@code applied} takes
   * no part: its changes are dropped as applied (a replay after a restart or a rollback may read
   * segments of a schema the table has since left). Each staged schema is taken with the apply
   * mode's metadata columns and key ({@link TableMode#deltaSchema}).
   */
  static SchemaPlan of(TableLayout table, TableMode mode, List<StagedSegment> segments,
      Optional<SourcePosition> applied) {
    TableLayout layout = table;
    List<SchemaChange> changes = new ArrayList<>();
    boolean evolved = false;
    Optional<TableSchema> last = Optional.empty();
    for (int i = 0; i < segments.size(); i++) {
      StagedSegment segment = segments.get(i);
      if (segment.schema().isEmpty() || (applied.isPresent() && !segment.lastPosition().isAfter(applied.get()))) {
        continue;
      }
      last = segment.schema();
      SchemaEvolution.Outcome outcome = SchemaEvolution.evolve(layout, mode.deltaSchema(segment.schema().get()));
      if (outcome instanceof SchemaEvolution.Incompatible incompatible) {
        return new SchemaPlan(layout, changes, evolved, i, incompatible.change(), last);
      }
      if (outcome instanceof SchemaEvolution.Evolved next) {
        layout = next.layout();
        changes.addAll(next.changes());
        evolved = true;
      }
    }
    return new SchemaPlan(layout, changes, evolved, -1, "", last);
  }

  /** Whether the Delta schema itself changes, not only Tributary's properties. */
  boolean changesDeltaSchema() {
    return changes.stream().anyMatch(SchemaChange::changesDeltaSchema);
  }
}
