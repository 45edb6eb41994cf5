package dev.rmm.contracts.log;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseState;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of every release as of a moment, folded from the release log: a release's events that
 * count ({@link ChainRule}), through {@link ReleaseDecider#evolve}, up to its first event that
 * occurred after the moment. Whether an event counts does not depend on the moment (the first next
 * link in the log wins), so every record is judged, and only the state stops at the moment. The one
 * as-of fold that {@code deploy/local/replay as-of} and the web console's audit page both use. Not
 * thread-safe; feed it records in partition order.
 */
public final class AsOfFold {

  private final Instant moment;
  private final ChainFold chain = new ChainFold();
  private final Map<String, ReleaseState> states = new HashMap<>();

  public AsOfFold(Instant moment) {
    this.moment = moment;
  }

  public Instant moment() {
    return moment;
  }

  /** Judges and folds the next stored record; returns what the chain rule made of it. */
  public Link accept(String key, byte[] stored) {
    Link link = chain.accept(key, stored);
    if (!(link instanceof Link.Valid v) || v.event().occurredAt().isAfter(moment)) {
      return link;
    }
    EventEnvelope e = v.event();
    ReleaseState s = states.getOrDefault(e.releaseId(), ReleaseState.none(e.releaseId()));
    // a release's state stops at its first event after the moment, even if a later one is earlier
    if (e.sequence() == s.version() + 1) {
      states.put(e.releaseId(), ReleaseDecider.evolve(s, e));
    }
    return link;
  }

  /** The releases that existed at the moment, by service, then tag, then id. */
  public List<ReleaseState> releases() {
    return states.values().stream()
        .filter(ReleaseState::exists)
        .sorted(
            Comparator.comparing((ReleaseState s) -> s.spec().service())
                .thenComparing(s -> s.spec().tag())
                .thenComparing(ReleaseState::releaseId))
        .toList();
  }
}
