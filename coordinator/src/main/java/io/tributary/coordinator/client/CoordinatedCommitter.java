package io.tributary.coordinator.client;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.commit.CommitFailedException;
import io.delta.kernel.commit.CommitMetadata;
import io.delta.kernel.commit.CommitResponse;
import io.delta.kernel.commit.Committer;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.files.ParsedPublishedDeltaData;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.Lease;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Delta Kernel {@link Committer} that commits through the coordinator: it writes the finalized
 * actions to a staged commit file under {@code _delta_log/_staged_commits/}, proposes it with the
 * writer's lease, watermark and segments, and lets the coordinator ratify and publish it as
 * {@code _delta_log/<version>.json}. Create one per Delta transaction; it serves table creation
 * ({@code CreateTableTransactionBuilder.withCommitter}) and updates
 * ({@code SnapshotBuilder.withCommitter}) alike.
 *
 * <p>Failures become {@link CommitFailedException}s whose cause is the coordinator's
 * {@link TributaryException} (read its {@link TributaryException#code()}):
 * <ul>
 *   <li>{@code STALE_EPOCH} (fenced) and {@code COMMIT_CONFLICT} (version taken): not retryable, conflict;
 *   <li>{@code COORDINATOR_UNAVAILABLE}: retryable, no conflict;
 *   <li>{@code COMMIT_OUTCOME_UNKNOWN}: not retryable, no conflict; the staged file is kept;
 *   <li>anything else: retryable as its code says, no conflict.
 * </ul>
 * Kernel wraps a non-retryable one in a {@code RuntimeException}.
 */
public final class CoordinatedCommitter implements Committer {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatedCommitter.class);

  private final Function<CommitProposal, CommitReceipt> ratifier;
  private final Lease lease;
  private final Optional<SourcePosition> watermark;
  private final List<URI> segments;
  private final long rowsChanged;
  private volatile Optional<CommitProposal> lastProposal = Optional.empty();

  /**
   * @param watermark the source position the table is applied up to once the commit is visible
   * @param segments the staged segments the commit applies
   * @param rowsChanged rows the commit inserts, updates or deletes
   */
  public CoordinatedCommitter(CoordinatorClient client, Lease lease, Optional<SourcePosition> watermark,
      List<URI> segments, long rowsChanged) {
    this(requireNonNull(client, "client is null")::commit, lease, watermark, segments, rowsChanged);
  }

  /**
   * A committer whose proposals go to {@code ratifier} instead of a client: the coordinator's own
   * commits (rollbacks) take the same path as every writer's.
   */
  public CoordinatedCommitter(Function<CommitProposal, CommitReceipt> ratifier, Lease lease,
      Optional<SourcePosition> watermark, List<URI> segments, long rowsChanged) {
    this.ratifier = requireNonNull(ratifier, "ratifier is null");
    this.lease = requireNonNull(lease, "lease is null");
    this.watermark = requireNonNull(watermark, "watermark is null");
    this.segments = List.copyOf(requireNonNull(segments, "segments is null"));
    if (rowsChanged < 0) {
      throw new IllegalArgumentException("rowsChanged must be >= 0: " + rowsChanged);
    }
    this.rowsChanged = rowsChanged;
  }

  @Override
  public CommitResponse commit(Engine engine, CloseableIterator<Row> finalizedActions, CommitMetadata commitMetadata)
      throws CommitFailedException {
    long version = commitMetadata.getVersion();
    CommitMetadata.CommitType type = commitMetadata.getCommitType();
    if (type != CommitMetadata.CommitType.FILESYSTEM_CREATE && type != CommitMetadata.CommitType.FILESYSTEM_WRITE) {
      closeQuietly(finalizedActions);
      throw new CommitFailedException(false, false, "Cannot commit version " + version + " of table " + lease.tableId()
          + ": commit type " + type + " is not supported; the coordinator manages file-system tables only");
    }
    String staged = commitMetadata.generateNewStagedCommitFilePath();
    try {
      engine.getFileSystemClient().mkdirs(parent(staged));
      engine.getJsonHandler().writeJsonFileAtomically(staged, finalizedActions, false);
    } catch (IOException e) {
      throw new CommitFailedException(true, false, "Cannot write staged commit " + staged + " for version " + version
          + " of table " + lease.tableId() + ": " + e.getMessage(), e);
    }
    CommitProposal proposal = new CommitProposal(lease.tableId(), lease.writer(), lease.epoch(), version,
        new org.apache.hadoop.fs.Path(staged).toUri(), watermark, segments, rowsChanged);
    lastProposal = Optional.of(proposal);
    CommitReceipt receipt;
    try {
      receipt = ratifier.apply(proposal);
    } catch (TributaryException e) {
      throw failed(engine, staged, proposal, e);
    }
    if (receipt.version() != version) {
      throw new CommitFailedException(false, false, "The coordinator answered the commit of version " + version
          + " of table " + lease.tableId() + " with a receipt for version " + receipt.version()
          + "; the outcome is unknown, read the table's status");
    }
    FileStatus published = FileStatus.of(commitMetadata.getPublishedDeltaFilePath(), receipt.size(), receipt.modificationTime());
    return new CommitResponse(ParsedPublishedDeltaData.forFileStatus(published));
  }

  /**
   * The last proposal this committer sent. After {@code COMMIT_OUTCOME_UNKNOWN}, sending it again with
   * {@link CoordinatorClient#commit} settles the outcome: the coordinator answers a proposal it already
   * published with the same receipt, ratifies it if it never arrived, or refuses it if the version went
   * to another commit.
   */
  public Optional<CommitProposal> lastProposal() {
    return lastProposal;
  }

  private CommitFailedException failed(Engine engine, String staged, CommitProposal proposal, TributaryException e) {
    String what = "version " + proposal.version() + " of table " + proposal.tableId() + " (writer " + proposal.writer()
        + ", epoch " + proposal.epoch() + ")";
    ErrorCode code = e.code();
    if (code == ErrorCode.COMMIT_OUTCOME_UNKNOWN || code == ErrorCode.INTERNAL) {
      // It may have been ratified: keep the staged file, the coordinator may still publish it.
      return new CommitFailedException(false, false, "The outcome of committing " + what + " is unknown: "
          + e.getMessage(), e);
    }
    deleteStaged(engine, staged);
    return switch (code) {
      case STALE_EPOCH -> new CommitFailedException(false, true, "Writer " + proposal.writer() + " was fenced: "
          + what + " was refused because epoch " + proposal.epoch() + " is no longer the table's epoch. " + e.getMessage(), e);
      case COMMIT_CONFLICT -> new CommitFailedException(false, true, "The version was taken: " + what
          + " was refused. " + e.getMessage(), e);
      case COORDINATOR_UNAVAILABLE -> new CommitFailedException(true, false, "The coordinator is unavailable; "
          + what + " was not committed. " + e.getMessage(), e);
      default -> new CommitFailedException(e.retryable(), false, "Committing " + what + " failed: " + e.getMessage(), e);
    };
  }

  /** A staged file the coordinator definitely did not ratify is ours to remove. */
  private static void deleteStaged(Engine engine, String staged) {
    try {
      engine.getFileSystemClient().delete(staged);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot delete refused staged commit {}: {}", staged, e.toString());
    }
  }

  private static String parent(String path) {
    return new org.apache.hadoop.fs.Path(path).getParent().toString();
  }

  private static void closeQuietly(CloseableIterator<Row> actions) {
    try {
      actions.close();
    } catch (IOException e) {
      LOG.warn("Cannot close the actions of a refused commit: {}", e.toString());
    }
  }
}
