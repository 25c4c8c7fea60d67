package io.tributary.coordinator;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a bearer token may do with the coordinator's API. Each role is given by its own tokens
 * ({@code coordinator.tokens.<role>}); a token of {@code coordinator.auth-token} holds every role.
 */
public enum Role {
  /** Reads tables, history and events: dashboards, auditors. */
  VIEWER(Access.READ),
  /** Reads, registers the tables it captures and reports events. */
  GATEWAY(Access.READ, Access.REPORT),
  /** Reads, registers tables, reports events, takes leases and commits: what appliers need. */
  APPLIER(Access.READ, Access.REPORT, Access.WRITE),
  /** Reads and acts on tables: resync, rollback, pause and resume. */
  OPERATOR(Access.READ, Access.OPERATE);

  /** The kinds of API call; every route needs exactly one. */
  public enum Access {
    /** Tables, history, events. */
    READ,
    /** Registering tables and reporting events. */
    REPORT,
    /** Leases and commits. */
    WRITE,
    /** Resync, rollback, pause and resume. */
    OPERATE
  }

  private final Set<Access> grants;

  Role(Access first, Access... rest) {
    this.grants = EnumSet.of(first, rest);
  }

  public boolean grants(Access access) {
    return grants.contains(access);
  }

  /** The name used in configuration keys and messages: {@code applier}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
