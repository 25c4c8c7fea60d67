package io.tributary.loadtests.internal;

import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.internal.EngineProperties;
import io.tributary.gateway.internal.SourceConnector;
import io.tributary.staging.config.ConfigReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The Debezium properties of the bare peer: exactly those the gateway gives its engine for the same
 * configuration (connector, slot, publication, tables, value handling, heartbeats, signal and
 * notification channels), so that both capture the same stream the same way. Only the engine's own
 * bookkeeping differs: the peer keeps offsets in Debezium's plain file store, flushed at Debezium's
 * default interval, where the gateway commits to its durable store after every staged batch (a cost
 * of its durability chain, and so part of what is measured). The password is left out of the file:
 * the peer reads it from {@link GatewayJvm#PASSWORD_VARIABLE}, as the gateway does.
 */
public final class PeerProperties {
  private static final String FILE_OFFSET_STORE = "org.apache.kafka.connect.storage.FileOffsetBackingStore";

  private PeerProperties() {}

  /**
   * Writes the peer's properties for the gateway configuration {@code gatewayYaml} into {@code file},
   * without the password; its offsets go to {@code offsetFile}.
   */
  public static Map<String, String> write(Path gatewayYaml, Map<String, String> environment, Path offsetFile, Path file)
      throws IOException {
    ConfigReader root = ConfigReader.fromYamlFile(gatewayYaml, environment::get);
    GatewayConfig config = GatewayConfig.from(root, file.getParent());
    Properties engine = EngineProperties.of(config, SourceConnector.of(config.source().connector()), offsetFile);
    engine.put("name", "bare-debezium-" + config.source().name());
    engine.put("offset.storage", FILE_OFFSET_STORE);
    engine.put("offset.storage.file.filename", offsetFile.toString());
    engine.remove("offset.flush.interval.ms");
    engine.remove("offset.flush.timeout.ms");
    engine.remove("database.password");
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      engine.store(out, "Debezium properties of the bare peer, derived from " + gatewayYaml.getFileName());
    }
    Map<String, String> sorted = new TreeMap<>();
    engine.stringPropertyNames().forEach(name -> sorted.put(name, engine.getProperty(name)));
    return sorted;
  }
}
