package dev.rmm.orchestrator.dispatch;

/**
 * Whether a dispatch an admin asked to retry may go out now. Its claim is in the log already, so
 * the release can no longer be superseded: the superseding guard's answer is recorded as the
 * retry's failure instead.
 */
public sealed interface RetryVerdict {

  /** Nothing newer stands in its way: settle it (look up its run, dispatch only if none). */
  record Go() implements RetryVerdict {}

  /** The log is not read to its end yet: a newer release may be unseen; ask again later. */
  record Wait() implements RetryVerdict {}

  /** A newer release of the service was approved: record the retry as failed with this reason. */
  record Refuse(String why) implements RetryVerdict {}
}
