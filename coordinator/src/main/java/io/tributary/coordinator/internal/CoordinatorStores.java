package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CoordinatorStoreConfig;
import java.nio.file.Path;

/** Opens the {@link CoordinatorStore} a {@link CoordinatorStoreConfig} asks for. */
public final class CoordinatorStores {
  private CoordinatorStores() {}

  /**
   * Opens the file store in {@code fileDataDir} (the coordinator's {@code data-dir}) or the PostgreSQL
   * store, creating or upgrading its schema; the caller closes it.
   *
   * @throws io.tributary.staging.TributaryException as {@link FileCoordinatorStore#open} and
   *     {@link PostgresCoordinatorStore#open} do
   */
  public static CoordinatorStore open(CoordinatorStoreConfig config, Path fileDataDir) {
    requireNonNull(config, "config is null");
    requireNonNull(fileDataDir, "fileDataDir is null");
    return switch (config.type()) {
      case FILE -> FileCoordinatorStore.open(fileDataDir);
      case POSTGRESQL -> PostgresCoordinatorStore.open(config);
    };
  }
}
