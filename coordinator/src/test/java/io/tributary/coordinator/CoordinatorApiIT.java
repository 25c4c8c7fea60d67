package io.tributary.coordinator;

import static io.tributary.coordinator.TestCoordinator.proposal;
import static io.tributary.coordinator.TestCoordinator.published;
import static io.tributary.coordinator.TestCoordinator.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.coordinator.internal.ApiCodec;
import io.tributary.coordinator.internal.ApiHandler;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on a real server on 127.0.0.1, through the real client and raw HTTP. */
class CoordinatorApiIT {
  private static final TableId ORDERS = TableId.parse("pg1.public.orders");
  private static final WriterId A = new WriterId("applier-a");
  private static final WriterId B = new WriterId("applier-b");
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @TempDir
  Path temp;

  private final TestClock clock = new TestClock(T0);
  private TestCoordinator coordinator;
  private HttpCoordinatorClient client;
  private Path table;

  @BeforeEach
  void start() {
    coordinator = TestCoordinator.start(CoordinatorConfig.local(temp.resolve("coordinator")), clock);
    client = coordinator.client();
    table = temp.resolve("orders");
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  @Test
  void registersListsAndReadsTables() {
    TableStatus registered = coordinator.register(ORDERS, table);

    assertThat(registered.tableId()).isEqualTo(ORDERS);
    assertThat(registered.location()).isEqualTo(URI.create("file:" + table));
    assertThat(registered.keyColumns()).containsExactly("id");
    assertThat(registered.version()).isEqualTo(-1);
    assertThat(registered.epoch()).isEqualTo(Epoch.NONE);
    assertThat(registered.leaseHolder()).isEmpty();
    assertThat(registered.appliedPosition()).isEmpty();
    assertThat(coordinator.register(ORDERS, table)).isEqualTo(registered);
    assertThat(client.tables()).containsExactly(registered);
    assertThat(client.table(ORDERS)).contains(registered);
    assertThat(client.table(TableId.parse("pg1.public.missing"))).isEmpty();

    assertRefused(() -> client.register(new TableRegistration(ORDERS, temp.resolve("elsewhere").toUri(), List.of("id"))),
        ErrorCode.CONFIG_INVALID, "already registered");
  }

  @Test
  void tableIdsWithAnyCharacterSurviveThePath() {
    TableId odd = new TableId("pg1", "Sales%20#1", "Ördér?s+x");
    TableStatus registered = coordinator.register(odd, temp.resolve("odd table"));

    assertThat(client.table(odd)).contains(registered);
    assertThat(client.acquireLease(odd, A, Duration.ofSeconds(5)).tableId()).isEqualTo(odd);
    assertThat(client.history(odd)).isEmpty();
  }

  @Test
  void busyPortOrDataDirectoryIsAClearError() {
    int port = coordinator.server().uri().getPort();
    assertRefused(() -> CoordinatorServer.start(CoordinatorConfig.local(temp.resolve("other")).withListenPort(port), clock,
        coordinator.registry()), ErrorCode.CONFIG_INVALID, "cannot listen on 127.0.0.1:" + port);
    assertRefused(() -> CoordinatorServer.start(CoordinatorConfig.local(temp.resolve("coordinator")), clock,
        coordinator.registry()), ErrorCode.CONFIG_INVALID, "in use by another coordinator");
    assertThat(client.tables()).isEmpty();
  }

  @Test
  void newestAcquirerWinsAndFencesTheOlderHolder() {
    coordinator.register(ORDERS, table);
    Lease first = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));
    assertThat(first.epoch()).isEqualTo(new Epoch(1));
    assertThat(first.expiresAt()).isEqualTo(T0.plusSeconds(30));

    Lease second = client.acquireLease(ORDERS, B, Duration.ofSeconds(30));
    assertThat(second.epoch()).isEqualTo(new Epoch(2));

