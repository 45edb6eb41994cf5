package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.Releases.SPEC;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.approve;
import static dev.rmm.contracts.Releases.given;
import static dev.rmm.contracts.Releases.granted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The role quorum (issue 15 point 3): a policy can require approvals by role ({@code qa: 1, lead:
 * 1}) beside its k of n, and both must hold. One approver fills one role only, so that one person
 * never meets a role quorum alone; roles are those of the policy in force, and only approvals in
 * force count.
 */
class ReleaseDeciderRoleQuorumTest {

  private static final long QA_ONE = 201;
  private static final long QA_TWO = 202;
  private static final long LEAD = 203;

  /** Holds both roles. */
  private static final long DUAL = 204;

  private static final Approver QUINN = new Approver(QA_ONE, "Quinn", null).withRoles(qa());
  private static final Approver QUENTIN = new Approver(QA_TWO, "Quentin", null).withRoles(qa());
  private static final Approver LENA = new Approver(LEAD, "Lena", null).withRoles(lead());
  private static final Approver DANA =
      new Approver(DUAL, "Dana", null).withRoles(List.of("qa", "lead"));

  /** qa: 1, lead: 1, beside a k of n of {@code quorum}. */
  private static ApprovalPolicy qaAndLead(int quorum, Approver... approvers) {
    Map<String, Integer> roles = new LinkedHashMap<>();
    roles.put("qa", 1);
    roles.put("lead", 1);
    return new ApprovalPolicy(List.of(approvers), quorum, false, List.of(Releases.ADMIN))
        .withRoles(roles);
  }

  private static List<String> qa() {
    return List.of("qa");
  }

  private static List<String> lead() {
    return List.of("lead");
  }

  /** Approvals of {@code ids}, in order, each accepted; returns the state after them. */
  private static ReleaseState approvedBy(ReleaseState state, PolicyInForce policy, long... ids) {
    ReleaseState s = state;
    for (long id : ids) {
      s = ReleaseDecider.evolveAll(s, accepted(decide(approve(id, null), s, null, policy)));
    }
    return s;
  }

  @Test
  void givenQaOneAndLeadOne_whenTwoQasApprove_thenTheQuorumIsNotReached() {
    ApprovalPolicy policy = qaAndLead(2, QUINN, QUENTIN, LENA);
    ReleaseState afterOne = approvedBy(inStatus(MANUAL_TESTING, policy), null, QA_ONE);

    var events = accepted(decide(approve(QA_TWO, null), afterOne));

    assertThat(events).containsExactly(granted(QA_TWO, "Quentin", 2, 2));
    ReleaseState after = ReleaseDecider.evolveAll(afterOne, events);
    assertThat(after.status()).isEqualTo(MANUAL_TESTING);
  }

  @Test
  void givenTwoQasApproved_whenTheLeadApproves_thenTheQuorumIsReachedOnceWithAllThree() {
    ApprovalPolicy policy = qaAndLead(2, QUINN, QUENTIN, LENA);
    ReleaseState twoQas = approvedBy(inStatus(MANUAL_TESTING, policy), null, QA_ONE, QA_TWO);

    var events = accepted(decide(approve(LEAD, null), twoQas));

    assertThat(events)
        .containsExactly(
            granted(LEAD, "Lena", 3, 2), new ApprovalQuorumReached(List.of(QA_ONE, QA_TWO, LEAD)));
    ReleaseState passed = ReleaseDecider.evolveAll(twoQas, events);
    assertThat(passed.status()).isEqualTo(MANUAL_TEST_PASSED);
    // a repeat by anybody after the quorum appends nothing: reached exactly once
    assertThat(accepted(decide(approve(QA_ONE, null), passed))).isEmpty();
    assertThat(accepted(decide(approve(LEAD, null), passed))).isEmpty();
  }

  @Test
  void givenQaOneAndLeadOne_whenAQaAndALeadApprove_thenTheQuorumIsReached() {
    ApprovalPolicy policy = qaAndLead(2, QUINN, QUENTIN, LENA);
    ReleaseState qaApproved = approvedBy(inStatus(MANUAL_TESTING, policy), null, QA_ONE);

    var events = accepted(decide(approve(LEAD, null), qaApproved));

    assertThat(events)
        .containsExactly(
            granted(LEAD, "Lena", 2, 2), new ApprovalQuorumReached(List.of(QA_ONE, LEAD)));
  }

