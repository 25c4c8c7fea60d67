package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

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
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** The phase component of snapshot reads: they order before all streamed changes. */
  public static final long PHASE_SNAPSHOT = 0;
  /** The phase component of streamed changes. */
  public static final long PHASE_STREAM = 1;

  public SourcePosition {
    requireNonNull(value, "value is null");
    if (!isWellFormed(value)) {
      throw new IllegalArgumentException(
          "Invalid source position '" + value + "': expected lower-case hex components separated by '-'");
    }
  }

  /** A position of unsigned 64-bit components, each written as 16 hex digits. */
  public static SourcePosition of(long... components) {
    if (components.length == 0) {
      throw new IllegalArgumentException("a source position needs at least one component");
    }
    // Built by hand, as Latin-1 bytes the string keeps as they are: one position is made for every
    // change captured.
    byte[] text = new byte[components.length * 17 - 1];
    for (int i = 0; i < components.length; i++) {
      int start = i * 17;
      if (i > 0) {
        text[start - 1] = '-';
      }
      long component = components[i];
      for (int digit = 15; digit >= 0; digit--) {
        text[start + digit] = HEX_DIGITS[(int) (component & 0xF)];
        component >>>= 4;
      }
    }
    return new SourcePosition(new String(text, StandardCharsets.ISO_8859_1));
  }

  /** Whether {@code value} is lower-case hex components separated by single {@code '-'}s. */
  private static boolean isWellFormed(String value) {
    int length = value.length();
    if (length == 0 || value.charAt(0) == '-' || value.charAt(length - 1) == '-') {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c == '-') {
        if (value.charAt(i - 1) == '-') {
          return false;
        }
      } else if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
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

  /**
   * Whether this is the position of a change of a source's initial snapshot: its first component is
   * {@link #PHASE_SNAPSHOT}, which every connector gives snapshot reads (and the truncate the gateway
   * stages before a snapshot attempt's first read, so that it replaces an interrupted attempt's rows).
   */
  public boolean isSnapshotPhase() {
    return value.startsWith("0000000000000000") && (value.length() == 16 || value.charAt(16) == '-');
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
