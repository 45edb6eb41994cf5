package dev.rmm.contracts.log;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseState;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The state of every release read so far, folded through {@link ChainRule} and {@link
 * ReleaseDecider#evolve}: what the writer, the orchestrator and replay keep. Void and unreadable
 * records change nothing. Not thread-safe.
 */
public final class StateFold {

  private final ChainFold chain = new ChainFold();
  private final Map<String, ReleaseState> states = new HashMap<>();

  /** Folds the next stored record; returns what the rule made of it. */
  public Link accept(String key, byte[] stored) {
    return evolve(chain.accept(key, stored));
  }

  /** Folds an event already decoded from {@code stored} (e.g. one this reader encoded itself). */
  public Link accept(EventEnvelope e, byte[] stored) {
    return evolve(chain.accept(e, stored));
  }

  /** Folds an event whose stored form the caller has hashed already (see {@link ChainFold}). */
  public Link acceptHashed(EventEnvelope e, String storedHash) {
    return evolve(chain.acceptHashed(e, storedHash));
  }

  private Link evolve(Link link) {
    if (link instanceof Link.Valid v) {
      String id = v.event().releaseId();
      states.put(id, ReleaseDecider.evolve(state(id), v.event()));
    }
    return link;
  }

  /** The release's state ({@link ReleaseState#none} when it has no valid event). */
  public ReleaseState state(String releaseId) {
    return states.getOrDefault(releaseId, ReleaseState.none(releaseId));
  }

  public ChainRule.Head head(String releaseId) {
    return chain.head(releaseId);
  }

  /** Sets a release's state and head, e.g. from events this reader appended itself. */
  public void put(ReleaseState state, ChainRule.Head head) {
    states.put(state.releaseId(), state);
    chain.put(state.releaseId(), head);
  }

  public void forget(String releaseId) {
    states.remove(releaseId);
    chain.forget(releaseId);
  }

  public void forEach(BiConsumer<String, ReleaseState> action) {
    states.forEach(action);
  }

  public int size() {
    return states.size();
  }
}