  @Test
  void givenAPersonHoldingBothRoles_whenTheyApproveAlone_thenTheyFillOneRoleOnly() {
    ApprovalPolicy policy = qaAndLead(1, DANA, QUINN, LENA);

    var events = accepted(decide(approve(DUAL, null), inStatus(MANUAL_TESTING, policy)));

    assertThat(events).containsExactly(granted(DUAL, "Dana", 1, 1));
    assertThat(RoleQuorum.of(policy.roles(), List.of(DANA)).summary())
        .isEqualTo("qa 1/1 · lead 0/1");
  }

  @Test
  void givenAPersonHoldingBothRolesApprovedFirst_whenAQaApproves_thenTheFirstMovesToLead() {
    ApprovalPolicy policy = qaAndLead(1, DANA, QUINN, LENA);
    ReleaseState danaApproved = approvedBy(inStatus(MANUAL_TESTING, policy), null, DUAL);

    var events = accepted(decide(approve(QA_ONE, null), danaApproved));

    assertThat(events).last().isEqualTo(new ApprovalQuorumReached(List.of(DUAL, QA_ONE)));
  }

  @Test
  void givenTheRolesMetButNotTheKOfN_whenTheKthApproves_thenOnlyThenIsTheQuorumReached() {
    ApprovalPolicy policy = qaAndLead(3, QUINN, QUENTIN, LENA);
    ReleaseState qaAndLeadApproved =
        approvedBy(inStatus(MANUAL_TESTING, policy), null, QA_ONE, LEAD);
    assertThat(qaAndLeadApproved.status()).isEqualTo(MANUAL_TESTING);

    var events = accepted(decide(approve(QA_TWO, null), qaAndLeadApproved));

    assertThat(events).last().isInstanceOf(ApprovalQuorumReached.class);
  }

  @Test
  void givenTheLeadRemovedFromThePolicyInForce_whenTheyHadApproved_thenTheirRoleDoesNotCount() {
    ApprovalPolicy recorded = qaAndLead(2, QUINN, QUENTIN, LENA, DANA);
    ReleaseState leadApproved = approvedBy(inStatus(MANUAL_TESTING, recorded), null, LEAD);
    // Lena left the team: the policy in force no longer lists her
    PolicyInForce now = new PolicyInForce(7, qaAndLead(2, QUINN, QUENTIN, DANA));

    var events = accepted(decide(approve(QA_ONE, null), leadApproved, null, now));

    assertThat(events).hasSize(1);
    assertThat(((ApprovalGranted) events.get(0)).approvals()).isEqualTo(1);
    ReleaseState after = ReleaseDecider.evolveAll(leadApproved, events);
    assertThat(after.status()).isEqualTo(MANUAL_TESTING);
    // Dana (qa and lead) approves: the QA already there fills qa, Dana fills lead
    var dana = accepted(decide(approve(DUAL, null), after, null, now));
    assertThat(dana).last().isEqualTo(new ApprovalQuorumReached(List.of(QA_ONE, DUAL), 7L));
  }

  @Test
  void givenTwoQasApproved_whenThePolicyInForceDropsTheRoles_thenARepeatCompletesTheQuorum() {
    ApprovalPolicy recorded = qaAndLead(2, QUINN, QUENTIN, LENA);
    ReleaseState twoQas = approvedBy(inStatus(MANUAL_TESTING, recorded), null, QA_ONE, QA_TWO);
    PolicyInForce now = new PolicyInForce(8, recorded.withRoles(Map.of()));

    var events = accepted(decide(approve(QA_TWO, null), twoQas, null, now));

    assertThat(events).containsExactly(new ApprovalQuorumReached(List.of(QA_ONE, QA_TWO), 8L));
  }

