package dev.rmm.contracts.log;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import java.util.HashMap;
import java.util.Map;

/**
 * Folds stored records of the release log, in partition order, through {@link ChainRule}: keeps
 * every release's head and says of each record whether it counts. Not thread-safe; one per reader
 * loop.
 */
public final class ChainFold {

  private final Map<String, ChainRule.Head> heads = new HashMap<>();

  /** Judges the next stored record; a valid event becomes its release's head. */
  public Link accept(String key, byte[] stored) {
    EventEnvelope e;
    try {
      e = EventCodec.decode(stored);
    } catch (EventCodec.MalformedEventException ex) {
      return new Link.Unreadable(key, ex.getMessage());
    }
    return accept(e, stored);
  }

  /** Judges an event already decoded from {@code stored}. */
  public Link accept(EventEnvelope e, byte[] stored) {
    ChainRule.Head head = head(e.releaseId());
    if (!ChainRule.follows(head, e)) {
      return new Link.Void(e, ChainRule.whyVoid(head, e));
    }
    ChainRule.Head next = head.then(e, stored);
    heads.put(e.releaseId(), next);
    return new Link.Valid(e, next);
  }

  /**
   * Judges an event whose stored form the caller has hashed already ({@link
   * dev.rmm.contracts.audit.EventChain#hash}): a writer folding the events it encoded itself.
   */
  public Link acceptHashed(EventEnvelope e, String storedHash) {
    ChainRule.Head head = head(e.releaseId());
    if (!ChainRule.follows(head, e)) {
      return new Link.Void(e, ChainRule.whyVoid(head, e));
    }
    ChainRule.Head next = head.thenHashed(e, storedHash);
    heads.put(e.releaseId(), next);
    return new Link.Valid(e, next);
  }

  /** The head of a release ({@link ChainRule.Head#NONE} when it has no valid event yet). */
  public ChainRule.Head head(String releaseId) {
    return heads.getOrDefault(releaseId, ChainRule.Head.NONE);
  }

  /** Sets a release's head, as kept elsewhere (a snapshot, the read model). */
  public void put(String releaseId, ChainRule.Head head) {
    heads.put(releaseId, head);
  }

  public void forget(String releaseId) {
    heads.remove(releaseId);
  }

  public int size() {
    return heads.size();
  }
}
