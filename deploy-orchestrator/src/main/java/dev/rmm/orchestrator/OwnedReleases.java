package dev.rmm.orchestrator;

import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.log.StateFold;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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

  /**
   * Releases the orchestrator may have to act on (a dispatch or a runbook may be due), so that a
   * recheck looks at those, not at every release ever read.
   */
  private final Set<String> actionable = new HashSet<>();

  /** Releases being deployed to production, by service: a rollback of the service waits. */
  private final Map<String, Set<String>> deploying = new HashMap<>();

  /** Folds the next record read from {@code partition}; the link says whether it counted. */
  synchronized Link apply(int partition, String key, byte[] stored) {
    Link link = fold.accept(key, stored);
    if (link instanceof Link.Valid v) {
      String id = v.event().releaseId();
      partitionOf.put(id, partition);
      if (v.event().traceparent() != null) {
        traceOf.put(id, v.event().traceparent());
      }
      index(fold.state(id));
    }
    return link;
  }

  private void index(ReleaseState s) {
    String id = s.releaseId();
    if (mayAct(s)) {
      actionable.add(id);
    } else {
      actionable.remove(id);
    }
    if (s.exists()) {
      String service = s.spec().service();
      if (s.status() == ReleaseStatus.DEPLOYING) {
        deploying.computeIfAbsent(service, k -> new HashSet<>()).add(id);
      } else {
        Set<String> ids = deploying.get(service);
        if (ids != null && ids.remove(id) && ids.isEmpty()) {
          deploying.remove(service);
        }
      }
    }
  }

  /**
   * A superset of what the dispatches and the runbooks find due: a release waiting for its dispatch
   * or whose dispatch has no outcome yet, and a release whose rollback was requested.
   */
  private static boolean mayAct(ReleaseState s) {
    return s.exists()
        && (s.status() == ReleaseStatus.MANUAL_TEST_PASSED
            || s.status() == ReleaseStatus.PRODUCTION_ROLLBACK
            || (s.dispatch() != null && s.dispatch().outcome() == null));
  }

  /** The release as its valid events make it, or null when it has none here. */
  synchronized ReleaseState state(String releaseId) {
    return partitionOf.containsKey(releaseId) ? fold.state(releaseId) : null;
  }

  /** The partition of the release's events, or -1 when it has none here. */
  synchronized int partitionOf(String releaseId) {
    return partitionOf.getOrDefault(releaseId, -1);
  }

  /** The releases on which a dispatch or a runbook may be due. */
  synchronized List<ReleaseState> actionable() {
    List<ReleaseState> out = new ArrayList<>(actionable.size());
    actionable.forEach(id -> out.add(fold.state(id)));
    return out;
  }

  /** The ids of the releases of {@code service} being deployed to production. */
  synchronized Set<String> deploying(String service) {
    return Set.copyOf(deploying.getOrDefault(service, Set.of()));
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
                ReleaseState gone = fold.state(e.getKey());
                fold.forget(e.getKey());
                actionable.remove(e.getKey());
                if (gone.exists()) {
                  Set<String> ids = deploying.get(gone.spec().service());
                  if (ids != null) {
                    ids.remove(e.getKey());
                  }
                }
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
