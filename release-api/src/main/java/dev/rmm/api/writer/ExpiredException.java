package dev.rmm.api.writer;

/**
 * The request's deadline passed before its writer reached it: its client has been answered (or has
 * given up) already, so it is dropped, never decided later behind the client's back.
 */
public class ExpiredException extends WriteUnavailableException {
  public ExpiredException(String requestId) {
    super("request " + requestId + " waited past its deadline and was not decided; retry");
  }
}
