package io.tributary.staging.config;

import static java.util.Objects.requireNonNull;

/** A secret value (password, token, key) that never prints itself. */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = requireNonNull(value, "value is null");
  }

  /** The secret itself: pass it only to the client that needs it, never to a log. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "****";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret that && value.equals(that.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
