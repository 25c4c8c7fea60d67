package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.Secret;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where segments are staged.
 *
 * @param location the staging root: a {@code file:} URI (default) or, from #3, {@code s3a://bucket/prefix}
 * @param spoolDirectory local directory where segments are written before they are published; by
 *     default {@code _spool} under a local root, so that publishing is an atomic link
 * @param hadoopProperties Hadoop file-system settings passed through (e.g. {@code fs.s3a.endpoint})
 * @param retention how long segments are kept once applied
 * @param unappliedPastRetention what becomes of a segment past the retention whose changes are not
 *     applied yet
 * @param corruptSegments what an applier does once it has moved a corrupt segment aside
 */
public record StagingConfig(URI location, Optional<Path> spoolDirectory, Map<String, String> hadoopProperties,
    Duration retention, UnappliedPastRetention unappliedPastRetention, CorruptSegments corruptSegments) {
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

  /**
   * What the gateway does with a staged segment that is older than the retention but not applied
   * (an applier stopped or far behind). The manifest topic keeps its messages for the same time, so
   * by then the segment's announcement is gone or about to go: no applier would apply it anyway.
   */
  public enum UnappliedPastRetention {
    /**
     * Asks the coordinator to resync the segment's table, records an error event, and deletes the
     * segment once the resync is recorded: the resync's snapshot supersedes its changes.
     */
    RESYNC,
    /**
     * Keeps the segment whatever its age (counted and named in a warning), for an operator who
     * keeps the manifest topic longer than staging or replays by hand.
     */
    KEEP;

    /** The name used in configuration: {@code resync}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What an applier does with a staged segment that fails its checks (length or checksum against its
   * manifest, Parquet structure, schema). Either way the segment is never applied: it is moved aside
   * under {@value StagingStore#QUARANTINE} in the staging root, counted, and reported as an error event.
   */
  public enum CorruptSegments {
    /**
     * Requires a resync of the table, whose snapshot supersedes the segment's changes; the table
     * goes on applying meanwhile. A type 2 table loses the history versions the segment held.
     */
    RESYNC,
    /**
     * Stops applying the table (its offsets held) until an operator restores a good copy of the
     * segment or resyncs the table, then restarts the applier.
     */
    STOP;

    /** The name used in configuration: {@code resync}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Staging with the default policy for corrupt segments, {@link CorruptSegments#RESYNC}. */
  public StagingConfig(URI location, Optional<Path> spoolDirectory, Map<String, String> hadoopProperties,
      Duration retention, UnappliedPastRetention unappliedPastRetention) {
    this(location, spoolDirectory, hadoopProperties, retention, unappliedPastRetention, CorruptSegments.RESYNC);
  }

  public StagingConfig {
    requireNonNull(retention, "retention is null");
    requireNonNull(unappliedPastRetention, "unappliedPastRetention is null");
    requireNonNull(corruptSegments, "corruptSegments is null");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive: " + retention);
    }
    requireNonNull(location, "location is null");
    requireNonNull(spoolDirectory, "spoolDirectory is null");
    hadoopProperties = Map.copyOf(requireNonNull(hadoopProperties, "hadoopProperties is null"));
    if (location.getScheme() == null) {
      throw new IllegalArgumentException("Invalid staging location '" + location + "': needs a scheme such as file: or s3a:");
    }
    if (!"file".equals(location.getScheme()) && spoolDirectory.isEmpty()) {
      throw new IllegalArgumentException(
          "Staging location " + location + " is not local: set 'staging.spool-dir' to a local directory");
    }
  }

  /**
   * Reads the {@code staging} section: {@code location}, {@code spool-dir} and {@code hadoop.*}.
   * Problems are recorded in the reader; {@code defaultLocation} is used when none is set.
   */
  public static StagingConfig from(io.tributary.staging.config.ConfigReader staging, Path defaultLocation) {
    String location = staging.string("location", defaultLocation.toAbsolutePath().normalize().toUri().toString(),
        "Where segments are staged: a local directory or file: URI, or s3a://bucket/prefix");
    Optional<String> spoolDirectory = staging.optionalString("spool-dir",
        "Local directory where segments are written before publication (default: <location>/_spool for local staging)");
    Map<String, String> hadoop = staging.stringMap("hadoop", "Hadoop file-system properties passed through, e.g. fs.s3a.endpoint");
    Duration retention = staging.duration("retention", DEFAULT_RETENTION, Duration.ofHours(1),
        "How long segments are kept (counted in days of staging); keep the manifest topic's retention equal");
    UnappliedPastRetention policy = staging.choice("unapplied-past-retention", UnappliedPastRetention.RESYNC,
        "A segment past the retention whose changes are not applied yet: 'resync' (its table is resynced, an error"
            + " event raised, then it is deleted) or 'keep' (kept whatever its age)");
    CorruptSegments corruptPolicy = staging.choice("corrupt-segments", CorruptSegments.RESYNC,
        "A staged segment that fails its checks is moved aside under .corrupt/ and never applied; then 'resync' (its"
            + " table is resynced, an error event raised) or 'stop' (the table stops until an operator restores the"
            + " segment or resyncs the table)");
    Optional<Path> spool;
    try {
      spool = spoolDirectory.map(Path::of);
    } catch (InvalidPathException e) {
      staging.problem("spool-dir", spoolDirectory.get(), "is not a valid path: " + e.getMessage());
      spool = Optional.empty();
    }
    try {
      URI uri = location.contains(":") ? URI.create(location) : Path.of(location).toAbsolutePath().normalize().toUri();
      return new StagingConfig(uri, spool, hadoop, retention, policy, corruptPolicy);
    } catch (IllegalArgumentException e) {
      // Also an invalid URI or path (InvalidPathException is one).
      staging.problem("location", location, e.getMessage());
      return local(defaultLocation);
    }
  }

  /** Staging in a local directory with default settings. */
  public static StagingConfig local(Path directory) {
    return new StagingConfig(directory.toAbsolutePath().normalize().toUri(), Optional.empty(), Map.of(),
        DEFAULT_RETENTION, UnappliedPastRetention.RESYNC);
  }

  /**
   * Shows the settings without the values of secret-like Hadoop properties ({@code fs.s3a.secret.key},
   * session tokens, passwords), which come from {@code ${env:…}} or {@code ${file:…}} references.
   */
  @Override
  public String toString() {
    return "StagingConfig[location=" + location + ", spoolDirectory=" + spoolDirectory + ", hadoopProperties="
        + Secret.redacted(hadoopProperties)
        + ", retention=" + retention + ", unappliedPastRetention=" + unappliedPastRetention
        + ", corruptSegments=" + corruptSegments + "]";
  }

  /** The local directory segments are written to before they are published. */
  public Path effectiveSpoolDirectory() {
    return spoolDirectory.orElseGet(() -> Path.of(location).resolve("_spool"));
  }
}
