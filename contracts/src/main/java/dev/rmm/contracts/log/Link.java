package dev.rmm.contracts.log;

import dev.rmm.contracts.EventEnvelope;

/** What the chain rule made of one stored record of the release log (see {@link ChainRule}). */
public sealed interface Link {

  /** The event counts: it is the new head of its release. */
  record Valid(EventEnvelope event, ChainRule.Head head) implements Link {}

  /** The event does not count: it stays in the log and every reader ignores it. */
  record Void(EventEnvelope event, String why) implements Link {}

  /** The record is not an event this version can read; every reader skips it. */
  record Unreadable(String key, String why) implements Link {}

  /** The event, when the record could be read. */
  default EventEnvelope eventOrNull() {
    if (this instanceof Valid v) {
      return v.event();
    }
    return this instanceof Void v ? v.event() : null;
  }
}
