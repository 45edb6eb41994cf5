package dev.rmm.api.query;

/**
 * The read model cannot answer now: its schema does not exist yet, or PostgreSQL cannot be reached.
 * Answered 503 problem+json with {@code Retry-After}; writes do not depend on it (they go to the
 * release log), so only queries see this.
 */
public class ReadModelUnavailableException extends RuntimeException {

  /** Seconds a client should wait before asking again. */
  public static final int RETRY_AFTER_SECONDS = 5;

  public ReadModelUnavailableException(String detail, Throwable cause) {
    super(detail, cause);
  }
}
