package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.ALICE;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.CAROL;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.STRANGER;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.approve;
import static dev.rmm.contracts.Releases.assertAudited;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.reject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Approvers approve a release in manual testing until k of n have approved. */
class ReleaseDeciderApproveTest {

  /** The version a card shows for a release that has just entered manual testing. */
  private static final long CARD = inStatus(MANUAL_TESTING).version();

  private final ReleaseState manualTesting = inStatus(MANUAL_TESTING);

  @Test
  void givenNoRelease_whenApproved_thenNotFound() {
    assertThat(refused(decide(approve(BOB, null), none()), Refusal.NOT_FOUND).events()).isEmpty();
  }

  @Test
  void givenManualTesting_whenAnApproverApproves_thenTheApprovalIsCountedUnderTheirPolicyName() {
    var events = accepted(decide(approve(BOB, CARD), manualTesting));

    assertThat(events).containsExactly(Releases.granted(BOB, "Bob", 1, 2));
    ReleaseState after = evolveAll(manualTesting, events);
    assertThat(after.status()).isEqualTo(MANUAL_TESTING);
    assertThat(after.statusVersion()).isEqualTo(manualTesting.statusVersion());
    assertThat(after.hasApproved(BOB)).isTrue();
  }

  @Test
  void givenOneOfTwoApprovals_whenTheSecondArrives_thenTheQuorumIsReachedAndTheTestPassed() {
    ReleaseState oneApproval = apply(manualTesting, approve(BOB, CARD));

    var events = accepted(decide(approve(CAROL, CARD), oneApproval));

    assertThat(events)
        .containsExactly(
            Releases.granted(CAROL, "Carol", 2, 2), new ApprovalQuorumReached(List.of(BOB, CAROL)));
    ReleaseState after = evolveAll(oneApproval, events);
    assertThat(after.status()).isEqualTo(MANUAL_TEST_PASSED);
    assertThat(after.statusVersion()).isEqualTo(after.version());
  }

  @Test
  void
      givenTheLastApprovalCountedButItsQuorumEventVoid_whenItIsRepeated_thenTheQuorumIsCompleted() {
    // two writers raced: the approval that met the quorum counts, its quorum event lost the race
    // (ChainRule) and the writer decides the request again on the true state
    ReleaseState oneApproval = apply(manualTesting, approve(BOB, CARD));
    ReleaseState approvalsOnly =
        evolveAll(oneApproval, List.of(Releases.granted(CAROL, "Carol", 2, 2)));

    var events = accepted(decide(approve(CAROL, CARD), approvalsOnly));

    assertThat(events).containsExactly(new ApprovalQuorumReached(List.of(BOB, CAROL)));
    assertThat(evolveAll(approvalsOnly, events).status()).isEqualTo(MANUAL_TEST_PASSED);
    // once passed, a repeat changes nothing
    assertThat(accepted(decide(approve(CAROL, CARD), evolveAll(approvalsOnly, events)))).isEmpty();
  }

  @ParameterizedTest(name = "{0} of 3")
  @ValueSource(ints = {1, 2, 3})
  void givenAKOfNPolicy_whenApproversApproveOneByOne_thenTheKthApprovalReachesTheQuorumOnce(int k) {
    ApprovalPolicy policy = new ApprovalPolicy(APPROVERS, k, true, List.of(ADMIN));
    ReleaseState state = inStatus(MANUAL_TESTING, policy);
    List<ReleaseEvent> log = new ArrayList<>();

    for (long approver : List.of(ALICE, BOB, CAROL)) {
      Decision decision = decide(approve(approver, null), state);
      if (log.stream().anyMatch(ApprovalQuorumReached.class::isInstance)) {
        refused(decision, Refusal.ILLEGAL_TRANSITION);
      } else {
        log.addAll(accepted(decision));
      }
      state = evolveAll(state, decision.events());
    }

    assertThat(log.stream().filter(ApprovalGranted.class::isInstance)).hasSize(k);
    assertThat(log.get(log.size() - 1))
        .isEqualTo(new ApprovalQuorumReached(List.of(ALICE, BOB, CAROL).subList(0, k)));
    assertThat(log.stream().filter(ApprovalQuorumReached.class::isInstance)).hasSize(1);
  }

