package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseCommand.ConfirmBreakGlass;
import dev.rmm.contracts.ReleaseCommand.ExpireBreakGlass;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseEvent.BreakGlassExpired;
import dev.rmm.contracts.ReleaseEvent.BreakGlassRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The break-glass window comes from the policy in force (issue 15 point 4, configurable since issue
 * 16): a policy's {@code break_glass_window_minutes} sets when a request lapses, a policy without
 * it keeps the 15 minutes every older policy had, and a window outside 1 to 1440 minutes is refused
 * when the policy is built.
 */
class ReleaseDeciderBreakGlassWindowTest {

  private static final long SECOND_ADMIN = 901;
  private static final Instant T0 = Instant.parse("2026-03-14T10:00:00Z");
  private static final ApprovalPolicy FIVE_MINUTES =
      new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN, SECOND_ADMIN))
          .withBreakGlassWindowMinutes(5);

  private final ReleaseState testing = inStatus(MANUAL_TESTING, FIVE_MINUTES);

  private static Decision at(ReleaseCommand c, ReleaseState s, ApprovalPolicy p, Instant now) {
    return decide(c, s, null, new PolicyInForce(3, p), now);
  }

  private static ForceApprove force(long user) {
    return new ForceApprove(ID, user, "payments are down", null, telegram(user));
  }

  private static ConfirmBreakGlass confirm(long user) {
    return new ConfirmBreakGlass(ID, user, null, telegram(user));
  }

  private ReleaseState forcedAt(Instant t) {
    return evolveAll(testing, accepted(at(force(ADMIN), testing, FIVE_MINUTES, t)));
  }

  @Test
  void givenAPolicyWithAFiveMinuteWindow_whenAnAdminForces_thenTheRequestLapsesFiveMinutesLater() {
    var events = accepted(at(force(ADMIN), testing, FIVE_MINUTES, T0));

    assertThat(((BreakGlassRequested) events.get(0)).expiresAt())
        .isEqualTo(T0.plus(Duration.ofMinutes(5)));
  }

  @Test
  void givenAFiveMinuteWindow_whenTheSecondAdminConfirmsJustBeforeItEnds_thenTheQuorumIsReached() {
    ReleaseState forced = forcedAt(T0);
    Instant justBefore = T0.plus(Duration.ofMinutes(5)).minusMillis(1);

    var events = accepted(at(confirm(SECOND_ADMIN), forced, FIVE_MINUTES, justBefore));

    assertThat(evolveAll(forced, events).status()).isEqualTo(MANUAL_TEST_PASSED);
  }

  @Test
  void givenAFiveMinuteWindow_whenTheSecondAdminConfirmsAtItsEnd_thenRefusedAndRecordedExpired() {
    ReleaseState forced = forcedAt(T0);
    Instant end = T0.plus(Duration.ofMinutes(5));

    var r =
        refused(at(confirm(SECOND_ADMIN), forced, FIVE_MINUTES, end), Refusal.ILLEGAL_TRANSITION);

    assertThat(r.detail()).contains("lapsed unconfirmed at " + end);
    assertThat(r.events().get(0)).isInstanceOf(BreakGlassExpired.class);
    assertThat(evolveAll(forced, r.events()).status()).isEqualTo(MANUAL_TESTING);
  }

  @Test
  void givenAFiveMinuteWindow_whenTheOrchestratorsTimerFiresAtItsEnd_thenTheLapseIsRecorded() {
    ReleaseState forced = forcedAt(T0);
    Instant end = T0.plus(Duration.ofMinutes(5));
    var timer =
        new ExpireBreakGlass(
            ID,
            end,
            new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator"));

    assertThat(
            refused(at(timer, forced, FIVE_MINUTES, end.minusMillis(1)), Refusal.ILLEGAL_TRANSITION)
                .detail())
        .contains("has not lapsed");
    assertThat(accepted(at(timer, forced, FIVE_MINUTES, end)))
        .singleElement()
        .isInstanceOf(BreakGlassExpired.class);
  }

  @Test
  void givenAPolicyWithoutAWindow_whenAnAdminForces_thenTheRequestLapsesAfterFifteenMinutes() {
    ApprovalPolicy older = new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN, SECOND_ADMIN));

    var events = accepted(at(force(ADMIN), inStatus(MANUAL_TESTING, older), older, T0));

    assertThat(older.breakGlassWindowMinutes()).isNull();
    assertThat(((BreakGlassRequested) events.get(0)).expiresAt())
        .isEqualTo(T0.plus(Duration.ofMinutes(15)));
  }

  @Test
  void givenARequestUnderAFiveMinuteWindow_whenThePolicyLaterWidensIt_thenTheRequestKeepsItsEnd() {
    ReleaseState forced = forcedAt(T0);
    ApprovalPolicy widened = FIVE_MINUTES.withBreakGlassWindowMinutes(60);

    var r =
        refused(
            at(confirm(SECOND_ADMIN), forced, widened, T0.plus(Duration.ofMinutes(6))),
            Refusal.ILLEGAL_TRANSITION);

    assertThat(r.detail()).contains("lapsed unconfirmed at " + T0.plus(Duration.ofMinutes(5)));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 1441})
  void givenAWindowOutsideOneMinuteToADay_whenThePolicyIsBuilt_thenItIsRefused(int minutes) {
    assertThatThrownBy(() -> FIVE_MINUTES.withBreakGlassWindowMinutes(minutes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the break-glass window must be 1 to 1440 minutes, was " + minutes);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 1440})
  void givenAWindowAtTheBounds_whenThePolicyIsBuilt_thenItHolds(int minutes) {
    assertThat(FIVE_MINUTES.withBreakGlassWindowMinutes(minutes).breakGlassWindow())
        .isEqualTo(Duration.ofMinutes(minutes));
  }
}
