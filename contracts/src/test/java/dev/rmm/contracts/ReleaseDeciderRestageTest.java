package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.CANCELLED;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYING;
import static dev.rmm.contracts.ReleaseStatus.INITIATED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_FAILED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING_FAILED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_TEST_ROLLBACK;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.CAROL;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.PIPELINE;
import static dev.rmm.contracts.Releases.SPEC;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.approve;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.ConfirmBreakGlass;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ApprovalsVoided;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stage re-run after a moved tag: the team moves the tag to a fixed commit and re-runs the
 * pipeline, which reports {@code stage_building} again with the new commit. From after the stage
 * build up to manual testing the stage phase runs again and the approvals of the old commit stay
 * void; from the quorum on, and from any final status, it is refused.
 */
class ReleaseDeciderRestageTest {

  private static final String OLD = SPEC.commitSha();
  private static final String MOVED = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

  private static ReportStep step(ReleaseStatus status, String commit) {
    return new ReportStep(ID, status, "re-run: " + status.wire(), PIPELINE, commit);
  }

  private static Decision decided(ReleaseCommand c, ReleaseState s) {
    return decide(c, s, null, null);
  }

  private static ReleaseState approvedByBob() {
    ReleaseState testing = inStatus(MANUAL_TESTING);
    return evolveAll(testing, accepted(decided(approve(BOB, null), testing)));
  }

  @Test
  void givenAReleaseBeforeItsStage_whenTheStageStarts_thenTheStagedCommitIsTheSpecs() {
    assertThat(inStatus(INITIATED).stagedCommit()).isNull();
    assertThat(inStatus(STAGE_BUILDING).stagedCommit()).isEqualTo(OLD);
    assertThat(inStatus(MANUAL_TESTING).stagedCommit()).isEqualTo(OLD);
  }

  @Test
  void givenManualTestingWithAnApproval_whenTheStageIsReRunForTheMovedTag_thenVoidedAndRestaged() {
    ReleaseState approved = approvedByBob();

    var events = accepted(decided(step(STAGE_BUILDING, MOVED), approved));

    assertThat(events).hasSize(2);
    ApprovalsVoided voided = (ApprovalsVoided) events.get(0);
    assertThat(voided.fromCommit()).isEqualTo(OLD);
    assertThat(voided.toCommit()).isEqualTo(MOVED);
    assertThat(voided.approverIds()).containsExactly(BOB);
    assertThat(voided.reason()).startsWith("the pipeline re-ran the stage with commit " + MOVED);
    assertThat(events.get(1))
        .isEqualTo(new StatusChanged(MANUAL_TESTING, STAGE_BUILDING, "re-run: stage_building"));
    ReleaseState after = evolveAll(approved, events);
    assertThat(after.status()).isEqualTo(STAGE_BUILDING);
    assertThat(after.approvals()).isEmpty();
    assertThat(after.commitSha()).isEqualTo(MOVED);
    assertThat(after.stagedCommit()).isEqualTo(MOVED);
  }

  @Test
  void givenTheStageRehearsal_whenTheStageIsReRunForTheMovedTag_thenTheStageRunsAgain() {
    ReleaseState rehearsal = inStatus(STAGE_TEST_ROLLBACK);

    var events = accepted(decided(step(STAGE_BUILDING, MOVED), rehearsal));

    assertThat(events.get(1))
        .isEqualTo(
            new StatusChanged(STAGE_TEST_ROLLBACK, STAGE_BUILDING, "re-run: stage_building"));
    assertThat(evolveAll(rehearsal, events).stagedCommit()).isEqualTo(MOVED);
  }

  @Test
  void
      givenARestagedRelease_whenItReachesManualTestingAgain_thenOnlyApprovalsOfTheNewCommitCount() {
    ReleaseState s = approvedByBob();
    for (ReleaseStatus next : List.of(STAGE_BUILDING, STAGE_TEST_ROLLBACK, MANUAL_TESTING)) {
      s = evolveAll(s, accepted(decided(step(next, MOVED), s)));
    }
    assertThat(s.status()).isEqualTo(MANUAL_TESTING);

    var carol = accepted(decided(approve(CAROL, null), s));
    assertThat(((ApprovalGranted) carol.get(0)).approvals())
        .as("Bob's approval was for the old commit and stays void")
        .isEqualTo(1);
    assertThat(((ApprovalGranted) carol.get(0)).commitSha()).isEqualTo(MOVED);
    s = evolveAll(s, carol);

    var bob = accepted(decided(approve(BOB, null), s));
    assertThat(bob.get(1)).isEqualTo(new ApprovalQuorumReached(List.of(CAROL, BOB)));
    assertThat(evolveAll(s, bob).status()).isEqualTo(MANUAL_TEST_PASSED);
  }

