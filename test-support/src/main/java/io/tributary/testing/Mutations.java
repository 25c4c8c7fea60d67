package io.tributary.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Mutates valid input into the broken input a reader must survive: flipped bits and bytes,
 * truncation, cut-out and repeated ranges, inserted garbage, overwritten lengths and magic numbers,
 * and text-level damage (deleted, doubled or retyped tokens) for text formats. One to three
 * mutations per call, chosen by the caller's {@link Random}, so that a seed repeats a run exactly.
 */
public final class Mutations {
  /** Values that break parsers and size fields: extremes, signs, huge and empty. */
  private static final String[] HOSTILE_TOKENS = {"", "-1", "0", "9223372036854775808", "-9223372036854775809",
      "1e999", "NaN", "null", "true", "[]", "{}", "\"", "\\", "\u0000", "\uFFFF", "${env:", "${file:/dev/zero}",
      "&a [*a, *a]", "!!java.lang.Runtime", "~", "'", ":", "- -", "\t", "\n", "\r\n", "\u00e9\u00e9",
      "x".repeat(10_000)};

  private Mutations() {}

  /** A copy of {@code input} with one to three random mutations. */
  public static byte[] mutate(byte[] input, Random random) {
    byte[] mutated = input;
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      mutated = once(mutated, random);
    }
    return mutated;
  }

  /** A copy of {@code text} with one to three random mutations, bytes or tokens. */
  public static String mutate(String text, Random random) {
    if (random.nextBoolean()) {
      return new String(mutate(text.getBytes(StandardCharsets.UTF_8), random), StandardCharsets.UTF_8);
    }
    String mutated = text;
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      mutated = onceInText(mutated, random);
    }
    return mutated;
  }

  private static byte[] once(byte[] input, Random random) {
    if (input.length == 0) {
      byte[] garbage = new byte[1 + random.nextInt(16)];
      random.nextBytes(garbage);
      return garbage;
    }
    int at = random.nextInt(input.length);
    switch (random.nextInt(8)) {
      case 0 -> { // one bit
        byte[] copy = input.clone();
        copy[at] ^= (byte) (1 << random.nextInt(8));
        return copy;
      }
      case 1 -> { // a run of random bytes
        byte[] copy = input.clone();
        int length = Math.min(copy.length - at, 1 + random.nextInt(32));
        for (int i = 0; i < length; i++) {
          copy[at + i] = (byte) random.nextInt(256);
        }
        return copy;
      }
      case 2 -> { // truncated
        return Arrays.copyOf(input, at);
      }
      case 3 -> { // a range cut out
        int end = Math.min(input.length, at + 1 + random.nextInt(64));
        byte[] copy = new byte[input.length - (end - at)];
        System.arraycopy(input, 0, copy, 0, at);
        System.arraycopy(input, end, copy, at, input.length - end);
        return copy;
      }
      case 4 -> { // a range repeated
        int end = Math.min(input.length, at + 1 + random.nextInt(64));
        byte[] copy = new byte[input.length + (end - at)];
        System.arraycopy(input, 0, copy, 0, end);
        System.arraycopy(input, at, copy, end, input.length - at);
        return copy;
      }
      case 5 -> { // garbage inserted
        byte[] garbage = new byte[1 + random.nextInt(64)];
        random.nextBytes(garbage);
        byte[] copy = new byte[input.length + garbage.length];
        System.arraycopy(input, 0, copy, 0, at);
        System.arraycopy(garbage, 0, copy, at, garbage.length);
        System.arraycopy(input, at, copy, at + garbage.length, input.length - at);
        return copy;
      }
      case 6 -> { // a length-like field set to an extreme (little-endian int, as in Parquet's footer)
        byte[] copy = input.clone();
        int value = random.nextBoolean() ? Integer.MAX_VALUE : -1 - random.nextInt(1000);
        for (int i = 0; i < 4 && at + i < copy.length; i++) {
          copy[at + i] = (byte) (value >>> (8 * i));
        }
        return copy;
      }
      default -> { // the last bytes (a trailer, a footer length, a magic number)
        byte[] copy = input.clone();
        int from = Math.max(0, copy.length - 1 - random.nextInt(16));
        copy[from] = (byte) random.nextInt(256);
        return copy;
      }
    }
  }

  private static String onceInText(String text, Random random) {
    String[] lines = text.split("\n", -1);
    int line = random.nextInt(lines.length);
    String token = HOSTILE_TOKENS[random.nextInt(HOSTILE_TOKENS.length)];
    switch (random.nextInt(5)) {
      case 0 -> lines[line] = null; // a line deleted
      case 1 -> lines[line] = lines[line] + "\n" + lines[line]; // a line doubled
      case 2 -> { // a value replaced
        int colon = lines[line].indexOf(':');
        lines[line] = colon < 0 ? token : lines[line].substring(0, colon + 1) + " " + token;
      }
      case 3 -> lines[line] = random.nextBoolean() ? "  " + lines[line] : lines[line].stripLeading(); // indentation
      default -> { // a token inserted
        int at = lines[line].isEmpty() ? 0 : random.nextInt(lines[line].length());
        lines[line] = lines[line].substring(0, at) + token + lines[line].substring(at);
      }
    }
    StringBuilder joined = new StringBuilder();
    for (String kept : lines) {
      if (kept != null) {
        joined.append(joined.length() == 0 ? "" : "\n").append(kept);
      }
    }
    return joined.toString();
  }
}
