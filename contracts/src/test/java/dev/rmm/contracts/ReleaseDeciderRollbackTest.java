package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.TARGETS;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.assertAudited;
import static dev.rmm.contracts.Releases.given;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.rollback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import dev.rmm.contracts.ReleaseEvent.RollbackRequested;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** An admin rolls a deployed release back to an earlier tag of the same service. */
class ReleaseDeciderRollbackTest {

  private final ReleaseState deployed = inStatus(DEPLOYED);
  private final long card = deployed.version();

  @Test
  void givenNoRelease_whenRollbackRequested_thenNotFound() {
    assertThat(refused(decide(rollback(ADMIN, "v1.2.2", null), none()), Refusal.NOT_FOUND).events())
        .isEmpty();
  }

  @Test
  void givenADeployedRelease_whenAnAdminRequestsRollback_thenItIsRollingBackToThatTag() {
    RequestRollback request =
        new RequestRollback(ID, ADMIN, "v1.2.2", card, Actor.telegram(ADMIN, "Olga"));

    var events = accepted(decide(request, deployed, TARGETS));

    assertThat(events).containsExactly(new RollbackRequested(ADMIN, "Olga", "v1.2.2"));
    ReleaseState after = evolveAll(deployed, events);
    assertThat(after.status()).isEqualTo(ReleaseStatus.PRODUCTION_ROLLBACK);
    assertThat(after.rollbackToTag()).isEqualTo("v1.2.2");
    assertThat(DEPLOYED.canMoveTo(after.status())).isTrue();
  }

