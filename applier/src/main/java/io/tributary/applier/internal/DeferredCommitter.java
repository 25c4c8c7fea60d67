package io.tributary.applier.internal;

import io.delta.kernel.commit.CommitFailedException;
import io.delta.kernel.commit.CommitMetadata;
import io.delta.kernel.commit.CommitResponse;
import io.delta.kernel.commit.Committer;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterator;

/**
 * The committer a snapshot is loaded with before the batch's commit is known. Kernel takes the
 * committer when the snapshot is built, but the coordinated committer carries what the batch
 * turns out to apply (watermark, segments, rows), so the real one is handed in just before the
 * commit, for that one commit only.
 */
final class DeferredCommitter implements Committer {
  private Committer next;

  /** The committer of the next (and only the next) commit. */
  void commitWith(Committer committer) {
    this.next = committer;
  }

  @Override
  public CommitResponse commit(Engine engine, CloseableIterator<Row> finalizedActions, CommitMetadata commitMetadata)
      throws CommitFailedException {
    Committer committer = next;
    next = null;
    if (committer == null) {
      throw new IllegalStateException("No committer was provided for version " + commitMetadata.getVersion());
    }
    return committer.commit(engine, finalizedActions, commitMetadata);
  }
}
