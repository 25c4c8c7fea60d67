package io.tributary.staging.config;

import static java.util.Objects.requireNonNull;

/** A configuration key as the code reads it: full dotted name, default and description. */
public record ConfigKey(String name, String defaultValue, String description) {
  public ConfigKey {
    requireNonNull(name, "name is null");
    requireNonNull(defaultValue, "defaultValue is null");
    requireNonNull(description, "description is null");
  }
}
