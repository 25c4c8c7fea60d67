package io.tributary.staging;

import static java.util.Objects.requireNonNull;

/**
 * The root of every error Tributary raises on purpose. Each carries an {@link ErrorCode} that says
 * what kind of failure it is and whether retrying the same operation can succeed.
 */
public class TributaryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public TributaryException(ErrorCode code, String message) {
    super(message);
    this.code = requireNonNull(code, "code is null");
  }

  public TributaryException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code is null");
  }

  public ErrorCode code() {
    return code;
  }

  /** Whether the same operation may succeed if tried again later. */
  public boolean retryable() {
    return code.retryable();
  }

  /** The kinds of failure, each with whether it is worth retrying. */
  public enum ErrorCode {
    CONFIG_INVALID(false),
    SOURCE_UNREACHABLE(true),
    SOURCE_AUTH_FAILED(false),
    TABLE_NOT_FOUND(false),
    UNSUPPORTED_TYPE(false),
    MISSING_PRIMARY_KEY(false),
    KAFKA_UNREACHABLE(true),
    STORAGE_FAILURE(true),
    SEGMENT_CORRUPT(false),
    /**
     * An announced segment is not in staging: deleted by the retention before it was applied (its
     * table is then resynced), or by hand. The table waits until a resync supersedes it.
     */
    SEGMENT_MISSING(true),
    MANIFEST_INVALID(false),
    STALE_EPOCH(false),
    /** An operator paused the table: commits wait until it is resumed. */
    TABLE_PAUSED(true),
    /** A resync request or step that does not follow the table's current resync. */
    RESYNC_CONFLICT(false),
    COMMIT_CONFLICT(false),
    COMMIT_OUTCOME_UNKNOWN(false),
    COORDINATOR_UNAVAILABLE(true),
    UNKNOWN_TABLE(false),
    UNAUTHENTICATED(false),
    FORBIDDEN(false),
    VERIFY_MISMATCH(false),
    INTERNAL(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }
}
