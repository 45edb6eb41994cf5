package dev.rmm.orchestrator;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
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
 * <p><b>Bounded memory.</b> With a {@link History} of the log, a release leaves memory once it is
 * settled (a final status, or {@code deployed} with nothing due): nothing of it stays, not even its
 * chain head. What can still follow (an admin's rollback of a deployed release, days later) is
 * rare, so such an event (one of a release this object does not hold, past its first) is judged by
 * folding that release's records again from the log through the same rule: at once when caught up,
 * and for all such releases in one read of each partition when the initial read reaches the log's
 * end ({@link #caughtUp}). A first event of a release id seen before is then taken as a new
 * release; only a forged log can hold one (ids are new UUIDs), and a forger with write access can
 * make a new release anyway. Without a history (unit tests of the rule) every release stays in
 * memory.
 *
 * <p>The log thread folds; the dispatch and runbook workers and the recheck read. The fold is not
 * thread-safe, so every method holds this object's lock (each is short, except a fold from the log,
 * which is rare).
 */
final class OwnedReleases {

  /** The log, read again for the records of releases no longer in memory. */
  interface History {
    /**
     * The records of {@code releaseIds} in {@code partition} below {@code upTo}, by release, in
     * partition order.
     */
    Map<String, List<byte[]>> records(int partition, Set<String> releaseIds, long upTo);
  }

  private final History history;
  private final StateFold fold = new StateFold();

  /** Releases met while catching up that are not in memory (settled earlier), by partition. */
  private final Map<Integer, Set<String>> deferred = new HashMap<>();

  /** Whether the initial read of the assigned partitions reached their ends. */
  private boolean live;

  /** Releases that left memory since the start (settled), for the log line and the tests. */
  private long settledAway;

  /** Every release stays in memory (no history to fold one again from). */
  OwnedReleases() {
    this(null);
  }

  OwnedReleases(History history) {
    this.history = history;
  }

  private final Map<String, Integer> partitionOf = new HashMap<>();
  private final Map<String, String> traceOf = new HashMap<>();

  /**
   * Releases the orchestrator may have to act on (a dispatch or a runbook may be due), so that a
   * recheck looks at those, not at every release ever read.
   */
  private final Set<String> actionable = new HashSet<>();

  /** Releases being deployed to production, by service: a rollback of the service waits. */
  private final Map<String, Set<String>> deploying = new HashMap<>();

  /**
   * For each release whose runbook is started and not ended, when (local {@link System#nanoTime})
   * this instance last saw a sign of life of it: a runbook event read from the log, or found by
   * reading the log again. A new owner's wait before it declares the runbook interrupted counts
   * from here when this is later than its getting the partition.
   */
  private final Map<String, Long> runbookSeenAt = new HashMap<>();

  /** Folds the next record read from {@code partition}; the link says whether it counted. */
  synchronized Link apply(int partition, String key, byte[] stored) {
    return apply(partition, -1, key, stored);
  }

  /**
   * Folds the record at {@code offset} of {@code partition}; the link says whether it counted. A
   * later event of a release that left memory is judged by folding its records from the log again
   * (see the class comment); while catching up it is put off, and its link is void for now.
   */
  synchronized Link apply(int partition, long offset, String key, byte[] stored) {
    if (history != null && offset >= 0) {
      EventEnvelope e;
      try {
        e = EventCodec.decode(stored);
      } catch (EventCodec.MalformedEventException ex) {
        return new Link.Unreadable(key, ex.getMessage());
      }
      String id = e.releaseId();
      if (e.sequence() > 1 && !partitionOf.containsKey(id)) {
        if (!live) {
          deferred.computeIfAbsent(partition, p -> new HashSet<>()).add(id);
          return new Link.Void(e, "put off: its release is folded from the log once caught up");
        }
        return refold(partition, id, offset + 1);
      }
      Set<String> waiting = deferred.get(partition);
      if (waiting != null && waiting.contains(id)) {
        return new Link.Void(e, "put off: its release is folded from the log once caught up");
      }
      return counted(partition, fold.accept(e, stored));
    }
    return counted(partition, fold.accept(key, stored));
  }

  private Link counted(int partition, Link link) {
    if (link instanceof Link.Valid v) {
      String id = v.event().releaseId();
      partitionOf.put(id, partition);
      if (v.event().traceparent() != null) {
        traceOf.put(id, v.event().traceparent());
      }
      ReleaseState s = fold.state(id);
      index(s);
      seen(s, v.event().data());
      settle(s);
    }
    return link;
  }

  /** Notes a runbook event as a sign of life of the instance running the runbook. */
  private void seen(ReleaseState s, ReleaseEvent e) {
    if (s.runbook() == null || s.runbook().finished()) {
      runbookSeenAt.remove(s.releaseId());
    } else if (e instanceof ReleaseEvent.RunbookStarted || e instanceof ReleaseEvent.RunbookStep) {
      runbookSeenAt.put(s.releaseId(), System.nanoTime());
    }
  }

  /** A settled release leaves memory when the log can give it back. */
  private void settle(ReleaseState s) {
    if (history == null || !settled(s)) {
      return;
    }
    String id = s.releaseId();
    fold.forget(id);
    partitionOf.remove(id);
    traceOf.remove(id);
    actionable.remove(id);
    runbookSeenAt.remove(id);
    settledAway++;
  }

  private static boolean settled(ReleaseState s) {
    return s.exists()
        && s.status() != null
        && (s.status().isTerminal() || s.status() == ReleaseStatus.DEPLOYED)
        && !mayAct(s)
        && (s.runbook() == null || s.runbook().finished());
  }

  /**
   * Folds the release's records below {@code upTo} from the log again; the link of the last one
   * (the record being applied) is the answer.
   */
  private Link refold(int partition, String id, long upTo) {
    List<byte[]> records = history.records(partition, Set.of(id), upTo).getOrDefault(id, List.of());
    return adopt(partition, id, records);
  }

  private Link adopt(int partition, String id, List<byte[]> records) {
    StateFold again = new StateFold();
    Link last = null;
    String trace = null;
    for (byte[] r : records) {
      last = again.accept(id, r);
      if (last instanceof Link.Valid v && v.event().traceparent() != null) {
        trace = v.event().traceparent();
      }
    }
    ReleaseState s = again.state(id);
    if (s.exists()) {
      fold.put(s, again.head(id));
      partitionOf.put(id, partition);
      if (trace != null) {
        traceOf.put(id, trace);
      }
      index(s);
      if (s.runbook() != null && !s.runbook().finished()) {
        runbookSeenAt.put(id, System.nanoTime());
      }
      settle(s);
    }
    return last;
  }

  /**
   * The initial read reached the ends ({@code positions}: each assigned partition's next offset):
   * the releases put off meanwhile are folded from the log, one read of each partition.
   */
  synchronized void caughtUp(Map<Integer, Long> positions) {
    live = true;
    if (history == null) {
      return;
    }
    for (var e : deferred.entrySet()) {
      Long upTo = positions.get(e.getKey());
      if (upTo == null) {
        continue; // the partition went away meanwhile
      }
      history
          .records(e.getKey(), e.getValue(), upTo)
          .forEach((id, records) -> adopt(e.getKey(), id, records));
    }
    deferred.clear();
  }

  /** Partitions were assigned: until {@link #caughtUp}, later events of settled releases wait. */
  synchronized void catchingUp() {
    live = false;
  }

  /** How many releases left memory since the start. */
  synchronized long settledAway() {
    return settledAway;
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
    partitions.forEach(deferred::remove);
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
                runbookSeenAt.remove(e.getKey());
                return true;
              }
              return false;
            });
  }

  /**
   * When (local {@link System#nanoTime}) this instance last saw a sign of life of the release's
   * unfinished runbook, or null when it saw none.
   */
  synchronized Long runbookSeenAt(String releaseId) {
    return runbookSeenAt.get(releaseId);
  }

  /**
   * The log showed the release's runbook moving on (read again before declaring it interrupted):
   * its owner was alive a moment ago, so the wait starts again from now.
   */
  synchronized void runbookSeenNow(String releaseId) {
    if (partitionOf.containsKey(releaseId)) {
      runbookSeenAt.put(releaseId, System.nanoTime());
    }
  }

  synchronized int size() {
    return fold.size();
  }
}
