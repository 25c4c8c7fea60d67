package io.tributary.gateway;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.StagingConfig;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a gateway needs to run: the source database, its own state and segment policy, the
 * message log and the staging area. Read from YAML with {@link #from(ConfigReader, Path)}.
 *
 * @param stateDirectory where the gateway keeps its Debezium offsets and snapshot counter; one per source
 * @param heartbeatInterval how often Debezium emits a heartbeat, so offsets (and the PostgreSQL slot)
 *     advance while the captured tables are idle, and how often the gateway checks that the captured
 *     tables still exist at the source
 * @param offsetCommitInterval least time between two offset commits while streaming; zero commits
 *     after every batch. A crash makes the gateway capture again what it staged since the last
 *     commit; the applier drops those repeats, so a longer interval trades fsyncs for re-reading
 * @param startupTimeout bound on {@link GatewayService#start()} once the checks have passed
 * @param shutdownTimeout bound on {@link GatewayService#close()}
 */
public record GatewayConfig(
    SourceConfig source,
    Path stateDirectory,
    SegmentPolicy segments,
    Duration heartbeatInterval,
    Duration offsetCommitInterval,
    Duration startupTimeout,
    Duration shutdownTimeout,
    KafkaConfig kafka,
    StagingConfig staging) {

  public GatewayConfig {
    requireNonNull(source, "source is null");
    requireNonNull(stateDirectory, "stateDirectory is null");
    requireNonNull(segments, "segments is null");
    requireNonNull(heartbeatInterval, "heartbeatInterval is null");
    requireNonNull(offsetCommitInterval, "offsetCommitInterval is null");
    if (offsetCommitInterval.isNegative()) {
      throw new IllegalArgumentException("offsetCommitInterval is negative: " + offsetCommitInterval);
    }
    requireNonNull(startupTimeout, "startupTimeout is null");
    requireNonNull(shutdownTimeout, "shutdownTimeout is null");
    requireNonNull(kafka, "kafka is null");
    requireNonNull(staging, "staging is null");
  }

  /**
   * Reads sections {@code source}, {@code gateway}, {@code kafka} and {@code staging}. Problems are
   * recorded in {@code root}, not thrown: call {@link ConfigReader#throwIfInvalid()} afterwards.
   *
   * @param defaultDataDir where state ({@code gateway/}) and staging ({@code staging/}) go by default
   */
  public static GatewayConfig from(ConfigReader root, Path defaultDataDir) {
    requireNonNull(root, "root is null");
    requireNonNull(defaultDataDir, "defaultDataDir is null");
    SourceConfig source = SourceConfig.from(root.section("source"));
    ConfigReader gateway = root.section("gateway");
    Path stateDirectory = Path.of(gateway.string("state-dir",
        defaultDataDir.resolve("gateway").toString(),
        "Directory of the gateway's own state (Debezium offsets, snapshot counter); keep it on durable storage"));
    SegmentPolicy segments = SegmentPolicy.from(gateway.section("segment"));
    Duration heartbeat = gateway.duration("heartbeat-interval", Duration.ofSeconds(10), Duration.ofMillis(100),
        "How often a heartbeat lets offsets and the replication slot advance while tables are idle, and the"
            + " captured tables are looked up at the source (a renamed or dropped table is reported)");
    Duration offsetCommits = gateway.duration("offset-commit-interval", Duration.ZERO, Duration.ZERO,
        "Least time between two source offset commits while streaming; 0 commits after every batch."
            + " After a crash, changes staged since the last commit are captured again and dropped at apply");
    Duration startup = gateway.duration("startup-timeout", Duration.ofMinutes(2), Duration.ofSeconds(1),
        "Bound on starting the capture engine once the start-up checks have passed");
    Duration shutdown = gateway.duration("shutdown-timeout", Duration.ofSeconds(30), Duration.ofSeconds(1),
        "Bound on stopping: open segments are announced and offsets committed within it, or left for replay");
    StagingConfig staging = StagingConfig.from(root.section("staging"), defaultDataDir.resolve("staging"));
    KafkaConfig kafka = KafkaConfig.from(root.section("kafka"), staging.retention());
    return new GatewayConfig(source, stateDirectory.toAbsolutePath().normalize(), segments, heartbeat, offsetCommits,
        startup, shutdown, kafka, staging);
  }
}
