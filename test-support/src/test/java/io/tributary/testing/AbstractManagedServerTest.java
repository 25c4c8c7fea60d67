package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AbstractManagedServerTest {

  @Test
  void startsOnceAndClosesIdempotently() {
    FakeServer server = new FakeServer(Duration.ofSeconds(5));
    assertThat(server.state()).isEqualTo(ServerState.NEW);

    server.start();
    assertThat(server.state()).isEqualTo(ServerState.RUNNING);
    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot start fake: it is RUNNING, expected NEW");

    server.restart();
    server.close();
    server.close();

    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
    assertThat(server.calls).containsExactly("start", "stop", "start", "stop");
    assertThatThrownBy(server::restart).hasMessageContaining("it is STOPPED");
  }

  @Test
  void closingANeverStartedServerDoesNothing() {
    FakeServer server = new FakeServer(Duration.ofSeconds(5));
    server.close();
    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
    assertThat(server.calls).isEmpty();
  }

  @Test
  void failedStartStopsWhatStartedAndReportsWhere() {
    FakeServer server = new FakeServer(Duration.ofSeconds(5));
    server.failStart = true;

    assertThatThrownBy(server::start)
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("fake failed to start on 127.0.0.1:1234")
        .hasMessageContaining("boom");

    assertThat(server.state()).isEqualTo(ServerState.FAILED);
    assertThat(server.calls).containsExactly("start", "stop");
    server.close();
    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
  }

  @Test
  void closeIsBoundedByTheStopTimeout() {
    FakeServer server = new FakeServer(Duration.ofMillis(200));
    server.start();
    server.stopBlocker = new CountDownLatch(1);
    long startedAt = System.nanoTime();

    assertThatThrownBy(server::close)
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("fake did not stop within PT0.2S");

    assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isLessThan(Duration.ofSeconds(5));
    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
    server.stopBlocker.countDown();
  }

  @Test
  void closeDiscardsTheDataOnlyWhenBuiltToAndOnlyAfterACleanStop(@TempDir Path directory) throws IOException {
    Path data = Files.createDirectories(directory.resolve("discarded/data/base"));
    Files.writeString(data.resolve("table"), "rows");
    Files.writeString(directory.resolve("discarded/fake.log"), "log");
    FakeServer discarding = new FakeServer(directory.resolve("discarded"), Duration.ofSeconds(5), true);
    discarding.start();
    discarding.restart();
    assertThat(data.resolve("table")).exists();

    discarding.close();
    assertThat(directory.resolve("discarded/data")).doesNotExist();
    assertThat(directory.resolve("discarded/fake.log")).hasContent("log");

    Path kept = Files.createDirectories(directory.resolve("kept/data"));
    FakeServer keeping = new FakeServer(directory.resolve("kept"), Duration.ofSeconds(5), false);
    keeping.start();
    keeping.close();
    assertThat(kept).exists();

    Path stuck = Files.createDirectories(directory.resolve("stuck/data"));
    FakeServer stuckServer = new FakeServer(directory.resolve("stuck"), Duration.ofMillis(200), true);
    stuckServer.start();
    stuckServer.stopBlocker = new CountDownLatch(1);
    assertThatThrownBy(stuckServer::close).isInstanceOf(FixtureException.class);
    stuckServer.stopBlocker.countDown();
    assertThat(stuck).as("the data of a server that may still run").exists();
  }

  private static final class FakeServer extends AbstractManagedServer {
    final List<String> calls = new ArrayList<>();
    volatile boolean failStart;
    volatile CountDownLatch stopBlocker;

    FakeServer(Duration stopTimeout) {
      this(Path.of("target", "fake"), stopTimeout, false);
    }

    FakeServer(Path directory, Duration stopTimeout, boolean discardDataOnClose) {
      super("fake", directory, stopTimeout, discardDataOnClose);
    }

    @Override
    List<Path> dataDirectories() {
      return List.of(directory().resolve("data"));
    }

    @Override
    public int port() {
      return 1234;
    }

    @Override
    void doStart() {
      calls.add("start");
      if (failStart) {
        throw new IllegalStateException("boom");
      }
    }

    @Override
    void doStop() throws InterruptedException {
      calls.add("stop");
      if (stopBlocker != null) {
        stopBlocker.await();
      }
    }
  }
}
