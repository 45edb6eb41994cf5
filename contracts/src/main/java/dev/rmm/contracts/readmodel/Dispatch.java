package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A release's production dispatch (the row's {@code dispatch} column).
 *
 * @param outcome {@link #DISPATCHED}, {@link #FAILED}, or null while under way (or retried)
 * @param httpStatus GitHub's answer, or null when there was none
 * @param retries how many times an admin asked to retry a failed dispatch
 * @param retryRequestedBy the name of the admin who asked for the last retry, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Dispatch(
    String id,
    String repository,
    String workflow,
    String ref,
    String outcome,
    Integer httpStatus,
    String detail,
    int retries,
    String retryRequestedBy) {

  public static final String DISPATCHED = "dispatched";
  public static final String FAILED = "failed";

  public boolean failed() {
    return FAILED.equals(outcome);
  }

  public boolean dispatched() {
    return DISPATCHED.equals(outcome);
  }
}
