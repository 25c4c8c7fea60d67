package io.tributary.loadtests.faults;

/** The kinds of fault a fault-injection run makes, one per cycle. */
public enum FaultKind {
  /** A component (a gateway, an applier or the coordinator) is killed with SIGKILL and started again after a pause. */
  KILL,
  /** An applier is frozen with SIGSTOP for longer than its table leases and its group session, then resumed with SIGCONT. */
  PAUSE_APPLIER,
  /** The Kafka broker is stopped and started again on the same port and data. */
  RESTART_KAFKA,
  /** The coordinator is stopped (SIGTERM) and started again after a pause. */
  STOP_COORDINATOR,
  /** The S3 API server's proxy fails a large share of requests for a while (500, 503, dropped, slow). */
  STORAGE_FAULTS
}
