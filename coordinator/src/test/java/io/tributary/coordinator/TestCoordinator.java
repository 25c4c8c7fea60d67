package io.tributary.coordinator;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A real coordinator on 127.0.0.1 with a real client, for tests; data under the given directory. */
public final class TestCoordinator implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CoordinatorServer server;
  private final HttpCoordinatorClient client;

  private TestCoordinator(CoordinatorConfig config, Clock clock) {
    this.server = CoordinatorServer.start(config, clock, registry);
    this.client = HttpCoordinatorClient.create(server.uri(), config.authToken());
  }

  public static TestCoordinator start(Path dataDir) {
    return new TestCoordinator(CoordinatorConfig.local(dataDir), Clock.systemUTC());
  }

  public static TestCoordinator start(CoordinatorConfig config, Clock clock) {
    return new TestCoordinator(config, clock);
  }

  public CoordinatorServer server() {
    return server;
  }

  public HttpCoordinatorClient client() {
    return client;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Registers a table located in {@code directory}, keyed by {@code id}. */
  public TableStatus register(TableId tableId, Path directory) {
    return client.register(new TableRegistration(tableId, directory.toUri(), List.of("id")));
  }

  /** Writes a staged commit file for {@code version} of the table in {@code directory}, as a writer would. */
  public static URI stage(Path directory, long version, String content) {
    Path staged = directory.resolve("_delta_log/_staged_commits")
        .resolve(String.format("%020d.%s.json", version, UUID.randomUUID()));
    try {
      Files.createDirectories(staged.getParent());
      Files.writeString(staged, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return staged.toUri();
  }

  /** A proposal of the staged file for the next version under {@code lease}. */
  public static CommitProposal proposal(Lease lease, long version, URI staged) {
    return new CommitProposal(lease.tableId(), lease.writer(), lease.epoch(), version, staged, Optional.empty(), List.of(), 0);
  }

  /** The published log entry of a version of the table in {@code directory}. */
  public static Path published(Path directory, long version) {
    return directory.resolve("_delta_log").resolve(String.format("%020d.json", version));
  }

  @Override
  public void close() {
    client.close();
    server.close();
    registry.close();
  }
}
