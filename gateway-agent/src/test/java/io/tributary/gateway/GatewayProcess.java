package io.tributary.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.TimeZone;

/**
 * Runs one gateway in its own JVM, for crash tests that kill it with SIGKILL: arguments are the
 * YAML configuration file and the default data directory. Stops gracefully on SIGTERM.
 */
public final class GatewayProcess {
  private GatewayProcess() {}

  public static void main(String[] args) throws InterruptedException {
    TimeZone.setDefault(TimeZone.getTimeZone(ZoneOffset.UTC));
    ConfigReader root = ConfigReader.fromYamlFile(Path.of(args[0]), System::getenv);
    GatewayConfig config = GatewayConfig.from(root, Path.of(args[1]));
    root.throwIfInvalid();
    GatewayService gateway = new GatewayService(config, Clock.systemUTC(), new SimpleMeterRegistry());
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gateway-shutdown"));
    gateway.start();
    System.out.println("GATEWAY " + gateway.state());
    while (!gateway.awaitTermination(Duration.ofSeconds(1))) {
      // Runs until killed, stopped by SIGTERM, or failed.
    }
    System.out.println("GATEWAY " + gateway.state() + " " + gateway.status().failure().orElse(""));
    if (gateway.state() == GatewayService.State.FAILED) {
      Runtime.getRuntime().halt(1);
    }
  }
}
