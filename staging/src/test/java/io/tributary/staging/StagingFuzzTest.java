package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.testing.Mutations;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds the readers of what other processes wrote, the manifest parser and the segment reader, with
 * mutated and random input. Each input must either read as valid or fail with the reader's own
 * error code and a message; any other exception, a hang or an exhausted heap fails the test, which
 * prints the seed and the input. {@code -Dfuzz.seed=} and {@code -Dfuzz.iterations=} repeat or
 * lengthen a run.
 */
class StagingFuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20261122L);
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 2_000);
  private static final TableId TABLE = TableId.parse("shop.public.orders");
  private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
      new Column("id", ColumnType.LONG, false),
      new Column("price", ColumnType.decimal(12, 2), true),
      new Column("note", ColumnType.STRING, true),
      new Column("blob", ColumnType.BINARY, true)), List.of("id"));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T08:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path directory;

  @Test
  void manifestParserAnswersEveryInputWithARecordOrManifestInvalid() {
    byte[] valid = ManifestSerde.serialize(new ManifestRecord(ManifestRecord.CURRENT_FORMAT_VERSION,
        ManifestRecord.Kind.SEGMENT, TABLE, 7, Path.of("/staging/shop/public.orders/x.parquet").toUri(), 10, 2048,
        "0a1b2c3d", SourcePosition.of(1, 2, 3), SourcePosition.of(1, 2, 9), "fingerprint", 1_700_000_000_000L,
        Optional.empty()));
    Random random = new Random(SEED);
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
      for (int i = 0; i < ITERATIONS; i++) {
        int iteration = i;
        byte[] input = i % 10 == 0 ? randomBytes(random) : Mutations.mutate(valid, random);
        Outcome outcome;
        try {
          ManifestSerde.deserialize(input);
          outcome = Outcome.READ;
        } catch (TributaryException e) {
          assertThat(e.code()).as(() -> failure(iteration, input)).isEqualTo(ErrorCode.MANIFEST_INVALID);
          assertThat(e.getMessage()).as(() -> failure(iteration, input)).startsWith("Invalid manifest record: ");
          outcome = Outcome.REFUSED;
        } catch (RuntimeException | StackOverflowError e) {
          throw new AssertionError(failure(i, input) + " threw " + e, e);
        }
        outcomes.merge(outcome, 1, Integer::sum);
      }
    });
    assertThat(outcomes).as("the mutations reach both outcomes").containsKeys(Outcome.READ, Outcome.REFUSED);
  }

  @Test
  void segmentReaderAnswersEveryCorruptionWithSegmentCorrupt() throws Exception {
    URI segment;
    ManifestRecord manifest;
    try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
      SegmentWriter writer = store.newSegmentWriter(SCHEMA, 1);
      for (int i = 0; i < 200; i++) {
        writer.append(new ChangeEvent(TABLE, i % 5 == 4 ? Operation.DELETE : Operation.UPDATE, SourcePosition.of(1, i),
            new Object[] {(long) i, new BigDecimal(i + ".25"), "note " + i, new byte[] {(byte) i, 1, 2}}, new BitSet(),
            1_700_000_000_000L + i, Optional.empty(), 1_700_000_000_500L));
      }
      manifest = ManifestRecord.forSegment(writer.finish(), 0);
      segment = manifest.segmentPath();
    }
    Path file = Path.of(segment);
    byte[] valid = Files.readAllBytes(file);
    Random random = new Random(SEED);
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    int iterations = Math.max(1, ITERATIONS / 4);
    assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
      try (StagingStore store = StagingStore.open(StagingConfig.local(directory), CLOCK)) {
        for (int i = 0; i < iterations; i++) {
          byte[] input = Mutations.mutate(valid, random);
          Files.write(file, input);
          // With its manifest, every change of the file is caught by the checksum.
          outcomes.merge(read(() -> store.openSegment(manifest), i, input, true), 1, Integer::sum);
          // Without (a replay after a rollback), the file's own structure must be checked.
          outcomes.merge(read(() -> store.openSegment(TABLE, segment), i, input, false), 1, Integer::sum);
        }
      }
    });
    assertThat(outcomes).containsKey(Outcome.REFUSED);
  }

  private enum Outcome { READ, REFUSED }

  private static Outcome read(Supplier<SegmentReader> open, int iteration, byte[] input,
      boolean checksummed) {
    try (SegmentReader reader = open.get()) {
      reader.readAll();
      assertThat(checksummed).as(() -> failure(iteration, input) + ": a changed file read against its checksum").isFalse();
      return Outcome.READ;
    } catch (TributaryException e) {
      assertThat(e.code()).as(() -> failure(iteration, input) + ": " + e.getMessage()).isEqualTo(ErrorCode.SEGMENT_CORRUPT);
      assertThat(e.getMessage()).as(() -> failure(iteration, input)).containsIgnoringCase("segment ").contains("orders");
      return Outcome.REFUSED;
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError(failure(iteration, input) + " threw " + e, e);
    }
  }

  private static byte[] randomBytes(Random random) {
    byte[] bytes = new byte[random.nextInt(200)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String failure(int iteration, byte[] input) {
    String shown = input.length <= 512 ? new String(input, StandardCharsets.ISO_8859_1) : HexFormat.of().formatHex(input, 0, 64) + "...";
    return "seed " + SEED + ", iteration " + iteration + ", input of " + input.length + " bytes: " + shown;
  }
}
