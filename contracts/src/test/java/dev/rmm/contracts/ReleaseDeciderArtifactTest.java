package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING;
import static dev.rmm.contracts.ReleaseStatus.STAGE_TEST_ROLLBACK;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.CAROL;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.PIPELINE;
import static dev.rmm.contracts.Releases.SPEC;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.approve;
import static dev.rmm.contracts.Releases.eventsTo;
import static dev.rmm.contracts.Releases.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ApprovalsVoided;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Approvals bound to the artifact (issue 15, point 2): an approval is for the commit the tag
 * pointed at; a moved tag voids the approvals before the quorum and is refused after it; an
 * approval older than the policy's expiry no longer counts toward the quorum. Time is data: each
 * event carries its time (folded with its envelope), each decision is made at a given moment.
 */
class ReleaseDeciderArtifactTest {

  private static final String OLD = SPEC.commitSha();
  private static final String MOVED = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";
  private static final Instant T0 = Instant.parse("2026-03-14T09:00:00Z");
  private static final ApprovalPolicy TWO_OF_THREE_EXPIRING_IN_24H =
      new ApprovalPolicy(APPROVERS, 2, false, List.of(Releases.ADMIN));

  /** The release's history, each event one minute after the one before. */
  private final History history = new History();

  @Test
  void givenManualTestingWithOneApproval_whenAStepReportsAnotherCommit_thenTheApprovalsAreVoid() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));
    ReleaseState oneApproval = history.state();

    var events =
        accepted(
            decide(step(MANUAL_TESTING, MOVED), oneApproval, null, null, T0.plusSeconds(7200)));

    assertThat(events).hasSize(1);
    ApprovalsVoided voided = (ApprovalsVoided) events.get(0);
    assertThat(voided.tag()).isEqualTo("v1.2.3");
    assertThat(voided.fromCommit()).isEqualTo(OLD);
    assertThat(voided.toCommit()).isEqualTo(MOVED);
    assertThat(voided.approverIds()).containsExactly(BOB);
    assertThat(voided.reason())
        .contains("reported manual_testing", OLD + "; the 1 approval(s)", "are void");
    ReleaseState after = ReleaseDecider.evolveAll(oneApproval, events);
    assertThat(after.approvals()).isEmpty();
    assertThat(after.commitSha()).isEqualTo(MOVED);
    assertThat(after.status()).isEqualTo(MANUAL_TESTING);
    assertThat(after.statusVersion()).as("an older card is stale").isEqualTo(after.version());
  }

  @Test
  void givenVoidedApprovals_whenTheQuorumIsMetAgain_thenTheApprovalsNameTheNewCommit() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));
    history.decide(step(MANUAL_TESTING, MOVED), T0.plusSeconds(3700));

    var bob = history.decide(approve(BOB, null), T0.plusSeconds(3800));
    var carol = history.decide(approve(CAROL, null), T0.plusSeconds(3900));

    assertThat(bob).containsExactly(granted(BOB, "Bob", 1, MOVED));
    assertThat(carol)
        .containsExactly(
            granted(CAROL, "Carol", 2, MOVED), new ApprovalQuorumReached(List.of(BOB, CAROL)));
    assertThat(history.state().status()).isEqualTo(MANUAL_TEST_PASSED);
  }

  @Test
  void givenAVoidedApproval_whenAnApproverPressesTheCardShownBefore_thenTheCardIsStale() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));
    long card = history.state().version();
    history.decide(step(MANUAL_TESTING, MOVED), T0.plusSeconds(3700));

    Refused refused =
        refused(
            decide(approve(CAROL, card), history.state(), null, null, T0.plusSeconds(3800)),
            Refusal.STALE);

    assertThat(refused.events()).hasSize(1);
  }

  @Test
  void givenStageBuilding_whenTheNextStepReportsAnotherCommit_thenVoidedThenTheStepIsApplied() {
    history.upTo(STAGE_BUILDING);

    var events = history.decide(step(STAGE_TEST_ROLLBACK, MOVED), T0.plusSeconds(600));

    assertThat(events).hasSize(2);
    assertThat(((ApprovalsVoided) events.get(0)).approverIds()).isEmpty();
    assertThat(events.get(1))
        .isEqualTo(new StatusChanged(STAGE_BUILDING, STAGE_TEST_ROLLBACK, "step to " + MOVED));
    assertThat(history.state().commitSha()).isEqualTo(MOVED);
  }

  @Test
  void givenAStepNamingTheSameCommitAbbreviated_whenDecided_thenNothingIsVoided() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));

    var events =
        accepted(
            decide(
                step(MANUAL_TESTING, OLD.substring(0, 7).toUpperCase(java.util.Locale.ROOT)),
                history.state(),
                null,
                null,
                T0.plusSeconds(3700)));

    assertThat(events).isEmpty();
  }

  @Test
  void givenAStepWithoutACommit_whenDecided_thenNothingIsChecked() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));

    var events =
        accepted(
            decide(
                new ReportStep(ID, MANUAL_TESTING, null, PIPELINE),
                history.state(),
                null,
                null,
                T0.plusSeconds(3700)));

    assertThat(events).isEmpty();
    assertThat(history.state().approvals()).hasSize(1);
  }

  @Test
  void givenTheQuorumWasReached_whenAStepReportsAnotherCommit_thenRefusedAsAConflictAndRecorded() {
    history.upTo(MANUAL_TEST_PASSED);

    Refused refused =
        refused(
            decide(step(DEPLOYING, MOVED), history.state(), null, null, T0.plusSeconds(600)),
            Refusal.CONFLICT);

    assertThat(refused.detail())
        .contains(
            "tag v1.2.3",
            "moved from commit " + OLD + " to " + MOVED,
            "manual_test_passed",
            "production deploy may have started",
            "push a new tag");
    assertThat(refused.events())
        .containsExactly(new ActionRefused("step", "conflict", refused.detail()));
  }

  @Test
  void givenDeploying_whenAStepReportsAnotherCommit_thenRefusedAndTheApprovalsStand() {
    history.upTo(DEPLOYING);

    Refused refused =
        refused(
            decide(
                step(ReleaseStatus.DEPLOYED, MOVED),
                history.state(),
                null,
                null,
                T0.plusSeconds(600)),
            Refusal.CONFLICT);

    assertThat(refused.detail()).contains("is deploying");
    assertThat(ReleaseDecider.evolveAll(history.state(), refused.events()).approvals()).hasSize(2);
  }

  @Test
  void givenManualTesting_whenTheSameRunIsCreatedAgainWithAnotherCommit_thenTheApprovalsAreVoid() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));
    CreateRelease again =
        new CreateRelease(SPEC.withCommitSha(MOVED), TWO_OF_THREE_EXPIRING_IN_24H, PIPELINE);

    var events = history.decide(again, T0.plusSeconds(3700));

    assertThat(events).hasSize(1);
    assertThat(((ApprovalsVoided) events.get(0)).reason()).startsWith("the release was created");
    assertThat(accepted(decide(again, history.state(), null, null, T0.plusSeconds(3800))))
        .as("a repeat of that create changes nothing")
        .isEmpty();
  }

  @Test
  void givenAnApprovalOlderThanTheExpiry_whenASecondApproverApproves_thenTheQuorumIsNotReached() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));

    var events =
        history.decide(approve(CAROL, null), T0.plusSeconds(3600).plus(Duration.ofHours(24)));

    assertThat(events).containsExactly(granted(CAROL, "Carol", 1, OLD));
    assertThat(history.state().status()).isEqualTo(MANUAL_TESTING);
  }

  @Test
  void givenAnApprovalJustInsideTheExpiry_whenASecondApproverApproves_thenTheQuorumIsReached() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));

    var events =
        history.decide(
            approve(CAROL, null), T0.plusSeconds(3600).plus(Duration.ofHours(24)).minusMillis(1));

    assertThat(events).contains(new ApprovalQuorumReached(List.of(BOB, CAROL)));
  }

  @Test
  void givenAnExpiredApproval_whenItsApproverApprovesAgain_thenAFreshApprovalReachesTheQuorum() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));
    Instant dayLater = T0.plusSeconds(3600).plus(Duration.ofHours(25));
    history.decide(approve(CAROL, null), dayLater);

    var again = history.decide(approve(BOB, null), dayLater.plusSeconds(60));

    assertThat(again)
        .containsExactly(
            granted(BOB, "Bob", 2, OLD), new ApprovalQuorumReached(List.of(CAROL, BOB)));
    assertThat(history.state().status()).isEqualTo(MANUAL_TEST_PASSED);
    assertThat(history.state().approvals())
        .extracting(ReleaseState.Approval::approverId)
        .containsExactly(CAROL, BOB);
  }

  @Test
  void givenAPolicyWithAShortExpiry_whenTheApprovalIsOlder_thenItDoesNotCount() {
    ApprovalPolicy hour =
        new ApprovalPolicy(APPROVERS, 2, false, List.of(Releases.ADMIN))
            .withApprovalExpiryMinutes(60);
    History h = new History(hour);
    h.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));

    var events = h.decide(approve(CAROL, null), T0.plusSeconds(3600 + 3600));

    assertThat(events).containsExactly(granted(CAROL, "Carol", 1, OLD));
  }

  @Test
  void givenTheQuorumWasReached_whenTheApprovalsGrowOld_thenTheReleaseStaysPassed() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));
    history.decide(approve(CAROL, null), T0.plusSeconds(3700));

    var repeat = history.decide(approve(BOB, null), T0.plusSeconds(3700).plus(Duration.ofDays(3)));

    assertThat(repeat).as("a late double click changes nothing").isEmpty();
    assertThat(history.state().status()).isEqualTo(MANUAL_TEST_PASSED);
  }

  @Test
  void givenADecisionWithoutATime_whenApprovalsAreOld_thenNothingExpires() {
    history.upTo(MANUAL_TESTING).decide(approve(BOB, null), T0.plusSeconds(3600));

    var events = accepted(decide(approve(CAROL, null), history.state()));

    assertThat(events).contains(new ApprovalQuorumReached(List.of(BOB, CAROL)));
  }

  @Test
  void givenManualTesting_whenApproved_thenTheApprovalNamesTheTagAndTheCommit() {
    history.upTo(MANUAL_TESTING);

    var events = history.decide(approve(BOB, null), T0.plusSeconds(60));

    ApprovalGranted g = (ApprovalGranted) events.get(0);
    assertThat(g.tag()).isEqualTo("v1.2.3");
    assertThat(g.commitSha()).isEqualTo(OLD);
    assertThat(history.state().approvals().get(0).commitSha()).isEqualTo(OLD);
    assertThat(history.state().approvals().get(0).at()).isEqualTo(T0.plusSeconds(60));
  }

  private static ReportStep step(ReleaseStatus status, String commit) {
    return new ReportStep(ID, status, "step to " + commit, PIPELINE, commit);
  }

  private static ApprovalGranted granted(long id, String name, int count, String commit) {
    return new ApprovalGranted(id, name, count, 2, null, "v1.2.3", commit);
  }

  /**
   * A release's log: events folded with their envelopes (so approvals keep their time), decisions
   * made at a given moment and appended as the writer would.
   */
  private static final class History {
    private final ApprovalPolicy policy;
    private ReleaseState state = ReleaseState.none(ID);

    History() {
      this(TWO_OF_THREE_EXPIRING_IN_24H);
    }

    History(ApprovalPolicy policy) {
      this.policy = policy;
    }

    /** The release's events up to {@code status}, at {@link #T0} and one second apart. */
    History upTo(ReleaseStatus status) {
      Instant at = T0;
      for (ReleaseEvent e : eventsTo(status, policy)) {
        append(e, at);
        at = at.plusSeconds(1);
      }
      return this;
    }

    /** Decides at {@code now}; an accepted decision's events are appended with that time. */
    List<ReleaseEvent> decide(ReleaseCommand command, Instant now) {
      Decision d = ReleaseDecider.decide(command, state, null, null, now);
      assertThat(d).as("%s", d).isInstanceOf(Decision.Accepted.class);
      d.events().forEach(e -> append(e, now));
      return d.events();
    }

    ReleaseState state() {
      return state;
    }

    private void append(ReleaseEvent e, Instant at) {
      state =
          ReleaseDecider.evolve(
              state,
              new EventEnvelope(
                  "e" + (state.version() + 1),
                  ID,
                  state.version() + 1,
                  at,
                  PIPELINE,
                  null,
                  null,
                  null,
                  e));
    }
  }
}
