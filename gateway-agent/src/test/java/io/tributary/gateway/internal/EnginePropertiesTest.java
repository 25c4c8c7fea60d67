package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.GatewayConfig;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EnginePropertiesTest {
  @Test
  void aValueDebeziumCannotConvertStopsTheEngineInsteadOfBecomingNull() {
    Properties properties = engineProperties("");
    // Debezium's default, warn, stages such a value (a numeric(10,2) holding NaN) as null.
    assertThat(properties).containsEntry("event.converting.failure.handling.mode", "fail")
        .containsEntry("decimal.handling.mode", "precise");
  }

  @Test
  void recordsCarryNoContextHeadersEvenWhereThePassThroughAsksForThem() {
    Properties properties = engineProperties("""
          debezium:
            extended.headers.enabled: "true"
        """);

    assertThat(properties).containsEntry("extended.headers.enabled", "false");
  }

  /** The engine properties of a PostgreSQL gateway with {@code sourceLines} added to its source block. */
  private static Properties engineProperties(String sourceLines) {
    ConfigReader root = ConfigReader.fromYaml("""
        source:
          name: shop
          host: 127.0.0.1
          database: shop
          user: tributary
          tables: [public.orders]
        """ + sourceLines + """
        kafka:
          bootstrap-servers: 127.0.0.1:9092
        """, "gateway.yaml", Map.<String, String>of()::get);
    GatewayConfig config = GatewayConfig.from(root, Path.of("/var/lib/tributary"));
    root.throwIfInvalid();
    return EngineProperties.of(config, SourceConnector.of(config.source().connector()),
        Path.of("/var/lib/tributary/gateway/offsets.json"));
  }
}
