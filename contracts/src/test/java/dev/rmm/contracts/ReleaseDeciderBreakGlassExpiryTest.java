package dev.rmm.contracts;

import static dev.rmm.contracts.ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW;
import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseCommand.ConfirmBreakGlass;
import dev.rmm.contracts.ReleaseCommand.ExpireBreakGlass;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseEvent.BreakGlassExpired;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A break-glass request nobody confirms lapses after its window (the default 15 minutes here), and
 * the orchestrator's timer has it recorded ({@code release.expire-break-glass.v1} -> {@code
 * release.break-glass-expired.v1}) even when no admin touches the release again: judged with the
 * decision time, once, and never for a request that was confirmed or replaced.
 */
class ReleaseDeciderBreakGlassExpiryTest {

  private static final long SECOND_ADMIN = 901;
  private static final ApprovalPolicy TWO_ADMINS =
      new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN, SECOND_ADMIN));
  private static final Instant T0 = Instant.parse("2026-03-14T10:00:00Z");
  private static final Instant EXPIRES = T0.plus(DEFAULT_BREAK_GLASS_WINDOW);
  private static final PolicyInForce POLICY = new PolicyInForce(7, TWO_ADMINS);
  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");

  private final ReleaseState testing = inStatus(MANUAL_TESTING, TWO_ADMINS);

  private static Decision at(ReleaseCommand c, ReleaseState s, Instant now) {
    return decide(c, s, null, POLICY, now);
  }

  private ReleaseState forced() {
    return evolveAll(
        testing,
        accepted(at(new ForceApprove(ID, ADMIN, "hotfix", null, telegram(ADMIN)), testing, T0)));
  }

  private static ExpireBreakGlass timer(Instant expiresAt) {
    return new ExpireBreakGlass(ID, expiresAt, ORCHESTRATOR);
  }

  @Test
  void givenAnUnconfirmedRequest_whenTheTimerFiresAfterItsWindow_thenTheExpiryIsRecorded() {
    ReleaseState forced = forced();

    List<ReleaseEvent> events = accepted(at(timer(EXPIRES), forced, EXPIRES.plusSeconds(1)));

    assertThat(events).singleElement().isInstanceOf(BreakGlassExpired.class);
    BreakGlassExpired expired = (BreakGlassExpired) events.get(0);
    assertThat(expired.requestedBy()).isEqualTo(ADMIN);
    assertThat(expired.expiresAt()).isEqualTo(EXPIRES);
    ReleaseState after = evolveAll(forced, events);
    assertThat(after.breakGlass().expired()).isTrue();
    assertThat(after.status()).isEqualTo(MANUAL_TESTING);
    // a redelivered timer: nothing more
    assertThat(accepted(at(timer(EXPIRES), after, EXPIRES.plusSeconds(5)))).isEmpty();
  }

  @Test
  void givenARequestStillInItsWindow_whenTheTimerFiresEarly_thenItIsRefusedAndAppendsNothing() {
    assertThat(
            refused(
                    at(timer(EXPIRES), forced(), EXPIRES.minusSeconds(1)),
                    Refusal.ILLEGAL_TRANSITION)
                .events())
        .isEmpty();
  }

  @Test
  void givenAConfirmedRequest_whenTheTimerFires_thenNothingIsAppended() {
    ReleaseState forced = forced();
    ReleaseState confirmed =
        evolveAll(
            forced,
            accepted(
                at(
                    new ConfirmBreakGlass(ID, SECOND_ADMIN, null, telegram(SECOND_ADMIN)),
                    forced,
                    T0.plusSeconds(60))));

    assertThat(accepted(at(timer(EXPIRES), confirmed, EXPIRES.plusSeconds(1)))).isEmpty();
  }

  @Test
  void givenATimerOfAnOlderRequest_whenANewerOneAwaits_thenNothingIsAppended() {
    assertThat(accepted(at(timer(EXPIRES.minusSeconds(600)), forced(), EXPIRES.plusSeconds(1))))
        .isEmpty();
  }

  @Test
  void givenTheCommandFromSomebodyElse_whenDecided_thenItIsNotAllowed() {
    refused(
        at(new ExpireBreakGlass(ID, EXPIRES, telegram(SECOND_ADMIN)), forced(), EXPIRES),
        Refusal.NOT_ALLOWED);
  }
}
