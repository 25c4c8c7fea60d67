package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One source transaction of 1,000,000 inserted rows and 100,000 updates of them, through the whole
 * pipeline: the gateway stages it as several segments (a segment holds at most
 * {@code gateway.segment.max-rows} events), the applier applies them, and the Delta table ends equal
 * to the source, every column of every row. The gateway's memory on such a transaction is measured by
 * the {@code memory} benchmark; this test is about the rows.
 */
class LargeTransactionPipelineIT {
  private static final long ROWS = 1_000_000;

  @Test
  void aMillionRowTransactionArrivesWhole() throws Exception {
    try (PipelineFixture fixture = new PipelineFixture("large-transaction")) {
      fixture.postgres.execute("shop", "CREATE TABLE public.ledger (id bigint PRIMARY KEY, account integer NOT NULL,"
          + " amount numeric(12,2) NOT NULL, note text)");
      StandalonePipeline.Settings settings = fixture.settings(fixture.writeConfig(List.of("public.ledger"), ""));
      try (StandalonePipeline pipeline = fixture.start(settings)) {
        try (Connection connection = fixture.postgres.connect("shop"); Statement statement = connection.createStatement()) {
          connection.setAutoCommit(false);
          assertThat(statement.executeUpdate("INSERT INTO public.ledger SELECT n, n % 1000, n * 0.01, 'entry ' || n"
              + " FROM generate_series(1, " + ROWS + ") AS n")).isEqualTo((int) ROWS);
          assertThat(statement.executeUpdate("UPDATE public.ledger SET amount = amount + 1, note = NULL"
              + " WHERE id % 10 = 0")).isEqualTo((int) (ROWS / 10));
          connection.commit();
        }

        List<TableComparison> results = Verification.awaitEqual(() -> Verification.compareAll(
            fixture.postgres.connect("shop"), settings, PipelineFixture.SOURCE, List.of("public.ledger")),
            Duration.ofMinutes(8), Clock.systemUTC(), () -> {});

        assertThat(results).singleElement().satisfies(result -> {
          assertThat(result.equal()).as(result.describe()).isTrue();
          assertThat(result.deltaRows()).isEqualTo(ROWS);
        });
        assertThat(fixture.counted("tributary.gateway.segments.staged"))
            .as("segments the transaction was staged in").isGreaterThanOrEqualTo(ROWS / 100_000);
      }
    }
  }
}
