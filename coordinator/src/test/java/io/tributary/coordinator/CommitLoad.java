package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Operation;
import io.delta.kernel.TableManager;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterable;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;

/**
 * Applier-like writers committing empty Delta transactions through {@link CoordinatedCommitter} to a
 * few tables, for tests of several coordinators: each writer takes the lease of a random table
 * (fencing its holder), commits a few times, and sometimes releases the lease. Every receipt is
 * recorded with the attempt it answers (named by the commit's one segment); a commit whose answer was
 * lost is sent again until a coordinator settles it; every failure no writer should meet is recorded.
 */
final class CommitLoad implements AutoCloseable {
  private static final Duration LEASE_TTL = Duration.ofSeconds(30);

  /** A commit a writer got a receipt for; {@code segment} names the attempt. */
  record Receipt(TableId tableId, long version, URI segment, URI coordinator) {}

  private final Map<TableId, Path> tables;
  private final List<TableId> tableIds;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong attempts = new AtomicLong();
  private final ConcurrentLinkedQueue<Receipt> receipts = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
  private final AtomicInteger fenced = new AtomicInteger();
  private final AtomicInteger conflicts = new AtomicInteger();
  private final AtomicInteger settled = new AtomicInteger();
  private final ExecutorService executor;
  private final List<Future<Void>> writers = new ArrayList<>();

  /** Starts one writer per client on {@code tables} (created Delta tables, registered with the coordinators). */
  CommitLoad(Map<TableId, Path> tables, List<FailoverClient> clients) {
    this.tables = new LinkedHashMap<>(requireNonNull(tables, "tables is null"));
    this.tableIds = List.copyOf(tables.keySet());
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(clients.size(), runnable -> new Thread(runnable,
        "commit-load-" + threads.incrementAndGet()));
    for (int i = 0; i < clients.size(); i++) {
      writers.add(executor.submit(new Writer(new WriterId("applier-" + i), clients.get(i), new Random(i))));
    }
  }

  /** Every receipt so far. */
  List<Receipt> receipts() {
    return List.copyOf(receipts);
  }

  int receiptCount() {
    return receipts.size();
  }

  long receiptsFrom(URI coordinator) {
    return receipts.stream().filter(receipt -> receipt.coordinator().equals(coordinator)).count();
  }

  /** Failures no writer should meet, e.g. a coordinator error other than a fence or a conflict. */
  List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  /** Commits refused because another writer took the lease. */
  int fenced() {
    return fenced.get();
  }

  /** Commits refused because the version was taken (the writer read an older snapshot). */
  int conflicts() {
    return conflicts.get();
  }

  /** Commits whose lost answer reached the writer and were settled by sending them again. */
  int settled() {
    return settled.get();
  }

  /** Stops the writers and waits for them (bounded). Idempotent. */
  @Override
  public void close() throws Exception {
    stop.set(true);
    executor.shutdown();
    if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
      executor.shutdownNow();
      throw new IllegalStateException("Writers still running 60 s after being told to stop");
    }
    for (Future<Void> writer : writers) {
      writer.get();
    }
  }

  /**
   * An applier-like writer: takes the lease of a random table (fencing its holder), commits a few empty
   * Delta transactions through {@link CoordinatedCommitter}, and sometimes releases the lease.
   */
  private final class Writer implements Callable<Void> {
    private final WriterId id;
    private final FailoverClient client;
    private final Random random;
    private final Engine engine = DefaultEngine.create(new Configuration());

    Writer(WriterId id, FailoverClient client, Random random) {
      this.id = id;
      this.client = client;
      this.random = random;
    }

    @Override
    public Void call() {
      try {
        write();
      } catch (RuntimeException e) {
        unexpected.add(id + " stopped: " + e);
      }
      return null;
    }

    private void write() {
      while (!stop.get()) {
        int table = random.nextInt(tables.size());
        Lease lease;
        try {
          lease = client.acquireLease(tableIds.get(table), id, LEASE_TTL);
        } catch (TributaryException e) {
          unexpected.add(id + " could not acquire a lease: " + e.getMessage());
          return;
        }
        int commits = 1 + random.nextInt(4);
        boolean holding = true;
        for (int i = 0; i < commits && holding && !stop.get(); i++) {
          holding = commit(tables.get(tableIds.get(table)), lease);
        }
        if (holding && random.nextBoolean()) {
          client.releaseLease(lease);
        }
      }
    }

    /** Commits once (retrying conflicts); returns whether the writer still holds the lease. */
    private boolean commit(Path table, Lease lease) {
      while (!stop.get()) {
        long attempt = attempts.incrementAndGet();
        URI segment = URI.create("file:/staging/it/" + id + "/" + attempt + ".parquet");
        CoordinatedCommitter committer = new CoordinatedCommitter(client, lease, Optional.of(SourcePosition.of(attempt)),
            List.of(segment), 1);
        try {
          long version = TableManager.loadSnapshot(table.toString()).withCommitter(committer).build(engine)
              .buildUpdateTableTransaction("tributary-it", Operation.WRITE).build(engine)
              .commit(engine, CloseableIterable.emptyIterable()).getVersion();
          receipts.add(new Receipt(lease.tableId(), version, segment, client.lastAnswer().orElseThrow()));
          return true;
        } catch (RuntimeException e) {
          ErrorCode code = code(e).orElse(ErrorCode.INTERNAL);
          switch (code) {
            case STALE_EPOCH -> {
              fenced.incrementAndGet();
              return false;
            }
            case COMMIT_CONFLICT -> conflicts.incrementAndGet();
            case COMMIT_OUTCOME_UNKNOWN -> {
              Optional<ErrorCode> refusal = settle(committer, segment);
              if (refusal.isEmpty()) {
                return true;
              }
              if (refusal.get() != ErrorCode.COMMIT_CONFLICT) {
                return false;
              }
              conflicts.incrementAndGet();
            }
            default -> {
              unexpected.add(id + " failed to commit to " + lease.tableId() + ": " + e);
              return false;
            }
          }
        }
      }
      return false;
    }

    /**
     * Sends a proposal whose outcome is unknown again until a coordinator answers it; returns empty if it
     * committed, else the refusal.
     */
    private Optional<ErrorCode> settle(CoordinatedCommitter committer, URI segment) {
      CommitProposal proposal = committer.lastProposal().orElseThrow();
      try {
        CommitReceipt receipt = client.commit(proposal);
        settled.incrementAndGet();
        receipts.add(new Receipt(proposal.tableId(), receipt.version(), segment, client.lastAnswer().orElseThrow()));
        return Optional.empty();
      } catch (TributaryException e) {
        if (e.code() == ErrorCode.STALE_EPOCH) {
          fenced.incrementAndGet();
        } else if (e.code() != ErrorCode.COMMIT_CONFLICT) {
          unexpected.add(id + " could not settle version " + proposal.version() + " of " + proposal.tableId() + ": "
              + e.getMessage());
        }
        return Optional.of(e.code());
      }
    }

    private static Optional<ErrorCode> code(Throwable e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof TributaryException tributary) {
          return Optional.of(tributary.code());
        }
      }
      return Optional.empty();
    }
  }
}
