package dev.rmm.orchestrator;

import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.log.StateFold;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The releases of the partitions this orchestrator owns, as the log says they are. Every record is
 * folded through the chain rule ({@link StateFold}), so an event that lost a race to another
 * writer's event (void, see {@link dev.rmm.contracts.log.ChainRule}) changes nothing and triggers
 * nothing, and a gap is not skipped over. Beside the state it remembers, for valid events only,
 * each release's partition (to forget it when the partition goes to another orchestrator) and the
 * trace of its newest event (what the orchestrator's actions continue).
 *
 * <p>The log thread folds; the dispatch and runbook workers and the recheck read. The fold is not
 * thread-safe, so every method holds this object's lock (each is short).
 */
final class OwnedReleases {

  private final StateFold fold = new StateFold();
  private final Map<String, Integer> partitionOf = new HashMap<>();
  private final Map<String, String> traceOf = new HashMap<>();

  /** Folds the next record read from {@code partition}; the link says whether it counted. */
  synchronized Link apply(int partition, String key, byte[] stored) {
    Link link = fold.accept(key, stored);
    if (link instanceof Link.Valid v) {
      String id = v.event().releaseId();
      partitionOf.put(id, partition);
      if (v.event().traceparent() != null) {
        traceOf.put(id, v.event().traceparent());
      }
    }
    return link;
  }

  /** The release as its valid events make it, or null when it has none here. */
  synchronized ReleaseState state(String releaseId) {
    return partitionOf.containsKey(releaseId) ? fold.state(releaseId) : null;
  }

  /** Every release read so far. */
  synchronized List<ReleaseState> all() {
    List<ReleaseState> out = new ArrayList<>(fold.size());
    fold.forEach((id, s) -> out.add(s));
    return out;
  }

  /** The trace context of the release's newest valid event that carried one, or null. */
  synchronized String traceOf(String releaseId) {
    return traceOf.get(releaseId);
  }

  /** Forgets the releases of partitions no longer owned: state, chain head and trace. */
  synchronized void forget(Set<Integer> partitions) {
    partitionOf
        .entrySet()
        .removeIf(
            e -> {
              if (partitions.contains(e.getValue())) {
                fold.forget(e.getKey());
                traceOf.remove(e.getKey());
                return true;
              }
              return false;
            });
  }

  synchronized int size() {
    return fold.size();
  }
}
