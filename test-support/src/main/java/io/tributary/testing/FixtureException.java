package io.tributary.testing;

/**
 * A fixture server could not be started, stopped or used. The message names the server, its
 * directory or port, and the cause; the server's own log file (under its directory) has the rest.
 */
public final class FixtureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what failed and where. */
  public FixtureException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what failed and where, and its cause. */
  public FixtureException(String message, Throwable cause) {
    super(message, cause);
  }
}
