package dev.rmm.contracts;

import dev.rmm.contracts.Decision.Accepted;
import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.ConfirmBreakGlass;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.BreakGlassConfirmed;
import dev.rmm.contracts.ReleaseEvent.BreakGlassExpired;
import dev.rmm.contracts.ReleaseEvent.BreakGlassRequested;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Break-glass (issue 15 point 4), decided for {@link ReleaseDecider}: an admin forces the approval
 * of a release in manual testing with a reason, and it takes effect only when a <em>different</em>
 * admin of the policy in force confirms it within the policy's {@link
 * ApprovalPolicy#breakGlassWindow()} (15 minutes unless the policy says otherwise). The
 * confirmation appends {@link BreakGlassConfirmed} and then the same {@link ApprovalQuorumReached}
 * the approvers' quorum writes, so the release is dispatched exactly as any approved one.
 *
 * <p>Pure like the decider: "within the window" is judged from the request's {@code expires_at}
 * (its decision time plus the window of the policy in force when it was asked for) and the
 * confirmation's decision time ({@code now}).
 *
 * <p>Only {@code manual_testing} allows it: before it the stage checks have not run (nothing to
 * vouch for), after it the release is approved, final or on its way to production already.
 */
final class BreakGlassRules {

  /** The one status in which an approval can be forced. */
  static final List<ReleaseStatus> ALLOWED = List.of(ReleaseStatus.MANUAL_TESTING);

  private BreakGlassRules() {}

  static Decision force(
      ForceApprove c, ReleaseState state, ApprovalPolicy policy, Long version, Instant now) {
    if (!state.exists()) {
      return notFound(state);
    }
    String service = state.spec().service();
    if (policy == null || !policy.isAdmin(c.telegramUserId())) {
      return refuse(
          "force-approve",
          Refusal.NOT_ALLOWED,
          "user "
              + c.telegramUserId()
              + " is not an admin of "
              + service
              + named(version)
              + "; only admins may force an approval (break-glass)",
          version);
    }
    if (c.reason() == null || c.reason().isBlank()) {
      return new Refused(Refusal.INVALID, "a break-glass needs a reason", List.of());
    }
    ReleaseState.BreakGlass pending = state.breakGlass();
    Refused stale = staleCard("force-approve", c.seenVersion(), state, version);
    if (stale != null) {
      return stale;
    }
    if (!ALLOWED.contains(state.status())) {
      return refuse(
          "force-approve",
          Refusal.ILLEGAL_TRANSITION,
          "release is "
              + state.status()
              + "; an approval can be forced only in "
              + ALLOWED
              + (pending != null && pending.confirmed() ? " (it was forced already)" : ""),
          version);
    }
    if (pending != null && pending.awaitsConfirmationAt(now)) {
      if (pending.requestedBy() == c.telegramUserId()) {
        return new Accepted(List.of()); // the same admin pressed again: a repeat
      }
      return refuse(
          "force-approve",
          Refusal.CONFLICT,
          "a break-glass by "
              + pending.requestedByName()
              + " awaits a second admin"
              + until(pending)
              + "; confirm it instead of forcing again",
          version);
    }
    if (pending != null && pending.confirmed()) {
      // confirmed, but the quorum event that follows was void (see ChainRule): the second admin's
      // repeated confirmation completes it; a new request would hide the confirmation
      return refuse(
          "force-approve",
          Refusal.CONFLICT,
          "the break-glass of "
              + pending.requestedByName()
              + " was confirmed by "
              + pending.confirmedByName(),
          version);
    }
    List<ReleaseEvent> events = new ArrayList<>();
    if (pending != null && !pending.expired()) {
      events.add(lapsed(pending, "a new break-glass by " + who(c.actor(), c.telegramUserId())));
    }
    events.add(
        new BreakGlassRequested(
            c.telegramUserId(),
            who(c.actor(), c.telegramUserId()),
            clip(c.reason().strip()),
            state.spec().tag(),
            state.commitSha(),
            now == null ? null : now.plus(policy.breakGlassWindow()),
            version));
    return new Accepted(events);
  }