  @Test
  void givenThreeCardsOfTheSameVersion_whenAllApproversApprove_thenEveryApprovalCounts() {
    ApprovalPolicy allOf = new ApprovalPolicy(APPROVERS, 3, true, List.of(ADMIN));
    ReleaseState state = inStatus(MANUAL_TESTING, allOf);
    long card = state.version();
    List<ReleaseEvent> log = new ArrayList<>();

    for (long approver : List.of(BOB, ALICE, CAROL)) {
      List<ReleaseEvent> events = accepted(decide(approve(approver, card), state));
      log.addAll(events);
      state = evolveAll(state, events);
    }

    assertThat(log)
        .containsExactly(
            Releases.granted(BOB, "Bob", 1, 3),
            Releases.granted(ALICE, "Alice", 2, 3),
            Releases.granted(CAROL, "Carol", 3, 3),
            new ApprovalQuorumReached(List.of(BOB, ALICE, CAROL)));
    assertThat(state.status()).isEqualTo(MANUAL_TEST_PASSED);
  }

  @Test
  void givenAnApprovalCounted_whenTheApproverClicksAgain_thenAcceptedWithNoEvents() {
    ReleaseState approved = apply(manualTesting, approve(BOB, CARD));

    assertThat(accepted(decide(approve(BOB, CARD), approved))).isEmpty();
  }

  @Test
  void givenTheApprovalThatReachedTheQuorum_whenTheApproverClicksAgain_thenAcceptedWithNoEvents() {
    ReleaseState passed = apply(apply(manualTesting, approve(BOB, CARD)), approve(CAROL, CARD));

    assertThat(accepted(decide(approve(CAROL, CARD), passed))).isEmpty();
    assertThat(accepted(decide(approve(CAROL, null), passed))).isEmpty();
  }

  @Test
  void givenAQuorumReached_whenTheLastApproverApproves_thenRefusedAndNoSecondQuorum() {
    ApprovalPolicy initiatorMay = new ApprovalPolicy(APPROVERS, 2, true, List.of(ADMIN));
    ReleaseState state = inStatus(MANUAL_TESTING, initiatorMay);
    long card = state.version();
    ReleaseState passed = apply(apply(state, approve(BOB, card)), approve(CAROL, card));

    Refused late = refused(decide(approve(ALICE, null), passed), Refusal.ILLEGAL_TRANSITION);
    Refused lateCard = refused(decide(approve(ALICE, card), passed), Refusal.STALE);

    assertThat(late.detail())
        .isEqualTo(
            "release is manual_test_passed; only a release in manual_testing can be approved");
    assertAudited(late, "approve");
    assertAudited(lateCard, "approve");
  }

  @Test
  void givenSomeoneWhoIsNotAnApprover_whenTheyApprove_thenNotAllowedAndAudited() {
    Refused stranger = refused(decide(approve(STRANGER, CARD), manualTesting), Refusal.NOT_ALLOWED);
    assertThat(stranger.detail()).isEqualTo("user 555 is not an approver of name-authorization");
    assertAudited(stranger, "approve");

    Refused admin = refused(decide(approve(ADMIN, CARD), manualTesting), Refusal.NOT_ALLOWED);
    assertAudited(admin, "approve");
  }

  @Test
  void givenTheInitiator_whenTheyApproveTheirOwnRelease_thenNotAllowedAndAudited() {
    // Alice's GitHub login is "Alice-GH"; the tag was pushed by "alice-gh".
    Refused refused = refused(decide(approve(ALICE, CARD), manualTesting), Refusal.NOT_ALLOWED);

    assertThat(refused.detail()).isEqualTo("Alice started this release and may not approve it");
    assertAudited(refused, "approve");
  }

  @Test
  void givenAPolicyThatLetsTheInitiatorApprove_whenTheyApprove_thenItCounts() {
    ApprovalPolicy policy = new ApprovalPolicy(APPROVERS, 2, true, List.of(ADMIN));
    ReleaseState state = inStatus(MANUAL_TESTING, policy);

    assertThat(accepted(decide(approve(ALICE, state.version()), state)))
        .containsExactly(Releases.granted(ALICE, "Alice", 1, 2));
  }

