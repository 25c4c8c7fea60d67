package io.tributary.testing;

/**
 * Lifecycle of a {@link ManagedServer}. Every transition is logged at INFO.
 *
 * <pre>
 * NEW ─start─▶ STARTING ─▶ RUNNING ─close─▶ STOPPING ─▶ STOPPED
 *                  │          └─restart─▶ STOPPING ─▶ STARTING ─▶ …
 *                  └─(start fails)─▶ FAILED ─close─▶ STOPPED
 * </pre>
 */
public enum ServerState {
  /** Built, never started. */
  NEW,
  /** Starting; the ports are not yet guaranteed to accept connections. */
  STARTING,
  /** Accepting connections on its ports. */
  RUNNING,
  /** Shutting down (by {@code close()} or as the first half of {@code restart()}). */
  STOPPING,
  /** A start or a restart failed; whatever had started was stopped again. */
  FAILED,
  /** Closed for good; a closed server cannot be started again. */
  STOPPED
}
