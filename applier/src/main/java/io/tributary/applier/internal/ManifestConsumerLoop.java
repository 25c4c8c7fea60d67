package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.applier.AppliedTableStatus;
import io.tributary.applier.FaultPoint;
import io.tributary.coordinator.CoordinatorEvent.Severity;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.TableStatus;
import io.tributary.coordinator.client.EventReporter;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.ManifestSerde;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applier's polling thread: reads manifests from its assigned partitions, batches them per
 * table as the {@link BatchPolicy} says (at once while the table is caught up, up to
 * {@code batch.max-segments} within {@code batch.max-wait} while it is behind), applies each table's
 * batch as one Delta commit and only then commits the Kafka offsets the commits cover. On
 * revocation it applies what it already read, commits, and releases the tables' leases.
 *
 * <h2>Commit groups</h2>
 * A source whose manifests carry {@linkplain ManifestRecord.Group commit groups} (its gateway rolls
 * them, and keys all its manifests by the source, so they share a partition) is applied group by
 * group: the manifests of all its tables up to the last complete group read are committed together,
 * one commit per table, ratified all or nothing with the group's cut, each table's commit built on
 * its own thread. A table with more manifests than a batch holds commits the leading ones alone
 * first, so that no commit ever spans a cut. Manifests after the last complete group wait for the
 * next one (a triggered run, or a revocation, applies them alone when no complete group is left).
 */
