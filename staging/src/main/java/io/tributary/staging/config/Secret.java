package io.tributary.staging.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A secret value (password, token, key) that never prints itself. */
public final class Secret {
  private static final String HIDDEN = "****";

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
    return HIDDEN;
  }

  /**
   * Properties passed through to a client library (Kafka, Hadoop, Debezium), sorted, with the
   * value of every key that names a secret shown as {@code ****}: for toString and logs.
   */
  public static Map<String, String> redacted(Map<String, String> properties) {
    Map<String, String> shown = new TreeMap<>();
    properties.forEach((key, value) -> shown.put(key, isSecretLike(key) ? HIDDEN : value));
    return shown;
  }

  /**
   * Whether a property's name says it holds a secret: a password, secret, token or credential, a
   * JAAS configuration (Kafka's {@code sasl.jaas.config} carries the SASL password), or an
   * encryption key ({@code fs.s3a.encryption.key} is the customer's key under SSE-C).
   */
  public static boolean isSecretLike(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.contains("secret") || lower.contains("password") || lower.contains("token")
        || lower.contains("credential") || lower.contains("jaas") || lower.contains("passphrase")
        || lower.endsWith("encryption.key");
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
