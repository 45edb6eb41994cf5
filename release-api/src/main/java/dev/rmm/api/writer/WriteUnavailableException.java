package dev.rmm.api.writer;

/**
 * The write was not attempted and may be retried shortly: the answer is 503 with Retry-After. The
 * message says why, for the problem's {@code detail}.
 */
public class WriteUnavailableException extends RuntimeException {
  public WriteUnavailableException(String message) {
    super(message);
  }
}
