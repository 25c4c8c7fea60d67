package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.ConfigReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the coordinator's event log (the {@code coordinator.events} section).
 *
 * @param retention how long the day files of the log are kept on the coordinator's disk
 * @param inMemory how many of the latest events {@code GET /api/v1/events} answers from
 * @param tableLocation where the events are also written as a Delta table; empty turns that off
 * @param exportInterval how often new events are appended to the Delta table
 */
public record EventLogConfig(Duration retention, int inMemory, Optional<URI> tableLocation, Duration exportInterval) {
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
  public static final int DEFAULT_IN_MEMORY = 50_000;
  public static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(10);

  public EventLogConfig {
    requireNonNull(retention, "retention is null");
    requireNonNull(tableLocation, "tableLocation is null");
    requireNonNull(exportInterval, "exportInterval is null");
    if (inMemory < 1) {
      throw new IllegalArgumentException("inMemory must be >= 1: " + inMemory);
    }
  }

  /** Defaults, with the Delta table under {@code dataDir/events-table}. */
  public static EventLogConfig defaults(Path dataDir) {
    return new EventLogConfig(DEFAULT_RETENTION, DEFAULT_IN_MEMORY,
        Optional.of(dataDir.resolve("events-table").toAbsolutePath().toUri()), DEFAULT_EXPORT_INTERVAL);
  }

  /** The same settings without the events Delta table. */
  public EventLogConfig withoutTable() {
    return new EventLogConfig(retention, inMemory, Optional.empty(), exportInterval);
  }

  /** The same settings with the events Delta table at {@code location}, appended every {@code interval}. */
  public EventLogConfig withTable(URI location, Duration interval) {
    return new EventLogConfig(retention, inMemory, Optional.of(location), interval);
  }

  /** Reads the {@code events} section; problems are recorded in the reader. */
  public static EventLogConfig from(ConfigReader events, Path dataDir) {
    Duration retention = events.duration("retention", DEFAULT_RETENTION, Duration.ofHours(1),
        "How long the event log's day files are kept on the coordinator's disk");
    int inMemory = events.integer("in-memory", DEFAULT_IN_MEMORY, 1,
        "How many of the latest events the events API answers from");
    String location = events.string("table-location", dataDir.resolve("events-table").toAbsolutePath().toUri().toString(),
        "Delta table the events are also written to (file:// or s3a://); 'none' turns it off");
    Optional<URI> table = Optional.empty();
    if (!location.equalsIgnoreCase("none")) {
      try {
        URI uri = location.contains("://") || location.startsWith("file:") ? new URI(location)
            : Path.of(location).toAbsolutePath().toUri();
        table = Optional.of(uri);
      } catch (java.net.URISyntaxException e) {
        events.problem("table-location", location, "must be a path or a URI such as s3a://bucket/events");
      }
    }
    Duration export = events.duration("export-interval", DEFAULT_EXPORT_INTERVAL, Duration.ofMillis(100),
        "How often new events are appended to the events Delta table");
    return new EventLogConfig(retention, inMemory, table, export);
  }
}