  static Decision confirm(
      ConfirmBreakGlass c, ReleaseState state, ApprovalPolicy policy, Long version, Instant now) {
    if (!state.exists()) {
      return notFound(state);
    }
    String service = state.spec().service();
    if (policy == null || !policy.isAdmin(c.telegramUserId())) {
      return refuse(
          "confirm-break-glass",
          Refusal.NOT_ALLOWED,
          "user "
              + c.telegramUserId()
              + " is not an admin of "
              + service
              + named(version)
              + "; only a second admin may confirm a break-glass",
          version);
    }
    ReleaseState.BreakGlass b = state.breakGlass();
    if (b == null) {
      return refuse(
          "confirm-break-glass",
          Refusal.ILLEGAL_TRANSITION,
          "no break-glass was asked for on release " + state.spec().tag(),
          version);
    }
    if (b.requestedBy() == c.telegramUserId()) {
      return refuse(
          "confirm-break-glass",
          Refusal.NOT_ALLOWED,
          b.requestedByName() + " forced this approval and may not confirm it; a second admin must",
          version);
    }
    if (b.confirmed()) {
      if (b.confirmedBy() == c.telegramUserId()) {
        // a double click; when the quorum event of the first press was void (see ChainRule), the
        // repeat completes it
        return new Accepted(
            state.status() == ReleaseStatus.MANUAL_TESTING
                ? List.of(new ApprovalQuorumReached(carriers(b), version))
                : List.of());
      }
      return refuse(
          "confirm-break-glass",
          Refusal.CONFLICT,
          "the break-glass of " + b.requestedByName() + " was confirmed by " + b.confirmedByName(),
          version);
    }
    if (b.lapsedAt(now)) {
      String detail =
          "the break-glass of "
              + b.requestedByName()
              + " lapsed unconfirmed"
              + (b.expiresAt() == null ? "" : " at " + b.expiresAt())
              + "; an admin forces it again if it is still needed";
      List<ReleaseEvent> events = new ArrayList<>();
      if (!b.expired()) {
        events.add(
            lapsed(b, who(c.actor(), c.telegramUserId()) + " confirmed at " + now + ", too late"));
      }
      events.add(
          new ActionRefused(
              "confirm-break-glass",
              Refusal.ILLEGAL_TRANSITION.name().toLowerCase(Locale.ROOT),
              detail,
              version));
      return new Refused(Refusal.ILLEGAL_TRANSITION, detail, events);
    }
    Refused stale = staleCard("confirm-break-glass", c.seenVersion(), state, version);
    if (stale != null) {
      return stale;
    }
    if (!ALLOWED.contains(state.status())) {
      return refuse(
          "confirm-break-glass",
          Refusal.ILLEGAL_TRANSITION,
          "release is " + state.status() + "; a break-glass can be confirmed only in " + ALLOWED,
          version);
    }
    if (b.commitSha() != null
        && state.commitSha() != null
        && !ReleaseDecider.sameCommit(state.commitSha(), b.commitSha())) {
      return refuse(
          "confirm-break-glass",
          Refusal.CONFLICT,
          "tag "
              + state.spec().tag()
              + " moved from commit "
              + b.commitSha()
              + " (forced) to "
              + state.commitSha()
              + " since the break-glass; nobody forced the new commit",
          version);
    }
    String confirmer = who(c.actor(), c.telegramUserId());
    return new Accepted(
        List.of(
            new BreakGlassConfirmed(
                b.requestedBy(),
                b.requestedByName(),
                c.telegramUserId(),
                confirmer,
                b.reason(),
                state.spec().tag(),
                b.commitSha(),
                version),
            new ApprovalQuorumReached(List.of(b.requestedBy(), c.telegramUserId()), version)));
  }

