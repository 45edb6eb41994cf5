package dev.rmm.orchestrator.supersede;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseOrder;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.Link;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every release of every service that superseding can still concern, folded from all partitions of
 * the log through the chain rule ({@link ChainFold}: a void event changes nothing). Releases are
 * partitioned by release id, so no decision of release-api sees two releases of a service; this
 * view does, and says which older release a newer one supersedes (docs/events.md, "Superseding").
 *
 * <p>A newer release <i>N</i> supersedes an older release <i>O</i> of the same service ({@link
 * ReleaseOrder}) when <i>N</i> reached {@code manual_testing} and still stands ({@code
 * manual_testing} to {@code deployed}), <i>O</i> existed by then, and <i>O</i> has not started
 * toward production (its status is before {@code deploying}, not final, and no dispatch was
 * claimed). Manual testing is the moment because <i>N</i> is then built and rehearsed on stage: a
 * tag that breaks on stage never clears the release the team may still ship. Besides, no release is
 * dispatched while a newer one of its service was approved ({@link #newerThan}): that covers a
 * hotfix tagged after the newer release reached stage.
 *
 * <p>Memory: a release leaves once it is final, and a deployed one once a newer one of its service
 * is deployed; only the chain heads of the others stay. Not thread-safe on its own: every method
 * holds this object's lock (the log thread folds, the dispatch worker asks).
 */
public final class ServiceReleases {

  /** Statuses in which a release that reached stage supersedes older ones. */
  private static final Set<ReleaseStatus> STANDING =
      EnumSet.of(
          ReleaseStatus.MANUAL_TESTING,
          ReleaseStatus.MANUAL_TEST_PASSED,
          ReleaseStatus.DEPLOYING,
          ReleaseStatus.DEPLOYED);

  /** Statuses of a release whose approval quorum was reached and that was not undone. */
  private static final Set<ReleaseStatus> APPROVED =
      EnumSet.of(ReleaseStatus.MANUAL_TEST_PASSED, ReleaseStatus.DEPLOYING, ReleaseStatus.DEPLOYED);

  /**
   * What superseding needs to know of one release.
   *
   * @param stagedAt when it reached manual_testing, or null before
   * @param dispatchClaimed whether its production dispatch was claimed (it is production's then)
   */
  public record Line(
      String releaseId,
      String service,
      String tag,
      Instant createdAt,
      ReleaseStatus status,
      Instant stagedAt,
      boolean dispatchClaimed,
      ReleaseOrder.Candidate candidate) {

    public Line(
        String releaseId,
        String service,
        String tag,
        Instant createdAt,
        ReleaseStatus status,
        Instant stagedAt,
        boolean dispatchClaimed) {
      this(
          releaseId,
          service,
          tag,
          createdAt,
          status,
          stagedAt,
          dispatchClaimed,
          new ReleaseOrder.Candidate(releaseId, tag, createdAt));
    }

    boolean supersedable() {
      return status.isSupersedable() && !dispatchClaimed;
    }

    Line with(ReleaseStatus next, Instant at) {
      Instant staged = stagedAt == null && next == ReleaseStatus.MANUAL_TESTING ? at : stagedAt;
      return new Line(releaseId, service, tag, createdAt, next, staged, dispatchClaimed, candidate);
    }

    Line claimed() {
      return new Line(releaseId, service, tag, createdAt, status, stagedAt, true, candidate);
    }
  }

  /** An older release to supersede, and the newer one that does it. */
  public record Due(Line older, Line newer) {
    /** The command id: the same pair gives the same id, so a redelivery has one effect. */
    public String commandId() {
      return "supersede-" + older.releaseId() + "-" + newer.releaseId();
    }
  }

  /**
   * One service's releases in view, and among them those that stand (reached manual testing and
   * still stand): only those can supersede, so {@link #due} looks at each older release against
   * them alone. A service rarely has more than one or two standing releases, while it can have
   * thousands of releases in view (every tag pushed and not final yet), so checking every release
   * against every other one (as this class did) made each event cost the square of that: the
   * write-path benchmark found the orchestrator using a whole core on it (docs/benchmarks.md).
   */
  private static final class OfService {
    final Map<String, Line> lines = new HashMap<>();

    /**
     * Kept newest first, so that {@link #due} walks it as it is: sorting it on every look was most
     * of the orchestrator's CPU once the write-path benchmark left hundreds of releases standing in
     * a service (their supersede commands still in flight).
     */
    final NavigableMap<ReleaseOrder.Candidate, Line> standing =
        new TreeMap<>(ReleaseOrder.OLDEST_FIRST.reversed());

    /** Moves whenever a release begins or stops standing. */
    long standingChanges;

    /** Since the last look: releases created while others stood, to be looked at alone. */
    final Set<String> fresh = new HashSet<>();

    /** Since the last look: a release began or stopped standing, so every release is looked at. */
    boolean allToLook;

    void put(Line line) {
      lines.put(line.releaseId(), line);
      if (STANDING.contains(line.status()) && line.stagedAt() != null) {
        if (standing.put(line.candidate(), line) == null) {
          standingChanges++;
        }
      } else if (standing.remove(line.candidate()) != null) {
        standingChanges++;
      }
    }

    void remove(String releaseId) {
      Line line = lines.remove(releaseId);
      if (line != null && standing.remove(line.candidate()) != null) {
        standingChanges++;
      }
    }
  }

  private static final OfService NONE = new OfService();

  private ChainFold fold = new ChainFold();
  private final Map<String, Line> lines = new HashMap<>();
  private final Map<String, OfService> byService = new HashMap<>();

  /**
   * Folds the next record of a partition. Returns the event's service when it may have made an
   * older release of it due: a release of the service began or stopped standing, or one was created
   * while others stand. Nothing else can (whether a release is older, and when it was created,
   * never change; a release only ever stops being supersedable), so the other events of a busy
   * service do not make the orchestrator look at all its releases again.
   */
  public synchronized Optional<String> apply(String key, byte[] stored) {
    Link link = fold.accept(key, stored);
    if (!(link instanceof Link.Valid v)) {
      return Optional.empty();
    }
    EventEnvelope e = v.event();
    Line before = lines.get(e.releaseId());
    String service =
        before != null
            ? before.service()
            : e.data() instanceof ReleaseEvent.ReleaseCreated c ? c.spec().service() : null;
    if (service == null) {
      return Optional.empty(); // final or dominated: nothing of it matters any more
    }
    OfService ofService = byService.get(service);
    long changesBefore = ofService == null ? 0 : ofService.standingChanges;
    apply(e);
    OfService after = byService.get(service);
    if (after == null) {
      return Optional.empty();
    }
    if (after.standingChanges != changesBefore) {
      after.allToLook = true;
    } else if (before == null && !after.standing.isEmpty()) {
      after.fresh.add(e.releaseId());
    } else {
      return Optional.empty();
    }
    return Optional.of(service);
  }

  private void apply(EventEnvelope e) {
    ReleaseEvent d = e.data();
    if (d instanceof ReleaseEvent.ReleaseCreated c) {
      put(
          new Line(
              e.releaseId(),
              c.spec().service(),
              c.spec().tag(),
              e.occurredAt(),
              ReleaseStatus.INITIATED,
              null,
              false));
      return;
    }
    Line line = lines.get(e.releaseId());
    if (line == null) {
      return; // final or dominated: nothing of it matters any more
    }
    Line next = line;
    if (d instanceof ReleaseEvent.StatusChanged c) {
      next = line.with(c.to(), e.occurredAt());
    } else if (d instanceof ReleaseEvent.ApprovalQuorumReached) {
      next = line.with(ReleaseStatus.MANUAL_TEST_PASSED, e.occurredAt());
    } else if (d instanceof ReleaseEvent.ReleaseRejected) {
      next = line.with(ReleaseStatus.MANUAL_TEST_FAILED, e.occurredAt());
    } else if (d instanceof ReleaseEvent.RollbackRequested) {
      next = line.with(ReleaseStatus.PRODUCTION_ROLLBACK, e.occurredAt());
    } else if (d instanceof ReleaseEvent.ReleaseCancelled
        || d instanceof ReleaseEvent.ReleaseSuperseded) {
      next = line.with(ReleaseStatus.CANCELLED, e.occurredAt());
    } else if (d instanceof ReleaseEvent.DispatchStarted) {
      next = line.claimed();
    }
    if (next != line) {
      put(next);
    }
  }

  private void put(Line line) {
    OfService ofService = byService.computeIfAbsent(line.service(), s -> new OfService());
    if (line.status().isTerminal()) {
      lines.remove(line.releaseId());
      ofService.remove(line.releaseId());
      return;
    }
    if (line.status() == ReleaseStatus.DEPLOYED) {
      // the newest deployed release stands for every older deployed one
      for (Line other : List.copyOf(ofService.lines.values())) {
        if (other.status() == ReleaseStatus.DEPLOYED
            && !other.releaseId().equals(line.releaseId())) {
          if (ReleaseOrder.newer(line.candidate(), other.candidate())) {
            lines.remove(other.releaseId());
            ofService.remove(other.releaseId());
          } else {
            lines.remove(line.releaseId());
            ofService.remove(line.releaseId());
            return;
          }
        }
      }
    }
    lines.put(line.releaseId(), line);
    ofService.put(line);
  }

  /**
   * What became due in {@code service} since the last look, from the events folded since: every
   * release when one began or stopped standing, otherwise only the releases created meanwhile (a
   * busy service's thousands of releases are not looked at again for each new one).
   */
  public synchronized List<Due> newlyDue(String service) {
    OfService ofService = byService.get(service);
    if (ofService == null) {
      return List.of();
    }
    if (ofService.allToLook) {
      return due(service);
    }
    if (ofService.fresh.isEmpty()) {
      return List.of();
    }
    Collection<Line> newestFirst = ofService.standing.values();
    List<Due> out = new ArrayList<>();
    for (String id : ofService.fresh) {
      Line line = ofService.lines.get(id);
      if (line != null) {
        supersededBy(line, newestFirst).ifPresent(newer -> out.add(new Due(line, newer)));
      }
    }
    ofService.fresh.clear();
    return out;
  }

  /** The older releases of {@code service} that a newer one supersedes now. */
  public synchronized List<Due> due(String service) {
    OfService ofService = byService.getOrDefault(service, NONE);
    if (ofService != NONE) {
      ofService.allToLook = false;
      ofService.fresh.clear();
    }
    if (ofService.standing.isEmpty()) {
      return List.of(); // nothing reached manual testing: nothing supersedes
    }
    Collection<Line> newestFirst = ofService.standing.values();
    List<Due> out = new ArrayList<>();
    for (Line older : ofService.lines.values()) {
      supersededBy(older, newestFirst).ifPresent(newer -> out.add(new Due(older, newer)));
    }
    return out;
  }

  /** Every service with a release in view. */
  public synchronized List<String> services() {
    return List.copyOf(byService.keySet());
  }

  /**
   * Why a release must not be dispatched: the newest release of its service that supersedes it, or
   * that is newer and was approved (its quorum reached, not rolled back or failed). Empty: nothing
   * newer stands in its way.
   */
  public synchronized Optional<Line> newerThan(String releaseId) {
    Line older = lines.get(releaseId);
    if (older == null) {
      return Optional.empty();
    }
    OfService ofService = byService.getOrDefault(older.service(), NONE);
    Optional<Line> superseding = supersededBy(older, ofService);
    if (superseding.isPresent()) {
      return superseding;
    }
    return ofService.lines.values().stream()
        .filter(n -> APPROVED.contains(n.status()))
        .filter(n -> ReleaseOrder.newer(n.candidate(), older.candidate()))
        .max((a, b) -> ReleaseOrder.compare(a.candidate(), b.candidate()));
  }

  private static Optional<Line> supersededBy(Line older, OfService ofService) {
    return supersededBy(older, ofService.standing.values());
  }

  /**
   * The newest of {@code standingNewestFirst} that supersedes {@code older}: the first one, walking
   * from the newest, that reached manual testing after {@code older} was created; none once they
   * are no longer newer than {@code older}. Usually the first one looked at.
   */
  private static Optional<Line> supersededBy(Line older, Collection<Line> standingNewestFirst) {
    if (!older.supersedable()) {
      return Optional.empty();
    }
    for (Line n : standingNewestFirst) {
      if (!ReleaseOrder.newer(n.candidate(), older.candidate())) {
        return Optional.empty();
      }
      if (!older.createdAt().isAfter(n.stagedAt())) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /** Starts again from nothing (the log is read from its start again). */
  public synchronized void clear() {
    lines.clear();
    byService.clear();
    fold = new ChainFold();
  }

  /** How many releases are in view (for the log line and the tests). */
  public synchronized int size() {
    return lines.size();
  }
}
