package io.tributary.coordinator;

import static io.tributary.coordinator.TestCoordinator.proposal;
import static io.tributary.coordinator.TestCoordinator.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TableId;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Tokens reach neither logs, nor answers, nor metrics, nor configuration errors: the coordinator
 * runs with known tokens, is called right and wrong, and everything it said is searched for them.
 */
class CoordinatorSecretsIT {
  private static final String ADMIN = "admin-7f3c9e1d";
  private static final String APPLIER = "applier-5b2a8c4f";
  private static final String VIEWER = "viewer-9d1e6b3a";
  private static final TableId ORDERS = TableId.parse("pg.public.orders");

  @TempDir
  Path temp;

  @Test
  void noTokenAppearsInLogsAnswersMetricsOrConfigurationErrors() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    List<String> said = new ArrayList<>();
    try {
      CoordinatorConfig config = CoordinatorConfig.local(temp.resolve("coordinator"))
          .withAuthToken(new Secret(ADMIN))
          .withRoleToken(Role.APPLIER, new Secret(APPLIER))
          .withRoleToken(Role.VIEWER, new Secret(VIEWER));
      said.add(config.toString());
      TestCoordinator coordinator = TestCoordinator.start(config, new TestClock(Instant.parse("2026-11-21T10:00:00Z")));
      try {
        URI base = coordinator.server().uri();
        coordinator.register(ORDERS, temp.resolve("orders"));
        try (HttpCoordinatorClient applier = HttpCoordinatorClient.create(base, Optional.of(new Secret(APPLIER)));
            HttpCoordinatorClient viewer = HttpCoordinatorClient.create(base, Optional.of(new Secret(VIEWER)));
            HttpCoordinatorClient wrong = HttpCoordinatorClient.create(base, Optional.of(new Secret(APPLIER + "x")))) {
          Lease lease = applier.acquireLease(ORDERS, new WriterId("a"), Duration.ofSeconds(30));
          applier.commit(proposal(lease, 0, stage(temp.resolve("orders"), 0, "{}\n")));
          said.add(applier.history(ORDERS).toString());
          assertThatThrownBy(() -> viewer.acquireLease(ORDERS, new WriterId("v"), Duration.ofSeconds(30)))
              .satisfies(e -> said.add(e.toString()));
          assertThatThrownBy(wrong::tables).satisfies(e -> said.add(e.toString()));
          said.add(viewer.events(EventQuery.latest()).toString());
        }
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/metrics", "/healthz", "/readyz", "/api/v1/tables")) {
          said.add(http.send(HttpRequest.newBuilder(URI.create(base + path))
              .header("Authorization", "Bearer " + VIEWER + "-wrong").build(), HttpResponse.BodyHandlers.ofString()).body());
        }
      } finally {
        coordinator.close();
      }

      ConfigReader reader = ConfigReader.fromYaml("""
          coordinator:
            auth-token: ""
            tokens:
              applier: "   "
              viewer: %s
            lease-ttl: soon
          """.formatted(VIEWER), "secrets.yaml", name -> null);
      CoordinatorConfig.from(reader.section("coordinator"), temp);
      assertThatThrownBy(reader::throwIfInvalid).satisfies(e -> said.add(e.getMessage()));
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
    }
    logs.list.forEach(event -> {
      said.add(event.getFormattedMessage());
      if (event.getThrowableProxy() != null) {
        said.add(event.getThrowableProxy().getMessage());
      }
    });

    assertThat(logs.list).as("the run logged something to search").isNotEmpty();
    for (String text : said) {
      assertThat(text).doesNotContain(ADMIN).doesNotContain(APPLIER).doesNotContain(VIEWER);
    }
  }
}