  /**
   * The orchestrator's timer found a request unconfirmed past its {@code expires_at}: the lapse is
   * recorded ({@link BreakGlassExpired}), as a late confirmation would have recorded it. Nothing is
   * appended for a request that was confirmed, recorded expired already, or replaced by a newer one
   * (a redelivery, a timer of an older request), and the timer is refused while the request still
   * awaits its confirmation at the decision time (the orchestrator's clock ran ahead).
   */
  static Decision expire(ReleaseCommand.ExpireBreakGlass c, ReleaseState state, Instant now) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (c.actor().kind() != Actor.Kind.ORCHESTRATOR) {
      return refuse(
          "expire-break-glass",
          Refusal.NOT_ALLOWED,
          "only the orchestrator records a break-glass that lapsed",
          null);
    }
    ReleaseState.BreakGlass b = state.breakGlass();
    if (b == null
        || b.confirmed()
        || b.expired()
        || (c.expiresAt() != null && !c.expiresAt().equals(b.expiresAt()))) {
      return new Accepted(List.of());
    }
    if (!b.lapsedAt(now)) {
      return new Refused(
          Refusal.ILLEGAL_TRANSITION,
          "the break-glass of "
              + b.requestedByName()
              + " awaits a second admin until "
              + b.expiresAt()
              + "; it has not lapsed at "
              + now,
          List.of());
    }
    return new Accepted(
        List.of(
            lapsed(
                b,
                "nobody confirmed it by "
                    + b.expiresAt()
                    + " (recorded by "
                    + c.actor().name()
                    + " at "
                    + now
                    + ")")));
  }

  /** The two admins who carried the release through: the requester and the confirmer. */
  private static List<Long> carriers(ReleaseState.BreakGlass b) {
    return List.of(b.requestedBy(), b.confirmedBy());
  }

  private static BreakGlassExpired lapsed(ReleaseState.BreakGlass b, String what) {
    return new BreakGlassExpired(
        b.requestedBy(),
        b.requestedByName(),
        b.expiresAt(),
        clip(what + ", after the request lapsed unconfirmed"));
  }

  /**
   * A card older than the release's status: the admin has not seen what the release became (see the
   * decider's check for approvals; another admin's break-glass does not make a card stale).
   */
  private static Refused staleCard(String action, Long seen, ReleaseState state, Long version) {
    if (seen == null) {
      return null;
    }
    if (seen > state.version() || seen < 1) {
      return new Refused(
          Refusal.INVALID,
          "version " + seen + " of release " + state.releaseId() + " does not exist",
          List.of());
    }
    if (seen < state.statusVersion()) {
      return refuse(
          action,
          Refusal.STALE,
          "the card showed version "
              + seen
              + " but the release has since become "
              + state.status()
              + " (version "
              + state.version()
              + ")",
          version);
    }
    return null;
  }

  /** The admin's display name: the actor's (a Telegram actor names the user), else their id. */
  private static String who(Actor actor, long telegramUserId) {
    Actor person = actor.actsOnBehalf() ? actor.onBehalfOf() : actor;
    return person.name() == null || person.name().isBlank()
        ? String.valueOf(telegramUserId)
        : person.name();
  }

  private static String until(ReleaseState.BreakGlass b) {
    return b.expiresAt() == null ? "" : " until " + b.expiresAt();
  }

  private static String named(Long version) {
    return version == null ? "" : " (policy version " + version + ")";
  }

  private static Refused refuse(String action, Refusal reason, String detail, Long version) {
    return new Refused(
        reason,
        detail,
        List.of(
            new ActionRefused(action, reason.name().toLowerCase(Locale.ROOT), detail, version)));
  }

  private static Refused notFound(ReleaseState state) {
    return new Refused(Refusal.NOT_FOUND, "release " + state.releaseId() + " not found", List.of());
  }

  private static String clip(String text) {
    if (text == null || text.length() <= ReleaseDecider.MAX_TEXT) {
      return text;
    }
    int end =
        Character.isHighSurrogate(text.charAt(ReleaseDecider.MAX_TEXT - 1))
            ? ReleaseDecider.MAX_TEXT - 1
            : ReleaseDecider.MAX_TEXT;
    return text.substring(0, end);
  }
}
