package dev.rmm.contracts.log;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.audit.EventChain;

/**
 * The one rule that says which events of the release log count: <b>the log is the lock</b>. An
 * event counts when it is the next link of its release's hash chain: its sequence is the head's
 * plus one and its {@code prevhash} is the head's hash (the genesis value for a release's first
 * event). The first such event in partition order wins; any other event of that release is
 * <em>void</em>: it stays in the log, and every reader ignores it.
 *
 * <p>Writers append without a Kafka transaction, so two writers that both believe they own a
 * partition (a stale owner after a rebalance, a paused JVM) can both append. They cannot both
 * extend one release's chain: whichever event lands second names a head that is no longer the head.
 * Every reader (the writer's reload, the projector, the gateway, the orchestrator, replay) folds
 * through {@link ChainFold}, so they all agree on which events count.
 *
 * <p>Events written before hash chaining existed carry no {@code prevhash}; they count by sequence
 * alone until the release's first chained event, after which an unchained event is void.
 */
public final class ChainRule {

  private ChainRule() {}

  /**
   * The newest event that counts of one release.
   *
   * @param sequence its sequence number (0 before the first event)
   * @param hash the SHA-256 of it as stored ({@link EventChain#GENESIS} before the first event)
   * @param chained whether the release's events carry hash links (false only for old logs)
   */
  public record Head(long sequence, String hash, boolean chained) {

    /** The head of a release that has no events. */
    public static final Head NONE = new Head(0, EventChain.GENESIS, false);

    /** The head after {@code next}, stored as {@code stored}, was found to follow this one. */
    public Head then(EventEnvelope next, byte[] stored) {
      return thenHashed(next, EventChain.hash(stored));
    }

    /** The same, when the caller hashed the stored event already ({@link EventChain#hash}). */
    public Head thenHashed(EventEnvelope next, String storedHash) {
      return new Head(next.sequence(), storedHash, chained || next.prevHash() != null);
    }
  }

  /** Whether {@code e} is the next link after {@code head}. */
  public static boolean follows(Head head, EventEnvelope e) {
    if (e.sequence() != head.sequence() + 1) {
      return false;
    }
    if (e.prevHash() == null) {
      return !head.chained(); // an event from before chaining existed
    }
    return e.prevHash().equals(head.hash());
  }

  /** Why {@code e} does not follow {@code head}, in words for a log line or a report. */
  public static String whyVoid(Head head, EventEnvelope e) {
    if (e.sequence() <= head.sequence()) {
      return "event "
          + e.sequence()
          + " of release "
          + e.releaseId()
          + " was already taken by another event (it lost a race)";
    }
    if (e.sequence() > head.sequence() + 1) {
      return "event "
          + e.sequence()
          + " of release "
          + e.releaseId()
          + " follows a void event or a gap: the release's head is event "
          + head.sequence();
    }
    return e.prevHash() == null
        ? "event " + e.sequence() + " of release " + e.releaseId() + " has no hash link"
        : "event "
            + e.sequence()
            + " of release "
            + e.releaseId()
            + " links to a head that is not the release's (it was decided on an old state)";
  }
}