  @Test
  void givenACardOlderThanManualTesting_whenApproved_thenStaleAndAudited() {
    long before = CARD - 1;

    Refused refused = refused(decide(approve(BOB, before), manualTesting), Refusal.STALE);

    assertThat(refused.detail())
        .isEqualTo(
            "the card showed version "
                + before
                + " but the release has since become manual_testing (version "
                + CARD
                + ")");
    assertAudited(refused, "approve");
  }

  @Test
  void givenOtherApprovalsAndRefusalsSinceTheCard_whenApproved_thenTheCardIsNotStale() {
    ReleaseState busy = apply(apply(manualTesting, approve(STRANGER, CARD)), approve(BOB, CARD));
    assertThat(busy.version()).isEqualTo(CARD + 2);

    assertThat(accepted(decide(approve(CAROL, CARD), busy))).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, 99})
  void givenAVersionTheReleaseNeverHad_whenApproved_thenInvalidAndNoEvents(long seen) {
    Refused refused = refused(decide(approve(BOB, seen), manualTesting), Refusal.INVALID);

    assertThat(refused.detail())
        .contains("version " + seen + " of release")
        .endsWith("does not exist");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenAReleaseNotInManualTesting_whenApproved_thenIllegalTransitionAndAudited() {
    ReleaseState building = inStatus(ReleaseStatus.STAGE_BUILDING);

    Refused refused = refused(decide(approve(BOB, null), building), Refusal.ILLEGAL_TRANSITION);

    assertThat(refused.detail())
        .isEqualTo("release is stage_building; only a release in manual_testing can be approved");
    assertAudited(refused, "approve");
  }

  @Test
  void givenARejectedRelease_whenApproved_thenRefusedAndNothingIsCounted() {
    ReleaseState rejected = apply(manualTesting, reject(BOB, "login page is broken", CARD));

    Refused fresh = refused(decide(approve(CAROL, null), rejected), Refusal.ILLEGAL_TRANSITION);
    Refused stale = refused(decide(approve(CAROL, CARD), rejected), Refusal.STALE);

    assertAudited(fresh, "approve");
    assertAudited(stale, "approve");
    assertThat(evolveAll(rejected, fresh.events()).approvals()).isEmpty();
  }

  @Test
  void
      givenTheDefaultPolicy_whenAnAdminTokenApprovesOnBehalfOfAnApprover_thenRefusedAndNotCounted() {
    ReleaseCommand.Approve onBehalf =
        new ReleaseCommand.Approve(ID, BOB, CARD, Actor.adminTokenFor(BOB, "Bob"));

    Refused refused = refused(decide(onBehalf, manualTesting), Refusal.NOT_ALLOWED);

    assertThat(refused.detail())
        .isEqualTo(
            "admin token for Bob: an approval on behalf of Bob does not count toward the quorum of"
                + " name-authorization (its policy does not set on_behalf_counts); Bob approves"
                + " in Telegram");
    assertAudited(refused, "approve");
    assertThat(evolveAll(manualTesting, refused.events()).approvals()).isEmpty();
  }

  @Test
  void givenAPolicyWhereOnBehalfCounts_whenAnAdminTokenApprovesForTheQuorum_thenItIsCounted() {
    ApprovalPolicy counts = new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN), true);
    ReleaseState testing = inStatus(MANUAL_TESTING, counts);
    ReleaseState bob =
        apply(testing, new ReleaseCommand.Approve(ID, BOB, null, Actor.adminTokenFor(BOB, "Bob")));

    var events =
        accepted(
            decide(
                new ReleaseCommand.Approve(ID, CAROL, null, Actor.adminTokenFor(CAROL, "Carol")),
                bob));

    assertThat(events)
        .containsExactly(
            Releases.granted(CAROL, "Carol", 2, 2), new ApprovalQuorumReached(List.of(BOB, CAROL)));
  }

  private static ReleaseState apply(ReleaseState state, ReleaseCommand command) {
    return evolveAll(state, decide(command, state).events());
  }
}
