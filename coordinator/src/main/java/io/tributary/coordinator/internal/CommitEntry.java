package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CommitRecord;
import java.net.URI;
import java.util.OptionalLong;

/**
 * A ratified commit with what the store needs to finish publishing it after a crash: the staged file
 * it came from and the digest of its content, so that an existing log entry can be recognised as
 * this very commit even once the staged file is gone.
 *
 * @param sha256 hex SHA-256 of the staged (and so of the published) file
 * @param size bytes of the staged file
 * @param modificationTime of the published log entry, in epoch milliseconds, once published
 */
public record CommitEntry(CommitRecord record, URI stagedCommit, String sha256, long size, OptionalLong modificationTime) {
  public CommitEntry {
    requireNonNull(record, "record is null");
    requireNonNull(stagedCommit, "stagedCommit is null");
    requireNonNull(sha256, "sha256 is null");
    requireNonNull(modificationTime, "modificationTime is null");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("Invalid SHA-256 '" + sha256 + "': expected 64 lower-case hex digits");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0: " + size);
    }
    if ((record.status() == CommitRecord.Status.PUBLISHED) != modificationTime.isPresent()) {
      throw new IllegalArgumentException("a commit has a modification time exactly when it is published");
    }
  }

  public long version() {
    return record.version();
  }

  public boolean published() {
    return record.status() == CommitRecord.Status.PUBLISHED;
  }

  public CommitEntry asPublished(long publishedSize, long publishedModificationTime) {
    return new CommitEntry(record.withStatus(CommitRecord.Status.PUBLISHED), stagedCommit, sha256, publishedSize,
        OptionalLong.of(publishedModificationTime));
  }

  /** The answer to the writer; only for a published commit. */
  public CommitReceipt receipt() {
    if (!published()) {
      throw new IllegalStateException("version " + version() + " of " + record.tableId() + " is not published");
    }
    return new CommitReceipt(record.tableId(), version(), record.publishedCommit(), size, modificationTime.getAsLong());
  }
}
