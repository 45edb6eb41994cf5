package dev.rmm.orchestrator.freeze;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.Freezes;
import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseState;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Freeze windows at dispatch time (issue 15 point 5): whether an approved release's dispatch is
 * held now, by the freeze windows of the policy in force (from the log) and this instance's clock.
 * A held dispatch is recorded in the log once per freeze ({@code release.hold-dispatch.v1}, whose
 * command id names the release and the freeze's end), again only when the end moves (a policy
 * change extended or shortened the freeze); the orchestrator looks at the release again when the
 * freeze ends ({@code wakeAt}) and on every recheck, and then dispatches it under the usual
 * exactly-once rules. A release whose approval was forced by a confirmed break-glass is never held.
 */
public final class FreezeGate {

  private static final Logger LOG = Logger.getLogger(FreezeGate.class);

  /** Never holds anything: for tests of dispatching that have no policy. */
  public static final FreezeGate NONE =
      new FreezeGate(() -> Optional.of(PolicyHistory.NONE), Clock.systemUTC(), (id, at) -> {});

  /** Records a held dispatch through release-api; true once the log has it (or had it). */
  @FunctionalInterface
  public interface Announcer {
    boolean announce(ReleaseCommand.HoldDispatch hold, String commandId);
  }

  private final Supplier<Optional<PolicyHistory>> policies;
  private final Clock clock;
  private final BiConsumer<String, Instant> wakeAt;

  /** The end of the newest hold the log has for each release (read from it, or recorded here). */
  private final Map<String, Instant> heldUntil = new ConcurrentHashMap<>();

  /** The freeze end each release is to be looked at again at (so it is scheduled once). */
  private final Map<String, Instant> wakeups = new ConcurrentHashMap<>();

  /** Releases already told to wait for the policy to be read (one log line each). */
  private final Set<String> waitingForPolicy = ConcurrentHashMap.newKeySet();

  /**
   * @param policies the policy in force, empty while it is not known (then dispatches wait)
   * @param clock what "now" is for the freeze windows
   * @param wakeAt asked to look at a release again at the end of its freeze
   */
  public FreezeGate(
      Supplier<Optional<PolicyHistory>> policies, Clock clock, BiConsumer<String, Instant> wakeAt) {
    this.policies = policies;
    this.clock = clock;
    this.wakeAt = wakeAt;
  }

  /** The log holds a hold of the release's dispatch until {@code until}. */
  public void heldInLog(String releaseId, Instant until) {
    heldUntil.put(releaseId, until);
  }

  /**
   * Whether the release's dispatch is held now. When it is, the hold is recorded (once per freeze
   * end) with {@code announcer}, and the release is to be looked at again when the freeze ends.
   */
  public boolean holds(ReleaseState s, Actor actor, Announcer announcer) {
    if (s.breakGlassConfirmed()) {
      forget(s.releaseId());
      return false; // an approval forced by a confirmed break-glass passes a freeze
    }
    Optional<PolicyHistory> known = policies.get();
    if (known.isEmpty()) {
      if (waitingForPolicy.add(s.releaseId())) {
        LOG.infof(
            "Release %s: not dispatched yet: the policy in force (its freeze windows) is not read"
                + " yet",
            s.releaseId());
      }
      return true;
    }
    waitingForPolicy.remove(s.releaseId());
    PolicyHistory h = known.get();
    Optional<Freezes.Frozen> frozen =
        h.current() == null
            ? Optional.empty()
            : Freezes.at(h.current().freezes(), s.spec().service(), clock.instant());
    if (frozen.isEmpty()) {
      forget(s.releaseId());
      return false;
    }
    Freezes.Frozen f = frozen.get();
    if (!f.until().equals(wakeups.put(s.releaseId(), f.until()))) {
      wakeAt.accept(s.releaseId(), f.until());
    }
    if (!f.until().equals(heldUntil.get(s.releaseId()))) {
      LOG.infof(
          "Release %s of %s: dispatch held by a freeze until %s%s (policy version %d)",
          s.releaseId(),
          s.spec().service(),
          f.until(),
          f.reason() == null ? "" : " (" + f.reason() + ")",
          h.version());
      ReleaseCommand.HoldDispatch hold =
          new ReleaseCommand.HoldDispatch(s.releaseId(), f.until(), f.reason(), h.version(), actor);
      if (announcer.announce(hold, "hold-" + s.releaseId() + "-" + f.until().toEpochMilli())) {
        heldUntil.put(s.releaseId(), f.until());
      }
    }
    return true;
  }

  /** The release's dispatch was claimed (or it left): nothing of it is kept here any more. */
  public void forget(String releaseId) {
    heldUntil.remove(releaseId);
    wakeups.remove(releaseId);
    waitingForPolicy.remove(releaseId);
  }
}
