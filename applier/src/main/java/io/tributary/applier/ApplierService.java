package io.tributary.applier;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.applier.internal.ApplierContext;
import io.tributary.applier.internal.ApplierMetrics;
import io.tributary.applier.internal.ManifestConsumerLoop;
import io.tributary.applier.internal.TableApplier;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.coordinator.client.CoordinatedCommitter;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An applier: a member of the appliers' Kafka consumer group that applies the manifests of the
 * tables on its partitions to their Delta tables, one Delta commit per batch, each ratified by the
 * coordinator under the table's lease, exactly once.
 *
 * <p>One polling thread reads, applies and commits offsets (Kafka offsets only after the Delta
 * commit succeeded); one renewal thread keeps the leases alive. Delta tables are read and written
 * with Kernel's default engine over the Hadoop settings of the staging section.
 */
public final class ApplierService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApplierService.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration TOPIC_ID_TIMEOUT = Duration.ofSeconds(30);

  /** The life of the service; every transition is logged. */
  public enum State {
    NEW,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    /** Stopped by a {@link FaultPoint} as a crash would: nothing acknowledged, nothing released. */
    HALTED,
    /** The polling loop failed; the service applies nothing more and should be restarted. */
    FAILED,
    /**
     * A triggered run applied everything its partitions held when assigned, committed its offsets,
     * released its leases and left the group.
     */
    FINISHED
  }

  private final ApplierConfig config;
  private final CoordinatorClient coordinator;
  private final Clock clock;
  private final ApplierMetrics metrics;
  private final CommitterFactory committers;
  private final FaultPoint faultPoint;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  // Set by start() and read by close(), both called by the service's owner; status() may be
  // called from any thread, hence the volatile loop.
  private StagingStore staging;
  private volatile ManifestConsumerLoop loop;
  private Thread pollingThread;
  private ScheduledExecutorService leaseRenewal;
  private Admin admin;

  /** An applier committing through the coordinator's {@link CoordinatedCommitter}. */
  public ApplierService(ApplierConfig config, CoordinatorClient coordinator, Clock clock, MeterRegistry registry) {
    this(config, coordinator, clock, registry, CoordinatedCommitter::new, FaultPoint.NONE);
  }

  /** An applier with its own committers and fault point, for tests. */
  public ApplierService(ApplierConfig config, CoordinatorClient coordinator, Clock clock, MeterRegistry registry,
      CommitterFactory committers, FaultPoint faultPoint) {
    this.config = requireNonNull(config, "config is null");
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.metrics = new ApplierMetrics(requireNonNull(registry, "registry is null"), clock);
    this.committers = requireNonNull(committers, "committers is null");
    this.faultPoint = requireNonNull(faultPoint, "faultPoint is null");
  }

  /**
   * Joins the consumer group and starts applying.
   *
   * @throws IllegalStateException if the service was started before
   * @throws TributaryException with {@code STORAGE_FAILURE} if staging cannot be opened
   */
  public void start() {
    transition(State.NEW, State.STARTING);
    try {
      staging = StagingStore.open(config.staging(), clock);
      ApplierContext context = new ApplierContext(config,
          DeltaEngines.forWriting(config.staging().hadoopProperties()), staging, coordinator, committers,
          metrics, clock);
      KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
      admin = Admin.create(adminProperties());
      loop = new ManifestConsumerLoop(context, consumer, faultPoint, this::loopEnded, this::topicId);
      leaseRenewal = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "tributary-applier-lease-renewal");
        thread.setDaemon(true);
        return thread;
      });
      long period = Math.max(1, config.leaseTtl().toMillis() / 3);
      leaseRenewal.scheduleAtFixedRate(this::renewLeases, period, period, TimeUnit.MILLISECONDS);
      pollingThread = new Thread(loop, "tributary-applier-poll");
      pollingThread.start();
    } catch (RuntimeException e) {
      state.set(State.FAILED);
      LOG.info("Applier {}: STARTING -> FAILED", config.writerId());
      close();
      throw e;
    }
    if (state.compareAndSet(State.STARTING, State.RUNNING)) {
      LOG.info("Applier {}: STARTING -> RUNNING", config.writerId());
    }
  }

  /** The admin client reaches the brokers as the consumer does (same servers, same security settings). */
  private Map<String, Object> adminProperties() {
    Map<String, Object> properties = new HashMap<>();
    config.consumerProperties().forEach((key, value) -> {
      if (AdminClientConfig.configNames().contains(key)) {
        properties.put(key, value);
      }
    });
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "tributary-applier-admin-" + config.writerId());
    return properties;
  }

  private String topicId(String topic) {
    try {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(TOPIC_ID_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      return description.topicId().toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while describing topic " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("cannot describe topic " + topic + ": " + e.getMessage(), e);
    }
  }

  Map<String, Object> consumerProperties() {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-applier-" + config.writerId());
    properties.putAll(config.consumerProperties());
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return properties;
  }

  /** Where the service is in its life. */
  public State state() {
    return state.get();
  }

  /** The error that stopped the polling loop when the service is {@link State#FAILED}. */
  public Optional<RuntimeException> failure() {
    ManifestConsumerLoop current = loop;
    return current == null ? Optional.empty() : current.failure();
  }

  /** What this applier knows of every table it met: version, applied position, rows, state. */
  public Map<TableId, AppliedTableStatus> status() {
    ManifestConsumerLoop current = loop;
    return current == null ? Map.of() : current.statuses();
  }

  private void renewLeases() {
    for (TableApplier applier : loop.leased()) {
      try {
        applier.renewLease(config.leaseTtl());
      } catch (TributaryException e) {
        LOG.warn("Cannot renew the lease of {}: {}", applier.tableId(), e.getMessage());
      }
    }
  }

  private void loopEnded(ManifestConsumerLoop.Exit exit) {
    State target = switch (exit) {
      case STOPPED -> State.STOPPED;
      case HALTED -> State.HALTED;
      case FAILED -> State.FAILED;
      case CAUGHT_UP -> State.FINISHED;
    };
    State previous = state.getAndSet(target);
    if (previous != target) {
      LOG.info("Applier {}: {} -> {}", config.writerId(), previous, target);
    }
    if (exit != ManifestConsumerLoop.Exit.STOPPED && leaseRenewal != null) {
      leaseRenewal.shutdownNow();
    }
  }

  /**
   * Finishes the batch in progress, commits its offsets, releases the leases and leaves the group.
   * Idempotent; waits at most a minute for the polling thread.
   */
  @Override
  public void close() {
    State current = state.get();
    if (current == State.NEW) {
      transition(State.NEW, State.STOPPED);
      return;
    }
    if (current == State.RUNNING && state.compareAndSet(State.RUNNING, State.STOPPING)) {
      LOG.info("Applier {}: RUNNING -> STOPPING", config.writerId());
      loop.stop();
    }
    if (pollingThread != null) {
      try {
        pollingThread.join(STOP_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (pollingThread.isAlive()) {
        LOG.warn("Applier {}: the polling thread did not stop within {}", config.writerId(), STOP_TIMEOUT);
      }
    }
    if (leaseRenewal != null) {
      leaseRenewal.shutdownNow();
    }
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
      admin = null;
    }
    if (staging != null) {
      StagingStore store = staging;
      staging = null;
      store.close();
    }
  }

  private void transition(State from, State to) {
    if (!state.compareAndSet(from, to)) {
      throw new IllegalStateException("Applier " + config.writerId() + " is " + state.get() + ", not " + from);
    }
    LOG.info("Applier {}: {} -> {}", config.writerId(), from, to);
  }
}
