package dev.rmm.orchestrator;

import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.log.Link;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Where the orchestrator's log reader sends what it read, decided without I/O: which release a
 * record makes it look at again, which timer it sets or clears (a freeze's hold, a break-glass
 * request's expiry), and what work a release it looks at gets (its production dispatch, its
 * rollback runbook, or nothing yet). {@link Orchestrator} reads Kafka and runs the workers; the
 * rules live here, so they are tested without a broker.
 */
final class EventRouting {

  private EventRouting() {}

  /** What one record of the log asks of the orchestrator beside folding it. */
  sealed interface Route {

    /**
     * A valid event: its release is looked at again (once the reader caught up).
     *
     * @param timer the timer the event sets or ends
     */
    record Touch(String releaseId, Timer timer) implements Route {}

    /** A record that counts for nothing: a void event (lost a race) or an unreadable record. */
    record Skip(boolean unreadable, String why) implements Route {}
  }

  /** A timer that an event sets or ends. */
  sealed interface Timer {

    /** The event sets no timer. */
    record None() implements Timer {}

    /** The dispatch was held for a freeze: look at the release again when it ends. */
    record HeldUntil(Instant until) implements Timer {}

    /** The dispatch was claimed: a hold of the release is over. */
    record HoldOver() implements Timer {}

    /**
     * An admin asked for a break-glass: record its expiry if nobody confirms it by then.
     *
     * @param at null for a request decided without a time (it never lapses)
     */
    record BreakGlassExpires(Instant at) implements Timer {}
  }

  /** The work a release gets when the orchestrator looks at it. */
  enum Work {
    /** claim and send its production dispatch (on the one dispatch worker) */
    DISPATCH,
    /** run its rollback runbook (on its service's runbook worker) */
    RUNBOOK,
    /** nothing now: nothing is due, or the runbook must wait */
    NONE
  }

  static Route route(Link link) {
    if (link instanceof Link.Unreadable u) {
      return new Route.Skip(true, u.why());
    }
    if (link instanceof Link.Void v) {
      return new Route.Skip(false, v.why());
    }
    Link.Valid valid = (Link.Valid) link;
    ReleaseEvent data = valid.event().data();
    Timer timer;
    if (data instanceof ReleaseEvent.DispatchHeld h) {
      timer = new Timer.HeldUntil(h.until());
    } else if (data instanceof ReleaseEvent.DispatchStarted) {
      timer = new Timer.HoldOver();
    } else if (data instanceof ReleaseEvent.BreakGlassRequested b) {
      timer = new Timer.BreakGlassExpires(b.expiresAt());
    } else {
      timer = new Timer.None();
    }
    return new Route.Touch(valid.event().releaseId(), timer);
  }

  /**
   * A due dispatch goes first; a due runbook waits while another release of its service deploys
   * (one deploy or rollback per service at a time) and while this instance cannot yet know that the
   * partition's previous owner stopped running it. The two checks are asked only when needed, in
   * that order (the first one logs the wait).
   *
   * @param otherDeploying whether another release of the service is deploying to production
   * @param takingOver whether the runbook was started elsewhere and may still run there
   */
  static Work work(
      boolean dispatchDue,
      boolean runbookDue,
      BooleanSupplier otherDeploying,
      BooleanSupplier takingOver) {
    if (dispatchDue) {
      return Work.DISPATCH;
    }
    if (runbookDue && !otherDeploying.getAsBoolean() && !takingOver.getAsBoolean()) {
      return Work.RUNBOOK;
    }
    return Work.NONE;
  }
}
