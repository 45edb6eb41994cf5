package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseCommand.HoldDispatch;
import dev.rmm.contracts.ReleaseCommand.StartDispatch;
import dev.rmm.contracts.ReleaseEvent.DispatchHeld;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator records that a freeze holds an approved release's dispatch (issue 15 point 5):
 * only before the dispatch is claimed, only the orchestrator, and the release stays as it was.
 */
class ReleaseDeciderHoldDispatchTest {

  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");
  private static final Instant UNTIL = Instant.parse("2026-12-07T06:00:00Z");

  private final ReleaseState passed = inStatus(MANUAL_TEST_PASSED);

  private static HoldDispatch hold(Instant until, Actor actor) {
    return new HoldDispatch(ID, until, "weekend", 4L, actor);
  }

  @Test
  void
      givenAnApprovedRelease_whenTheOrchestratorHoldsItsDispatch_thenTheHoldIsRecordedAndNothingElse() {
    List<ReleaseEvent> events = accepted(decide(hold(UNTIL, ORCHESTRATOR), passed));

    assertThat(events).containsExactly(new DispatchHeld(UNTIL, "weekend", 4L));
    ReleaseState after = evolveAll(passed, events);
    assertThat(after.status()).isEqualTo(MANUAL_TEST_PASSED);
    assertThat(after.dispatch()).isNull();
    assertThat(after.version()).isEqualTo(passed.version() + 1);
  }

  @Test
  void givenAHeldRelease_whenTheFreezeIsExtended_thenANewHoldWithTheNewEndIsRecorded() {
    ReleaseState held = evolveAll(passed, accepted(decide(hold(UNTIL, ORCHESTRATOR), passed)));
    Instant later = UNTIL.plusSeconds(86_400);

    assertThat(accepted(decide(hold(later, ORCHESTRATOR), held)))
        .containsExactly(new DispatchHeld(later, "weekend", 4L));
  }

  @Test
  void givenAHeldRelease_whenTheDispatchIsClaimedAfterTheFreeze_thenItIsAccepted() {
    ReleaseState held = evolveAll(passed, accepted(decide(hold(UNTIL, ORCHESTRATOR), passed)));

    assertThat(
            accepted(
                decide(
                    new StartDispatch(ID, "d-1", "acme/app", "deploy.yml", "main", ORCHESTRATOR),
                    held)))
        .hasSize(1);
  }

  @Test
  void givenAClaimedDispatch_whenAHoldArrives_thenItIsRefusedAndAppendsNothing() {
    ReleaseState started =
        evolveAll(
            passed,
            accepted(
                decide(
                    new StartDispatch(ID, "d-1", "acme/app", "deploy.yml", "main", ORCHESTRATOR),
                    passed)));

    assertThat(
            refused(decide(hold(UNTIL, ORCHESTRATOR), started), Refusal.ILLEGAL_TRANSITION)
                .events())
        .isEmpty();
  }

  @Test
  void givenAFailedDispatchAnAdminAskedToRetry_whenAHoldArrives_thenItIsRecorded() {
    ReleaseState retrying =
        evolveAll(
            passed,
            List.of(
                new ReleaseEvent.DispatchStarted("d-1", "acme/app", "deploy.yml", "main"),
                new ReleaseEvent.DispatchFailed("d-1", 500, "GitHub is down", 3),
                new ReleaseEvent.DispatchRetryRequested(9, "Olga", "d-1", 4L)));

    assertThat(accepted(decide(hold(UNTIL, ORCHESTRATOR), retrying)))
        .containsExactly(new DispatchHeld(UNTIL, "weekend", 4L));
  }

  @Test
  void givenAFailedDispatchNobodyRetried_whenAHoldArrives_thenItIsRefused() {
    ReleaseState failed =
        evolveAll(
            passed,
            List.of(
                new ReleaseEvent.DispatchStarted("d-1", "acme/app", "deploy.yml", "main"),
                new ReleaseEvent.DispatchFailed("d-1", 500, "GitHub is down", 3)));

    refused(decide(hold(UNTIL, ORCHESTRATOR), failed), Refusal.ILLEGAL_TRANSITION);
  }

  @Test
  void givenAReleaseStillInManualTesting_whenAHoldArrives_thenItIsRefused() {
    refused(
        decide(hold(UNTIL, ORCHESTRATOR), inStatus(MANUAL_TESTING)), Refusal.ILLEGAL_TRANSITION);
  }

  @Test
  void givenAHoldFromSomebodyElse_whenDecided_thenItIsNotAllowed() {
    refused(decide(hold(UNTIL, telegram(5)), passed), Refusal.NOT_ALLOWED);
  }

  @Test
  void givenAHoldWithoutAnEnd_whenDecided_thenItIsInvalid() {
    refused(decide(hold(null, ORCHESTRATOR), passed), Refusal.INVALID);
  }
}
