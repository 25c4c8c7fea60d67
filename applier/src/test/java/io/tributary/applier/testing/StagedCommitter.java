package io.tributary.applier.testing;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.commit.CommitFailedException;
import io.delta.kernel.commit.CommitMetadata;
import io.delta.kernel.commit.CommitResponse;
import io.delta.kernel.commit.Committer;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.files.ParsedPublishedDeltaData;
import io.delta.kernel.internal.util.FileNames;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tributary.applier.CommitterFactory;
import io.tributary.coordinator.CommitProposal;
import io.tributary.coordinator.CommitReceipt;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.Lease;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A simple stand-in for the coordinator client's {@code CoordinatedCommitter}: writes the
 * finalized actions to a staged commit file under {@code _delta_log/_staged_commits/}, asks the
 * coordinator to ratify and publish it, and maps refusals to {@link CommitFailedException}s whose
 * cause is the {@link TributaryException}.
 */
public final class StagedCommitter implements Committer {
  /** Makes one of these per commit, as the applier does. */
  public static final CommitterFactory FACTORY = StagedCommitter::new;

  private final CoordinatorClient client;
  private final Lease lease;
  private final Optional<SourcePosition> watermark;
  private final List<URI> segments;
  private final long rowsChanged;

  public StagedCommitter(CoordinatorClient client, Lease lease, Optional<SourcePosition> watermark, List<URI> segments,
      long rowsChanged) {
    this.client = requireNonNull(client, "client is null");
    this.lease = requireNonNull(lease, "lease is null");
    this.watermark = requireNonNull(watermark, "watermark is null");
    this.segments = List.copyOf(segments);
    this.rowsChanged = rowsChanged;
  }

  @Override
  public CommitResponse commit(Engine engine, CloseableIterator<Row> finalizedActions, CommitMetadata metadata)
      throws CommitFailedException {
    String directory = metadata.getDeltaLogDirPath() + "/_staged_commits";
    String staged = directory + "/" + String.format("%020d.%s.json", metadata.getVersion(), UUID.randomUUID());
    try {
      // Kernel's log store does not create parent directories, and Kernel creates
      // _staged_commits only for catalog-managed tables.
      engine.getFileSystemClient().mkdirs(directory);
      engine.getJsonHandler().writeJsonFileAtomically(staged, finalizedActions, false);
    } catch (IOException e) {
      throw new CommitFailedException(true, false, "Cannot stage commit " + staged, e);
    }
    CommitReceipt receipt;
    try {
      receipt = client.commit(new CommitProposal(lease.tableId(), lease.writer(), lease.epoch(), metadata.getVersion(),
          new org.apache.hadoop.fs.Path(staged).toUri(), watermark, segments, rowsChanged));
    } catch (TributaryException e) {
      throw new CommitFailedException(false, e.code() == TributaryException.ErrorCode.COMMIT_CONFLICT, e.getMessage(), e);
    }
    // Kernel checks that the published file lies under the log path by comparing text, so the path
    // must be spelled as Kernel spells the log path (file:/x, not the coordinator's file:///x).
    String published = FileNames.deltaFile(metadata.getDeltaLogDirPath(), receipt.version());
    return new CommitResponse(ParsedPublishedDeltaData.forFileStatus(
        FileStatus.of(published, receipt.size(), receipt.modificationTime())));
  }
}