    assertRefused(() -> client.renewLease(first, Duration.ofSeconds(30)), ErrorCode.STALE_EPOCH,
        "Writer applier-a was fenced from table pg1.public.orders");
    clock.advance(Duration.ofSeconds(10));
    Lease renewed = client.renewLease(second, Duration.ofSeconds(60));
    assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(70));
    assertThat(client.table(ORDERS).orElseThrow().leaseExpiresAt()).contains(T0.plusSeconds(70));

    // A fenced writer's release changes nothing; the holder's frees the table at the same epoch.
    client.releaseLease(first);
    assertThat(client.table(ORDERS).orElseThrow().leaseHolder()).contains(B);
    client.releaseLease(renewed);
    TableStatus released = client.table(ORDERS).orElseThrow();
    assertThat(released.leaseHolder()).isEmpty();
    assertThat(released.leaseExpiresAt()).isEmpty();
    assertThat(released.epoch()).isEqualTo(new Epoch(2));
    assertRefused(() -> client.renewLease(renewed, Duration.ofSeconds(30)), ErrorCode.STALE_EPOCH, "does not hold the lease");
  }

  @Test
  void commitIsPublishedRecordedAndAnsweredAgainWhenRepeated() throws IOException {
    coordinator.register(ORDERS, table);
    Lease lease = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));
    URI staged = stage(table, 0, "{\"commitInfo\":{}}\n");
    CommitProposal proposal = new CommitProposal(ORDERS, A, lease.epoch(), 0, staged,
        Optional.of(SourcePosition.of(1, 7)), List.of(URI.create("file:/staging/seg-1.parquet")), 12);

    CommitReceipt receipt = client.commit(proposal);

    Path log = published(table, 0);
    assertThat(receipt.version()).isZero();
    assertThat(receipt.publishedCommit()).isEqualTo(URI.create("file:" + log));
    assertThat(Files.readString(log)).isEqualTo("{\"commitInfo\":{}}\n");
    assertThat(receipt.size()).isEqualTo(Files.size(log));
    assertThat(receipt.modificationTime()).isEqualTo(Files.getLastModifiedTime(log).toMillis());
    assertThat(Path.of(staged)).doesNotExist();

    TableStatus status = client.table(ORDERS).orElseThrow();
    assertThat(status.version()).isZero();
    assertThat(status.appliedPosition()).contains(SourcePosition.of(1, 7));

    // The same proposal again (an answer was lost) gets the same receipt; another one for that version is refused.
    assertThat(client.commit(proposal)).isEqualTo(receipt);
    assertRefused(() -> client.commit(proposal(lease, 0, stage(table, 0, "other"))), ErrorCode.COMMIT_CONFLICT,
        "the latest ratified version is 0, so the next one must be 1");

    clock.advance(Duration.ofSeconds(1));
    client.commit(proposal(lease, 1, stage(table, 1, "{}\n")));
    List<CommitRecord> history = client.history(ORDERS);
    assertThat(history).extracting(CommitRecord::version).containsExactly(1L, 0L);
    CommitRecord first = history.get(1);
    assertThat(first.writer()).isEqualTo(A);
    assertThat(first.epoch()).isEqualTo(lease.epoch());
    assertThat(first.watermark()).contains(SourcePosition.of(1, 7));
    assertThat(first.segments()).containsExactly(URI.create("file:/staging/seg-1.parquet"));
    assertThat(first.rowsChanged()).isEqualTo(12);
    assertThat(first.committedAt()).isEqualTo(T0);
    assertThat(first.status()).isEqualTo(CommitRecord.Status.PUBLISHED);
    assertThat(history.get(0).committedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(history.get(0).watermark()).isEmpty();
    // Pages: the latest first, then the versions below a given one.
    assertThat(client.history(ORDERS, 1)).isEqualTo(history.subList(0, 1));
    assertThat(client.history(ORDERS, 1, 10)).isEqualTo(history.subList(1, 2));
    assertRefused(() -> client.history(ORDERS, 0), ErrorCode.CONFIG_INVALID, "limit must be between 1 and 10000");
  }

  @Test
  void proposalsOutsideTheTableOrWithoutAStagedFileAreRefused() throws IOException {
    coordinator.register(ORDERS, table);
    Lease lease = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));

    assertRefused(() -> client.commit(proposal(lease, 0, stage(temp.resolve("other-table"), 0, "{}"))),
        ErrorCode.CONFIG_INVALID, "is not in the table's");
    assertRefused(() -> client.commit(proposal(lease, 0, stage(table, 3, "{}"))), ErrorCode.CONFIG_INVALID,
        "must be named 00000000000000000000.<uuid>.json");
    URI missing = stage(table, 0, "{}");
    Files.delete(Path.of(missing));
    assertRefused(() -> client.commit(proposal(lease, 0, missing)), ErrorCode.CONFIG_INVALID, "does not exist");
    assertThat(client.table(ORDERS).orElseThrow().version()).isEqualTo(-1);
  }

  @Test
  void versionTakenOutsideTheCoordinatorIsAConflictAndTheRatificationIsWithdrawn() throws IOException {
    coordinator.register(ORDERS, table);
    Lease lease = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));
    URI staged = stage(table, 0, "{\"mine\":true}\n");
    Files.writeString(published(table, 0), "{\"theirs\":true}\n");

    assertRefused(() -> client.commit(proposal(lease, 0, staged)), ErrorCode.COMMIT_CONFLICT,
        "was taken outside the coordinator");

    assertThat(client.table(ORDERS).orElseThrow().version()).isEqualTo(-1);
    assertThat(client.history(ORDERS)).isEmpty();
    assertThat(Files.readString(published(table, 0))).isEqualTo("{\"theirs\":true}\n");

    // The same bytes already in place count as published: that is what a retried publication finds.
    Files.writeString(published(table, 0), "{\"mine\":true}\n");
    assertThat(client.commit(proposal(lease, 0, staged)).version()).isZero();
  }

  @Test
  void unknownTablesAreReportedAsSuch() {
    TableId missing = TableId.parse("pg1.public.missing");
    assertRefused(() -> client.acquireLease(missing, A, Duration.ofSeconds(30)), ErrorCode.UNKNOWN_TABLE,
        "pg1.public.missing is not registered");
    assertRefused(() -> client.history(missing), ErrorCode.UNKNOWN_TABLE, "not registered");
    assertRefused(() -> client.commit(new CommitProposal(missing, A, new Epoch(1), 0, stage(table, 0, "{}"),
        Optional.empty(), List.of(), 0)), ErrorCode.UNKNOWN_TABLE, "not registered");
  }

  @Test
  void errorsAreJsonWithCodeAndStatus() throws Exception {
    coordinator.register(ORDERS, table);
    Lease first = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));
    client.acquireLease(ORDERS, B, Duration.ofSeconds(30));
    URI base = coordinator.server().uri();

    assertError(raw("GET", base + "/api/v1/tables/pg1.public.missing", null), 404, "UNKNOWN_TABLE");
    assertError(raw("POST", base + "/api/v1/tables/pg1.public.orders/lease/renew",
        "{\"writer\":\"applier-a\",\"epoch\":" + first.epoch().value() + ",\"ttl_ms\":1000}"), 409, "STALE_EPOCH");
    assertError(raw("POST", base + "/api/v1/tables/pg1.public.orders/lease", "{\"writer\":"), 400, "CONFIG_INVALID");
    assertError(raw("POST", base + "/api/v1/tables/pg1.public.orders/lease", "{}"), 400, "CONFIG_INVALID");
    assertError(raw("POST", base + "/api/v1/tables/pg1.public.orders/lease", "{\"writer\":\"w\",\"ttl_ms\":0}"), 400,
        "CONFIG_INVALID");
    assertError(raw("GET", base + "/api/v1/tables/not-a-table-id", null), 400, "CONFIG_INVALID");
    assertError(raw("GET", base + "/api/v1/tables/pg1.public.orders/nothing", null), 404, "CONFIG_INVALID");
    assertError(raw("DELETE", base + "/api/v1/tables/pg1.public.orders", null), 405, "CONFIG_INVALID");

    HttpResponse<String> lease = raw("POST", base + "/api/v1/tables/pg1.public.orders/lease",
        "{\"writer\":\"applier-c\",\"ttl_ms\":5000}");
    assertThat(lease.statusCode()).isEqualTo(200);
    JsonNode body = ApiCodec.MAPPER.readTree(lease.body());
    assertThat(body.get("table_id").asText()).isEqualTo("pg1.public.orders");
    assertThat(body.get("writer").asText()).isEqualTo("applier-c");
    assertThat(body.get("epoch").asLong()).isEqualTo(3);
    assertThat(body.get("expires_at").asText()).isEqualTo("2026-11-01T10:00:05Z");
    assertThat(lease.headers().firstValue("Content-Type")).contains("application/json");
  }

  @Test
  void probesAndMetricsNeedNoToken() throws Exception {
    coordinator.close();
    coordinator = TestCoordinator.start(CoordinatorConfig.local(temp.resolve("coordinator")).withAuthToken(new Secret("s3cr3t")),
        clock);
    client = coordinator.client();
    coordinator.register(ORDERS, table);
    Lease first = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));
    Lease second = client.acquireLease(ORDERS, B, Duration.ofSeconds(30));
    client.commit(proposal(second, 0, stage(table, 0, "{}\n")));
    assertRefused(() -> client.commit(proposal(first, 1, stage(table, 1, "{}\n"))), ErrorCode.STALE_EPOCH, "fenced");
    URI base = coordinator.server().uri();

    assertThat(raw("GET", base + "/healthz", null).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = raw("GET", base + "/readyz", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("RUNNING");
    HttpResponse<String> metrics = raw("GET", base + "/metrics", null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("tributary_coordinator_commits_ratified_total 1.0")
        .contains("tributary_coordinator_commits_refused_total{reason=\"stale_epoch\"} 1.0")
        .contains("tributary_coordinator_commit_latency_seconds_count 2")
        .contains("tributary_coordinator_tables_registered 1.0")
        .contains("tributary_coordinator_table_version{table=\"pg1.public.orders\"} 0.0")
        .contains("tributary_coordinator_table_epoch{table=\"pg1.public.orders\"} 2.0");
  }

  @Test
  void apiNeedsTheBearerTokenWhenOneIsSet() throws Exception {
    coordinator.close();
    coordinator = TestCoordinator.start(CoordinatorConfig.local(temp.resolve("coordinator")).withAuthToken(new Secret("s3cr3t")),
        clock);
    URI base = coordinator.server().uri();

    try (HttpCoordinatorClient anonymous = HttpCoordinatorClient.create(base, Optional.empty());
        HttpCoordinatorClient wrong = HttpCoordinatorClient.create(base, Optional.of(new Secret("guess")))) {
      assertRefused(anonymous::tables, ErrorCode.UNAUTHENTICATED, "bearer token");
      assertRefused(wrong::tables, ErrorCode.UNAUTHENTICATED, "bearer token");
    }
    HttpResponse<String> response = raw("GET", base + "/api/v1/tables", null);
    assertThat(response.statusCode()).isEqualTo(401);
    HttpResponse<String> description = raw("GET", base + "/api/v1/openapi.yaml", null);
    assertThat(description.statusCode()).as("the API's description is public").isEqualTo(200);
    assertThat(description.body()).startsWith("openapi: 3").contains("/api/v1/tables/{table}/commits");
    assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(coordinator.client().tables()).isEmpty();
  }

  @Test
  void everyRouteRefusesMissingAndUnknownTokensWith401AndOtherRolesWith403() throws Exception {
    coordinator.close();
    CoordinatorConfig config = CoordinatorConfig.local(temp.resolve("coordinator"));
    for (Role role : Role.values()) {
      config = config.withRoleToken(role, new Secret(role.configName() + "-token-old, " + role.configName() + "-token"));
    }
    coordinator = TestCoordinator.start(config, clock);
    URI base = coordinator.server().uri();

    assertThat(ApiHandler.ROUTES).hasSizeGreaterThanOrEqualTo(8);
    for (ApiHandler.Route route : ApiHandler.ROUTES) {
      String uri = base + "/api/v1" + route.template().replace("{table}", ORDERS.canonical())
          .replace("{source}", ORDERS.source());
      String what = route.method() + " " + route.template();
      assertError(raw(route.method(), uri, "{}", Optional.empty()), 401, "UNAUTHENTICATED", what);
      assertError(raw(route.method(), uri, "{}", Optional.of("guess")), 401, "UNAUTHENTICATED", what);
      for (Role role : Role.values()) {
        for (String token : List.of(role.configName() + "-token", role.configName() + "-token-old")) {
          HttpResponse<String> response = raw(route.method(), uri, "{}", Optional.of(token));
          if (role.grants(route.access())) {
            assertThat(response.statusCode()).as("%s with a %s token", what, role).isNotIn(401, 403);
          } else {
            assertError(response, 403, "FORBIDDEN", what + " with a " + role + " token");
            assertThat(response.body()).contains(route.access().name()).doesNotContain(token);
          }
        }
      }
    }
  }

  @Test
  void recordsRegistrationsLeasesCommitsAndRefusalsAsEventsAndTakesReports() throws Exception {
    coordinator.register(ORDERS, table);
    Lease first = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(1));
    Lease second = client.acquireLease(ORDERS, B, Duration.ofSeconds(30));
    client.commit(proposal(second, 0, stage(table, 0, "{}\n")));
    assertRefused(() -> client.commit(proposal(first, 1, stage(table, 1, "{}\n"))), ErrorCode.STALE_EPOCH, "fenced");
    CoordinatorEvent reported = client.report(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.ERROR,
        Optional.of(ORDERS), CoordinatorEvent.Severity.ERROR, "Segment unreadable", Map.of("segment", "s3a://b/x")));

    List<CoordinatorEvent> events = client.events(EventQuery.latest().withTable(ORDERS));
    assertThat(events).extracting(CoordinatorEvent::type).containsExactly(CoordinatorEvent.Type.ERROR,
        CoordinatorEvent.Type.COMMIT_REFUSED, CoordinatorEvent.Type.COMMIT, CoordinatorEvent.Type.LEASE_ACQUIRED,
        CoordinatorEvent.Type.LEASE_ACQUIRED, CoordinatorEvent.Type.TABLE_REGISTERED);
    assertThat(events).extracting(CoordinatorEvent::sequence).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(events.get(0)).isEqualTo(reported);
    assertThat(events.get(1).severity()).isEqualTo(CoordinatorEvent.Severity.WARNING);
    assertThat(events.get(1).details()).containsEntry("code", "STALE_EPOCH").containsEntry("writer", "applier-a");
    assertThat(events.get(2).details()).containsEntry("version", "0").containsEntry("writer", "applier-b");
    assertThat(events.get(3).details()).containsEntry("previous_holder", "applier-a").containsEntry("epoch", "2");

    assertThat(client.events(EventQuery.latest().withTypes(java.util.Set.of(CoordinatorEvent.Type.COMMIT))))
        .extracting(CoordinatorEvent::type).containsExactly(CoordinatorEvent.Type.COMMIT);
    assertThat(client.events(EventQuery.latest().after(events.get(1).sequence()))).containsExactly(reported);
    URI base = coordinator.server().uri();
    assertError(raw("GET", base + "/api/v1/events?type=NOPE", null), 400, "CONFIG_INVALID");
    assertError(raw("GET", base + "/api/v1/events?limit=0", null), 400, "CONFIG_INVALID");
    assertError(raw("GET", base + "/api/v1/events?colour=blue", null), 400, "CONFIG_INVALID");
    assertError(raw("POST", base + "/api/v1/events", "{\"type\": \"ERROR\"}"), 400, "CONFIG_INVALID");

    coordinator.close();
    coordinator = TestCoordinator.start(CoordinatorConfig.local(temp.resolve("coordinator")), clock);
    assertThat(coordinator.client().events(EventQuery.latest().withTable(ORDERS)))
        .as("the log survives a restart").isEqualTo(events);
  }

  @Test
  void anOperatorPausesATableWhoseCommitsThenWaitUntilResumed() throws Exception {
    coordinator.close();
    CoordinatorConfig config = CoordinatorConfig.local(temp.resolve("coordinator"))
        .withRoleToken(Role.APPLIER, new Secret("applier-token"))
        .withRoleToken(Role.OPERATOR, new Secret("operator-token"));
    coordinator = TestCoordinator.start(config, clock);
    URI base = coordinator.server().uri();
    try (HttpCoordinatorClient applier = HttpCoordinatorClient.create(base, Optional.of(new Secret("applier-token")));
        HttpCoordinatorClient operator = HttpCoordinatorClient.create(base, Optional.of(new Secret("operator-token")))) {
      applier.register(new TableRegistration(ORDERS, table.toUri(), List.of("id")));
      Lease lease = applier.acquireLease(ORDERS, A, Duration.ofSeconds(30));
      applier.commit(proposal(lease, 0, stage(table, 0, "{}\n")));

      assertRefused(() -> applier.pause(ORDERS, "not an operator"), ErrorCode.FORBIDDEN, "OPERATE");
      TableStatus paused = operator.pause(ORDERS, "investigating duplicates");
      assertThat(paused.paused()).isTrue();
      assertThat(paused.pausedReason()).contains("investigating duplicates");
      assertThat(applier.table(ORDERS).orElseThrow().paused()).isTrue();
      assertRefused(() -> applier.commit(proposal(lease, 1, stage(table, 1, "{}\n"))), ErrorCode.TABLE_PAUSED,
          "investigating duplicates");
      assertThat(table.resolve("_delta_log/00000000000000000001.json")).doesNotExist();
      HttpResponse<String> refused = raw("POST", base + "/api/v1/tables/" + ORDERS.canonical() + "/pause", "{}",
          Optional.of("operator-token"));
      assertError(refused, 400, "CONFIG_INVALID");

      TableStatus resumed = operator.resume(ORDERS, "fixed");
      assertThat(resumed.paused()).isFalse();
      assertThat(applier.commit(proposal(lease, 1, stage(table, 1, "{}\n"))).version()).isEqualTo(1);
      assertThat(operator.events(EventQuery.latest().withTable(ORDERS)
          .withTypes(java.util.Set.of(CoordinatorEvent.Type.TABLE_PAUSED, CoordinatorEvent.Type.TABLE_RESUMED))))
          .extracting(CoordinatorEvent::message).containsExactly("Resumed: fixed", "Paused: investigating duplicates");
    }
  }

  @Test
  void eventsAreAppendedToADeltaTableOnceEach() throws Exception {
    coordinator.close();
    Path eventsTable = temp.resolve("events-table");
    CoordinatorConfig config = CoordinatorConfig.local(temp.resolve("coordinator"));
    coordinator = TestCoordinator.start(config.withEvents(config.events().withTable(eventsTable.toUri(), Duration.ofMillis(100))),
        clock);
    client = coordinator.client();
    coordinator.register(ORDERS, table);
    Lease lease = client.acquireLease(ORDERS, A, Duration.ofSeconds(30));
    client.commit(proposal(lease, 0, stage(table, 0, "{}\n")));
    io.delta.kernel.engine.Engine engine =
        io.delta.kernel.defaults.engine.DefaultEngine.create(new org.apache.hadoop.conf.Configuration());

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> exportedUpTo(engine, eventsTable) == 3);
    coordinator.close();
    long versions = io.delta.kernel.TableManager.loadSnapshot(eventsTable.toString()).build(engine).getVersion();

    coordinator = TestCoordinator.start(config.withEvents(config.events().withTable(eventsTable.toUri(), Duration.ofMillis(100))),
        clock);
    coordinator.client().report(new CoordinatorEvent.Report(clock.instant(), CoordinatorEvent.Type.ERROR, Optional.empty(),
        CoordinatorEvent.Severity.ERROR, "after the restart", Map.of()));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> exportedUpTo(engine, eventsTable) == 4);
    assertThat(io.delta.kernel.TableManager.loadSnapshot(eventsTable.toString()).build(engine).getVersion())
        .as("nothing exported twice after the restart: one more commit for one more event").isEqualTo(versions + 1);
  }

  private static long exportedUpTo(io.delta.kernel.engine.Engine engine, Path eventsTable) {
    try {
      return io.delta.kernel.TableManager.loadSnapshot(eventsTable.toString()).build(engine)
          .getLatestTransactionVersion(engine, "tributary-coordinator-events").orElse(0L);
    } catch (io.delta.kernel.exceptions.TableNotFoundException e) {
      return 0;
    }
  }

  @Test
  void closedServerIsUnavailableAndClosesOnce() {
    URI base = coordinator.server().uri();
    coordinator.server().close();
    coordinator.server().close();
    assertThat(coordinator.server().state()).isEqualTo(CoordinatorServer.State.CLOSED);

    try (HttpCoordinatorClient late = HttpCoordinatorClient.create(base, Optional.empty())) {
      assertRefused(late::tables, ErrorCode.COORDINATOR_UNAVAILABLE, "Cannot reach the coordinator");
    }
  }

  private static void assertRefused(ThrowingCallable call, ErrorCode code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
    assertError(response, status, code, "");
  }

  private static void assertError(HttpResponse<String> response, int status, String code, String what) throws IOException {
    assertThat(response.statusCode()).as(what).isEqualTo(status);
    JsonNode body = ApiCodec.MAPPER.readTree(response.body());
    assertThat(body.get("code").asText()).isEqualTo(code);
    assertThat(body.get("message").asText()).isNotBlank();
  }

  private static HttpResponse<String> raw(String method, String uri, String body) throws Exception {
    return raw(method, uri, body, Optional.empty());
  }

  private static HttpResponse<String> raw(String method, String uri, String body, Optional<String> token) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri))
        .method(method, body == null || method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    token.ifPresent(value -> builder.header("Authorization", "Bearer " + value));
    HttpRequest request = builder.build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
