package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.net.URI;
import java.util.List;

/**
 * Asks the coordinator to manage a Delta table: where it lives and which source columns are its key.
 * Registering the same table again with the same location and key is a no-op.
 */
public record TableRegistration(TableId tableId, URI location, List<String> keyColumns) {
  public TableRegistration {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(location, "location is null");
    keyColumns = List.copyOf(requireNonNull(keyColumns, "keyColumns is null"));
  }
}