  @Test
  void givenARoleQuorumNoApproversCanMeet_whenThePolicyIsMade_thenItIsRefused() {
    Approver plain = new Approver(299, "Pat", null);
    assertThatThrownBy(() -> qaAndLead(1, DANA, plain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'roles' cannot be met even if every approver approves")
        .hasMessageContaining("qa 1/1 · lead 0/1; one approver fills one role only");
    assertThatThrownBy(() -> qaAndLead(1, DANA))
        .hasMessageContaining(
            "'roles' cannot be met: they need 2 approvals but there are 1 approver(s)");
    assertThatThrownBy(() -> qaAndLead(1, QUINN, QUENTIN))
        .hasMessageContaining("'roles' cannot be met: role lead needs 1 approval(s) but 0");
    assertThatThrownBy(
            () ->
                new ApprovalPolicy(List.of(QUINN), 1, false, List.of())
                    .withRoles(Map.of("qa", Integer.MAX_VALUE)))
        .hasMessageContaining("role qa needs 2147483647 approval(s) but 1 approver(s) hold it");
    assertThatThrownBy(
            () ->
                new ApprovalPolicy(List.of(QUINN), 1, false, List.of()).withRoles(Map.of("qa", 0)))
        .hasMessageContaining("'roles' needs at least 1 approval of role qa");
  }

  @Test
  void givenAPolicyWithoutRoles_whenTheKthApproves_thenTheQuorumIsReachedAsBefore() {
    ApprovalPolicy noRoles = new ApprovalPolicy(List.of(QUINN, QUENTIN, LENA), 2, false, List.of());
    ReleaseState one = approvedBy(inStatus(MANUAL_TESTING, noRoles), null, QA_ONE);

    var events = accepted(decide(approve(QA_TWO, null), one));

    assertThat(events).last().isEqualTo(new ApprovalQuorumReached(List.of(QA_ONE, QA_TWO)));
  }

  /** The initiator recognised by the authenticated login, and by the people directory's logins. */
  @Test
  void givenTheOidcActorIsOneOfAnApproversLogins_whenTheyApprove_thenRefusedAsTheInitiator() {
    Approver carol =
        new Approver(QA_ONE, "Carol", null).withGithubLogins(List.of("carol-gh", "carol-work"));
    ApprovalPolicy policy = new ApprovalPolicy(List.of(carol, LENA), 1, false, List.of());
    // the pipeline reported somebody else; the token proved it was Carol's work account
    ReleaseState state = createdBy(policy, "dave", "Carol-Work");

    var refused = refused(decide(approve(QA_ONE, null), state), Refusal.NOT_ALLOWED);

    assertThat(refused.detail()).isEqualTo("Carol" + ReleaseDecider.INITIATOR_MAY_NOT_APPROVE);
    assertThat(accepted(decide(approve(LEAD, null), state))).hasSize(2);
  }

  @Test
  void givenNoAuthenticatedLogin_whenTheReportedInitiatorIsAnApproversLogin_thenRefused() {
    Approver carol = new Approver(QA_ONE, "Carol", null).withGithubLogins(List.of("carol-gh"));
    ApprovalPolicy policy = new ApprovalPolicy(List.of(carol, LENA), 1, false, List.of());

    refused(
        decide(approve(QA_ONE, null), createdBy(policy, "carol-gh", null)), Refusal.NOT_ALLOWED);
  }

  @Test
  void givenTheAuthenticatedLoginDiffersFromTheReportedOne_thenTheAuthenticatedOneDecides() {
    Approver carol = new Approver(QA_ONE, "Carol", "carol-gh");
    // the pipeline's free text names Carol; the token proves the run was lena-gh's
    Approver lena = new Approver(LEAD, "Lena", "lena-gh");
    ApprovalPolicy withLena = new ApprovalPolicy(List.of(carol, lena), 1, false, List.of());
    ReleaseState state = createdBy(withLena, "carol-gh", "lena-gh");

    assertThat(accepted(decide(approve(QA_ONE, null), state))).hasSize(2);
    refused(decide(approve(LEAD, null), state), Refusal.NOT_ALLOWED);
  }

  /** A release created under {@code policy} by {@code reported}, authenticated as {@code login}. */
  private static ReleaseState createdBy(ApprovalPolicy policy, String reported, String login) {
    ReleaseSpec spec =
        new ReleaseSpec(
            SPEC.service(),
            SPEC.tag(),
            reported,
            SPEC.githubRunId(),
            SPEC.githubRunLink(),
            SPEC.ref(),
            SPEC.repository(),
            SPEC.commitSha(),
            login);
    List<ReleaseEvent> events = new ArrayList<>(Releases.eventsTo(MANUAL_TESTING, policy));
    events.set(0, new ReleaseCreated(spec, policy));
    return given(events);
  }
}
