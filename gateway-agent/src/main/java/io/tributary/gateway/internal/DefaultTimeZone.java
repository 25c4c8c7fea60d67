package io.tributary.gateway.internal;

import java.time.Instant;
import java.time.zone.ZoneRules;
import java.util.TimeZone;

/**
 * The gateway's requirement on the JVM's default time zone: UTC. Debezium's snapshots read
 * timestamps through {@code java.sql.Timestamp} and {@code java.util.Calendar} in the default zone
 * (PostgreSQL's {@code timestamp}, MySQL's and MariaDB's {@code DATETIME} and {@code TIMESTAMP}),
 * and streaming does not: in any other zone, a snapshot moves the values that fall into its
 * daylight saving gaps (and MariaDB's {@code TIMESTAMP} values by the zone's offset), so that the
 * snapshot and the stream of one table disagree.
 */
public final class DefaultTimeZone {
  private DefaultTimeZone() {}

  /** @throws io.tributary.staging.TributaryException CONFIG_INVALID if {@code zone} is not UTC */
  public static void requireUtc(TimeZone zone) {
    if (!isUtc(zone)) {
      throw GatewayErrors.timeZoneNotUtc(zone.getID());
    }
  }

  /** Whether {@code zone} is UTC under any of its names (UTC, Etc/UTC, GMT, Z, +00:00). */
  static boolean isUtc(TimeZone zone) {
    ZoneRules rules = zone.toZoneId().getRules();
    return rules.isFixedOffset() && rules.getOffset(Instant.EPOCH).getTotalSeconds() == 0;
  }
}
