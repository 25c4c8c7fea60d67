package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

/** Identifies one applier process (or one writer inside it) to the coordinator. */
public record WriterId(String value) {
  public WriterId {
    requireNonNull(value, "value is null");
    if (value.isBlank() || value.length() > 200) {
      throw new IllegalArgumentException("Invalid writer id '" + value + "': must be 1-200 characters");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
