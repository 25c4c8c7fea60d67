package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A position in a source's change stream, normalized so that comparing the text compares the
 * positions. Each connector maps its native coordinates to fixed-width hexadecimal components
 * separated by {@code '-'}: for PostgreSQL {@code phase-lastCommitLsn-lsn-index}, where the phase
 * puts every snapshot read before every streamed change.
 *
 * <p>Because components are fixed-width, plain string order is position order, which is also what
 * Parquet and Delta statistics on a {@code _pos} column give. Positions from different sources are
 * not comparable in any meaningful way and are never compared.
 */
public record SourcePosition(String value) implements Comparable<SourcePosition> {
  private static final Pattern FORMAT = Pattern.compile("[0-9a-f]+(-[0-9a-f]+)*");

  /** The phase component of snapshot reads: they order before all streamed changes. */
  public static final long PHASE_SNAPSHOT = 0;
  /** The phase component of streamed changes. */
  public static final long PHASE_STREAM = 1;

  public SourcePosition {
    requireNonNull(value, "value is null");
    if (!FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "Invalid source position '" + value + "': expected lower-case hex components separated by '-'");
    }
  }

  /** A position of unsigned 64-bit components, each written as 16 hex digits. */
  public static SourcePosition of(long... components) {
    if (components.length == 0) {
      throw new IllegalArgumentException("a source position needs at least one component");
    }
    StringBuilder text = new StringBuilder(components.length * 17);
    for (int i = 0; i < components.length; i++) {
      if (i > 0) {
        text.append('-');
      }
      String hex = Long.toHexString(components[i]);
      text.append("0".repeat(16 - hex.length())).append(hex);
    }
    return new SourcePosition(text.toString());
  }

  /**
   * The position right after this one: after it and before every position that is after it in the
   * same stream. It is this position with one more component, which sorts after its prefix and before
   * any text greater than the prefix. For two changes a source gives one position, such as the delete
   * and the insert Debezium makes of an update that changes a row's key.
   */
  public SourcePosition immediatelyAfter() {
    return new SourcePosition(value + "-0000000000000001");
  }

  /** Whether this position lies strictly after {@code other}. */
  public boolean isAfter(SourcePosition other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(SourcePosition other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
