package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A writer's request to make commits of several tables of one source visible all or nothing: either
 * every commit is ratified, or none is and the refusal names the one that could not be. Each commit
 * is checked as {@link CommitProposal} says; together they apply every change of the source up to
 * {@code cut}, so that once they are published the source's tables are consistent as of {@code cut}
 * ({@link ConsistentPosition}).
 *
 * @param id the commit group's id, unique per group (the gateway's, from the manifests)
 * @param cut the source position up to which the commits apply every change of {@code source}
 */
public record CommitGroupProposal(String source, String id, SourcePosition cut, List<CommitProposal> commits) {
  public CommitGroupProposal {
    requireNonNull(source, "source is null");
    requireNonNull(id, "id is null");
    requireNonNull(cut, "cut is null");
    commits = List.copyOf(requireNonNull(commits, "commits is null"));
    if (id.isBlank()) {
      throw new IllegalArgumentException("a commit group needs an id");
    }
    if (commits.isEmpty()) {
      throw new IllegalArgumentException("commit group " + id + " has no commits");
    }
    Set<TableId> tables = new HashSet<>();
    for (CommitProposal commit : commits) {
      if (!commit.tableId().source().equals(source)) {
        throw new IllegalArgumentException("commit group " + id + " of source " + source + " holds a commit of "
            + commit.tableId() + ", a table of another source");
      }
      if (!tables.add(commit.tableId())) {
        throw new IllegalArgumentException("commit group " + id + " holds two commits of " + commit.tableId());
      }
      if (commit.watermark().isEmpty() || commit.watermark().get().isAfter(cut)) {
        throw new IllegalArgumentException("commit group " + id + " applies up to " + cut + ", but its commit of "
            + commit.tableId() + " applies up to " + commit.watermark().map(Object::toString).orElse("no position"));
      }
    }
  }

  /** How each commit of the group is recorded. */
  public CommitRecord.Group recordedAs() {
    return new CommitRecord.Group(id, cut, commits.size());
  }
}
