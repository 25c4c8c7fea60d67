package io.tributary.gateway.internal;

import io.tributary.gateway.GatewayConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

/**
 * The Debezium engine configuration of a gateway: the user's pass-through properties, overridden by
 * the connector's, overridden by the ones the data contract and durability chain depend on.
 */
public final class EngineProperties {
  /** Debezium's default placeholder for unchanged TOASTed values. */
  public static final String DEFAULT_UNAVAILABLE_PLACEHOLDER = "__debezium_unavailable_value";
  /** The topic name Debezium gives its notification records; they reach the gateway, never Kafka. */
  static final String NOTIFICATION_TOPIC = "tributary.notifications";

  private EngineProperties() {}

  /** The engine's name: the namespace of its committed offsets, so it must never change. */
  public static String engineName(GatewayConfig config) {
    return "tributary-gateway-" + config.source().name();
  }

  /** The placeholder Debezium puts for unchanged TOASTed values. */
  public static String unavailablePlaceholder(GatewayConfig config) {
    return config.source().debezium().getOrDefault("unavailable.value.placeholder", DEFAULT_UNAVAILABLE_PLACEHOLDER);
  }

  public static Properties of(GatewayConfig config, SourceConnector connector, Path offsetFile) {
    Properties properties = new Properties();
    properties.putAll(config.source().debezium());
    properties.putAll(connector.debeziumProperties(config));
    Map<String, String> managed = Map.ofEntries(
        Map.entry("name", engineName(config)),
        Map.entry("topic.prefix", config.source().name()),
        Map.entry("offset.storage", DurableOffsetStore.class.getName()),
        Map.entry(DurableOffsetStore.FILE_PROPERTY, offsetFile.toString()),
        // Commit on every markBatchFinished; what is committed is decided by the durable frontier.
        Map.entry("offset.flush.interval.ms", "0"),
        Map.entry("offset.flush.timeout.ms", "30000"),
        Map.entry("heartbeat.interval.ms", Long.toString(config.heartbeatInterval().toMillis())),
        // Truncates are part of the change stream (Debezium skips them by default).
        Map.entry("skipped.operations", "none"),
        Map.entry("tombstones.on.delete", "false"),
        Map.entry("decimal.handling.mode", "precise"),
        // Debezium's context headers (connector name, task id, ...) on every record: nothing stages or
        // reads them, and copying them onto each record costs its decoding thread, the capture's bottleneck.
        Map.entry("extended.headers.enabled", "false"),
        // A value Debezium cannot convert stops the gateway; by default Debezium stages it as null.
        Map.entry("event.converting.failure.handling.mode", "fail"),
        // Transaction ends are where commit groups are cut.
        Map.entry("provide.transaction.metadata", Boolean.toString(config.segments().commitGroups())),
        Map.entry("task.management.timeout.ms", Long.toString(
            Math.max(config.startupTimeout().toMillis(), config.shutdownTimeout().toMillis()))));
    properties.putAll(managed);
    // Resyncs: the gateway sends incremental-snapshot signals in process and reads Debezium's
    // notifications in the change stream; the user's own channels stay enabled.
    properties.put("signal.enabled.channels", withChannel(
        config.source().debezium().getOrDefault("signal.enabled.channels", "source"), "in-process"));
    properties.put("notification.enabled.channels",
        withChannel(config.source().debezium().get("notification.enabled.channels"), "sink"));
    properties.put("notification.sink.topic.name", NOTIFICATION_TOPIC);
    properties.putIfAbsent("signal.poll.interval.ms", "1000");
    // Debezium's poll waits until a batch is full or this interval has passed (default 500 ms): at a
    // moderate rate every change waits up to that long, half of it on average, before it reaches a
    // segment. A busy source fills batches sooner, so throughput does not depend on it.
    properties.putIfAbsent("poll.interval.ms", "25");
    return properties;
  }

  /**
   * Debezium's {@code converters} list with one of the gateway's converters (which the connectors
   * register for the columns whose values Debezium would change) after the user's own.
   */
  static String withConverter(String converters, String converter) {
    if (converters == null || converters.isBlank()) {
      return converter;
    }
    return converters.trim() + "," + converter;
  }

  private static String withChannel(String channels, String channel) {
    if (channels == null || channels.isBlank()) {
      return channel;
    }
    return Arrays.stream(channels.split(",")).map(String::trim).anyMatch(channel::equals) ? channels
        : channels + "," + channel;
  }
}
