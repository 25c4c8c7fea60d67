package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

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

  private static final class FakeServer extends AbstractManagedServer {
    final List<String> calls = new ArrayList<>();
    volatile boolean failStart;
    volatile CountDownLatch stopBlocker;

    FakeServer(Duration stopTimeout) {
      super("fake", Path.of("target", "fake"), stopTimeout);
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
