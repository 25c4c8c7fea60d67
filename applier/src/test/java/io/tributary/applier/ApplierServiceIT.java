package io.tributary.applier;

import static io.tributary.applier.testing.Segments.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.applier.testing.Segments;
import io.tributary.coordinator.CommitRecord;
import io.tributary.coordinator.ConsistentPosition;
import io.tributary.coordinator.CoordinatorConfig;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.CoordinatorServer;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.WriterId;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import io.tributary.staging.ManifestRecord;
import io.tributary.staging.ManifestSerde;
import io.tributary.staging.Operation;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.StagingStore;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import io.tributary.testing.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Appliers in a real Kafka consumer group (an in-JVM KRaft broker) committing through the real
 * coordinator server over HTTP, with Kernel's default engine on local tables.
 */
class ApplierServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Clock CLOCK = Clock.systemUTC();
  private static Path root;
  private static KafkaBroker kafka;
  private static CoordinatorServer coordinatorServer;

  private Path dir;
  private String topic;
  private StagingStore staging;
  private HttpCoordinatorClient coordinator;
  private KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void startServers() throws Exception {
    root = Files.createDirectories(Path.of("target", "it", "applier-" + UUID.randomUUID())).toAbsolutePath();
    kafka = KafkaBroker.builder(root.resolve("kafka")).discardDataOnClose().build();
    kafka.start();
    coordinatorServer = CoordinatorServer.start(CoordinatorConfig.local(root.resolve("coordinator")), CLOCK,
        new SimpleMeterRegistry());
  }

  @AfterAll
  static void stopServers() {
    if (coordinatorServer != null) {
      coordinatorServer.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createDirectories(root.resolve("test-" + UUID.randomUUID()));
    topic = "manifests-" + UUID.randomUUID();
    kafka.createTopic(topic, 2, Map.of());
    staging = StagingStore.open(StagingConfig.local(dir.resolve("staging")), CLOCK);
    coordinator = HttpCoordinatorClient.create(coordinatorServer.uri(), Optional.empty());
    producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void tearDown() {
    producer.close();
    coordinator.close();
    staging.close();
  }

  private ApplierConfig config(String writer) {
    return new ApplierConfig(dir.resolve("delta").toUri(), "appliers-" + topic, new WriterId(writer), 64,
        Duration.ofMillis(100), Duration.ofSeconds(30), Map.of(), kafka.bootstrapServers(), topic,
        StagingConfig.local(dir.resolve("staging")));
  }

  private static TableSchema schema(TableId tableId) {
    return new TableSchema(tableId, List.of(new Column("id", ColumnType.LONG, false), new Column("v", ColumnType.STRING, true)),
        List.of("id"));
  }

  private void send(ManifestRecord manifest) throws Exception {
    producer.send(new ProducerRecord<>(topic, ManifestSerde.key(manifest.tableId()), ManifestSerde.serialize(manifest)))
        .get(30, TimeUnit.SECONDS);
  }

  private void send(int partition, ManifestRecord manifest) throws Exception {
    producer.send(new ProducerRecord<>(topic, partition, ManifestSerde.key(manifest.tableId()),
        ManifestSerde.serialize(manifest))).get(30, TimeUnit.SECONDS);
  }

  private List<List<Object>> rows(TableId tableId, ApplierConfig config) {
    return new DeltaTableReader(Map.of()).read(config.tableLocation(tableId)).rows().stream().map(Arrays::asList).toList();
  }

  private static boolean appliedUpTo(ApplierService service, TableId tableId, SourcePosition position) {
    AppliedTableStatus status = service.status().get(tableId);
    return status != null && status.appliedPosition().equals(Optional.of(position));
  }

  private Map<TopicPartition, OffsetAndMetadata> committedOffsets(String groupId) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    }
  }

  private static long committedOffsetSum(Map<TopicPartition, OffsetAndMetadata> offsets) {
    return offsets.values().stream().filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
  }

  @Test
  void appliesTheTablesOfItsPartitionsAndCommitsOffsetsAfterDelta() throws Exception {
    TableId orders = new TableId("pg", "public", "orders");
    TableId users = new TableId("pg", "public", "users");
    Segments orderSegments = new Segments(staging, schema(orders));
    Segments userSegments = new Segments(staging, schema(users));
    send(orderSegments.segment(orderSegments.event(Operation.INSERT, 1, 1L, "one"), orderSegments.event(Operation.INSERT, 2, 2L, "two")));
    send(userSegments.segment(userSegments.event(Operation.INSERT, 1, 10L, "ada")));
    send(orderSegments.segment(orderSegments.event(Operation.UPDATE, 3, 1L, "uno"), orderSegments.event(Operation.DELETE, 4, 2L, null)));
    ApplierConfig config = config("applier-a");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (ApplierService service = new ApplierService(config, coordinator, CLOCK, registry)) {
      service.start();
      assertThat(service.state()).isEqualTo(ApplierService.State.RUNNING);
      await().atMost(WAIT).until(() -> appliedUpTo(service, orders, position(4)) && appliedUpTo(service, users, position(1)));

      assertThat(rows(orders, config)).containsExactly(List.of(1L, "uno"));
      assertThat(rows(users, config)).containsExactly(List.of(10L, "ada"));
      await().atMost(WAIT).until(() -> committedOffsetSum(committedOffsets(config.groupId())) == 3);

      send(userSegments.segment(userSegments.event(Operation.UPDATE, 2, 10L, "ada lovelace"),
          userSegments.event(Operation.INSERT, 3, 11L, "bob")));
      await().atMost(WAIT).until(() -> appliedUpTo(service, users, position(3)));
      assertThat(rows(users, config)).containsExactly(List.of(10L, "ada lovelace"), List.of(11L, "bob"));
      assertThat(service.status().get(users).rows()).isEqualTo(2);
      assertThat(service.status().get(users).state()).isEqualTo(AppliedTableStatus.State.ACTIVE);
      await().atMost(WAIT).until(() -> committedOffsetSum(committedOffsets(config.groupId())) == 4);
      assertThat(registry.get("tributary.applier.batches.applied").tag("table", "pg.public.users").counter().count())
          .isGreaterThanOrEqualTo(2);
    }

    assertThat(coordinator.table(orders).orElseThrow().leaseHolder()).isEmpty();
    assertThat(coordinator.table(orders).orElseThrow().appliedPosition()).contains(position(4));
    // Stopped, the applier owns no table any more: it reports none.
    assertThat(tableMeters(registry, orders)).isEmpty();
    assertThat(tableMeters(registry, users)).isEmpty();
    assertThat(registry.find("tributary.applier.manifests.invalid").counter()).isNotNull();
  }

  @Test
  void aTableMovedToAnotherApplierLeavesNoMetersBehind() throws Exception {
    TableId east = new TableId("pg", "public", "east");
    TableId west = new TableId("pg", "public", "west");
    Segments eastSegments = new Segments(staging, schema(east));
    Segments westSegments = new Segments(staging, schema(west));
    send(0, eastSegments.segment(eastSegments.event(Operation.INSERT, 1, 1L, "a")));
    send(1, westSegments.segment(westSegments.event(Operation.INSERT, 1, 1L, "a")));
    SimpleMeterRegistry firstMeters = new SimpleMeterRegistry();
    SimpleMeterRegistry secondMeters = new SimpleMeterRegistry();

    try (ApplierService first = new ApplierService(config("applier-one"), coordinator, CLOCK, firstMeters)) {
      first.start();
      await().atMost(WAIT).until(() -> appliedUpTo(first, east, position(1)) && appliedUpTo(first, west, position(1)));
      assertThat(tableMeters(firstMeters, east)).isNotEmpty();
      assertThat(tableMeters(firstMeters, west)).isNotEmpty();

      try (ApplierService second = new ApplierService(config("applier-two"), coordinator, CLOCK, secondMeters)) {
        second.start();
        // The group shares the two partitions out: one of the tables moves to the second applier.
        await().atMost(WAIT).until(() -> first.status().values().stream()
            .anyMatch(status -> status.state() == AppliedTableStatus.State.RELEASED));
        send(0, eastSegments.segment(eastSegments.event(Operation.UPDATE, 2, 1L, "b")));
        send(1, westSegments.segment(westSegments.event(Operation.UPDATE, 2, 1L, "b")));
        await().atMost(WAIT).until(() -> appliedByEither(first, second, east) && appliedByEither(first, second, west));

        TableId moved = appliedUpTo(second, east, position(2)) ? east : west;
        TableId kept = moved.equals(east) ? west : east;
        assertThat(appliedUpTo(first, kept, position(2))).isTrue();
        assertThat(first.status().get(moved).state()).isEqualTo(AppliedTableStatus.State.RELEASED);
        assertThat(tableMeters(firstMeters, moved)).isEmpty();
        assertThat(tableVersion(secondMeters, moved)).isEqualTo(second.status().get(moved).version());
        assertThat(tableVersion(firstMeters, kept)).isEqualTo(first.status().get(kept).version());
        assertThat(tableMeters(secondMeters, kept)).isEmpty();
      }
    }
    assertThat(firstMeters.getMeters()).noneMatch(meter -> meter.getId().getTag("table") != null);
    assertThat(secondMeters.getMeters()).noneMatch(meter -> meter.getId().getTag("table") != null);
  }

  private static boolean appliedByEither(ApplierService first, ApplierService second, TableId tableId) {
    return appliedUpTo(first, tableId, position(2)) || appliedUpTo(second, tableId, position(2));
  }

  private static List<Meter> tableMeters(MeterRegistry registry, TableId tableId) {
    return registry.getMeters().stream()
        .filter(meter -> tableId.canonical().equals(meter.getId().getTag("table")))
        .toList();
  }

  private static long tableVersion(MeterRegistry registry, TableId tableId) {
    return (long) registry.get("tributary.applier.table.version").tag("table", tableId.canonical()).gauge().value();
  }

  @Test
  void aTriggeredRunAppliesWhatThePartitionsHeldAndFinishes() throws Exception {
    TableId orders = new TableId("pg", "public", "scheduled_orders");
    TableId users = new TableId("pg", "public", "scheduled_users");
    Segments orderSegments = new Segments(staging, schema(orders));
    Segments userSegments = new Segments(staging, schema(users));
    send(orderSegments.segment(orderSegments.event(Operation.INSERT, 1, 1L, "one"), orderSegments.event(Operation.INSERT, 2, 2L, "two")));
    send(userSegments.segment(userSegments.event(Operation.INSERT, 1, 10L, "ada")));
    send(orderSegments.segment(orderSegments.event(Operation.DELETE, 3, 2L, null)));
    ApplierConfig continuous = config("applier-triggered");
    ApplierConfig config = new ApplierConfig(continuous.tablesLocation(), continuous.groupId(), continuous.writerId(),
        continuous.batchMaxSegments(), Duration.ofMinutes(10), continuous.leaseTtl(), Map.of(),
        continuous.bootstrapServers(), continuous.topic(), continuous.staging(), ApplierConfig.Mode.TRIGGERED,
        Duration.ofMinutes(1));

    // The batch wait of ten minutes does not hold a triggered run back: it applies what it has at once.
    try (ApplierService run = new ApplierService(config, coordinator, CLOCK, new SimpleMeterRegistry())) {
      run.start();
      await().atMost(WAIT).until(() -> run.state() == ApplierService.State.FINISHED);
      assertThat(run.status().get(orders).appliedPosition()).contains(position(3));
    }
    assertThat(rows(orders, config)).containsExactly(List.of(1L, "one"));
    assertThat(rows(users, config)).containsExactly(List.of(10L, "ada"));
    assertThat(committedOffsetSum(committedOffsets(config.groupId()))).isEqualTo(3);
    assertThat(coordinator.table(orders).orElseThrow().leaseHolder()).as("handed over").isEmpty();

    // The next run applies only what came since; a run with nothing new finishes as well.
    send(userSegments.segment(userSegments.event(Operation.UPDATE, 2, 10L, "ada lovelace")));
    try (ApplierService run = new ApplierService(config, coordinator, CLOCK, new SimpleMeterRegistry())) {
      run.start();
      await().atMost(WAIT).until(() -> run.state() == ApplierService.State.FINISHED);
      assertThat(run.status()).containsOnlyKeys(users);
    }
    assertThat(rows(users, config)).containsExactly(List.of(10L, "ada lovelace"));
    assertThat(committedOffsetSum(committedOffsets(config.groupId()))).isEqualTo(4);
    try (ApplierService run = new ApplierService(config, coordinator, CLOCK, new SimpleMeterRegistry())) {
      run.start();
      await().atMost(WAIT).until(() -> run.state() == ApplierService.State.FINISHED);
      assertThat(run.status()).isEmpty();
    }
  }

  @Test
  void aTopicCreatedAnewUnderTheSameNameIsAppliedNotTakenForReplays() throws Exception {
    TableId items = new TableId("pg", "public", "items");
    Segments segments = new Segments(staging, schema(items));
    send(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a")));
    send(segments.segment(segments.event(Operation.INSERT, 2, 2L, "b")));
    send(segments.segment(segments.event(Operation.UPDATE, 3, 1L, "a2")));
    ApplierConfig config = config("applier-recreated");
    try (ApplierService service = new ApplierService(config, coordinator, CLOCK, new SimpleMeterRegistry())) {
      service.start();
      await().atMost(WAIT).until(() -> appliedUpTo(service, items, position(3)));
    }

    // The topic is deleted and created again: its offsets start over, below the table's last committed one.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic));
    }
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> kafka.createTopic(topic, 2, Map.of()));
    send(segments.segment(segments.event(Operation.UPDATE, 4, 2L, "b2")));

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ApplierService service = new ApplierService(config, coordinator, CLOCK, registry)) {
      service.start();
      await().atMost(WAIT).until(() -> appliedUpTo(service, items, position(4)));
    }
    assertThat(rows(items, config)).containsExactly(List.of(1L, "a2"), List.of(2L, "b2"));
    assertThat(registry.find("tributary.applier.batches.replay.refused").counter()).satisfiesAnyOf(
        counter -> assertThat(counter).isNull(), counter -> assertThat(counter.count()).isZero());
  }

  @Test
  void stagedSegmentsWhoseManifestsTheTopicNoLongerHoldsAreAppliedFirst() throws Exception {
    TableId audit = new TableId("pg", "public", "audit");
    Segments segments = new Segments(staging, schema(audit));
    send(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a")));
    ApplierConfig config = config("applier-gaps");
    try (ApplierService service = new ApplierService(config, coordinator, CLOCK, new SimpleMeterRegistry())) {
      service.start();
      await().atMost(WAIT).until(() -> appliedUpTo(service, audit, position(1)));
    }

    // Two segments were announced where no applier can read them any more (their manifests aged out of
    // the topic); only staging has them. The next manifest's sequence number gives them away.
    segments.segment(segments.event(Operation.INSERT, 2, 2L, "b"));
    segments.segment(segments.event(Operation.UPDATE, 3, 1L, "a2"));
    send(segments.segment(segments.event(Operation.INSERT, 4, 3L, "c")));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ApplierService service = new ApplierService(config, coordinator, CLOCK, registry)) {
      service.start();
      await().atMost(WAIT).until(() -> appliedUpTo(service, audit, position(4)));
      assertThat(registry.get("tributary.applier.segments.unannounced.applied").tag("table", audit.canonical())
          .counter().count()).isEqualTo(2);
    }
    assertThat(rows(audit, config)).containsExactly(List.of(1L, "a2"), List.of(2L, "b"), List.of(3L, "c"));
    assertThat(coordinator.history(audit, 1).get(0).segments()).hasSize(1);
  }

  @Test
  void aSuccessorRefusesTheBatchAnApplierCommittedBeforeHaltingAndAppliesTheRest() throws Exception {
    TableId accounts = new TableId("pg", "public", "accounts");
    Segments segments = new Segments(staging, schema(accounts));
    send(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a"), segments.event(Operation.INSERT, 2, 2L, "b")));
    send(segments.segment(segments.event(Operation.UPDATE, 3, 1L, "a2")));
    ApplierConfig first = config("applier-first");
    FaultPoint haltAfterFirstCommit = (tableId, version) -> FaultPoint.Action.HALT;

    ApplierService crashed = new ApplierService(first, coordinator, CLOCK, new SimpleMeterRegistry(),
        io.tributary.coordinator.client.CoordinatedCommitter::new, haltAfterFirstCommit);
    try {
      crashed.start();
      await().atMost(WAIT).until(() -> crashed.state() == ApplierService.State.HALTED);
    } finally {
      crashed.close();
    }
    assertThat(new DeltaTableReader(Map.of()).version(first.tableLocation(accounts))).contains(1L);
    assertThat(committedOffsetSum(committedOffsets(first.groupId()))).isZero();
    assertThat(coordinator.table(accounts).orElseThrow().leaseHolder()).contains(new WriterId("applier-first"));

    send(segments.segment(segments.event(Operation.DELETE, 4, 2L, null), segments.event(Operation.INSERT, 5, 3L, "c")));
    // Without compaction, which would rewrite the file the batch marks as a version of its own.
    ApplierConfig second = config("applier-second").withFiles(FilesConfig.DEFAULT.withoutCompaction());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ApplierService successor = new ApplierService(second, coordinator, CLOCK, registry)) {
      successor.start();
      await().atMost(WAIT).until(() -> appliedUpTo(successor, accounts, position(5)));

      assertThat(registry.get("tributary.applier.batches.replay.refused").tag("table", accounts.canonical()).counter().count())
          .isEqualTo(1);
      assertThat(rows(accounts, second)).containsExactly(List.of(1L, "a2"), List.of(3L, "c"));
      assertThat(new DeltaTableReader(Map.of()).version(second.tableLocation(accounts))).contains(2L);
      List<CommitRecord> history = coordinator.history(accounts);
      assertThat(history).extracting(CommitRecord::version).containsExactly(2L, 1L, 0L);
      assertThat(history.get(0).writer()).isEqualTo(new WriterId("applier-second"));
      assertThat(history.get(0).epoch()).isEqualTo(successor.status().get(accounts).epoch());
      await().atMost(WAIT).until(() -> committedOffsetSum(committedOffsets(second.groupId())) == 3);
    }
  }

  @Test
  void aFencedApplierStopsWorkingOnTheTableAndHoldsItsOffsets() throws Exception {
    TableId ledger = new TableId("pg", "public", "ledger");
    Segments segments = new Segments(staging, schema(ledger));
    send(segments.segment(segments.event(Operation.INSERT, 1, 1L, "a")));
    ApplierConfig config = config("applier-fenced");

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ApplierService service = new ApplierService(config, coordinator, CLOCK, registry)) {
      service.start();
      await().atMost(WAIT).until(() -> appliedUpTo(service, ledger, position(1)));
      assertThat(tableMeters(registry, ledger)).isNotEmpty();
      coordinator.acquireLease(ledger, new WriterId("usurper"), Duration.ofSeconds(30));

      send(segments.segment(segments.event(Operation.UPDATE, 2, 1L, "never")));
      await().atMost(WAIT).until(() -> service.status().get(ledger).state() == AppliedTableStatus.State.FENCED);

      assertThat(rows(ledger, config)).containsExactly(List.of(1L, "a"));
      // The usurper holds the table now: this applier no longer reports it.
      assertThat(tableMeters(registry, ledger)).isEmpty();
      assertThat(service.status().get(ledger).problem()).hasValueSatisfying(problem -> assertThat(problem).contains("epoch"));
      // The coordinator's event log says so too, for the operators.
      await().atMost(WAIT).untilAsserted(() -> assertThat(coordinator.events(EventQuery.latest().withTable(ledger)
              .withTypes(java.util.Set.of(CoordinatorEvent.Type.ERROR))))
          .singleElement()
          .satisfies(event -> {
            assertThat(event.severity()).isEqualTo(CoordinatorEvent.Severity.WARNING);
            assertThat(event.message()).contains("Applier applier-fenced stopped working on the table");
            assertThat(event.details()).containsEntry("code", "STALE_EPOCH");
          }));
      await().atMost(WAIT).until(() -> committedOffsetSum(committedOffsets(config.groupId())) == 1);
    }
    assertThat(coordinator.table(ledger).orElseThrow().leaseHolder()).contains(new WriterId("usurper"));
  }

  @Test
  void commitGroupsAreAppliedAllOrNothingAndGiveTheSourceAConsistentPosition() throws Exception {
    String source = "bank" + UUID.randomUUID().toString().substring(0, 8);
    TableId accounts = new TableId(source, "public", "accounts");
    TableId ledger = new TableId(source, "public", "ledger");
    Segments accountSegments = new Segments(staging, schema(accounts));
    Segments ledgerSegments = new Segments(staging, schema(ledger));
    ApplierConfig config = config("applier-groups");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    // Transaction 1 (positions 1-3) touches both tables: one group cut at 3.
    ManifestRecord.Group first = new ManifestRecord.Group("first", position(3), 2);
    sendGrouped(accountSegments.segment(accountSegments.event(Operation.INSERT, 1, 1L, "100"),
        accountSegments.event(Operation.INSERT, 2, 2L, "0")), first);
    sendGrouped(ledgerSegments.segment(ledgerSegments.event(Operation.INSERT, 3, 1L, "open")), first);

    try (ApplierService service = new ApplierService(config, coordinator, CLOCK, registry)) {
      service.start();
      await().atMost(WAIT).until(() -> coordinator.consistentPosition(source).isPresent());
      ConsistentPosition cut = coordinator.consistentPosition(source).orElseThrow();
      assertThat(cut.position()).isEqualTo(position(3));
      assertThat(cut.group()).isEqualTo("first");
      assertThat(cut.tables()).extracting(ConsistentPosition.TableVersion::tableId).containsExactly(accounts, ledger);
      assertThat(coordinator.history(accounts, Long.MAX_VALUE, 1).get(0).group())
          .hasValueSatisfying(group -> assertThat(group.size()).isEqualTo(2));

      // ledger is paused: the next group is refused as a whole, accounts is not committed either.
      coordinator.pause(ledger, "audit");
      ManifestRecord.Group second = new ManifestRecord.Group("second", position(6), 2);
      sendGrouped(accountSegments.segment(accountSegments.event(Operation.UPDATE, 4, 1L, "60"),
          accountSegments.event(Operation.UPDATE, 5, 2L, "40")), second);
      sendGrouped(ledgerSegments.segment(ledgerSegments.event(Operation.INSERT, 6, 2L, "transfer 40")), second);
      await().atMost(WAIT).until(() -> registry.find("tributary.applier.commit.groups.retried").tag("source", source)
          .counter() != null);
      assertThat(coordinator.table(accounts).orElseThrow().appliedPosition()).contains(position(2));
      assertThat(rows(accounts, config)).containsExactly(List.of(1L, "100"), List.of(2L, "0"));
      assertThat(coordinator.consistentPosition(source)).contains(cut);

      coordinator.resume(ledger, "audit done");
      await().atMost(WAIT).until(() -> coordinator.consistentPosition(source).map(p -> p.group().equals("second"))
          .orElse(false));
      assertThat(rows(accounts, config)).containsExactly(List.of(1L, "60"), List.of(2L, "40"));

      // A segment rolled alone (by size) waits for the group that follows it, and is committed with it.
      send(source, accountSegments.segment(accountSegments.event(Operation.UPDATE, 7, 1L, "50")));
      // Well past the batch wait (100 ms), the segment is still not applied.
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(coordinator.table(accounts).orElseThrow().appliedPosition()).contains(position(5)));
      ManifestRecord.Group third = new ManifestRecord.Group("third", position(8), 1);
      sendGrouped(ledgerSegments.segment(ledgerSegments.event(Operation.INSERT, 8, 3L, "fee 10")), third);
      await().atMost(WAIT).until(() -> coordinator.consistentPosition(source).map(p -> p.group().equals("third"))
          .orElse(false));
      ConsistentPosition latest = coordinator.consistentPosition(source).orElseThrow();
      assertThat(latest.position()).isEqualTo(position(8));
      for (ConsistentPosition.TableVersion table : latest.tables()) {
        assertThat(coordinator.history(table.tableId(), table.version() + 1, 1).get(0).group().map(CommitRecord.Group::id))
            .as("the version of %s at the cut", table.tableId()).contains("third");
      }
      assertThat(rows(accounts, config)).containsExactly(List.of(1L, "50"), List.of(2L, "40"));
      // The coordinator answers before the applier has counted the group it just got back.
      await().atMost(WAIT).until(() -> registry.get("tributary.applier.commit.groups").tag("source", source).counter()
          .count() == 3);
    }
  }

  private void sendGrouped(ManifestRecord manifest, ManifestRecord.Group group) throws Exception {
    send(manifest.tableId().source(), ManifestRecord.forSegment(manifest.segment().orElseThrow(), 0, group));
  }

  private void send(String source, ManifestRecord manifest) throws Exception {
    producer.send(new ProducerRecord<>(topic, ManifestSerde.sourceKey(source), ManifestSerde.serialize(manifest)))
        .get(30, TimeUnit.SECONDS);
  }
}
