package io.tributary.applier.internal;

import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.hook.PostCommitHook;
import io.tributary.staging.TableId;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what Delta Kernel returns with a commit instead of doing itself: checkpoints, checksums and
 * log compaction. Every commit the applier makes goes through here.
 */
final class PostCommitHooks {
  private static final Logger LOG = LoggerFactory.getLogger(PostCommitHooks.class);

  private PostCommitHooks() {}

  static void run(ApplierContext context, TableId tableId, TransactionCommitResult commit) {
    for (PostCommitHook hook : commit.getPostCommitHooks()) {
      try {
        hook.threadSafeInvoke(context.engine());
      } catch (IOException | RuntimeException e) {
        // The commit is durable; a missing checkpoint only slows readers until the next one.
        LOG.warn("Post-commit {} of {} version {} failed: {}", hook.getType(), tableId, commit.getVersion(), e.toString());
      }
    }
  }
}