public final class ManifestConsumerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestConsumerLoop.class);
  private static final Duration IDLE_POLL = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REOPEN_CHECK = Duration.ofSeconds(2);
  /** How long the tables of a commit group wait for each other before the group is given up and tried again. */
  private static final Duration GROUP_ASSEMBLY_TIMEOUT = Duration.ofMinutes(10);
  private static final AtomicInteger GROUP_THREADS = new AtomicInteger();

  /** How the loop ended. */
  public enum Exit {
    STOPPED,
    HALTED,
    FAILED,
    /** A triggered run applied everything its partitions held when they were assigned. */
    CAUGHT_UP
  }


  private final ApplierContext context;
  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final TableOpener opener;
  private final FaultPoint faultPoint;
  private final Consumer<Exit> onExit;
  private volatile RuntimeException failure;
  private final EventReporter reporter;
  private final Function<String, String> topicIds;
  /** The manifest topic's id, looked up once per assignment: the topic may have been created anew. */
  private Optional<String> topicId = Optional.empty();
  private final Map<TableId, TableSlot> slots = new LinkedHashMap<>();
  private final PartitionOffsets offsets = new PartitionOffsets();
  private final OffsetCommitter offsetCommitter;
  private final BatchPolicy batchPolicy;
  private final Map<TableId, AppliedTableStatus> statuses = new ConcurrentHashMap<>();
  private final Map<TableId, TableApplier> leased = new ConcurrentHashMap<>();
  /** Sources whose manifests carry commit groups: their tables are applied together. */
  private final Set<String> groupedSources = new HashSet<>();
  /** Builds the commits of a group's tables side by side; each waits for the others before its commit goes out. */
  private final ExecutorService groupThreads = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "tributary-applier-group-" + GROUP_THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });
  private final ApplyThreads applyThreads;
  private volatile boolean running = true;
  private boolean halted;
  /** In triggered mode: the end offset of each assigned partition when it was assigned. */
  private final Map<Integer, Long> triggerTargets = new HashMap<>();
  private boolean joined;
  private boolean caughtUp;

  /**
   * @param topicIds looks a topic's id up by its name (an admin client's describe); it may throw a
   *     {@link KafkaException} or {@link TributaryException} when the broker cannot answer
   */
  public ManifestConsumerLoop(ApplierContext context, org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      FaultPoint faultPoint, Consumer<Exit> onExit, Function<String, String> topicIds) {
    this.context = requireNonNull(context, "context is null");
    this.topicIds = requireNonNull(topicIds, "topicIds is null");
    this.consumer = requireNonNull(consumer, "consumer is null");
    this.faultPoint = requireNonNull(faultPoint, "faultPoint is null");
    this.onExit = requireNonNull(onExit, "onExit is null");
    this.reporter = new EventReporter(Optional.of(context.coordinator()),
        "tributary-applier-" + context.config().writerId().value() + "-events");
    this.opener = new TableOpener(context);
    this.offsetCommitter = new OffsetCommitter(consumer, context.config().topic(), offsets);
    this.applyThreads = new ApplyThreads(context.config().applyThreads());
    this.batchPolicy = new BatchPolicy(context.config().batchMaxSegments(), context.config().batchMaxWait(),
        context.config().batchBehindLag());
  }

  /** The status of every table met, safe to read from any thread. */
  public Map<TableId, AppliedTableStatus> statuses() {
    return Map.copyOf(statuses);
  }

  /** The appliers whose leases must be renewed, safe to read from any thread. */
  public Collection<TableApplier> leased() {
    return List.copyOf(leased.values());
  }

  /** Asks the loop to finish the batch in progress, commit its offsets, release its leases and end. */
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  /** The error that ended the loop, if one did. */
  public Optional<RuntimeException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void run() {
    Exit exit = Exit.FAILED;
    try {
      consumer.subscribe(List.of(context.config().topic()), new Rebalance());
      while (running && !halted) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout())) {
          accept(record);
        }
        applyGroups(sourcePartitions(offsets.partitions()), false);
        applyReady(ungrouped(slots.keySet()), false);
        compactDue();
        dropFenced();
        reopenFenced();
        if (!halted) {
          commitOffsets(List.copyOf(offsets.partitions()));
          caughtUp = triggered() && caughtUp();
          if (caughtUp) {
            LOG.info("Triggered run caught up: every manifest its partitions held when assigned is applied (end offsets {})",
                triggerTargets);
            break;
          }
        }
      }
      exit = halted ? Exit.HALTED : caughtUp ? Exit.CAUGHT_UP : Exit.STOPPED;
    } catch (WakeupException e) {
      exit = Exit.STOPPED;
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("The applier's polling loop failed; it stops. Tables it owned are taken over by other appliers", e);
    } finally {
      try {
        shutDown();
      } finally {
        onExit.accept(exit);
      }
    }
  }

  private void shutDown() {
    reporter.close();
    groupThreads.shutdownNow();
    applyThreads.close();
    try {
      if (halted) {
        // As a crash would: no offset commit, no lease release. Leaving the group only spares the
        // next owner the session timeout.
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        return;
      }
      try {
        try {
          commitOffsets(List.copyOf(offsets.partitions()));
        } catch (WakeupException e) {
          // The wake-up of stop() was still pending; it is consumed now, so this one goes through.
          commitOffsets(List.copyOf(offsets.partitions()));
        }
        releaseLeases(List.copyOf(slots.values()));
        // Closing revokes the partitions again; there is nothing left to finish or release.
        drop(List.copyOf(slots.values()));
      } finally {
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      }
    } finally {
      // However the loop ended, it works on none of its tables any more.
      drop(List.copyOf(slots.values()));
    }
  }

  /** The tables leave this applier: their slots go, and so do their meters (ApplierMetrics.forget). */
  private void drop(Collection<TableSlot> leaving) {
    for (TableSlot slot : leaving) {
      slots.remove(slot.tableId());
      context.metrics().forget(slot.tableId());
    }
  }

  private Duration pollTimeout() {
    long now = context.clock().millis();
    long wait = IDLE_POLL.toMillis();
    for (TableSlot slot : slots.values()) {
      if (hasRollbackReplay(slot)) {
        wait = Math.min(wait, Math.max(0, slot.retryAtMillis() - now));
        continue;
      }
      if (slot.isStopped() || !slot.hasPending()) {
        continue;
      }
      if (grouped(slot.tableId())) {
        // What a grouped table still holds after this round waits for its batch wait, a back-off, or the
        // rest of a group, which arrives as a record and ends the poll: never wake for what is past.
        long wakeAt = Math.max(slot.oldestReceivedMillis() + context.config().batchMaxWait().toMillis(),
            slot.retryAtMillis());
        if (wakeAt > now) {
          wait = Math.min(wait, wakeAt - now);
        }
        continue;
      }
      long dueAt = Math.max(batchPolicy.dueAtMillis(slot.pending(), now), slot.retryAtMillis());
      wait = Math.min(wait, Math.max(0, dueAt - now));
    }
    return Duration.ofMillis(wait);
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    int partition = record.partition();
    long offset = record.offset();
    offsets.read(partition, offset);
    ManifestRecord manifest;
    try {
      manifest = ManifestSerde.deserialize(record.value());
    } catch (TributaryException e) {
      context.metrics().invalidManifest();
      Optional<TableId> keyed = tableOfKey(record.key());
      if (keyed.isEmpty()) {
        LOG.error("Manifest {}-{}@{} is invalid and its key names no table; the partition's offset is held there: {}",
            record.topic(), partition, offset, e.getMessage());
        offsets.hold(partition, offset);
        return;
      }
      TableSlot slot = slot(keyed.get(), partition, offset);
      if (slot != null) {
        LOG.error("Manifest {}@{} of {} is invalid; the table stops here: {}", partition, offset, keyed.get(), e.getMessage());
        slot.failAt(offset, e.getMessage());
        publish(slot);
      }
      return;
    }
    TableId tableId = manifest.tableId();
    if (manifest.group().isPresent() && groupedSources.add(tableId.source())) {
      LOG.info("Manifests of source {} carry commit groups: its tables are committed together, group by group",
          tableId.source());
    }
    TableSlot slot = slot(tableId, partition, offset);
    if (slot == null) {
      return;
    }
    slot.add(new PendingManifest(partition, offset, manifest, context.clock().millis()));
    publish(slot);
  }

  /** The table's slot, or null (and the offset held) if the table was met on another partition. */
  private TableSlot slot(TableId tableId, int partition, long offset) {
    TableSlot slot = slots.computeIfAbsent(tableId,
        id -> new TableSlot(id, partition, context.config().tableLocation(id)));
    if (slot.partition() != partition) {
      TributaryException moved = ApplierErrors.partitionMoved(tableId, "partition " + slot.partition(), "partition " + partition);
      LOG.error(moved.getMessage());
      offsets.hold(partition, offset);
      return null;
    }
    return slot;
  }

  /** The table a record's key names, when it names one (a source's name keys manifests of commit groups). */
  private static Optional<TableId> tableOfKey(byte[] key) {
    if (key == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(TableId.parse(new String(key, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private boolean grouped(TableId tableId) {
    return groupedSources.contains(tableId.source());
  }

  private List<TableId> ungrouped(Collection<TableId> tables) {
    return tables.stream().filter(tableId -> !grouped(tableId)).toList();
  }

  /** A source's tables on one partition: what a commit group spans. */
  private record SourcePartition(int partition, String source) {}

  private List<SourcePartition> sourcePartitions(Collection<Integer> partitions) {
    return slots.values().stream()
        .filter(slot -> grouped(slot.tableId()) && partitions.contains(slot.partition()))
        .map(slot -> new SourcePartition(slot.partition(), slot.tableId().source()))
        .distinct()
        .toList();
  }

  /**
   * Applies the commit groups that are ready. A triggered run, or one finishing a revoked partition,
   * then applies the manifests after the last complete group table by table: no group will complete
   * them in this run.
   */
  private void applyGroups(List<SourcePartition> sources, boolean finishing) {
    for (SourcePartition source : sources) {
      if (halted) {
        return;
      }
      boolean settled = applyGroup(source, finishing);
      if (settled && (finishing || triggered())) {
        applyReady(slotsOf(source).stream().map(TableSlot::tableId).toList(), finishing);
      }
    }
  }

  private List<TableSlot> slotsOf(SourcePartition source) {
    return slots.values().stream()
        .filter(slot -> slot.partition() == source.partition() && slot.tableId().source().equals(source.source()))
        .toList();
  }

  /**
   * Applies a source's manifests up to its last complete commit group, if that is due: each table's
   * as one commit, all ratified together. Returns whether no complete group is left pending.
   */
  private boolean applyGroup(SourcePartition source, boolean finishing) {
    List<TableSlot> tables = slotsOf(source);
    for (TableSlot slot : tables) {
      if (hasRollbackReplay(slot)) {
        // What a rollback undid comes first; the group waits.
        if (ready(slot, finishing)) {
          process(slot);
        }
        return false;
      }
    }
    Optional<CompleteGroup> complete = CompleteGroup.last(tables);
    if (complete.isEmpty()) {
      return true;
    }
    long now = context.clock().millis();
    boolean due = finishing || triggered() || complete.get().manifests() >= context.config().batchMaxSegments()
        || now - complete.get().oldestReceivedMillis() >= context.config().batchMaxWait().toMillis();
    if (!due || tables.stream().anyMatch(slot -> slot.isStopped() || now < slot.retryAtMillis())) {
      // A stopped table holds its whole source: a group is all or nothing.
      return false;
    }
    Map<TableSlot, List<PendingManifest>> batches = new LinkedHashMap<>();
    for (TableSlot slot : tables) {
      List<PendingManifest> upToGroup = slot.nextBatch(Integer.MAX_VALUE).stream()
          .filter(manifest -> manifest.offset() <= complete.get().lastOffset())
          .toList();
      if (!upToGroup.isEmpty()) {
        batches.put(slot, upToGroup);
      }
    }
    for (Map.Entry<TableSlot, List<PendingManifest>> entry : batches.entrySet()) {
      Optional<List<PendingManifest>> last = applyLeadingAlone(entry.getKey(), entry.getValue());
      if (last.isEmpty()) {
        return false;
      }
      entry.setValue(last.get());
    }
    return commitGroup(source, complete.get().group(), batches);
  }

  /**
   * Opens the table if needed and commits alone the leading manifests of a batch too long for one
   * commit, so that what is left fits one. Returns what is left, or empty if the table failed.
   */
  private Optional<List<PendingManifest>> applyLeadingAlone(TableSlot slot, List<PendingManifest> batch) {
    int max = context.config().batchMaxSegments();
    try {
      TableApplier applier = openedApplier(slot, batch);
      List<PendingManifest> rest = batch;
      while (rest.size() > max) {
        List<PendingManifest> chunk = rest.subList(0, max);
        BatchResult result = applier.apply(chunk);
        committed(slot, result, chunk.size());
        if (haltAfter(slot, result)) {
          return Optional.empty();
        }
        slot.acknowledge(chunk.size());
        rest = rest.subList(max, rest.size());
      }
      return Optional.of(rest);
    } catch (TributaryException e) {
      failed(slot, e);
      publish(slot);
      return Optional.empty();
    }
  }

  /**
   * Builds every table's commit on its own thread and lets the {@link CommitGroupBarrier} send them
   * as one group. The manifests are acknowledged only if every table came through: after a refusal,
   * the whole group, tables that had nothing to commit included, is tried again.
   */
  private boolean commitGroup(SourcePartition source, ManifestRecord.Group group,
      Map<TableSlot, List<PendingManifest>> batches) {
    Set<TableId> members = batches.keySet().stream().map(TableSlot::tableId).collect(Collectors.toSet());
    CommitGroupBarrier barrier = new CommitGroupBarrier(context.coordinator(), source.source(), group.id(), group.cut(),
        members, GROUP_ASSEMBLY_TIMEOUT);
    Map<TableSlot, Future<BatchResult>> results = new LinkedHashMap<>();
    batches.forEach((slot, batch) -> {
      TableApplier applier = slot.applier().orElseThrow();
      results.put(slot, groupThreads.submit(() -> applyMember(applier, batch, barrier)));
    });
    Map<TableSlot, BatchResult> applied = new LinkedHashMap<>();
    Map<TableSlot, TributaryException> failures = new LinkedHashMap<>();
    for (Map.Entry<TableSlot, Future<BatchResult>> result : results.entrySet()) {
      TableSlot slot = result.getKey();
      try {
        applied.put(slot, result.getValue().get());
      } catch (ExecutionException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime
            : new IllegalStateException(e.getCause());
        failures.put(slot, ApplierErrors.classify(slot.tableId(), context.config().tableLocation(slot.tableId()), cause));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.put(slot, new TributaryException(ErrorCode.COMMIT_OUTCOME_UNKNOWN, "Interrupted while committing group "
            + group.id() + " of " + source.source()));
      }
    }
    if (!failures.isEmpty()) {
      context.metrics().commitGroup(source.source(), false);
      failures.forEach(this::failed);
      // The others are tried again with them: a group waits until every table's back-off is over.
      String reason = "commit group " + group.id() + " is tried again: " + failures.values().iterator().next().getMessage();
      applied.keySet().forEach(slot -> slot.retryLater(reason, context.clock().millis()));
      batches.keySet().forEach(this::publish);
      return false;
    }
    context.metrics().commitGroup(source.source(), true);
    for (Map.Entry<TableSlot, BatchResult> entry : applied.entrySet()) {
      TableSlot slot = entry.getKey();
      committed(slot, entry.getValue(), batches.get(slot).size());
      if (haltAfter(slot, entry.getValue())) {
        return false;
      }
      slot.acknowledge(batches.get(slot).size());
      slot.active();
      publish(slot);
    }
    LOG.debug("Applied commit group {} of {} up to {}: {} tables", group.id(), source.source(), group.cut(), members.size());
    return CompleteGroup.last(slotsOf(source)).isEmpty();
  }

  private static BatchResult applyMember(TableApplier applier, List<PendingManifest> batch, CommitGroupBarrier barrier) {
    try {
      BatchResult result = applier.apply(batch, Optional.of(barrier));
      barrier.leave(applier.tableId(), Optional.empty());
      return result;
    } catch (RuntimeException e) {
      barrier.leave(applier.tableId(), Optional.of(e));
      throw e;
    }
  }

  /** Whether the fault point halts the applier after this commit, before its Kafka offsets are committed. */
  private boolean haltAfter(TableSlot slot, BatchResult result) {
    if (result.outcome() == BatchResult.Outcome.COMMITTED
        && faultPoint.afterDeltaCommit(slot.tableId(), result.version()) == FaultPoint.Action.HALT) {
      LOG.warn("Fault point: halting after version {} of {}, before its Kafka offsets are committed",
          result.version(), slot.tableId());
      halted = true;
      return true;
    }
    return false;
  }

  private void committed(TableSlot slot, BatchResult result, int segments) {
    if (result.outcome() == BatchResult.Outcome.COMMITTED) {
      context.metrics().forTable(slot.tableId()).batchCommitted(segments);
    }
  }

  /**
   * Applies the tables among {@code tables} that are ready, side by side on the apply threads; their
   * outcomes are then taken in turn on this thread.
   */
  private void applyReady(Collection<TableId> tables, boolean finishing) {
    Map<TableSlot, List<PendingManifest>> batches = new LinkedHashMap<>();
    for (TableId tableId : List.copyOf(tables)) {
      TableSlot slot = slots.get(tableId);
      if (halted) {
        return;
      }
      if (slot != null && ready(slot, finishing)) {
        nextBatch(slot).ifPresent(batch -> batches.put(slot, batch));
      }
    }
    Map<TableSlot, ApplyThreads.Outcome<BatchResult>> outcomes = applyThreads.run(batches,
        (slot, batch) -> slot.applier().orElseThrow().apply(batch));
    for (Map.Entry<TableSlot, ApplyThreads.Outcome<BatchResult>> outcome : outcomes.entrySet()) {
      if (halted) {
        return;
      }
      finish(outcome.getKey(), batches.get(outcome.getKey()), outcome.getValue());
    }
  }

  private boolean ready(TableSlot slot, boolean finishing) {
    long now = context.clock().millis();
    if (hasRollbackReplay(slot)) {
      return finishing || now >= slot.retryAtMillis();
    }
    if (slot.isStopped() || !slot.hasPending()) {
      return false;
    }
    if (finishing) {
      return true;
    }
    if (triggered()) {
      // A triggered run applies what it has at once; only a failed table's back-off is waited for.
      return now >= slot.retryAtMillis();
    }
    return now >= slot.retryAtMillis() && batchPolicy.due(slot.pending(), now);
  }

  private void process(TableSlot slot) {
    nextBatch(slot).ifPresent(batch -> finish(slot, batch,
        ApplyThreads.Outcome.of(() -> slot.applier().orElseThrow().apply(batch))));
  }

  /**
   * The next batch of the table, its applier opened; empty if the table has none to apply now: what a
   * rollback undid was applied instead, or the table failed.
   */
  private Optional<List<PendingManifest>> nextBatch(TableSlot slot) {
    try {
      TableApplier applier = openedApplier(slot, slot.nextBatch(1));
      if (applier.hasRollbackReplay()) {
        // What a rollback undid comes first; the manifests wait for the next rounds.
        applier.applyRollbackReplay();
        if (!applier.hasRollbackReplay()) {
          reportReplayed(slot, applier);
        }
        slot.active();
        publish(slot);
        return Optional.empty();
      }
      return Optional.of(slot.nextBatch(batchPolicy.batchSize(slot.pending())));
    } catch (TributaryException e) {
      failed(slot, e);
      publish(slot);
      return Optional.empty();
    }
  }

  /** Takes the outcome of the table's batch: acknowledged if committed, the table failed if it threw. */
  private void finish(TableSlot slot, List<PendingManifest> batch, ApplyThreads.Outcome<BatchResult> outcome) {
    try {
      BatchResult result = outcome.get();
      committed(slot, result, batch.size());
      if (haltAfter(slot, result)) {
        return;
      }
      slot.acknowledge(batch.size());
      slot.active();
    } catch (TributaryException e) {
      failed(slot, e);
    }
    publish(slot);
  }

  /**
   * The table's applier, opening the table first if needed (with the schema of the first of
   * {@code pending}, which a table not yet open always has); refused if its lease was taken.
   */
  private TableApplier openedApplier(TableSlot slot, List<PendingManifest> pending) {
    if (slot.applier().isEmpty()) {
      TableApplier applier = opener.open(slot.tableId(), pending.get(0).manifest(), manifestPartition(slot));
      slot.opened(applier);
      leased.put(slot.tableId(), applier);
    }
    TableApplier applier = slot.applier().get();
    if (applier.isFenced()) {
      throw new TributaryException(ErrorCode.STALE_EPOCH, "the coordinator refused to renew the lease of " + slot.tableId());
    }
    return applier;
  }

  private ManifestPartition manifestPartition(TableSlot slot) {
    if (topicId.isEmpty()) {
      String topic = context.config().topic();
      try {
        topicId = Optional.of(topicIds.apply(topic));
      } catch (KafkaException e) {
        throw new TributaryException(ErrorCode.KAFKA_UNREACHABLE, "Cannot read the id of manifest topic " + topic + " to open "
            + slot.tableId() + ": " + e.getMessage(), e);
      }
    }
    return new ManifestPartition(context.config().topic(), topicId.get(), slot.partition());
  }

  private boolean triggered() {
    return context.config().mode() == io.tributary.applier.ApplierConfig.Mode.TRIGGERED;
  }

  /**
   * Whether a triggered run is done: it joined the group, and on every assigned partition it read up
   * to the end offset the partition had when assigned, applied and acknowledged every manifest, and
   * committed the offset. A stopped table (failed, or fenced and held) keeps its partition from being
   * done, and so does a hold on an unreadable record: the run then ends by its timeout, with an error.
   */
  private boolean caughtUp() {
    if (!joined) {
      return false;
    }
    for (TopicPartition partition : consumer.assignment()) {
      if (!partition.topic().equals(context.config().topic())) {
        continue;
      }
      int number = partition.partition();
      Long target = triggerTargets.get(number);
      if (target == null || consumer.position(partition) < target || firstUnacknowledged(number).isPresent()
          || offsets.isHeld(number) || !offsets.toCommit(List.of(number), this::firstUnacknowledged).isEmpty()) {
        return false;
      }
      for (TableSlot slot : slots.values()) {
        if (slot.partition() == number && (slot.isStopped() || hasRollbackReplay(slot))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean hasRollbackReplay(TableSlot slot) {
    return !slot.isStopped() && slot.applier().map(TableApplier::hasRollbackReplay).orElse(false);
  }

  private void reportReplayed(TableSlot slot, TableApplier applier) {
    reporter.accept(new CoordinatorEvent.Report(context.clock().instant(), CoordinatorEvent.Type.ROLLBACK,
        Optional.of(slot.tableId()), Severity.INFO, "Applier " + context.config().writerId().value()
            + " applied again what the rollback undid; the table is at version " + applier.version(),
        Map.of("writer", context.config().writerId().value(), "version", Long.toString(applier.version()),
            "applied_position", applier.appliedPosition().map(Object::toString).orElse(""))));
  }

  /**
   * A table fenced while its partition is still ours was taken by an operator's action (a rollback),
   * not by another applier, which would have taken the partition too. Once its lease is free again,
   * it is opened anew (reading any replay the rollback left) and its manifests are read again from the
   * first one it had not applied.
   */
  private void reopenFenced() {
    long now = context.clock().millis();
    for (TableSlot slot : List.copyOf(slots.values())) {
      if (slot.state() != AppliedTableStatus.State.FENCED || slot.applier().isEmpty() || now < slot.reopenCheckAtMillis()) {
        continue;
      }
      slot.checkReopenAt(now + REOPEN_CHECK.toMillis());
      Optional<TableStatus> status;
      try {
        status = context.coordinator().table(slot.tableId());
      } catch (TributaryException e) {
        LOG.debug("Cannot read the status of fenced table {}: {}", slot.tableId(), e.getMessage());
        continue;
      }
      boolean free = status.isPresent() && (status.get().leaseHolder().isEmpty()
          || status.get().leaseExpiresAt().map(expiry -> expiry.isBefore(context.clock().instant())).orElse(true));
      if (!free) {
        continue;
      }
      TableSchema schema = slot.applier().get().schema();
      OptionalLong from = slot.reopen();
      from.ifPresent(offset -> consumer.seek(new TopicPartition(context.config().topic(), slot.partition()), offset));
      LOG.info("The lease of fenced table {} is free again; taking the table back{}", slot.tableId(),
          from.isPresent() ? " from offset " + from.getAsLong() : "");
      try {
        TableApplier applier = opener.open(slot.tableId(), schema, manifestPartition(slot));
        slot.opened(applier);
        leased.put(slot.tableId(), applier);
      } catch (TributaryException e) {
        failed(slot, e);
      }
      publish(slot);
    }
  }

  /** Compacts the files of the tables whose compaction is due, between their batches (see SmallFileCompactor). */
  private void compactDue() {
    for (TableSlot slot : List.copyOf(slots.values())) {
      if (halted || slot.isStopped() || slot.applier().isEmpty() || hasRollbackReplay(slot)) {
        continue;
      }
      try {
        slot.applier().get().compactIfDue();
      } catch (TributaryException e) {
        failed(slot, e);
        publish(slot);
      }
    }
  }

  /** Tables whose lease renewal was refused stop now, even without pending manifests. */
  private void dropFenced() {
    for (TableSlot slot : List.copyOf(slots.values())) {
      if (!slot.isStopped() && slot.applier().map(TableApplier::isFenced).orElse(false)) {
        failed(slot, new TributaryException(ErrorCode.STALE_EPOCH,
            "the coordinator refused to renew the lease of " + slot.tableId()));
        publish(slot);
      }
    }
  }

  private void failed(TableSlot slot, TributaryException e) {
    String writer = context.config().writerId().value();
    if (e.code() == ErrorCode.STALE_EPOCH) {
      // Fenced: another applier or a rollback holds the lease. Never retry blindly; drop the table
      // (taken back only if its lease becomes free while its partition stays assigned here).
      LOG.warn("{} was fenced ({}); this applier stops working on it until its lease is free", slot.tableId(), e.getMessage());
      slot.stop(AppliedTableStatus.State.FENCED, e.getMessage());
      leased.remove(slot.tableId());
      report(slot, Severity.WARNING, "Applier " + writer + " stopped working on the table until its lease is free: "
          + e.getMessage(), e);
    } else if (e.retryable() || e.code() == ErrorCode.COMMIT_CONFLICT || e.code() == ErrorCode.COMMIT_OUTCOME_UNKNOWN) {
      boolean streakStarts = !slot.isRetrying();
      slot.retryLater(e.getMessage(), context.clock().millis());
      LOG.warn("Applying {} failed, retrying in {} ms: {}", slot.tableId(),
          slot.retryAtMillis() - context.clock().millis(), e.getMessage());
      if (streakStarts) {
        report(slot, Severity.WARNING, "Applier " + writer + " retries the table: " + e.getMessage(), e);
      }
    } else {
      LOG.error("Applying {} stopped ({}); its offsets are held until an operator acts", slot.tableId(), e.code(), e);
      slot.stop(AppliedTableStatus.State.FAILED, e.getMessage());
      leased.remove(slot.tableId());
      report(slot, Severity.ERROR, "Applier " + writer + " stopped applying the table; its offsets are held until an"
          + " operator acts: " + e.getMessage(), e);
    }
  }

  /** Tells the coordinator's event log, through the reporter, so that the polling thread never waits on it. */
  private void report(TableSlot slot, Severity severity, String message, TributaryException e) {
    reporter.accept(new CoordinatorEvent.Report(context.clock().instant(), CoordinatorEvent.Type.ERROR,
        Optional.of(slot.tableId()), severity, message,
        Map.of("code", e.code().name(), "writer", context.config().writerId().value())));
  }

  private void commitOffsets(Collection<Integer> partitions) {
    offsetCommitter.commit(partitions, this::firstUnacknowledged);
  }

  private OptionalLong firstUnacknowledged(int partition) {
    OptionalLong lowest = OptionalLong.empty();
    for (TableSlot slot : slots.values()) {
      OptionalLong first = slot.partition() == partition ? slot.firstUnacknowledged() : OptionalLong.empty();
      if (first.isPresent() && (lowest.isEmpty() || first.getAsLong() < lowest.getAsLong())) {
        lowest = first;
      }
    }
    return lowest;
  }

  private void releaseLeases(List<TableSlot> released) {
    for (TableSlot slot : released) {
      if (slot.applier().isPresent() && !slot.isStopped()) {
        try {
          slot.applier().get().releaseLease();
        } catch (TributaryException e) {
          LOG.warn("Cannot release the lease of {}: {}", slot.tableId(), e.getMessage());
        }
      }
      if (!slot.isStopped()) {
        slot.released();
      }
      leased.remove(slot.tableId());
      publish(slot);
    }
  }

  private void publish(TableSlot slot) {
    statuses.put(slot.tableId(), slot.status());
    if (slot.isOwned()) {
      slot.reportBacklog(context.metrics().forTable(slot.tableId()));
    } else {
      // Fenced or released: another applier (or a rollback) holds the table, so this one must not report it.
      // Taken back, it is opened anew and its meters are registered again.
      context.metrics().forget(slot.tableId());
    }
  }

  private List<TableSlot> slotsOn(Set<Integer> partitions) {
    return slots.values().stream().filter(slot -> partitions.contains(slot.partition())).collect(Collectors.toList());
  }

  private Set<Integer> ours(Collection<TopicPartition> partitions) {
    return partitions.stream().filter(tp -> tp.topic().equals(context.config().topic()))
        .map(TopicPartition::partition).collect(Collectors.toSet());
  }

  /** Rebalance callbacks; Kafka runs them on the polling thread, inside {@code poll}. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      joined = true;
      topicId = Optional.empty();
      if (!partitions.isEmpty()) {
        LOG.info("Assigned manifest partitions {}", ours(partitions));
      }
      if (triggered() && !partitions.isEmpty()) {
        List<TopicPartition> manifests = partitions.stream()
            .filter(partition -> partition.topic().equals(context.config().topic())).toList();
        consumer.endOffsets(manifests).forEach((partition, end) -> triggerTargets.put(partition.partition(), end));
        LOG.info("Triggered run: applying manifest partitions {} up to their end offsets {}", ours(partitions),
            triggerTargets);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Set<Integer> revoked = ours(partitions);
      if (halted || revoked.isEmpty()) {
        return;
      }
      List<TableSlot> leaving = slotsOn(revoked);
      if (leaving.isEmpty()) {
        revoked.forEach(triggerTargets::remove);
        offsets.forget(new ArrayList<>(revoked));
        return;
      }
      LOG.info("Manifest partitions {} revoked; finishing their batches and releasing their {} tables", revoked,
          leaving.size());
      if (running) {
        applyGroups(sourcePartitions(revoked), true);
        for (TableSlot slot : leaving) {
          int rounds = slot.pendingCount() / context.config().batchMaxSegments() + 1;
          for (int i = 0; i < rounds && !halted && !grouped(slot.tableId()) && ready(slot, true); i++) {
            process(slot);
          }
        }
      }
      if (halted) {
        return;
      }
      commitOffsets(revoked);
      releaseLeases(leaving);
      forget(revoked, leaving);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      Set<Integer> lost = ours(partitions);
      if (halted || lost.isEmpty()) {
        return;
      }
      List<TableSlot> leaving = slotsOn(lost);
      LOG.warn("Manifest partitions {} lost; dropping {} tables without committing", lost, leaving.size());
      for (TableSlot slot : leaving) {
        slot.stop(AppliedTableStatus.State.RELEASED, "partition lost");
        publish(slot);
        leased.remove(slot.tableId());
      }
      forget(lost, leaving);
    }

    private void forget(Set<Integer> partitions, List<TableSlot> leaving) {
      drop(leaving);
      partitions.forEach(triggerTargets::remove);
      offsets.forget(new ArrayList<>(partitions));
    }
  }
}
