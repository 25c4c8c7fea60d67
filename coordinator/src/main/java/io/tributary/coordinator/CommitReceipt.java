package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TableId;
import java.net.URI;

/** The coordinator's answer to a ratified commit: where the published log entry is. */
public record CommitReceipt(TableId tableId, long version, URI publishedCommit, long size, long modificationTime) {
  public CommitReceipt {
    requireNonNull(tableId, "tableId is null");
    requireNonNull(publishedCommit, "publishedCommit is null");
  }
}
