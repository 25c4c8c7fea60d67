package io.tributary.loadtests.internal;

import java.util.Locale;

/** A JVM memory size as {@code -Xmx} takes it ({@code 256m}, {@code 1g}, {@code 524288k}, bytes). */
public record HeapSize(String text, long bytes) {
  /** @throws IllegalArgumentException if {@code text} is not such a size */
  public static HeapSize parse(String text) {
    String lower = text.trim().toLowerCase(Locale.ROOT);
    if (!lower.matches("\\d+[kmg]?")) {
      throw new IllegalArgumentException("Not a heap size (like 256m or 1g): '" + text + "'");
    }
    char unit = lower.charAt(lower.length() - 1);
    long shift = switch (unit) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      default -> 0;
    };
    String digits = Character.isDigit(unit) ? lower : lower.substring(0, lower.length() - 1);
    return new HeapSize(lower, Long.parseLong(digits) << shift);
  }
}
