package dev.rmm.orchestrator.github;

import java.time.Duration;
import java.util.Optional;

/**
 * What one look at a workflow's runs showed. Only {@link None} (GitHub answered 200 and listed no
 * run carrying the dispatch id) is evidence that a dispatch did not happen; a failed look ({@link
 * Unknown}: any other status, an unreadable body, no answer) says nothing either way, so it must
 * never lead to a second dispatch.
 */
public sealed interface RunLookup {

  /** GitHub lists a run whose title carries the dispatch id. */
  record Found(long runId) implements RunLookup {}

  /** GitHub answered 200 and none of the listed runs carries the dispatch id. */
  record None() implements RunLookup {}

  /**
   * The runs could not be listed: GitHub's status (0 when it did not answer), its message, and how
   * long it asked to wait (Retry-After / x-ratelimit-reset), if it did.
   */
  record Unknown(int status, String detail, Optional<Duration> retryAfter) implements RunLookup {}
}
