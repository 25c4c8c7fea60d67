package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.applier.DeltaTableReader;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.staging.TableId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Columns whose type has no Delta type, staged as JSON text with {@code source.unsupported-types:
 * string}: PostgreSQL arrays through the whole pipeline, equal to the source by the verifier (times of
 * day, staged as microseconds, too).
 */
class UnsupportedTypesIT {
  private static final List<String> TABLES = List.of("public.customers", "public.tagged");

  @Test
  void arrayColumnsArriveInDeltaAsJsonText() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("unsupported-types")) {
      fixture.postgres.execute("shop",
          "CREATE TABLE public.tagged (id int PRIMARY KEY, tags text[], scores int[], at time(6))",
          "INSERT INTO public.tagged VALUES (1, ARRAY['a', 'b'], ARRAY[1, 2], '13:45:07.123456'),"
              + " (2, NULL, ARRAY[]::int[], NULL), (3, ARRAY['x \"y\"', NULL], NULL, '00:00:00')");
      Path config = fixture.writeConfig(TABLES, "");
      Files.writeString(config, Files.readString(config).replace("source:\n", "source:\n  unsupported-types: string\n"));
      StandalonePipeline.Settings settings = fixture.settings(config);
      try (StandalonePipeline pipeline = fixture.start(settings)) {
        fixture.postgres.execute("shop",
            "UPDATE public.tagged SET tags = array_append(tags, 'c'), scores = scores || 3 WHERE id = 1",
            "INSERT INTO public.tagged VALUES (4, ARRAY['z'], ARRAY[7, 8, 9], '23:59:59.999999')",
            "DELETE FROM public.tagged WHERE id = 2");
        List<TableComparison> results = Verification.awaitEqual(
            () -> Verification.compareAll(fixture.postgres.connect("shop"), settings, PipelineFixture.SOURCE, TABLES),
            Duration.ofMinutes(2), Clock.systemUTC(), () -> {});
        assertThat(results).hasSize(2).allSatisfy(result -> assertThat(result.equal()).as(result.describe()).isTrue());

        List<List<Object>> rows = new DeltaTableReader(Map.of())
            .read(settings.applier().tableLocation(TableId.parse(PipelineFixture.SOURCE + ".public.tagged")))
            .rows().stream().map(Arrays::asList).toList();
        assertThat(rows).containsExactly(
            List.of(1, "[\"a\",\"b\",\"c\"]", "[1,2,3]", 49_507_123_456L),
            Arrays.asList(3, "[\"x \\\"y\\\"\",null]", null, 0L),
            List.of(4, "[\"z\"]", "[7,8,9]", 86_399_999_999L));
      }
    }
  }
}