  @Test
  void givenAnApproverWhoIsNotAnAdmin_whenTheyRequestRollback_thenNotAllowedAndAudited() {
    Refused refused = refused(decide(rollback(BOB, "v1.2.2", card), deployed), Refusal.NOT_ALLOWED);

    assertThat(refused.detail()).isEqualTo("user 102 is not an admin of name-authorization");
    assertAudited(refused, "rollback");
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "  "})
  void givenNoTargetTag_whenRollbackRequested_thenInvalidAndNoEvents(String tag) {
    Refused refused = refused(decide(rollback(ADMIN, tag, card), deployed), Refusal.INVALID);

    assertThat(refused.detail()).isEqualTo("a rollback needs a target tag");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenTheReleasesOwnTag_whenRollbackRequested_thenInvalidAndNoEvents() {
    Refused refused = refused(decide(rollback(ADMIN, "v1.2.3", card), deployed), Refusal.INVALID);

    assertThat(refused.detail())
        .isEqualTo("cannot roll v1.2.3 back to itself; choose an earlier tag");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenACardFromBeforeTheDeploy_whenRollbackRequested_thenStaleAndAudited() {
    Refused refused = refused(decide(rollback(ADMIN, "v1.2.2", card - 1), deployed), Refusal.STALE);

    assertThat(refused.detail()).contains("has since become deployed");
    assertAudited(refused, "rollback");
  }

  @Test
  void givenAReleaseThatIsNotDeployed_whenRollbackRequested_thenIllegalTransitionAndAudited() {
    Refused refused =
        refused(
            decide(rollback(ADMIN, "v1.2.2", null), inStatus(ReleaseStatus.DEPLOYING)),
            Refusal.ILLEGAL_TRANSITION);

    assertThat(refused.detail())
        .isEqualTo("release is deploying; only a deployed release can be rolled back");
    assertAudited(refused, "rollback");
  }

  // A retried request (the first was appended, its answer lost) is answered like the first one.

  @Test
  void givenARollbackRequested_whenTheSameAdminRepeatsIt_thenAcceptedWithoutEvents() {
    ReleaseState rollingBack =
        evolveAll(deployed, accepted(decide(rollbackToV122(), deployed, TARGETS)));

    assertThat(accepted(decide(rollbackToV122(), rollingBack))).isEmpty();
  }

  @Test
  void givenARollbackThatFinished_whenTheSameAdminRepeatsIt_thenAcceptedWithoutEvents() {
    ReleaseState rollingBack =
        evolveAll(deployed, accepted(decide(rollbackToV122(), deployed, TARGETS)));
    ReleaseState done =
        evolveAll(
            rollingBack,
            List.of(
                new StatusChanged(
                    ReleaseStatus.PRODUCTION_ROLLBACK,
                    ReleaseStatus.ROLLBACK_DONE,
                    "rolled back")));

    assertThat(accepted(decide(rollbackToV122(), done))).isEmpty();
  }

  @Test
  void givenARollbackRequested_whenTheSameAdminAsksForAnotherTag_thenIllegalTransition() {
    ReleaseState rollingBack =
        evolveAll(deployed, accepted(decide(rollbackToV122(), deployed, TARGETS)));

    Refused refused =
        refused(decide(rollback(ADMIN, "v1.2.1", null), rollingBack), Refusal.ILLEGAL_TRANSITION);

    assertThat(refused.detail())
        .isEqualTo("release is production_rollback; only a deployed release can be rolled back");
    assertAudited(refused, "rollback");
  }

  @Test
  void givenARollbackRequested_whenAnotherAdminAsksForTheSameTag_thenIllegalTransition() {
    long otherAdmin = 901;
    ApprovalPolicy twoAdmins = new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN, otherAdmin));
    List<ReleaseEvent> log = new ArrayList<>(Releases.eventsTo(DEPLOYED, twoAdmins));
    log.add(new RollbackRequested(ADMIN, "Olga", "v1.2.2"));

    Refused refused =
        refused(
            decide(rollback(otherAdmin, "v1.2.2", null), given(log)), Refusal.ILLEGAL_TRANSITION);

    assertThat(refused.detail())
        .isEqualTo("release is production_rollback; only a deployed release can be rolled back");
  }

  @Test
  void givenARollbackThePipelineReported_whenAnAdminRequestsOne_thenIllegalTransition() {
    List<ReleaseEvent> log =
        new ArrayList<>(Releases.eventsTo(ReleaseStatus.DEPLOYING, Releases.TWO_OF_THREE));
    log.add(
        new StatusChanged(
            ReleaseStatus.DEPLOYING, ReleaseStatus.PRODUCTION_ROLLBACK, "smoke failed"));

    refused(decide(rollback(ADMIN, "v1.2.2", null), given(log)), Refusal.ILLEGAL_TRANSITION);
  }

  /** The admin's request as the card showed it when the release was deployed. */
  private RequestRollback rollbackToV122() {
    return new RequestRollback(ID, ADMIN, "v1.2.2", card, Actor.telegram(ADMIN, "Olga"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1.2.0", "v1.2.4", "v9"})
  void givenTheServiceHistory_whenTheTargetIsNotAllowed_thenRefusedNamingTheAllowedTagsAndNothing(
      String target) {
    // v1.2.0 was rolled back as broken, v1.2.4 is newer, v9 was never deployed
    Refused refused =
        refused(
            decide(rollback(ADMIN, target, card), deployed, TARGETS), Refusal.TARGET_NOT_ALLOWED);

    assertThat(refused.detail())
        .isEqualTo(
            target
                + " is not a rollback target of name-authorization v1.2.3: allowed are v1.2.2,"
                + " v1.2.1 (tags of name-authorization deployed before it that were not rolled back"
                + " and did not fail); production runs v1.2.3");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenNoEarlierTagIsAllowed_whenRollbackRequested_thenRefusedNamingNone() {
    RollbackTargets none = new RollbackTargets(List.of(), "v1.2.3");

    Refused refused =
        refused(
            decide(rollback(ADMIN, "v1.2.2", card), deployed, none), Refusal.TARGET_NOT_ALLOWED);

    assertThat(refused.detail()).contains("allowed are none");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenTargetsThatWereNotLookedUp_whenRollbackRequested_thenRefusedAndNothingAppended() {
    Refused refused =
        refused(decide(rollback(ADMIN, "v1.2.2", card), deployed), Refusal.TARGET_NOT_ALLOWED);

    assertThat(refused.detail())
        .isEqualTo(
            "the rollback targets of name-authorization were not looked up, so no rollback of"
                + " v1.2.3 can be decided");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenAStrangerAndAForbiddenTarget_whenRollbackRequested_thenNotAllowedComesFirst() {
    Refused refused =
        refused(decide(rollback(BOB, "v1.2.0", card), deployed, TARGETS), Refusal.NOT_ALLOWED);

    assertAudited(refused, "rollback");
  }
}
