package io.tributary.coordinator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.coordinator.internal.CoordinatorStores;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one coordinator in its own JVM, for tests that kill it with SIGKILL: arguments are the YAML
 * configuration file (the {@code coordinator} section, its {@code store} included; secrets from the
 * environment) and the default data directory. Prints {@code COORDINATOR <uri>} once it answers;
 * stops gracefully on SIGTERM.
 */
public final class CoordinatorProcess {
  /** What the process prints, followed by its base URI, once it answers API calls. */
  public static final String READY = "COORDINATOR ";

  private CoordinatorProcess() {}

  public static void main(String[] args) throws InterruptedException {
    ConfigReader root = ConfigReader.fromYamlFile(Path.of(args[0]), System::getenv);
    ConfigReader coordinator = root.section("coordinator");
    CoordinatorConfig config = CoordinatorConfig.from(coordinator, Path.of(args[1]));
    CoordinatorStoreConfig storeConfig = CoordinatorStoreConfig.from(coordinator.section("store"));
    root.throwIfInvalid();
    CoordinatorServer server = CoordinatorServer.start(config, CoordinatorStores.open(storeConfig, config.dataDir()),
        Clock.systemUTC(), new SimpleMeterRegistry());
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      closed.countDown();
    }, "coordinator-shutdown"));
    System.out.println(READY + server.uri());
    closed.await();
  }
}