  @Test
  void givenStageBuilding_whenItIsReportedAgainWithTheMovedCommit_thenTheStageBuildsTheNewCommit() {
    ReleaseState building = inStatus(STAGE_BUILDING);

    var events = accepted(decided(step(STAGE_BUILDING, MOVED), building));

    assertThat(events).singleElement().isInstanceOf(ApprovalsVoided.class);
    ReleaseState after = evolveAll(building, events);
    assertThat(after.status()).isEqualTo(STAGE_BUILDING);
    assertThat(after.stagedCommit()).isEqualTo(MOVED);
  }

  @Test
  void givenManualTesting_whenTheStageIsReportedAgainForTheSameCommit_thenRefusedWithTheRule() {
    ReleaseState approved = approvedByBob();

    Refused same =
        refused(
            decided(step(STAGE_BUILDING, OLD.substring(0, 7)), approved),
            Refusal.ILLEGAL_TRANSITION);
    Refused none =
        refused(decided(step(STAGE_BUILDING, null), approved), Refusal.ILLEGAL_TRANSITION);

    assertThat(same.detail())
        .contains("cannot move to stage_building", "accepted only for a moved tag", "commit_sha");
    assertThat(none.detail()).isEqualTo(same.detail());
    assertThat(same.events()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = ReleaseStatus.class,
      names = {
        "MANUAL_TEST_PASSED",
        "MANUAL_TEST_FAILED",
        "DEPLOYING",
        "DEPLOYED",
        "STAGE_BUILDING_FAILED",
        "STAGE_TEST_ROLLBACK_FAILED",
        "CANCELLED"
      })
  void givenTheQuorumOrAFinalStatus_whenTheStageIsReRunForAMovedTag_thenRefusedAndNothingChanges(
      ReleaseStatus status) {
    ReleaseState s = inStatus(status);

    Decision d = decided(step(STAGE_BUILDING, MOVED), s);

    assertThat(d).isInstanceOf(Refused.class);
    assertThat(evolveAll(s, d.events()).status()).isEqualTo(status);
    assertThat(evolveAll(s, d.events()).commitSha()).isEqualTo(OLD);
  }

  @Test
  void givenTheQuorumWasReached_whenTheStageIsReRunForAMovedTag_thenTheApprovedCommitStands() {
    ReleaseState passed = inStatus(MANUAL_TEST_PASSED);

    Refused r = refused(decided(step(STAGE_BUILDING, MOVED), passed), Refusal.ILLEGAL_TRANSITION);

    assertThat(r.detail()).contains("manual_test_passed", "Allowed next steps: [deploying]");
    assertThat(passed.stagedCommit()).isEqualTo(OLD);
    assertThat(List.of(MANUAL_TEST_FAILED, DEPLOYING, DEPLOYED, STAGE_BUILDING_FAILED, CANCELLED))
        .noneMatch(ReleaseDecider.RESTAGE_FROM::contains);
  }

  @Test
  void
      givenABreakGlassForcedForTheOldCommit_whenRestagedAndBackInTesting_thenItCannotBeConfirmed() {
    long second = 901;
    ApprovalPolicy twoAdmins = new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN, second));
    ReleaseState s = inStatus(MANUAL_TESTING, twoAdmins);
    PolicyInForce policy = new PolicyInForce(1, twoAdmins);
    s =
        evolveAll(
            s,
            accepted(
                decide(
                    new ForceApprove(ID, ADMIN, "hotfix", null, telegram(ADMIN)),
                    s,
                    null,
                    policy)));
    for (ReleaseStatus next : List.of(STAGE_BUILDING, STAGE_TEST_ROLLBACK, MANUAL_TESTING)) {
      s = evolveAll(s, accepted(decided(step(next, MOVED), s)));
    }

    Refused r =
        refused(
            decide(new ConfirmBreakGlass(ID, second, null, telegram(second)), s, null, policy),
            Refusal.CONFLICT);

    assertThat(r.detail()).contains("moved from commit " + OLD + " (forced) to " + MOVED);
    assertThat(evolveAll(s, r.events()).status()).isEqualTo(MANUAL_TESTING);
  }
}
