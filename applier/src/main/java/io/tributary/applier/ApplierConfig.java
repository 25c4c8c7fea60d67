package io.tributary.applier;

import static java.util.Objects.requireNonNull;

import io.tributary.coordinator.WriterId;
import io.tributary.staging.StagingConfig;
import io.tributary.staging.TableId;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Settings of an applier: where the Delta tables live, which consumer group it joins on which
 * manifest topic, how it batches, and how long its table leases last.
 *
 * @param tablesLocation root of the Delta tables; a table lives at
 *     {@code <root>/<source>/<schema>/<table>} ({@link #tableLocation(TableId)})
 * @param groupId the Kafka consumer group every applier of a deployment joins
 * @param writerId how this applier names itself to the coordinator
 * @param batchMaxSegments the most manifests (segments) of one table applied in one Delta commit
 * @param batchMaxWait how long a table that is behind gathers manifests before they are applied; a table
 *     that is caught up applies each as it arrives ({@link #batchBehindLag})
 * @param leaseTtl how long a table lease lasts without renewal; renewed every third of it
 * @param consumerProperties Kafka consumer settings passed through (security, timeouts, ...)
 * @param bootstrapServers the Kafka bootstrap servers
 * @param topic the manifest topic
 * @param staging where segments are read from
 * @param mode whether the applier runs until stopped or applies what the topic holds and stops
 * @param triggeredTimeout in {@link Mode#TRIGGERED} mode, the longest run
 * @param tables how the changes of particular tables are applied; a table not named takes
 *     {@link TableOptions#DEFAULT}
 * @param batchBehindLag how long ago the gateway announced a table's oldest pending manifest for the
 *     table to count as behind: it then gathers up to {@code batchMaxSegments} per commit for
 *     {@code batchMaxWait}, for throughput, instead of applying each manifest at once, for latency
 * @param files how data files are laid out (target size) and compacted
 * @param applyThreads the most tables whose batches are applied at once, each on its own thread
 */
public record ApplierConfig(
    URI tablesLocation,
    String groupId,
    WriterId writerId,
    int batchMaxSegments,
    Duration batchMaxWait,
    Duration leaseTtl,
    Map<String, String> consumerProperties,
    String bootstrapServers,
    String topic,
    StagingConfig staging,
    Mode mode,
    Duration triggeredTimeout,
    Map<TableId, TableOptions> tables,
    Duration batchBehindLag,
    FilesConfig files,
    int applyThreads) {

  /** How long an applier runs. */
  public enum Mode {
    /** Apply manifests as they arrive, until stopped. */
    CONTINUOUS,
    /**
     * Apply every manifest the topic's assigned partitions hold when they are assigned, then stop:
     * a run for a schedule, such as a Kubernetes CronJob.
     */
    TRIGGERED
  }

  /** Consumer settings the applier sets itself; passing them through would break exactly-once. */
  public static final Set<String> RESERVED_CONSUMER_PROPERTIES = Set.of(
      "bootstrap.servers", "group.id", "enable.auto.commit", "isolation.level", "auto.offset.reset",
      "key.deserializer", "value.deserializer");

  public static final String DEFAULT_GROUP_ID = "tributary-appliers";
  public static final String DEFAULT_TOPIC = io.tributary.staging.ManifestSerde.DEFAULT_TOPIC;
  public static final int DEFAULT_BATCH_MAX_SEGMENTS = 64;
  public static final Duration DEFAULT_BATCH_MAX_WAIT = Duration.ofMillis(200);
  public static final Duration DEFAULT_BATCH_BEHIND_LAG = Duration.ofSeconds(2);
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);
  public static final Duration MIN_LEASE_TTL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_TRIGGERED_TIMEOUT = Duration.ofHours(1);
  /**
   * Tables applied at once by default: more than the cores of a small node, since much of a commit
   * waits on storage and on the coordinator.
   */
  public static final int DEFAULT_APPLY_THREADS = 4;

  /** A continuous applier. */
  public ApplierConfig(URI tablesLocation, String groupId, WriterId writerId, int batchMaxSegments, Duration batchMaxWait,
      Duration leaseTtl, Map<String, String> consumerProperties, String bootstrapServers, String topic,
      StagingConfig staging) {
    this(tablesLocation, groupId, writerId, batchMaxSegments, batchMaxWait, leaseTtl, consumerProperties, bootstrapServers,
        topic, staging, Mode.CONTINUOUS, DEFAULT_TRIGGERED_TIMEOUT);
  }

  /** An applier that applies every table with its default options. */
  public ApplierConfig(URI tablesLocation, String groupId, WriterId writerId, int batchMaxSegments, Duration batchMaxWait,
      Duration leaseTtl, Map<String, String> consumerProperties, String bootstrapServers, String topic,
      StagingConfig staging, Mode mode, Duration triggeredTimeout) {
    this(tablesLocation, groupId, writerId, batchMaxSegments, batchMaxWait, leaseTtl, consumerProperties, bootstrapServers,
        topic, staging, mode, triggeredTimeout, Map.of());
  }

  /** An applier with the default batch behind-lag, file layout and compaction. */
  public ApplierConfig(URI tablesLocation, String groupId, WriterId writerId, int batchMaxSegments, Duration batchMaxWait,
      Duration leaseTtl, Map<String, String> consumerProperties, String bootstrapServers, String topic,
      StagingConfig staging, Mode mode, Duration triggeredTimeout, Map<TableId, TableOptions> tables) {
    this(tablesLocation, groupId, writerId, batchMaxSegments, batchMaxWait, leaseTtl, consumerProperties, bootstrapServers,
        topic, staging, mode, triggeredTimeout, tables, DEFAULT_BATCH_BEHIND_LAG, FilesConfig.DEFAULT);
  }

  /** An applier with the default file layout and compaction. */
  public ApplierConfig(URI tablesLocation, String groupId, WriterId writerId, int batchMaxSegments, Duration batchMaxWait,
      Duration leaseTtl, Map<String, String> consumerProperties, String bootstrapServers, String topic,
      StagingConfig staging, Mode mode, Duration triggeredTimeout, Map<TableId, TableOptions> tables,
      Duration batchBehindLag) {
    this(tablesLocation, groupId, writerId, batchMaxSegments, batchMaxWait, leaseTtl, consumerProperties, bootstrapServers,
        topic, staging, mode, triggeredTimeout, tables, batchBehindLag, FilesConfig.DEFAULT);
  }

  /** An applier with the default batch behind-lag. */
  public ApplierConfig(URI tablesLocation, String groupId, WriterId writerId, int batchMaxSegments, Duration batchMaxWait,
      Duration leaseTtl, Map<String, String> consumerProperties, String bootstrapServers, String topic,
      StagingConfig staging, Mode mode, Duration triggeredTimeout, Map<TableId, TableOptions> tables,
      FilesConfig files) {
    this(tablesLocation, groupId, writerId, batchMaxSegments, batchMaxWait, leaseTtl, consumerProperties, bootstrapServers,
        topic, staging, mode, triggeredTimeout, tables, DEFAULT_BATCH_BEHIND_LAG, files);
  }

  /** An applier applying up to {@link #DEFAULT_APPLY_THREADS} tables at once. */
  public ApplierConfig(URI tablesLocation, String groupId, WriterId writerId, int batchMaxSegments, Duration batchMaxWait,
      Duration leaseTtl, Map<String, String> consumerProperties, String bootstrapServers, String topic,
      StagingConfig staging, Mode mode, Duration triggeredTimeout, Map<TableId, TableOptions> tables,
      Duration batchBehindLag, FilesConfig files) {
    this(tablesLocation, groupId, writerId, batchMaxSegments, batchMaxWait, leaseTtl, consumerProperties, bootstrapServers,
        topic, staging, mode, triggeredTimeout, tables, batchBehindLag, files, DEFAULT_APPLY_THREADS);
  }

  public ApplierConfig {
    requireNonNull(files, "files is null");
    if (applyThreads < 1) {
      throw new IllegalArgumentException("applyThreads must be >= 1: " + applyThreads);
    }
    requireNonNull(tablesLocation, "tablesLocation is null");
    requireNonNull(batchBehindLag, "batchBehindLag is null");
    requireNonNull(groupId, "groupId is null");
    requireNonNull(writerId, "writerId is null");
    requireNonNull(batchMaxWait, "batchMaxWait is null");
    requireNonNull(leaseTtl, "leaseTtl is null");
    consumerProperties = Map.copyOf(requireNonNull(consumerProperties, "consumerProperties is null"));
    requireNonNull(bootstrapServers, "bootstrapServers is null");
    requireNonNull(topic, "topic is null");
    requireNonNull(staging, "staging is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(triggeredTimeout, "triggeredTimeout is null");
    tables = Map.copyOf(requireNonNull(tables, "tables is null"));
    if (triggeredTimeout.isNegative() || triggeredTimeout.isZero()) {
      throw new IllegalArgumentException("triggeredTimeout must be positive: " + triggeredTimeout);
    }
    if (tablesLocation.getScheme() == null) {
      throw new IllegalArgumentException("Invalid tables location '" + tablesLocation + "': needs a scheme such as file: or s3a:");
    }
    if (groupId.isBlank()) {
      throw new IllegalArgumentException("groupId is blank");
    }
    if (batchMaxSegments < 1) {
      throw new IllegalArgumentException("batchMaxSegments must be >= 1: " + batchMaxSegments);
    }
    if (batchMaxWait.isNegative()) {
      throw new IllegalArgumentException("batchMaxWait must be >= 0: " + batchMaxWait);
    }
    if (batchBehindLag.isNegative()) {
      throw new IllegalArgumentException("batchBehindLag must be >= 0: " + batchBehindLag);
    }
    if (leaseTtl.compareTo(MIN_LEASE_TTL) < 0) {
      throw new IllegalArgumentException("leaseTtl must be at least " + MIN_LEASE_TTL + ": " + leaseTtl);
    }
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers is blank");
    }
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic is blank");
    }
    for (String key : consumerProperties.keySet()) {
      if (RESERVED_CONSUMER_PROPERTIES.contains(key)) {
        throw new IllegalArgumentException("Consumer property '" + key + "' is set by the applier and cannot be passed through");
      }
    }
  }

  /**
   * Reads the {@code applier}, {@code kafka} and {@code staging} sections. Problems are recorded in
   * the reader (call {@link ConfigReader#throwIfInvalid()} afterwards); defaults stand in for
   * invalid values so that every problem is found in one pass.
   *
   * @param defaultDataDir where tables ({@code delta/}) and staging ({@code staging/}) live by default
   */
  public static ApplierConfig from(ConfigReader root, Path defaultDataDir) {
    requireNonNull(root, "root is null");
    requireNonNull(defaultDataDir, "defaultDataDir is null");
    ConfigReader applier = root.section("applier");
    Path defaultTables = defaultDataDir.resolve("delta").toAbsolutePath().normalize();
    String location = applier.string("tables-location", defaultTables.toUri().toString(),
        "Root of the Delta tables, a local directory or file: URI, or s3a://bucket/prefix; a table lives at <root>/<source>/<schema>/<table>");
    URI tablesLocation;
    try {
      tablesLocation = toUri(location);
    } catch (IllegalArgumentException e) {
      applier.problem("tables-location", location, "is not a valid path or URI");
      tablesLocation = defaultTables.toUri();
    }
    String groupId = applier.string("group-id", DEFAULT_GROUP_ID,
        "Kafka consumer group shared by every applier of a deployment");
    if (groupId.isBlank()) {
      applier.problem("group-id", groupId, "must not be blank");
      groupId = DEFAULT_GROUP_ID;
    }
    String defaultWriter = defaultWriterId();
    String writer = applier.optionalString("writer-id",
        "How this applier names itself to the coordinator (default: <hostname>-<pid>)").orElse(defaultWriter);
    WriterId writerId;
    try {
      writerId = new WriterId(writer);
    } catch (IllegalArgumentException e) {
      applier.problem("writer-id", writer, "must be 1-200 characters");
      writerId = new WriterId(defaultWriter);
    }
    ConfigReader batch = applier.section("batch");
    int maxSegments = batch.integer("max-segments", DEFAULT_BATCH_MAX_SEGMENTS, 1,
        "Most manifests (segments) of one table applied in one Delta commit");
    Duration maxWait = batch.duration("max-wait", DEFAULT_BATCH_MAX_WAIT, Duration.ZERO,
        "How long a table that is behind gathers manifests before they are applied (a caught-up table applies each"
            + " as it arrives)");
    Duration behindLag = batch.duration("behind-lag", DEFAULT_BATCH_BEHIND_LAG, Duration.ZERO,
        "A table whose oldest pending manifest was announced this long ago is behind: it gathers up to max-segments"
            + " per commit for max-wait (throughput) instead of applying each manifest as it arrives (latency)");
    int applyThreads = applier.integer("apply-threads", DEFAULT_APPLY_THREADS, 1,
        "Most tables whose batches are applied at once, each on a thread of its own; one table's batches always"
            + " apply one after the other");
    Duration leaseTtl = applier.duration("lease-ttl", DEFAULT_LEASE_TTL, MIN_LEASE_TTL,
        "How long a table lease lasts without renewal; it is renewed every third of it");
    String modeName = applier.string("mode", "continuous",
        "continuous: apply manifests as they arrive, until stopped; triggered: apply what the topic holds at the start,"
            + " then exit 0 (for a schedule such as a Kubernetes CronJob)");
    Mode mode = Mode.CONTINUOUS;
    try {
      mode = Mode.valueOf(modeName.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      applier.problem("mode", modeName, "must be continuous or triggered");
    }
    Duration triggeredTimeout = applier.duration("triggered-timeout", DEFAULT_TRIGGERED_TIMEOUT, Duration.ofSeconds(1),
        "In triggered mode, the longest run: an applier not caught up by then exits 3 naming the tables behind");
    Map<String, String> consumer = applier.stringMap("consumer",
        "Kafka consumer properties passed through, e.g. security.protocol (group, offsets and isolation are set by the applier)");
    for (String key : Set.copyOf(consumer.keySet())) {
      if (RESERVED_CONSUMER_PROPERTIES.contains(key)) {
        applier.problem("consumer." + key, consumer.get(key), "is set by the applier and cannot be passed through");
        consumer.remove(key);
      }
    }
    Map<TableId, TableOptions> tables = TableOptionsReader.read(applier.section("tables"));
    ConfigReader kafka = root.section("kafka");
    String bootstrap = kafka.requiredString("bootstrap-servers", "Kafka bootstrap servers, host:port[,host:port...]");
    String topic = kafka.string("topic", DEFAULT_TOPIC, "Kafka topic of the manifest records");
    if (topic.isBlank()) {
      kafka.problem("topic", topic, "must not be blank");
      topic = DEFAULT_TOPIC;
    }
    StagingConfig staging = StagingConfig.from(root.section("staging"), defaultDataDir.resolve("staging"));
    FilesConfig files = FilesConfig.from(applier);
    return new ApplierConfig(tablesLocation, groupId, writerId, maxSegments, maxWait, leaseTtl, consumer,
        bootstrap.isBlank() ? "unset:9092" : bootstrap, topic, staging, mode, triggeredTimeout, tables, behindLag, files,
        applyThreads);
  }

  /** This configuration with {@code files} as its file layout and compaction settings. */
  public ApplierConfig withFiles(FilesConfig files) {
    return new ApplierConfig(tablesLocation, groupId, writerId, batchMaxSegments, batchMaxWait, leaseTtl,
        consumerProperties, bootstrapServers, topic, staging, mode, triggeredTimeout, tables, batchBehindLag, files,
        applyThreads);
  }

  /** How the changes of {@code tableId} are applied. */
  public TableOptions tableOptions(TableId tableId) {
    return tables.getOrDefault(requireNonNull(tableId, "tableId is null"), TableOptions.DEFAULT);
  }

  /**
   * Where the Delta table of {@code tableId} lives: {@code <root>/<source>/<schema>/<table>}. In
   * the schema and table names, every character but ASCII letters, digits, {@code _}, {@code -}
   * and {@code $} is written {@code ~XX} (its UTF-8 bytes in hex): Kernel handles path strings
   * with URI escapes inconsistently (the log and the data files would land in different directories).
   */
  public URI tableLocation(TableId tableId) {
    requireNonNull(tableId, "tableId is null");
    String root = tablesLocation.getPath() == null ? "" : tablesLocation.getPath();
    if (root.endsWith("/")) {
      root = root.substring(0, root.length() - 1);
    }
    String path = root + "/" + directoryName(tableId.source()) + "/" + directoryName(tableId.schema()) + "/"
        + directoryName(tableId.table());
    try {
      return new URI(tablesLocation.getScheme(), tablesLocation.getAuthority(), path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("No table location for " + tableId + " under " + tablesLocation, e);
    }
  }

  private static String directoryName(String name) {
    StringBuilder safe = new StringBuilder(name.length());
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '$') {
        safe.append(c);
      } else {
        safe.append('~').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    return safe.toString();
  }

  private static URI toUri(String location) {
    if (location.contains(":")) {
      return URI.create(location);
    }
    try {
      return Path.of(location).toAbsolutePath().normalize().toUri();
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String defaultWriterId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    String id = host + "-" + ProcessHandle.current().pid();
    return id.length() > 200 ? id.substring(id.length() - 200) : id;
  }

  /** Shows the settings without the values of secret-like consumer properties (SASL JAAS, passwords). */
  @Override
  public String toString() {
    return "ApplierConfig[tablesLocation=" + tablesLocation + ", groupId=" + groupId + ", writerId=" + writerId
        + ", batchMaxSegments=" + batchMaxSegments + ", batchMaxWait=" + batchMaxWait + ", leaseTtl=" + leaseTtl
        + ", consumerProperties=" + Secret.redacted(consumerProperties) + ", bootstrapServers=" + bootstrapServers
        + ", topic=" + topic + ", staging=" + staging + ", mode=" + mode + ", triggeredTimeout=" + triggeredTimeout
        + ", tables=" + tables + ", batchBehindLag=" + batchBehindLag + ", files=" + files
        + ", applyThreads=" + applyThreads + "]";
  }
}
