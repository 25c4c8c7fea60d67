package io.tributary.applier;

import io.delta.kernel.commit.Committer;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.Lease;
import io.tributary.staging.SourcePosition;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Makes the Kernel {@link Committer} of one Delta commit: the one that sends the commit to the
 * coordinator for ratification with the writer's lease, the source-position watermark and the
 * segments it applies. Production uses the coordinator client's {@code CoordinatedCommitter}
 * ({@code CoordinatedCommitter::new} has exactly this shape); tests may plug their own.
 */
@FunctionalInterface
public interface CommitterFactory {
  /**
   * The committer of one commit.
   *
   * @param watermark the position the table is applied up to once the commit is visible; empty for
   *     commits that apply no source changes (table creation)
   * @param segments the staged segments whose changes the commit applies
   * @param rowsChanged rows upserted plus rows deleted by the commit
   */
  Committer create(CoordinatorClient client, Lease lease, Optional<SourcePosition> watermark, List<URI> segments, long rowsChanged);
}
