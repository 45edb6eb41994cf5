package dev.rmm.contracts;

import static dev.rmm.contracts.ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW;
import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.ConfirmBreakGlass;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.BreakGlassConfirmed;
import dev.rmm.contracts.ReleaseEvent.BreakGlassExpired;
import dev.rmm.contracts.ReleaseEvent.BreakGlassRequested;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Break-glass (issue 15 point 4): an admin forces an approval with a reason; it counts only once a
 * different admin confirms it within the policy's window (the default 15 minutes here), judged from
 * the request's {@code expires_at} and the decision time (no clock), and then the release passes
 * manual testing through the same quorum event as the approvers' quorum.
 */
class ReleaseDeciderBreakGlassTest {

  private static final long SECOND_ADMIN = 901;
  private static final ApprovalPolicy TWO_ADMINS =
      new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN, SECOND_ADMIN));
  private static final Instant T0 = Instant.parse("2026-03-14T10:00:00Z");
  private static final PolicyInForce POLICY = new PolicyInForce(7, TWO_ADMINS);

  private final ReleaseState testing = inStatus(MANUAL_TESTING, TWO_ADMINS);

  private static ForceApprove force(long user, String reason) {
    return new ForceApprove(ID, user, reason, null, telegram(user));
  }

  private static ConfirmBreakGlass confirm(long user) {
    return new ConfirmBreakGlass(ID, user, null, telegram(user));
  }

  private static Decision at(ReleaseCommand c, ReleaseState s, Instant now) {
    return decide(c, s, null, POLICY, now);
  }

  private ReleaseState forced() {
    return evolveAll(testing, accepted(at(force(ADMIN, " payments are down "), testing, T0)));
  }

  @Test
  void givenAReleaseInManualTesting_whenAnAdminForcesIt_thenARequestAwaitsASecondAdmin() {
    var events = accepted(at(force(ADMIN, " payments are down "), testing, T0));

    assertThat(events)
        .containsExactly(
            new BreakGlassRequested(
                ADMIN,
                "user 900",
                "payments are down",
                "v1.2.3",
                testing.commitSha(),
                T0.plus(DEFAULT_BREAK_GLASS_WINDOW),
                7L));
    ReleaseState after = evolveAll(testing, events);
    assertThat(after.status()).isEqualTo(MANUAL_TESTING);
    assertThat(after.statusVersion()).isEqualTo(testing.statusVersion());
    assertThat(after.breakGlass().awaitsConfirmationAt(T0.plusSeconds(60))).isTrue();
    assertThat(after.breakGlassConfirmed()).isFalse();
  }

  @Test
  void givenAForcedRelease_whenASecondAdminConfirmsWithinTheWindow_thenTheQuorumIsReachedOnce() {
    ReleaseState forced = forced();
    Instant justBefore = T0.plus(DEFAULT_BREAK_GLASS_WINDOW).minusMillis(1);

    var events = accepted(at(confirm(SECOND_ADMIN), forced, justBefore));

    assertThat(events)
        .containsExactly(
            new BreakGlassConfirmed(
                ADMIN,
                "user 900",
                SECOND_ADMIN,
                "user 901",
                "payments are down",
                "v1.2.3",
                testing.commitSha(),
                7L),
            new ApprovalQuorumReached(List.of(ADMIN, SECOND_ADMIN), 7L));
    ReleaseState passed = evolveAll(forced, events);
    assertThat(passed.status()).isEqualTo(MANUAL_TEST_PASSED);
    assertThat(passed.breakGlassConfirmed()).isTrue();
    // the second admin's double click adds nothing
    assertThat(accepted(at(confirm(SECOND_ADMIN), passed, justBefore))).isEmpty();
  }

  @Test
  void givenAForcedRelease_whenTheSameAdminConfirms_thenRefusedAndAudited() {
    Refused r = refused(at(confirm(ADMIN), forced(), T0.plusSeconds(5)), Refusal.NOT_ALLOWED);

    assertThat(r.detail()).contains("may not confirm it; a second admin must");
    audited(r, "confirm-break-glass");
  }

  @Test
  void givenAForcedRelease_whenConfirmedAtOrAfterFifteenMinutes_thenRefusedAndRecordedAsExpired() {
    ReleaseState forced = forced();
    Instant deadline = T0.plus(DEFAULT_BREAK_GLASS_WINDOW);

    Refused r = refused(at(confirm(SECOND_ADMIN), forced, deadline), Refusal.ILLEGAL_TRANSITION);

    assertThat(r.detail()).contains("lapsed unconfirmed at " + deadline);
    assertThat(r.events()).hasSize(2);
    assertThat(r.events().get(0)).isInstanceOf(BreakGlassExpired.class);
    assertThat(((BreakGlassExpired) r.events().get(0)).expiresAt()).isEqualTo(deadline);
    ReleaseState after = evolveAll(forced, r.events());
    assertThat(after.status()).isEqualTo(MANUAL_TESTING);
    assertThat(after.breakGlass().expired()).isTrue();
    assertThat(after.breakGlassConfirmed()).isFalse();
    // a second late confirmation does not record the expiry again
    Refused again =
        refused(
            at(confirm(SECOND_ADMIN), after, deadline.plusSeconds(60)), Refusal.ILLEGAL_TRANSITION);
    assertThat(again.events()).noneMatch(e -> e instanceof BreakGlassExpired);
  }

  @Test
  void givenALapsedRequest_whenAnAdminForcesAgain_thenTheOldOneExpiresAndANewOneStarts() {
    Instant later = T0.plus(DEFAULT_BREAK_GLASS_WINDOW).plusSeconds(30);

    var events = accepted(at(force(SECOND_ADMIN, "still down"), forced(), later));

    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(BreakGlassExpired.class);
    assertThat(((BreakGlassRequested) events.get(1)).requestedBy()).isEqualTo(SECOND_ADMIN);
    assertThat(((BreakGlassRequested) events.get(1)).expiresAt())
        .isEqualTo(later.plus(DEFAULT_BREAK_GLASS_WINDOW));
  }

  @Test
  void
      givenAPendingRequest_whenAnotherAdminForcesToo_thenRefusedAsConflictAndTheSameAdminIsARepeat() {
    ReleaseState forced = forced();

    Refused r = refused(at(force(SECOND_ADMIN, "me too"), forced, T0), Refusal.CONFLICT);
    assertThat(r.detail()).contains("confirm it instead");
    assertThat(accepted(at(force(ADMIN, "again"), forced, T0))).isEmpty();
  }

  @Test
  void givenAnApproverWhoIsNoAdmin_whenForcingOrConfirming_thenRefusedAndAudited() {
    audited(refused(at(force(BOB, "trust me"), testing, T0), Refusal.NOT_ALLOWED), "force-approve");
    audited(refused(at(confirm(BOB), forced(), T0), Refusal.NOT_ALLOWED), "confirm-break-glass");
  }

  @Test
  void givenNoReason_whenForcing_thenInvalid() {
    refused(at(force(ADMIN, "   "), testing, T0), Refusal.INVALID);
    refused(at(force(ADMIN, "bad\u0000text"), testing, T0), Refusal.INVALID);
  }

  @Test
  void givenAReleaseNotInManualTesting_whenForcing_thenRefusedNamingTheAllowedStatus() {
    for (ReleaseStatus s : List.of(STAGE_BUILDING, MANUAL_TEST_PASSED, DEPLOYED)) {
      ReleaseState state = inStatus(s, TWO_ADMINS);
      Refused r = refused(at(force(ADMIN, "now"), state, T0), Refusal.ILLEGAL_TRANSITION);
      assertThat(r.detail()).contains("only in [manual_testing]");
      audited(r, "force-approve");
    }
  }

  @Test
  void givenNoRequest_whenConfirming_thenRefused() {
    refused(at(confirm(SECOND_ADMIN), testing, T0), Refusal.ILLEGAL_TRANSITION);
  }

  @Test
  void givenTheTagMovedAfterTheRequest_whenConfirming_thenRefusedAsConflict() {
    ReleaseState forced = forced();
    ReleaseState moved =
        evolveAll(
            forced,
            accepted(
                decide(
                    new ReleaseCommand.ReportStep(
                        ID,
                        MANUAL_TESTING,
                        null,
                        Releases.PIPELINE,
                        "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"),
                    forced)));

    Refused r = refused(at(confirm(SECOND_ADMIN), moved, T0.plusSeconds(10)), Refusal.CONFLICT);
    assertThat(r.detail()).contains("nobody forced the new commit");
  }

  @Test
  void givenNoDecisionTime_thenARequestNeverLapses() {
    ReleaseState forced =
        evolveAll(testing, accepted(decide(force(ADMIN, "x"), testing, null, POLICY, null)));

    assertThat(forced.breakGlass().expiresAt()).isNull();
    assertThat(accepted(decide(confirm(SECOND_ADMIN), forced, null, POLICY, null))).hasSize(2);
  }

  /** The refusal left one audit record, naming the action and the policy version. */
  private static void audited(Refused refused, String action) {
    assertThat(refused.events())
        .containsExactly(
            new ReleaseEvent.ActionRefused(
                action,
                refused.reason().name().toLowerCase(java.util.Locale.ROOT),
                refused.detail(),
                7L));
  }
}
